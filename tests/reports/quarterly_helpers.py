"""The quarter of the quarterly report and commendation tests, and rating a ward's staff month by month.

Q2 2025 (April–June): Quận Thanh Xuân and its legacy wards were still in force.
"""

from core.quarters import Quarter
from evaluations.choices import SheetStatus
from evaluations.models import Rating
from tests.factories import RatingFactory, RatingSheetFactory, StaffFactory

QUARTER = Quarter(2025, 2)


def rate_ward(ward, grades_by_month: list[str], *, status=SheetStatus.APPROVED, quarter: Quarter = QUARTER, staff=None):
    """A sheet per month for ``ward`` with one rating per letter (``"AABC"``); staff are made when not given."""
    staff = staff or StaffFactory.create_batch(max(len(g) for g in grades_by_month), unit=ward)
    for month, grades in zip(quarter.months, grades_by_month, strict=True):
        if not grades:
            continue
        sheet = RatingSheetFactory(unit=ward, month=month, status=status)
        Rating.objects.bulk_create(
            RatingFactory.build(sheet=sheet, staff=person, grade=grade) for person, grade in zip(staff, grades, strict=False)
        )
    return staff
