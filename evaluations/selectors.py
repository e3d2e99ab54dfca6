"""Reads for sheets, ratings and violations: scoped, joined, and constant in queries whatever the head count."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from evaluations import scoring
from evaluations.choices import Grade
from evaluations.models import Rating, RatingSheet, Violation
from evaluations.services import month_end, month_start
from units.models import Staff, Unit


def rating_sheet_get_for_user(*, user, pk: int) -> RatingSheet:
    """A sheet of a unit in the user's scope, or 404."""
    return get_object_or_404(
        RatingSheet.objects.filter(unit__in=Unit.objects.visible_to(user)).select_related(
            "unit", "unit__parent", "scheme", "submitted_by", "approved_by"
        ),
        pk=pk,
    )


def rating_sheet_list(*, user, unit: Unit | None = None) -> QuerySet:
    sheets = RatingSheet.objects.filter(unit__in=Unit.objects.visible_to(user)).select_related("unit")
    if unit is not None:
        sheets = sheets.filter(unit__path__startswith=unit.path)
    return sheets.order_by("-month", "unit__name")


def rating_sheet_rows(*, sheet: RatingSheet) -> list[Rating]:
    """The sheet's rows in name order, each with its staff member and that month's violations
    (``row.month_violations``). Three queries whatever the number of staff."""
    month_violations = Prefetch(
        "staff__violations",
        queryset=Violation.objects.filter(occurred_on__gte=sheet.month, occurred_on__lte=month_end(sheet.month))
        .select_related("article")
        .order_by("occurred_on"),
        to_attr="month_violations",
    )
    return list(
        sheet.ratings.select_related("staff", "updated_by").prefetch_related(month_violations).order_by("staff__full_name", "staff_id")
    )


@dataclass
class GradeSummary:
    counts: dict[str, int]
    total: int
    a_share_percent: float
    a_cap_percent: int

    @property
    def a_share_exceeded(self) -> bool:
        return self.total > 0 and self.a_share_percent > self.a_cap_percent


def grade_summary(*, sheet: RatingSheet, rows: list[Rating]) -> GradeSummary:
    counts = {grade: 0 for grade in Grade.values}
    for row in rows:
        counts[row.grade] += 1
    total = len(rows)
    share = round(100 * counts[Grade.A] / total, 1) if total else 0.0
    return GradeSummary(counts=counts, total=total, a_share_percent=share, a_cap_percent=sheet.scheme.a_share_cap_percent)


def staff_monthly_history(*, staff: Staff, months: int = 12, until: datetime.date | None = None) -> list[dict]:
    """The last ``months`` months of a staff member: grade, total, points and violations, newest first."""
    until = month_start(until or timezone.localdate())
    first = until
    for _ in range(months - 1):
        first = month_start(first - datetime.timedelta(days=1))
    ratings = {
        r.sheet.month: r
        for r in Rating.objects.filter(staff=staff, sheet__month__gte=first, sheet__month__lte=until).select_related("sheet")
    }
    violations: dict[datetime.date, list[Violation]] = {}
    for v in Violation.objects.filter(staff=staff, occurred_on__gte=first, occurred_on__lte=month_end(until)).select_related("article"):
        violations.setdefault(month_start(v.occurred_on), []).append(v)
    history, month = [], until
    for _ in range(months):
        history.append({"month": month, "rating": ratings.get(month), "violations": violations.get(month, [])})
        month = month_start(month - datetime.timedelta(days=1))
    return history


def needs_remark(grade: str) -> bool:
    return scoring.needs_remark(grade)
