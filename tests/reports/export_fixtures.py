"""Builders for the export tests: rated months, violations, feedback cases (with a citizen's contact details), and
reading a workbook back with python-calamine."""

from __future__ import annotations

import datetime
from decimal import Decimal
import io
import itertools

from python_calamine import CalamineWorkbook

from evaluations.choices import Grade, Severity, ViolationSource
from evaluations.models import Rating, Violation
from evaluations.ratings import services as rating_services
from feedback.choices import CaseStatus, Channel, FeedbackKind
from feedback.models import FeedbackCase
from pledges.models import Article
from tests.factories import StaffFactory

_codes = itertools.count(1)


def read_sheets(content: bytes) -> dict[str, list[list]]:
    """Every sheet of a workbook as rows of values (numbers come back as floats)."""
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
    return {name: workbook.get_sheet_by_name(name).to_python() for name in workbook.sheet_names}


def response_bytes(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def rate(*, unit, actor, months, staff_count=3) -> list[Rating]:
    """Open the unit's sheets for ``months`` with ``staff_count`` new staff, then make each row a little
    different (points, total, grades, remark) so the export has something to prove."""
    StaffFactory.create_batch(staff_count, unit=unit)
    ratings = []
    for month in months:
        sheet = rating_services.rating_sheet_open(actor=actor, unit=unit, month=month)
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


def add_violation(*, staff, day, actor, severity=Severity.MINOR) -> Violation:
    article = Article.objects.filter(chapter__version__code__slug="qd-522-2017").first()
    return Violation.objects.create(
        staff=staff, unit=staff.unit, occurred_on=day, article=article, severity=severity,
        source=ViolationSource.SUPERVISOR, description="Đi muộn", recorded_by=actor,
    )


def add_case(*, unit, received_at, status=CaseStatus.NEW, closed_at=None, due_on=None, satisfaction=None, staff=None,
             kind=FeedbackKind.ATTITUDE, channel=Channel.WEB) -> FeedbackCase:
    """A case from a citizen who left their contact details (with consent): they must never reach an export."""
    number = next(_codes)
    return FeedbackCase.objects.create(
        unit=unit, tracking_code=f"EXP{number:05d}", channel=channel, kind=kind,
        text=f"Nội dung phản ánh riêng tư {number}", contact_name=f"Nguyễn Công Dân {number}",
        contact_phone=f"09{number:08d}", contact_email=f"dan{number}@example.vn", contact_consent=True,
        received_at=received_at, due_on=due_on or (received_at.date() + datetime.timedelta(days=14)), status=status,
        closed_at=closed_at, satisfaction=satisfaction, staff=staff,
        public_reply="Đã xử lý" if status == CaseStatus.RESOLVED else "",
    )
