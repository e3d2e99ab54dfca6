"""``manage.py build_quarterly_report --year 2026 --quarter 3 --unit <code>``: build a unit's quarterly report
in this process (the same job Celery runs) and print the workbook's name in the storage
(or, with ``--output``, copy it to a local file and print that path)."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from core.choices import JobStatus
from core.files import stored_file_copy
from core.quarters import Quarter
from reports.quarterly.services import quarterly_report_build_now
from units.models import Unit


def find_unit(code: str) -> Unit:
    """A unit by its public code, or by its official code (which must then name a single unit)."""
    unit = Unit.objects.filter(public_code=code).first()
    if unit is not None:
        return unit
    matches = list(Unit.objects.filter(official_code=code).order_by("structure", "path"))
    if not matches:
        raise CommandError(f"Unknown unit: {code!r} (give a public code such as phuong-thanh-xuan-bac-00367-cu, "
                           "or an official code).")
    if len(matches) > 1:
        codes = ", ".join(unit.public_code for unit in matches)
        raise CommandError(f"The official code {code!r} names several units ({codes}): give the public code.")
    return matches[0]


class Command(BaseCommand):
    help = "Build the quarterly report (.xlsx) of a unit for a quarter, in this process, and print the file's name in the storage."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--quarter", type=int, required=True, choices=[1, 2, 3, 4])
        parser.add_argument("--unit", required=True, help="the unit's public code or official code")
        parser.add_argument("--output", type=Path, help="also copy the workbook to this local file")

    def handle(self, *args, year, quarter, unit, output=None, **options):
        try:
            period = Quarter(year, quarter)
        except ValueError as error:
            raise CommandError(str(error)) from None
        target = find_unit(unit)
        if period.is_future():
            raise CommandError(f"{period} has not started yet: there is nothing to report.")
        try:
            report = quarterly_report_build_now(unit=target, quarter=period)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        if report.status != JobStatus.SUCCESS:
            raise CommandError(f"The report of {target} for {period} failed: {report.error}")
        # The workbook's name in the storage (a folder or an object store): any machine reads it from there.
        if output is not None:
            stored_file_copy(report.file.name, output)
            self.stdout.write(str(output))
        else:
            self.stdout.write(report.file.name)
