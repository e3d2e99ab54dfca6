"""``manage.py generate_synthetic``: fill a PostgreSQL database with city-scale synthetic data (``seed.synthetic``)."""

import time

from django.core.management.base import BaseCommand, CommandError

from seed.synthetic import SyntheticError, synthetic_generate


class Command(BaseCommand):
    help = (
        "Fill the database (PostgreSQL) with seeded, realistic synthetic data on the real unit tree: staff, monthly "
        "ratings, violations, pledges, inspections, citizen feedback and kiosk votes. Refuses a database that holds "
        "staff already unless --force, which DELETES all staff and activity data first."
    )

    def add_arguments(self, parser):
        parser.add_argument("--wards", type=int, default=40, help="grassroots units (Hanoi's first; default 40)")
        parser.add_argument("--staff-per-ward", type=int, default=80, help="staff at work in each ward (default 80)")
        parser.add_argument("--months", type=int, default=12, help="months of ratings, ending last month (default 12)")
        parser.add_argument("--feedback", type=int, default=50_000, help="citizen feedback cases (default 50,000)")
        parser.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")
        parser.add_argument("--force", action="store_true", help="delete all staff and activity data first")

    def handle(self, *args, **options):
        for name in ("wards", "staff_per_ward", "months"):
            if options[name] < 1:
                raise CommandError(f"--{name.replace('_', '-')} must be at least 1.")
        if options["feedback"] < 0:
            raise CommandError("--feedback cannot be negative.")
        started = time.perf_counter()
        try:
            summary = synthetic_generate(
                wards=options["wards"], staff_per_ward=options["staff_per_ward"], months=options["months"],
                feedback=options["feedback"], rng_seed=options["seed"], force=options["force"],
                log=lambda message: self.stdout.write(message),
            )
        except SyntheticError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(
            f"{summary.wards} wards in {summary.districts} districts, {summary.months} months: {summary.staff:,} staff, "
            f"{summary.sheets:,} sheets, {summary.ratings:,} ratings, {summary.violations:,} violations, "
            f"{summary.campaigns} campaigns with {summary.pledges:,} pledges, {summary.visits:,} inspection visits, "
            f"{summary.feedback:,} feedback cases, {summary.kiosk_votes:,} kiosk votes "
            f"in {time.perf_counter() - started:.1f} s."
        ))
