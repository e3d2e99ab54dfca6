"""Recompute the public statistics' stored months (``feedback.stats.rollup``) now, as Celery beat does each night."""

from django.core.management.base import BaseCommand, CommandError

from feedback.stats.rollup import NIGHTLY_MONTHS, feedback_stats_rollup


class Command(BaseCommand):
    help = "Recompute the public feedback statistics of the last finished months (or of every month with --all)."

    def add_arguments(self, parser):
        parser.add_argument("--months", type=int, default=NIGHTLY_MONTHS,
                            help=f"finished months to recompute, the last first (default {NIGHTLY_MONTHS})")
        parser.add_argument("--all", action="store_true", help="every month since the first case or kiosk vote")

    def handle(self, *args, **options):
        if not options["all"] and options["months"] < 1:
            raise CommandError("--months must be 1 or more.")
        rows = feedback_stats_rollup(months=None if options["all"] else options["months"])
        self.stdout.write(f"{rows} unit-months stored.")
