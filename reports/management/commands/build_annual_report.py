"""``manage.py build_annual_report --year 2026 --unit <code>``: build a unit's annual summary (tổng kết năm) in this
process (the same job Celery runs) and print the workbook's path."""

from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.choices import JobStatus
from reports.annual.services import FIRST_YEAR, annual_report_build_now
from reports.management.commands.build_quarterly_report import find_unit


class Command(BaseCommand):
    help = "Build the annual summary (.xlsx) of a unit for a year, in this process, and print the file's path."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--unit", required=True, help="the unit's public code or official code")

    def handle(self, *args, year, unit, **options):
        if year < FIRST_YEAR:
            raise CommandError(f"Choose a year from {FIRST_YEAR} on.")
        target = find_unit(unit)
        if year > timezone.localdate().year:
            raise CommandError(f"{year} has not started yet: there is nothing to summarise.")
        try:
            report = annual_report_build_now(unit=target, year=year)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        if report.status != JobStatus.SUCCESS:
            raise CommandError(f"The annual summary of {target} for {year} failed: {report.error}")
        self.stdout.write(str(Path(settings.MEDIA_ROOT) / report.file.name))
