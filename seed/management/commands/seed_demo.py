"""``manage.py seed_demo``: the demo's wards of today with their staff, history and activity, and one login per role
(``seed.demo``): Hà Nội's, and Tỉnh An Giang's commune under the national rules and the province's own code."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from seed.demo import demo_seed, logins_table, open_url


class Command(BaseCommand):
    help = (
        "Create the demo data: Hanoi's units if missing, Phường Thanh Xuân and its neighbours with the staff they took "
        "over from the former Quận Thanh Xuân on 1 July 2025, the former units' history, a year of activity; Tỉnh An "
        "Giang's units if missing, Xã Vĩnh Thuận with its staff, the province's own code of conduct and this year's "
        "activity; and one user per role with the password DEMO_PASSWORD. Idempotent; existing users keep their password."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026, help="Seed of the generated names (default 2026).")
        parser.add_argument(
            "--force", action="store_true",
            help="Run even with DEBUG off (it creates a superuser whose password is published).",
        )

    def handle(self, *args, seed, force, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo creates a superuser whose password is published (DEMO_PASSWORD); with DEBUG off "
                "it refuses. Run it with DEBUG=1, or pass --force on a demo server."
            )
        started = time.perf_counter()
        summary = demo_seed(password=settings.DEMO_PASSWORD, rng_seed=seed)
        elapsed = time.perf_counter() - started
        for team in summary.teams:
            self.stdout.write(f"Inspection team “{team.name}”, led by {team.leader.get_full_name()}.")
        for code in summary.codes:
            self.stdout.write(f"Code of conduct of {code.jurisdiction.name}: {code.decision_number}, “{code.title}”.")
        for campaign in summary.campaigns:
            self.stdout.write(f"Pledge campaign “{campaign.title}” with {campaign.pledges.count()} paper pledges.")
        if summary.created_anything:
            if summary.units_created:
                self.stdout.write(f"Imported {summary.units_created} units.")
            for unit_name, count in summary.staff_created.items():
                self.stdout.write(f"  {count:3d} staff in {unit_name}")
            if summary.staff_created:
                self.stdout.write(f"Staff created: {summary.total_staff_created}.")
            for unit_name, count in summary.staff_moved.items():
                self.stdout.write(f"  {count:3d} staff moved into {unit_name} on 01/07/2025")
            if summary.staff_ended:
                self.stdout.write(f"Staff of the dissolved district's offices, last day 30/06/2025: {summary.staff_ended}.")
            if summary.users_created:
                self.stdout.write(f"Users created: {', '.join(summary.users_created)}.")
            if summary.roles_created:
                self.stdout.write(f"Role assignments created: {summary.roles_created}.")
            for label, activities in (("History", summary.history), ("Activity", summary.activity)):
                for activity in activities:
                    self.stdout.write(
                        f"{label} {activity.first_month}–{activity.last_month}: {activity.sheets} rating sheets "
                        f"({activity.ratings} ratings), {activity.violations} violations, {activity.feedback_cases} "
                        f"feedback cases, {activity.kiosk_votes} kiosk votes, {activity.inspection_visits} inspection visit, "
                        f"{activity.commendation_lists} quarterly commendation lists approved, {activity.sanctions} "
                        "disciplinary decision."
                    )
            self.stdout.write(self.style.SUCCESS(f"Demo data created in {elapsed:.1f} s."))
        else:
            self.stdout.write(self.style.SUCCESS("Demo data already in place: nothing created."))
        if summary.units_left_alone and summary.created_anything:
            self.stdout.write(f"Left alone (they already had staff): {', '.join(summary.units_left_alone)}.")
        self.stdout.write("")
        self.stdout.write(
            "Demo logins (the password is the demo default, DEMO_PASSWORD; users that existed before keep theirs):"
        )
        for line in logins_table(summary.logins, settings.DEMO_PASSWORD):
            self.stdout.write(f"  {line}")
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Open {open_url()}"))
