"""The annual rule: pure functions from a year's period results, the sanctions of the year and a scheme's annual
fields to the year's grade, and the cap on a year list. No database.

- The year is made of the scheme's periods: 12 months, or 4 quarters for a quarterly scheme. Ratings are put in
  the period that holds their month (monthly ratings under a quarterly scheme fill their quarter); a period rated
  more than once (a staff member who moved mid-month, rated by both units) takes the average of its points and
  the worst of its grades, since a month's grade may be capped by a violation whatever its points.
- Fewer rated periods than ``annual_min_rated_percent`` of the year's: not classified (Decree 90/2020: under six
  months of work in the year). A missing month otherwise only leaves the average to the other months.
- ``average_points``: the average of the rated periods' points (one decimal, half up), graded by the scheme's
  thresholds.
- Whatever the points: a period rated D caps the year at ``annual_d_period_cap`` (when set); a sanction of
  ``annual_sanction_trigger`` or heavier decided in the year forces D (Decree 335/2025: reprimand).

The cap on a year list (``a_excess``) counts like the monthly sheets' cap of the same kind. The lead may unify it
with the cap functions of ``evaluations.ratings.scoring``; it lives here so that the two can be written apart.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
import datetime
from decimal import ROUND_HALF_UP, Decimal
import math

from django.utils.translation import gettext_lazy as _

from evaluations.choices import DISCIPLINE_ORDER, GRADE_ORDER, AnnualMethod, CapKind, Grade

ONE_DECIMAL = Decimal("0.1")

# Why a year's grade is what it is, beyond its points: codes kept on the row, labels shown on the pages.
TOO_FEW_PERIODS = "too_few_periods"
D_PERIOD = "d_period"
SANCTION = "sanction"
TRIGGER_LABELS = {
    TOO_FEW_PERIODS: _("Too few periods rated to be classified"),
    D_PERIOD: _("A period rated D caps the year"),
    SANCTION: _("A disciplinary sanction in the year forces D"),
}


@dataclass(frozen=True)
class AnnualRule:
    """A scheme's annual fields, as the computation reads them."""

    method: str
    periods_per_year: int
    min_rated_percent: int
    d_period_cap: str
    sanction_trigger: str
    a_min: Decimal
    b_min: Decimal
    c_min: Decimal

    @classmethod
    def of(cls, scheme) -> AnnualRule:
        return cls(
            method=scheme.annual_method,
            periods_per_year=4 if scheme.is_quarterly else 12,
            min_rated_percent=scheme.annual_min_rated_percent,
            d_period_cap=scheme.annual_d_period_cap,
            sanction_trigger=scheme.annual_sanction_trigger,
            a_min=scheme.a_min,
            b_min=scheme.b_min,
            c_min=scheme.c_min,
        )

    @property
    def is_quarterly(self) -> bool:
        return self.periods_per_year == 4

    def period_of(self, month: datetime.date) -> datetime.date:
        """The first day of the period that holds ``month``."""
        if self.is_quarterly:
            return datetime.date(month.year, 3 * ((month.month - 1) // 3) + 1, 1)
        return month.replace(day=1)


@dataclass(frozen=True)
class RatedMonth:
    """One rating of the year: its sheet's month, total, final grade and the unit that rated it."""

    month: datetime.date
    total: Decimal
    grade: str
    unit_name: str = ""


@dataclass(frozen=True)
class PeriodResult:
    start: datetime.date
    points: Decimal
    grade: str
    units: tuple[str, ...] = ()

    def as_json(self) -> dict:
        return {"start": self.start.isoformat(), "points": f"{self.points:.1f}", "grade": self.grade, "units": list(self.units)}


@dataclass
class YearResult:
    """The computed year of one staff member (``grade`` "" when not classified)."""

    periods: list[PeriodResult]
    periods_expected: int
    average_points: Decimal | None
    grade_by_points: str
    ceiling: str
    grade: str
    triggers: list[str] = field(default_factory=list)

    @property
    def periods_rated(self) -> int:
        return len(self.periods)


def worst(*grades: str) -> str:
    """The lowest of the grades given (A best, D worst); empty values are ignored."""
    present = [g for g in grades if g]
    return max(present, key=GRADE_ORDER.index) if present else ""


def is_better(grade: str, than: str) -> bool:
    """Is ``grade`` better than ``than`` (A better than B)."""
    return GRADE_ORDER.index(grade) < GRADE_ORDER.index(than)


def _mean(values: list[Decimal]) -> Decimal:
    return (sum(values, Decimal(0)) / len(values)).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


def grade_by_points(points: Decimal, rule: AnnualRule) -> str:
    if points >= rule.a_min:
        return Grade.A
    if points >= rule.b_min:
        return Grade.B
    if points >= rule.c_min:
        return Grade.C
    return Grade.D


def period_results(ratings: Iterable[RatedMonth], rule: AnnualRule) -> list[PeriodResult]:
    """The year's rated periods in order, each from the ratings of its months."""
    by_period: dict[datetime.date, list[RatedMonth]] = {}
    for rating in ratings:
        by_period.setdefault(rule.period_of(rating.month), []).append(rating)
    return [
        PeriodResult(
            start=start,
            points=_mean([Decimal(r.total) for r in rated]),
            grade=worst(*(r.grade for r in rated)),
            units=tuple(dict.fromkeys(r.unit_name for r in rated if r.unit_name)),
        )
        for start, rated in sorted(by_period.items())
    ]


def sanction_forces_d(forms: Iterable[str], trigger: str) -> bool:
    """Does any of the year's sanctions reach the trigger (the trigger's form or a heavier one)."""
    if not trigger:
        return False
    threshold = DISCIPLINE_ORDER.index(trigger)
    return any(DISCIPLINE_ORDER.index(form) >= threshold for form in forms)


def classify_year(ratings: Iterable[RatedMonth], *, rule: AnnualRule, sanctions: Iterable[str] = ()) -> YearResult:
    """The year of one staff member by ``rule`` from their ratings of the year (from whichever unit) and the
    forms of discipline of the sanctions decided in the year."""
    if rule.method != AnnualMethod.AVERAGE_POINTS:
        raise ValueError(f"unknown annual method {rule.method!r}")
    periods = period_results(ratings, rule)
    result = YearResult(periods=periods, periods_expected=rule.periods_per_year, average_points=None,
                        grade_by_points="", ceiling="", grade="")
    if 100 * len(periods) < rule.min_rated_percent * rule.periods_per_year or not periods:
        result.triggers.append(TOO_FEW_PERIODS)
        return result
    result.average_points = _mean([p.points for p in periods])
    result.grade_by_points = grade_by_points(result.average_points, rule)
    if rule.d_period_cap and any(p.grade == Grade.D for p in periods):
        result.ceiling = worst(result.ceiling, rule.d_period_cap)
        result.triggers.append(D_PERIOD)
    if sanction_forces_d(sanctions, rule.sanction_trigger):
        result.ceiling = Grade.D
        result.triggers.append(SANCTION)
    result.grade = worst(result.grade_by_points, result.ceiling)
    return result


def a_excess(grades: Iterable[str], *, cap_kind: str, cap_percent: int) -> int:
    """How many grades A must become B for the list to keep within the cap (0: within it).

    ``SHARE_OF_STAFF`` (Hanoi 3814): A at most ``cap_percent`` % of the staff classified. ``SHARE_OF_GOOD``
    (Decree 335): A at most ``cap_percent`` % of those rated B — each A moved down is also one more B, so the
    smallest k with 100·(A − k) ≤ cap·(B + k)."""
    grades = [g for g in grades if g]
    a = sum(1 for g in grades if g == Grade.A)
    if a == 0:
        return 0
    if cap_kind == CapKind.SHARE_OF_GOOD:
        b = sum(1 for g in grades if g == Grade.B)
        return max(0, math.ceil((100 * a - cap_percent * b) / (100 + cap_percent)))
    return max(0, a - (cap_percent * len(grades)) // 100)
