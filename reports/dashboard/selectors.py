"""Reads of the dashboard of a district office (and of city admins over districts): tiles, charts and the ranking
of the units directly beneath the dashboard's unit.

Every figure is counted by the database, grouped by the unit that owns the row, by the counters of the app that
owns the data (``units.figures``: staff; ``pledges.figures``: coverage; ``evaluations.figures``: sheets, grades,
violations, corrective actions; ``feedback.figures``: cases and kiosk votes), one query per source;
``units.rollup.Rollup`` then adds each unit's counts to the row (ward, district) it lies under. So a dashboard
costs the same number of queries for 2 wards or 126, for one month or twelve. The quarterly report reads the same
counters.

Secrecy of surprise visits: only corrective actions of visits that took place (started or closed) are counted;
a planned surprise visit has no findings, and is never counted or shown to the inspected unit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from core.dates import add_months, month_end, month_start
from core.numbers import share
from evaluations.choices import Grade
from evaluations.figures import (
    grade_counts,
    last_rated_months,
    open_action_counts,
    rating_sheet_counts,
    violation_counts,
)
from feedback.choices import FeedbackKind
from feedback.figures import feedback_counts
from pledges.figures import coverage_counts, coverage_plan
from pledges.models import PledgeCampaign
from reports.models import RankingWeights
from units.figures import active_staff_counts
from units.jurisdiction import rule_in_force
from units.models import Unit
from units.rollup import Rollup
from units.scope import require_visible

TREND_MONTHS = 12
GRADES = tuple(Grade.values)  # A, B, C, D

# The composite ranking (documented on the page too): each component is a 0–100 figure; a component a unit
# has no data for is left out and the weights of the others are scaled up, so a ward is not punished for a
# kiosk it does not have. Grade points: A = 100, B = 66.7, C = 33.3, D = 0, averaged over the rated staff.
# Discipline: 100 × (1 − (violations of the month + overdue corrective actions) ÷ active staff), at least 0.
GRADE_POINTS = {Grade.A: 100.0, Grade.B: 200 / 3, Grade.C: 100 / 3, Grade.D: 0.0}



@dataclass
class Figures:
    """The counts of one row of the ranking (a ward, a district) or of the whole dashboard unit."""

    unit: Unit
    staff: int = 0
    units_to_rate: int = 0
    expected: int = 0
    signed: int = 0
    submitted: int = 0
    approved: int = 0
    sheet_id: int | None = None  # the unit's own sheet of the month, when it has one
    grades: dict = field(default_factory=lambda: dict.fromkeys(GRADES, 0))
    violations: int = 0
    open_feedback: int = 0
    overdue_feedback: int = 0
    rated: int = 0
    satisfied: int = 0
    handling_rated: int = 0
    handling_satisfied: int = 0
    closed: int = 0
    on_time: int = 0
    open_late: int = 0
    kinds: dict = field(default_factory=dict)
    trend_rated: list = field(default_factory=lambda: [0] * TREND_MONTHS)
    trend_satisfied: list = field(default_factory=lambda: [0] * TREND_MONTHS)
    open_actions: int = 0
    overdue_actions: int = 0
    score: float | None = None
    rank: int | None = None

    _SUMMED = ("staff", "units_to_rate", "expected", "signed", "submitted", "approved", "violations", "open_feedback",
               "overdue_feedback", "rated", "satisfied", "handling_rated", "handling_satisfied", "closed", "on_time",
               "open_late", "open_actions", "overdue_actions")

    def add(self, other: Figures) -> None:
        for name in self._SUMMED:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for grade in GRADES:
            self.grades[grade] += other.grades[grade]
        for kind, count in other.kinds.items():
            self.kinds[kind] = self.kinds.get(kind, 0) + count
        for i in range(TREND_MONTHS):
            self.trend_rated[i] += other.trend_rated[i]
            self.trend_satisfied[i] += other.trend_satisfied[i]

    @property
    def has_period_data(self) -> bool:
        """Figures of the period asked (not today's open cases and actions): what shows a unit that was not in force
        then, or is no longer."""
        return bool(self.signed or self.submitted or self.graded or self.violations or self.rated or self.closed
                    or self.open_late or sum(self.kinds.values()) or sum(self.trend_rated))

    @property
    def coverage(self) -> float | None:
        return share(self.signed, self.expected)

    @property
    def graded(self) -> int:
        return sum(self.grades.values())

    @property
    def grade_shares(self) -> dict[str, float | None]:
        total = self.graded
        return {grade: share(count, total) for grade, count in self.grades.items()}

    @property
    def grade_points(self) -> float | None:
        total = self.graded
        return sum(GRADE_POINTS[g] * n for g, n in self.grades.items()) / total if total else None

    @property
    def satisfaction(self) -> float | None:
        return share(self.satisfied, self.rated)

    @property
    def handling_satisfaction(self) -> float | None:
        """Citizens' ratings of the handling of their resolved cases rated 4–5 (``feedback.figures``)."""
        return share(self.handling_satisfied, self.handling_rated)

    @property
    def on_time_rate(self) -> float | None:
        return share(self.on_time, self.closed + self.open_late)

    @property
    def discipline(self) -> float | None:
        if not self.staff:
            return None
        return max(0.0, 100 * (1 - (self.violations + self.overdue_actions) / self.staff))

    def components(self) -> dict[str, float | None]:
        return {"coverage": self.coverage, "grades": self.grade_points, "satisfaction": self.satisfaction,
                "on_time": self.on_time_rate, "discipline": self.discipline}


def ranking_weights_in_force(*, unit: Unit, day: datetime.date) -> RankingWeights | None:
    """The ``RankingWeights`` row in force for ``unit``'s jurisdiction on ``day`` (nearest up the tree, else
    national); ``None`` when none is defined. One query."""
    return rule_in_force(RankingWeights.objects.all(), unit=unit, day=day)


def ranking_weights_for(*, unit: Unit, day: datetime.date) -> dict[str, int]:
    """The ranking weights in force for ``unit``'s jurisdiction on ``day`` (nearest up the tree, else national)."""
    weights = ranking_weights_in_force(unit=unit, day=day)
    if weights is None:
        raise ValidationError(_("No ranking weights are defined."))
    return weights.as_dict()


def composite_score(figures: Figures, weights: dict[str, int]) -> float | None:
    """The weighted mean (0–100) of the components the unit has data for; ``None`` without any."""
    present = {name: value for name, value in figures.components().items() if value is not None}
    # Discipline alone (staff, no other data) says little: rank only units with some measured result.
    if not set(present) - {"discipline"}:
        return None
    weight = sum(weights[name] for name in present)
    if not weight:
        return None
    return sum(weights[name] * value for name, value in present.items()) / weight


def rank_rows(rows: list[Figures], weights: dict[str, int]) -> None:
    """Score every row and number them from the best score (equal scores share a rank; no score, no rank)."""
    for row in rows:
        row.score = composite_score(row, weights)
    scored = sorted((r for r in rows if r.score is not None), key=lambda r: -r.score)
    previous, rank = None, 0
    for position, row in enumerate(scored, start=1):
        if previous is None or round(row.score, 6) != round(previous, 6):
            rank = position
        row.rank, previous = rank, row.score


@dataclass
class Dashboard:
    """What the dashboard page shows for ``root`` and the reference ``month``."""

    root: Unit
    month: datetime.date
    grade_month: datetime.date | None
    structure: str  # "" for every row shown, or the one structure asked for
    structures: list[str]  # the structures of the units beneath the root (two for a city holding both)
    campaigns: list[PledgeCampaign]
    total: Figures
    rows: list[Figures]
    trend: list[tuple[datetime.date, float | None]]
    kinds: list[tuple[str, str, int]]
    kinds_since: datetime.date
    weights: dict[str, int]

    @property
    def ranking(self) -> list[Figures]:
        """The rows best first; rows without a score follow in the order of the tree."""
        return sorted(self.rows, key=lambda row: (row.rank is None, row.rank or 0))

    @property
    def target_percent(self) -> int | None:
        return min((c.target_percent for c in self.campaigns), default=None)


def _row_figures(unit: Unit, counts: dict, month: datetime.date, trend: list[datetime.date]) -> Figures:
    """A row's figures from its rolled-up counts (see ``dashboard_build`` for their shape); grades come later."""
    figures = Figures(unit=unit)
    staff = counts.get("staff", {})
    figures.staff, figures.units_to_rate = staff.get("staff", 0), staff.get("units", 0)
    coverage = counts.get("coverage", {})
    figures.expected, figures.signed = coverage.get("expected", 0), coverage.get("signed", 0)
    sheets = counts.get("sheets", {}).get(month, {})
    figures.submitted, figures.approved = sheets.get("submitted", 0), sheets.get("approved", 0)
    figures.violations = sum(counts.get("violations", {}).values())
    feedback = counts.get("feedback", {})
    by_month = feedback.get("months", {})
    for i, first in enumerate(trend):
        figures.trend_rated[i] = by_month.get(first, {}).get("rated", 0)
        figures.trend_satisfied[i] = by_month.get(first, {}).get("satisfied", 0)
    this_month = by_month.get(month, {})
    figures.rated, figures.satisfied = this_month.get("rated", 0), this_month.get("satisfied", 0)
    figures.handling_rated = this_month.get("handling_rated", 0)
    figures.handling_satisfied = this_month.get("handling_satisfied", 0)
    figures.closed, figures.on_time = this_month.get("closed", 0), this_month.get("on_time", 0)
    figures.open_late = this_month.get("open_late", 0)
    figures.open_feedback, figures.overdue_feedback = feedback.get("open", 0), feedback.get("overdue", 0)
    figures.kinds = dict(feedback.get("kinds", {}))
    actions = counts.get("actions", {})
    figures.open_actions, figures.overdue_actions = actions.get("open", 0), actions.get("overdue", 0)
    return figures


def dashboard_build(*, user, root: Unit, month: datetime.date, structure: str = "") -> Dashboard:
    """The dashboard of ``root`` (a unit in the user's scope, else 404) for ``month``.

    Rows are the units directly beneath ``root`` that were in force during the month and still are, and the others
    (a district dissolved on 1 July 2025, a ward formed that day) only where they hold figures for the period asked:
    a month spanning nothing but the current structure lists today's wards, a month of 2025 the former district
    that holds its figures, each month's data counted under the unit it was recorded in. ``structure`` (legacy or
    current) keeps only the rows of that structure.
    Each app's counters count its rows by unit (``units.figures``, ``pledges.figures``, ``evaluations.figures``,
    ``feedback.figures``) and the rollup adds them up to the rows: a constant number of queries (about a dozen).
    """
    require_visible(user, root)  # the views look the unit up in the scope already; a caller that did not gets 404
    month = month_start(month)
    today = timezone.localdate()
    trend = [add_months(month, i - TREND_MONTHS + 1) for i in range(TREND_MONTHS)]
    rollup = Rollup(root)
    structures = sorted({u.structure for u in rollup.rows if u.structure})
    all_row_ids = {u.pk for u in rollup.rows}

    # Each source's counts by unit id, under the source's name; then added up to the rows.
    day = min(month_end(month), today)  # staff active at the month's end (today for the running month)
    plan = coverage_plan(root=root, rows=rollup.rows, year=month.year)
    sheets = rating_sheet_counts(root=root, months=[month])
    by_unit: dict[int, dict] = {}
    for source, counts in (
        # A unit with active staff is a unit to rate.
        ("staff", {unit_id: {"staff": n, "units": 1} for unit_id, n in active_staff_counts(root=root, day=day).items()}),
        ("coverage", coverage_counts(plan=plan)),
        # The sheet's id is no count: it stays out of the sums (a row links to its own unit's sheet, below).
        ("sheets", {unit_id: {m: {k: v for k, v in c.items() if k != "sheet_id"} for m, c in by_month.items()}
                    for unit_id, by_month in sheets.items()}),
        ("violations", violation_counts(root=root, first_day=month, last_day=month_end(month))),
        ("feedback", feedback_counts(
            root=root, months=trend, on_time_months=[month], count_rejected=False, overdue_before=today
        )),
        ("actions", open_action_counts(root=root, today=today)),
    ):
        for unit_id, unit_counts in counts.items():
            by_unit.setdefault(unit_id, {})[source] = unit_counts
    by_row = {
        row_id: _row_figures(rollup.units_by_id.get(row_id, root), counts, month, trend)
        for row_id, counts in rollup.roll_up(by_unit).items()
    }
    for unit_id, by_month in sheets.items():  # a row links to its own unit's sheet of the month
        if unit_id in by_row and month in by_month:
            by_row[unit_id].sheet_id = by_month[month]["sheet_id"]

    # Which rows show: the units in force during the month that are still in force today, and any other unit (a
    # former one, or one formed after the month) only where it holds figures for the period asked; ``structure``
    # (legacy or current) narrows them to one structure.
    first_day, last_day = month, month_end(month)
    structure = structure if structure in structures else ""
    lasts = last_rated_months(root=root, until=month)
    rated_in_period = {rollup.row_id(unit_id) for unit_id, last in lasts.items() if last >= trend[0]}

    def shown(unit: Unit) -> bool:
        if structure and unit.structure not in (structure, ""):
            return False
        figures = by_row.get(unit.pk)
        if (figures is not None and figures.has_period_data) or unit.pk in rated_in_period:
            return True
        in_month = (unit.valid_from is None or unit.valid_from <= last_day) and (unit.valid_to is None or unit.valid_to >= first_day)
        return in_month and (unit.valid_to is None or unit.valid_to >= today)

    row_units = [u for u in rollup.rows if shown(u)]

    # The grades of the reference month, or of the last month before it with a submitted sheet among the kept rows.
    kept = {u.pk for u in row_units} | {root.pk}
    grade_month = max((last for unit_id, last in lasts.items() if rollup.row_id(unit_id) in kept), default=None)
    if grade_month is not None:
        grades = {unit_id: by_month[grade_month] for unit_id, by_month in grade_counts(root=root, months=[grade_month]).items()}
        for row_id, counts in rollup.roll_up(grades).items():
            if row_id not in by_row:
                by_row[row_id] = Figures(unit=rollup.units_by_id.get(row_id, root))
            for grade, n in counts.items():
                by_row[row_id].grades[grade] += n

    rows = [by_row.get(u.pk) or Figures(unit=u) for u in row_units]
    own = by_row.get(root.pk) or Figures(unit=root)
    total = Figures(unit=root)
    for figures in [*rows, own]:
        total.add(figures)
    if not all_row_ids:
        rows = [own]  # a ward without units beneath it: its own row
    weights = ranking_weights_for(unit=root, day=month)
    rank_rows(rows, weights)

    return Dashboard(
        root=root, month=month, grade_month=grade_month, structure=structure, structures=structures,
        campaigns=[campaign for campaign, _under in plan],
        total=total, rows=rows,
        trend=[(first, share(total.trend_satisfied[i], total.trend_rated[i])) for i, first in enumerate(trend)],
        kinds=[(kind, label, total.kinds.get(kind, 0)) for kind, label in FeedbackKind.choices],
        kinds_since=trend[0],
        weights=weights,
    )
