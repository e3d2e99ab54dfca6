"""Reads of the dashboard of a district office (and of city admins over districts): tiles, charts and the ranking
of the units directly beneath the dashboard's unit.

Every figure is counted by the database, grouped by the unit that owns the row (one query per source: sheets,
ratings, violations, feedback, kiosk votes, corrective actions, staff, pledges); ``units.rollup.Rollup`` then
adds each unit's counts to the row (ward, district) it lies under. So a dashboard costs the same number of queries
for 2 wards or 126, for one month or twelve.

Secrecy of surprise visits: only corrective actions of visits that took place (started or closed) are counted;
a planned surprise visit has no findings, and is never counted or shown to the inspected unit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
import datetime
from functools import reduce
import operator

from django.db.models import Count, Max, Q
from django.http import Http404
from django.utils import timezone

from core.dates import add_months
from evaluations.choices import ActionStatus, Grade, VisitStatus
from evaluations.models import CorrectiveAction, Rating, RatingSheet, Violation
from evaluations.ratings.selectors import APPROVED_STATUSES, SUBMITTED_STATUSES
from evaluations.ratings.services import month_end, month_start
from feedback.choices import CaseStatus, FeedbackKind
from feedback.models import FeedbackCase, KioskVote
from feedback.staff.selectors import OPEN, month_bounds, on_time_counts, satisfaction_counts, share
from pledges.models import Pledge, PledgeCampaign
from pledges.selectors import campaign_expected_staff
from units.choices import Structure
from units.models import Staff, Unit
from units.rollup import Rollup
from units.scope import scope_for

TREND_MONTHS = 12
GRADES = tuple(Grade.values)  # A, B, C, D

# The composite ranking (documented on the page too): each component is a 0–100 figure; a component a unit
# has no data for is left out and the weights of the others are scaled up, so a ward is not punished for a
# kiosk it does not have. Grade points: A = 100, B = 66.7, C = 33.3, D = 0, averaged over the rated staff.
# Discipline: 100 × (1 − (violations of the month + overdue corrective actions) ÷ active staff), at least 0.
RANK_WEIGHTS = {"coverage": 20, "grades": 30, "satisfaction": 20, "on_time": 15, "discipline": 15}
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
               "overdue_feedback", "rated", "satisfied", "closed", "on_time", "open_late", "open_actions", "overdue_actions")

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
    def has_data(self) -> bool:
        return bool(self.signed or self.submitted or self.graded or self.violations or self.open_feedback
                    or self.rated or self.closed or self.open_actions or sum(self.kinds.values()) or sum(self.trend_rated))

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


def composite_score(figures: Figures) -> float | None:
    """The weighted mean (0–100) of the components the unit has data for; ``None`` without any (see RANK_WEIGHTS)."""
    present = {name: value for name, value in figures.components().items() if value is not None}
    # Discipline alone (staff, no other data) says little: rank only units with some measured result.
    if not set(present) - {"discipline"}:
        return None
    weight = sum(RANK_WEIGHTS[name] for name in present)
    return sum(RANK_WEIGHTS[name] * value for name, value in present.items()) / weight


def rank_rows(rows: list[Figures]) -> None:
    """Score every row and number them from the best score (equal scores share a rank; no score, no rank)."""
    for row in rows:
        row.score = composite_score(row)
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
    structure: str
    structures: list[str]
    campaigns: list[PledgeCampaign]
    total: Figures
    rows: list[Figures]
    trend: list[tuple[datetime.date, float | None]]
    kinds: list[tuple[str, str, int]]
    kinds_since: datetime.date

    @property
    def ranking(self) -> list[Figures]:
        """The rows best first; rows without a score follow in the order of the tree."""
        return sorted(self.rows, key=lambda row: (row.rank is None, row.rank or 0))

    @property
    def target_percent(self) -> int | None:
        return min((c.target_percent for c in self.campaigns), default=None)


class _Collector:
    """Per-row figures filled from grouped ``(unit_id, …)`` results through the rollup."""

    def __init__(self, rollup: Rollup):
        self.rollup = rollup
        self.by_row: dict[int, Figures] = {}

    def row(self, unit_id: int) -> Figures | None:
        row_id = self.rollup.row_id(unit_id)
        if row_id is None:
            return None
        if row_id not in self.by_row:
            self.by_row[row_id] = Figures(unit=self.rollup.units_by_id.get(row_id, self.rollup.root))
        return self.by_row[row_id]

    def add(self, grouped, unit_key: str, fields: dict[str, str]) -> None:
        """Add each grouped value (``fields``: attribute ← column) to the row of its unit."""
        for values in grouped:
            figures = self.row(values[unit_key])
            if figures is not None:
                for attribute, column in fields.items():
                    setattr(figures, attribute, getattr(figures, attribute) + values[column])


def _coverage_plan(root: Unit, rows: list[Unit], year: int) -> list[tuple[PledgeCampaign, Unit]]:
    """The year's campaign covering ``root`` (its own or an ancestor's, the nearest), counted over ``root``; when
    there is none (a city whose districts run their own), each row's own campaign over that row. One query."""
    ancestors = [int(part) for part in root.path.strip("/").split("/") if part]
    row_ids = {row.pk for row in rows}
    campaigns = list(
        PledgeCampaign.objects.filter(year=year, scope_unit_id__in=[*ancestors, *row_ids]).select_related("scope_unit")
        .order_by("-scope_unit__depth", "-opens_on", "-pk")
    )
    covering = next((c for c in campaigns if c.scope_unit_id in ancestors), None)
    if covering is not None:
        return [(covering, root)]
    plan, seen = [], set()
    for campaign in campaigns:
        if campaign.scope_unit_id in row_ids and campaign.scope_unit_id not in seen:
            seen.add(campaign.scope_unit_id)
            plan.append((campaign, campaign.scope_unit))
    return plan


def _add_coverage(collector: _Collector, plan) -> None:
    """Expected and signed staff of the campaigns, grouped by unit (two queries, whatever the number of campaigns)."""
    if not plan:
        return
    expected = reduce(operator.or_, (campaign_expected_staff(campaign=c, under=under) for c, under in plan))
    collector.add(expected.order_by().values("unit_id").annotate(n=Count("pk")), "unit_id", {"expected": "n"})
    standing = reduce(operator.or_, (
        Q(campaign=c, staff__in=campaign_expected_staff(campaign=c, under=under).values("pk")) for c, under in plan
    ))
    signed = Pledge.objects.filter(standing, withdrawn_at__isnull=True).order_by().values("staff__unit_id")
    collector.add(signed.annotate(n=Count("pk")), "staff__unit_id", {"signed": "n"})


def _grade_month(collector: _Collector, subtree: Q, month: datetime.date, kept: set[int]) -> datetime.date | None:
    """The reference month, or the last month before it with a submitted sheet among the kept rows (one query)."""
    lasts = (
        RatingSheet.objects.filter(subtree, status__in=SUBMITTED_STATUSES, month__lte=month)
        .order_by().values("unit_id").annotate(last=Max("month"))
    )
    months = [v["last"] for v in lasts if collector.rollup.row_id(v["unit_id"]) in kept]
    return max(months, default=None)


def _add_feedback(collector: _Collector, subtree: Q, month: datetime.date, trend: list[datetime.date]) -> None:
    """Cases and kiosk votes of the subtree, grouped by unit: open and overdue now, the month's on-time counts,
    the satisfaction counts of each trend month, the cases by kind over the trend's months (two queries)."""
    today = timezone.localdate()
    case_counts, vote_counts = {}, {}
    for i, first in enumerate(trend):
        on_cases, on_votes = satisfaction_counts(first, f"_{i}")
        case_counts.update(on_cases)
        vote_counts.update(on_votes)
    start, _end = month_bounds(trend[0])
    _start, end = month_bounds(trend[-1])
    received = Q(received_at__gte=start, received_at__lt=end) & ~Q(status=CaseStatus.REJECTED)
    kinds = {f"kind_{kind}": Count("pk", filter=received & Q(kind=kind)) for kind in FeedbackKind.values}
    # Only cases that can count: received in the trend's window, still open, or closed since the month began (its
    # on-time rate, and what was open at its end). Years of cases closed long ago stay out of the scan.
    month_began, _next_month = month_bounds(month)
    relevant = Q(received_at__gte=start) | Q(closed_at__isnull=True) | Q(closed_at__gte=month_began)
    cases = FeedbackCase.objects.filter(subtree).filter(relevant).order_by().values("unit_id").annotate(
        **case_counts, **on_time_counts(month), **kinds,
        open=Count("pk", filter=Q(status__in=OPEN)),
        overdue=Count("pk", filter=Q(status__in=OPEN, due_on__lt=today)),
    )
    votes = KioskVote.objects.filter(subtree).order_by().values("unit_id").annotate(**vote_counts)
    current = trend.index(month)
    for grouped in (cases, votes):
        for values in grouped:
            figures = collector.row(values["unit_id"])
            if figures is None:
                continue
            for i in range(TREND_MONTHS):
                figures.trend_rated[i] += values[f"rated_{i}"]
                figures.trend_satisfied[i] += values[f"satisfied_{i}"]
            figures.rated += values[f"rated_{current}"]
            figures.satisfied += values[f"satisfied_{current}"]
            if grouped is cases:
                figures.open_feedback += values["open"]
                figures.overdue_feedback += values["overdue"]
                figures.closed += values["closed"]
                figures.on_time += values["on_time"]
                figures.open_late += values["open_late"]
                for kind in FeedbackKind.values:
                    figures.kinds[kind] = figures.kinds.get(kind, 0) + values[f"kind_{kind}"]


def dashboard_build(*, user, root: Unit, month: datetime.date, structure: str = "") -> Dashboard:
    """The dashboard of ``root`` (a unit in the user's scope, else 404) for ``month``.

    Rows are the units directly beneath ``root``; a unit holding both of Hanoi's structures shows those of
    ``structure`` (legacy or current; by default the current one when it has data, else the legacy one).
    A constant number of queries (about a dozen), computed in the database.
    """
    if not scope_for(user).covers(root):
        raise Http404  # the views look the unit up in the scope already; a caller that did not gets the same answer
    month = month_start(month)
    today = timezone.localdate()
    trend = [add_months(month, i - TREND_MONTHS + 1) for i in range(TREND_MONTHS)]
    rollup = Rollup(root)
    collector = _Collector(rollup)
    subtree = Q(unit__path__startswith=root.path)

    structures = sorted({u.structure for u in rollup.rows if u.structure})
    all_row_ids = {u.pk for u in rollup.rows}

    # Staff and units to rate: active staff at the month's end (today for the running month), by unit.
    day = min(month_end(month), today)
    staff = Staff.objects.active_on(day).filter(subtree).order_by().values("unit_id").annotate(n=Count("pk"))
    for values in staff:
        figures = collector.row(values["unit_id"])
        if figures is not None:
            figures.staff += values["n"]
            figures.units_to_rate += 1

    plan = _coverage_plan(root, rollup.rows, month.year)
    _add_coverage(collector, plan)

    sheets = (
        RatingSheet.objects.filter(subtree, month=month).order_by().values("unit_id")
        .annotate(
            submitted=Count("pk", filter=Q(status__in=SUBMITTED_STATUSES)),
            approved=Count("pk", filter=Q(status__in=APPROVED_STATUSES)),
            sheet=Max("pk"),
        )
    )
    for values in sheets:
        figures = collector.row(values["unit_id"])
        if figures is not None:
            figures.submitted += values["submitted"]
            figures.approved += values["approved"]
            if values["unit_id"] == figures.unit.pk:
                figures.sheet_id = values["sheet"]

    collector.add(
        Violation.objects.filter(subtree, occurred_on__gte=month, occurred_on__lte=month_end(month))
        .order_by().values("unit_id").annotate(n=Count("pk")),
        "unit_id", {"violations": "n"},
    )
    _add_feedback(collector, subtree, month, trend)
    took_place = (VisitStatus.IN_PROGRESS, VisitStatus.CLOSED)
    actions = (
        CorrectiveAction.objects.filter(owner_unit__path__startswith=root.path, finding__visit__status__in=took_place)
        .order_by().values("owner_unit_id")
        .annotate(open=Count("pk", filter=Q(status=ActionStatus.OPEN)),
                  overdue=Count("pk", filter=Q(status=ActionStatus.OPEN, due_on__lt=today)))
    )
    collector.add(actions, "owner_unit_id", {"open_actions": "open", "overdue_actions": "overdue"})

    # Which structure the rows show.
    def rows_of(kind: str) -> list[Unit]:
        return [u for u in rollup.rows if u.structure in (kind, "")]

    if len(structures) > 1:
        if structure not in structures:
            with_data = [
                kind for kind in (Structure.CURRENT, Structure.LEGACY)
                if kind in structures and any(collector.by_row.get(u.pk) and collector.by_row[u.pk].has_data for u in rows_of(kind))
            ]
            structure = with_data[0] if with_data else (Structure.CURRENT if Structure.CURRENT in structures else structures[0])
        row_units = rows_of(structure)
    else:
        structure = structures[0] if structures else ""
        row_units = list(rollup.rows)

    kept = {u.pk for u in row_units} | {root.pk}
    grade_month = _grade_month(collector, subtree, month, kept)
    if grade_month is not None:
        ratings = (
            Rating.objects.filter(sheet__unit__path__startswith=root.path, sheet__month=grade_month,
                                  sheet__status__in=SUBMITTED_STATUSES)
            .order_by().values("sheet__unit_id", "grade").annotate(n=Count("pk"))
        )
        for values in ratings:
            figures = collector.row(values["sheet__unit_id"])
            if figures is not None:
                figures.grades[values["grade"]] += values["n"]

    rows = [collector.by_row.get(u.pk) or Figures(unit=u) for u in row_units]
    own = collector.by_row.get(root.pk) or Figures(unit=root)
    total = Figures(unit=root)
    for figures in [*rows, own]:
        total.add(figures)
    if not all_row_ids:
        rows = [own]  # a ward without units beneath it: its own row
    rank_rows(rows)

    return Dashboard(
        root=root, month=month, grade_month=grade_month, structure=structure, structures=structures,
        campaigns=[campaign for campaign, _under in plan],
        total=total, rows=rows,
        trend=[(first, share(total.trend_satisfied[i], total.trend_rated[i])) for i, first in enumerate(trend)],
        kinds=[(kind, label, total.kinds.get(kind, 0)) for kind, label in FeedbackKind.choices],
        kinds_since=trend[0],
    )
