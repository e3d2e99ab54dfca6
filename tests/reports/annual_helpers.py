"""The year of the annual summary tests, and rating a unit's staff for one month.

2025 spans the reform: Phường Thanh Xuân (current structure, since 1 July 2025) was formed from six legacy wards,
among them Phường Thanh Xuân Bắc and Phường Thanh Xuân Trung (in force until 30 June 2025).
"""

import datetime

from evaluations.choices import SheetStatus
from evaluations.models import Rating
from tests.factories import RatingFactory, RatingSheetFactory, StaffFactory
from units.choices import Structure
from units.models import Unit

YEAR = 2025
SINCE = datetime.date(2024, 1, 1)  # when the staff of the tests started working


def month_of(number: int) -> datetime.date:
    return datetime.date(YEAR, number, 1)


def current_unit(official_code: str) -> Unit:
    return Unit.objects.get(structure=Structure.CURRENT, official_code=official_code)


def staff_of(unit, count: int, *, since: datetime.date = SINCE):
    return StaffFactory.create_batch(count, unit=unit, active_from=since)


def rate_unit(unit, first_day: datetime.date, grades: str, *, staff, status=SheetStatus.APPROVED):
    """``unit``'s sheet of ``first_day``'s month, one rating per letter (``"AABC"``) for ``staff`` in order."""
    sheet = RatingSheetFactory(unit=unit, month=first_day, status=status)
    Rating.objects.bulk_create(
        RatingFactory.build(sheet=sheet, staff=person, grade=grade) for person, grade in zip(staff, grades, strict=False)
    )
    return sheet
