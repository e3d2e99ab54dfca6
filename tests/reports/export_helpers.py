"""Helpers of the export tests: sheets opened through the service and rated a little differently row by row,
and reading a workbook back with python-calamine."""

from __future__ import annotations

from decimal import Decimal
import io

from python_calamine import CalamineWorkbook

from evaluations.choices import Grade
from evaluations.models import Rating
from tests.builders import open_sheet
from tests.factories import StaffFactory


def read_sheets(content: bytes) -> dict[str, list[list]]:
    """Every sheet of a workbook as rows of values (numbers come back as floats)."""
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
    return {name: workbook.get_sheet_by_name(name).to_python() for name in workbook.sheet_names}


def response_bytes(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def rated_sheets(*, unit, actor, months, staff_count=3) -> list[Rating]:
    """Open the unit's sheets for ``months`` with ``staff_count`` new staff, then make each row a little
    different (points, total, grades, remark) so the export has something to prove."""
    StaffFactory.create_batch(staff_count, unit=unit)
    ratings = []
    for month in months:
        sheet = open_sheet(unit, actor, month)
        changed = list(sheet.ratings.order_by("pk"))
        for index, rating in enumerate(changed):
            tasks = Decimal(70) - index % 20 - Decimal("0.5") * (month.month % 3)
            rating.points = {"discipline": "20.0", "tasks": str(tasks), "bonus": "1.5" if index == 0 else "0.0"}
            rating.total = sum(Decimal(v) for v in rating.points.values())
            rating.grade_by_points = Grade.A if rating.total >= 90 else Grade.B
            rating.grade = rating.grade_by_points
            rating.remark = f"Nhận xét {index}"
        Rating.objects.bulk_update(changed, ["points", "total", "grade_by_points", "grade", "remark"])
        ratings += changed
    return ratings
