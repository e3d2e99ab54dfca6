"""``manage.py build_annual_report --year 2026 --unit <code>``: build a unit's annual summary (tổng kết năm) in this
process (the same job Celery runs) and print the workbook's name in the storage
(or, with ``--output``, copy it to a local file and print that path)."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.choices import JobStatus
from core.files import stored_file_copy
from reports.annual.services import FIRST_YEAR, annual_report_build_now
from reports.management.commands.build_quarterly_report import find_unit


class Command(BaseCommand):
    help = "Build the annual summary (.xlsx) of a unit for a year, in this process, and print the file's name in the storage."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--unit", required=True, help="the unit's public code or official code")
        parser.add_argument("--output", type=Path, help="also copy the workbook to this local file")

    def handle(self, *args, year, unit, output=None, **options):
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
        # The workbook's name in the storage (a folder or an object store): any machine reads it from there.
        if output is not None:
            stored_file_copy(report.file.name, output)
            self.stdout.write(str(output))
        else:
            self.stdout.write(report.file.name)
