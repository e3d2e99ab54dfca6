"""The scoring rules: pure functions of a scheme, points, the period's violations and the cap on grade A (no
database)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from evaluations.choices import GRADE_ORDER, CapKind, Grade

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


def baseline_points(groups, *, percent: int) -> dict[str, Decimal]:
    """Where a new row starts without a self-assessment or the period before: ``percent`` of each group's maximum
    (one decimal, rounded down so the baseline never exceeds what the percentage says), bonus groups at 0."""
    share = Decimal(percent) / 100
    return {
        group.code: Decimal(0) if group.is_bonus else (group.max_points * share).quantize(ONE_DECIMAL, rounding="ROUND_DOWN")
        for group in groups
    }


def starting_points(groups, *, previous: dict | None) -> dict[str, Decimal] | None:
    """A row's points carried over from the period before (``previous``: points by group code, as stored), when they
    fit this scheme's groups (every group present, within its maximum); else None."""
    if not previous:
        return None
    points = {}
    for group in groups:
        try:
            value = Decimal(str(previous[group.code]))
        except (KeyError, InvalidOperation):
            return None
        if not value.is_finite() or not Decimal(0) <= value <= group.max_points:
            return None
        points[group.code] = value.quantize(ONE_DECIMAL)
    return points


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


# --- The cap on grade A ----------------------------------------------------------------------------------
#
# Two kinds (``CapKind``): Hanoi's "A at most x % of the staff rated" (Decision 3814-QĐ/TU) and Decree 335/2025's
# "A at most x % of those rated B". Integer arithmetic only: 7 staff at 30 % allow 2 A (2.1 is not a person), and
# a sheet exactly at its cap is within it.


@dataclass(frozen=True)
class CapCheck:
    """A sheet's grades against its cap: the counts, the cap that applies and how many A rows must be lowered to B
    for the cap to hold (0 when it holds)."""

    kind: str
    percent: int
    rows: int
    a: int
    b: int
    rows_to_lower: int
    exceptional: bool = False

    @property
    def exceeded(self) -> bool:
        return self.rows_to_lower > 0

    @property
    def a_allowed(self) -> int:
        """The most A the current grades allow (lowering an A to B also raises this for a share of B)."""
        return a_allowed(kind=self.kind, cap_percent=self.percent, rows=self.rows, b=self.b)

    @property
    def a_share_percent(self) -> float:
        """A as a share of what the cap counts (all rows, or the B rows), one decimal; 0 without any."""
        base = self.b if self.kind == CapKind.SHARE_OF_GOOD else self.rows
        return round(100 * self.a / base, 1) if base else 0.0


def a_allowed(*, kind: str, cap_percent: int, rows: int, b: int) -> int:
    """The most A within the cap: ⌊cap · base / 100⌋, the base being all rows or the B rows."""
    base = b if kind == CapKind.SHARE_OF_GOOD else rows
    return cap_percent * base // 100


def rows_to_lower(*, kind: str, cap_percent: int, a: int, b: int, rows: int) -> int:
    """The fewest A rows to lower to B so that the cap holds.

    Share of staff: the least k with 100·(a−k) ≤ cap·rows. Share of good: lowering an A to B also adds a B, so the
    least k with 100·(a−k) ≤ cap·(b+k), that is k = ⌈(100·a − cap·b) / (100 + cap)⌉. Never more than ``a``:
    with no A left, any cap holds.
    """
    if kind == CapKind.SHARE_OF_GOOD:
        excess = 100 * a - cap_percent * b
        needed = -(-excess // (100 + cap_percent)) if excess > 0 else 0  # ceiling division, integers only
    else:
        needed = max(0, a - cap_percent * rows // 100)
    return min(needed, a)


def cap_check(grades: Iterable[str], *, kind: str, cap_percent: int, exceptional: bool = False) -> CapCheck:
    """Count the grades and compare grade A with the cap (``kind``, ``cap_percent``)."""
    grades = list(grades)
    a = sum(1 for g in grades if g == Grade.A)
    b = sum(1 for g in grades if g == Grade.B)
    return CapCheck(
        kind=kind, percent=cap_percent, rows=len(grades), a=a, b=b, exceptional=exceptional,
        rows_to_lower=rows_to_lower(kind=kind, cap_percent=cap_percent, a=a, b=b, rows=len(grades)),
    )


def cap_percent_of(scheme, *, exceptional: bool) -> int:
    """The cap that applies under ``scheme``: its exceptional cap for an exceptional unit (when it has one)."""
    if exceptional and scheme.exceptional_cap_percent is not None:
        return scheme.exceptional_cap_percent
    return scheme.a_share_cap_percent


def sheet_cap_check(grades: Iterable[str], *, scheme, exceptional: bool = False) -> CapCheck:
    """The grades of a sheet against its scheme's cap (the exceptional one when the unit is exceptional)."""
    exceptional = exceptional and scheme.exceptional_cap_percent is not None
    return cap_check(
        grades, kind=scheme.cap_kind, cap_percent=cap_percent_of(scheme, exceptional=exceptional), exceptional=exceptional
    )


def a_share_exceeded(grades: Iterable[str], *, cap_percent: int, kind: str = CapKind.SHARE_OF_STAFF) -> bool:
    return cap_check(grades, kind=kind, cap_percent=cap_percent).exceeded


def scheme_rule_label(scheme) -> str:
    """What a message calls the scheme's rule: its legal basis ("Nghị định số 335/2025/NĐ-CP …"), else its name."""
    return scheme.legal_basis or scheme.name


def cap_rule_text(check: CapCheck) -> str:
    """The cap in words: "grade A at most 20% of those rated B"."""
    if check.kind == CapKind.SHARE_OF_GOOD:
        return _("grade A at most %(cap)s%% of those rated B") % {"cap": check.percent}
    return _("grade A at most %(cap)s%% of the staff rated") % {"cap": check.percent}


def cap_message(check: CapCheck, *, scheme) -> str:
    """The cap, where the sheet stands and how many rows must change, e.g. "Nghị định số 335/2025/NĐ-CP …: grade A
    at most 20% of those rated B — 5 A for 10 B; lower 3 of the A rows to B."."""
    rule = scheme_rule_label(scheme)
    if check.exceptional:
        rule = _("%(rule)s (exceptional unit)") % {"rule": rule}
    values = {"rule": rule, "cap_text": cap_rule_text(check), "a": check.a, "b": check.b, "staff": check.rows,
              "allowed": check.a_allowed, "rows": check.rows_to_lower}
    if check.kind == CapKind.SHARE_OF_GOOD:
        if check.exceeded:
            return _("%(rule)s: %(cap_text)s — %(a)s A for %(b)s B; lower %(rows)s of the A rows to B.") % values
        return _("%(rule)s: %(cap_text)s — %(a)s A for %(b)s B: within the cap.") % values
    if check.exceeded:
        return _("%(rule)s: %(cap_text)s — %(a)s A of %(staff)s staff, at most %(allowed)s; lower %(rows)s of the A rows to B.") % values
    return _("%(rule)s: %(cap_text)s — %(a)s A of %(staff)s staff, at most %(allowed)s: within the cap.") % values
