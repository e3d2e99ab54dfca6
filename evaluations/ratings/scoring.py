"""The scoring rules: pure functions of a scheme, points and the month's violations (no database)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from evaluations.choices import GRADE_ORDER, Grade

TOTAL_CAP = Decimal(110)  # no scheme may add up past this (100 points and a 10-point bonus)
ONE_DECIMAL = Decimal("0.1")


def parse_points(raw, *, maximum: Decimal, label: str) -> Decimal:
    """A number of points as typed ("18", "18,5", 18.5): within 0…maximum, one decimal at most."""
    text = str(raw).strip().replace(",", ".") if raw is not None else ""
    if text == "":
        raise ValidationError(_("%(label)s: enter a number of points.") % {"label": label}, code="required")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValidationError(_("%(label)s: “%(value)s” is not a number.") % {"label": label, "value": raw}, code="not_number") from None
    if not value.is_finite():
        raise ValidationError(_("%(label)s: “%(value)s” is not a number.") % {"label": label, "value": raw}, code="not_number")
    if value < 0:
        raise ValidationError(_("%(label)s: points cannot be negative.") % {"label": label}, code="negative")
    if value > maximum:
        raise ValidationError(
            _("%(label)s: at most %(max)s points.") % {"label": label, "max": f"{maximum.normalize():f}"}, code="above_max"
        )
    if value != value.quantize(ONE_DECIMAL):
        raise ValidationError(_("%(label)s: use at most one decimal.") % {"label": label}, code="decimals")
    return value.quantize(ONE_DECIMAL)


def total_of(points: Mapping[str, Decimal]) -> Decimal:
    return min(sum((Decimal(v) for v in points.values()), Decimal(0)), TOTAL_CAP).quantize(ONE_DECIMAL)


def grade_by_points(total: Decimal, *, a_min: Decimal, b_min: Decimal, c_min: Decimal) -> str:
    if total >= a_min:
        return Grade.A
    if total >= b_min:
        return Grade.B
    if total >= c_min:
        return Grade.C
    return Grade.D


def worst(*grades: str) -> str:
    """The lowest of the grades (A best, D worst)."""
    return max(grades, key=GRADE_ORDER.index)


def final_grade(total: Decimal, *, scheme, violation_severities: Iterable[str] = ()) -> tuple[str, str]:
    """(grade by points, final grade): a violation in the month caps the grade whatever the points say."""
    by_points = grade_by_points(total, a_min=scheme.a_min, b_min=scheme.b_min, c_min=scheme.c_min)
    caps = [scheme.cap_for(severity) for severity in violation_severities]
    return by_points, worst(by_points, *caps)


def needs_remark(grade: str) -> bool:
    """Below B the rater must say why (C and D)."""
    return GRADE_ORDER.index(grade) > GRADE_ORDER.index(Grade.B)


def a_share_exceeded(grades: Iterable[str], *, cap_percent: int) -> bool:
    grades = list(grades)
    if not grades:
        return False
    return 100 * sum(1 for g in grades if g == Grade.A) > cap_percent * len(grades)
