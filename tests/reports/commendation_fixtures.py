"""Data for the commendation tests, made straight in the database: a quarter in the past, staff rated month by
month on approved sheets, violations and feedback cases on chosen days.

``rate(staff, "AAB")`` gives a staff member grade A, A, B in the quarter's three months (``"-"`` leaves a
month unrated), with ``points`` per month (default 95 for A, 80 for B, 60 for C, 40 for D).
"""

import datetime
from decimal import Decimal
import itertools

from django.utils import timezone
import pytest

from core.quarters import Quarter
from evaluations.choices import Severity, SheetStatus, ViolationSource
from evaluations.models import Rating, RatingSheet, ScoringScheme, Violation
from feedback.choices import CaseStatus, FeedbackKind
from feedback.models import FeedbackCase
from pledges.models import Article

QUARTER = Quarter(2025, 2)  # April–June 2025: Thanh Xuân's legacy wards were still in force
DEFAULT_POINTS = {"A": Decimal(95), "B": Decimal(80), "C": Decimal(60), "D": Decimal(40)}
_codes = itertools.count(1)


@pytest.fixture
def quarter() -> Quarter:
    return QUARTER


@pytest.fixture
def rate():
    """Rate ``staff`` in the unit of the staff member (or ``unit``) month by month: ``grades`` like "AA-"."""

    def make(staff, grades: str, *, unit=None, points=None, quarter: Quarter = QUARTER, status=SheetStatus.APPROVED):
        scheme = ScoringScheme.objects.order_by("effective_from").first()
        unit = unit or staff.unit
        for i, (month, grade) in enumerate(zip(quarter.months, grades, strict=True)):
            if grade == "-":
                continue
            sheet, _ = RatingSheet.objects.get_or_create(
                unit=unit, month=month, defaults={"scheme": scheme, "status": status}
            )
            total = Decimal(points[i]) if points else DEFAULT_POINTS[grade]
            Rating.objects.create(sheet=sheet, staff=staff, total=total, grade=grade, grade_by_points=grade)

    return make


@pytest.fixture
def violation(hanoi):
    """Record a violation of Decision 522 by ``staff`` on ``day``."""
    from tests.factories import UserFactory

    def make(staff, day: datetime.date):
        article = Article.objects.filter(chapter__version__code__slug="qd-522-2017").first()
        return Violation.objects.create(
            staff=staff, unit=staff.unit, occurred_on=day, article=article, severity=Severity.MINOR,
            source=ViolationSource.SUPERVISOR, description="Đi muộn", recorded_by=UserFactory(),
        )

    return make


@pytest.fixture
def feedback_case():
    """A feedback case about ``staff`` received on ``day`` (noon, local time)."""

    def make(staff, day: datetime.date, *, kind=FeedbackKind.ATTITUDE, substantiated=False, status=CaseStatus.RESOLVED):
        received = datetime.datetime.combine(day, datetime.time(12), tzinfo=timezone.get_current_timezone())
        return FeedbackCase.objects.create(
            unit=staff.unit, staff=staff, kind=kind, substantiated=substantiated, status=status,
            tracking_code=f"TC{next(_codes):08d}", text="…", received_at=received, due_on=day,
            public_reply="Cảm ơn ông/bà." if status == CaseStatus.RESOLVED else "",
        )

    return make
