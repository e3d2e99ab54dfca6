"""Helpers of the annual classification tests: a year of results written straight as locked sheets and ratings."""

import datetime
from decimal import Decimal

from evaluations.choices import SheetStatus
from evaluations.models import RatingSheet
from tests.factories import GRADE_POINTS, RatingFactory, RatingSheetFactory

YEAR = 2026  # Decree 335/2025 is in force from 1 January 2026


def rate(staff, month: datetime.date, grade: str = "B", *, total=None, unit=None, status=SheetStatus.LOCKED):
    """A rating of ``staff`` on ``unit``'s sheet of ``month`` (its unit by default; the sheet made if missing)."""
    unit = unit or staff.unit
    sheet = RatingSheet.objects.filter(unit=unit, month=month).first() or RatingSheetFactory(
        unit=unit, month=month, status=status
    )
    return RatingFactory(sheet=sheet, staff=staff, grade=grade,
                         total=Decimal(total) if total is not None else GRADE_POINTS[grade])


def rate_year(staff, grades: str, *, year: int = YEAR, unit=None, first_month: int = 1, step: int = 1):
    """One rating per month from ``first_month`` (every ``step`` months: 3 for quarters), grades read from
    ``grades`` ("AAB-C…"; "-" leaves the month unrated)."""
    for index, grade in enumerate(grades):
        if grade != "-":
            rate(staff, datetime.date(year, first_month + index * step, 1), grade, unit=unit)
