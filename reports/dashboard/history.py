"""A unit's history month by month across the reform of 1 July 2025: each month counted under the units in force
then — the unit itself while it exists, before that the former units it was formed from (the merge map,
``Unit.merged_from``) added up.

The counts come from the counters the dashboard and the reports share (``evaluations.figures``,
``feedback.figures``), asked once for the unit and its predecessors together (a queryset of units): a fixed number
of queries whatever the number of months or predecessors. A former ward merged in part into several new wards
counts in full in the history of each of them, as the merge map cannot say which part went where.
"""

from __future__ import annotations

from dataclasses import dataclass, field
import datetime

from core.dates import add_months, month_end
from core.numbers import share
from evaluations.choices import Grade
from evaluations.figures import grade_counts, rating_sheet_counts, violation_counts_by_month
from feedback.figures import feedback_counts
from units.models import Unit
from units.scope import is_within, require_visible

GRADES = tuple(Grade.values)
MAX_MONTHS = 36


@dataclass
class HistoryMonth:
    """The figures of one month, added up over the units it counts under."""

    month: datetime.date
    sources: list[Unit] = field(default_factory=list)  # the units in force that month whose figures count
    own: bool = False  # counted under the unit itself (not its predecessors)
    submitted: int = 0
    approved: int = 0
    grades: dict = field(default_factory=lambda: dict.fromkeys(GRADES, 0))
    violations: int = 0
    rated: int = 0
    satisfied: int = 0
    closed: int = 0
    on_time: int = 0
    open_late: int = 0
    handling_rated: int = 0
    handling_satisfied: int = 0

    @property
    def graded(self) -> int:
        return sum(self.grades.values())

    @property
    def grade_shares(self) -> dict[str, float | None]:
        return {grade: share(n, self.graded) for grade, n in self.grades.items()}

    @property
    def satisfaction(self) -> float | None:
        return share(self.satisfied, self.rated)

    @property
    def on_time_rate(self) -> float | None:
        return share(self.on_time, self.closed + self.open_late)

    @property
    def handling_satisfaction(self) -> float | None:
        return share(self.handling_satisfied, self.handling_rated)

    def add(self, other: HistoryMonth) -> None:
        for name in ("submitted", "approved", "violations", "rated", "satisfied", "closed", "on_time", "open_late",
                     "handling_rated", "handling_satisfied"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for grade in GRADES:
            self.grades[grade] += other.grades[grade]


@dataclass
class UnitHistory:
    """A unit's months from ``first`` to ``last`` and their total."""

    unit: Unit
    predecessors: list[Unit]
    months: list[HistoryMonth]
    total: HistoryMonth


def _in_force(unit: Unit, month: datetime.date) -> bool:
    return (unit.valid_from is None or unit.valid_from <= month_end(month)) and (
        unit.valid_to is None or unit.valid_to >= month
    )


def unit_history_build(*, user, unit: Unit, first: datetime.date, last: datetime.date) -> UnitHistory:
    """The unit's history from ``first``'s month to ``last``'s (at most ``MAX_MONTHS``; the caller checks the
    period): each month under the unit while it is in force, else under its predecessors in force that month."""
    require_visible(user, unit)
    predecessors = list(unit.merged_from.order_by("name"))
    months = []
    month = first.replace(day=1)
    while month <= last and len(months) < MAX_MONTHS:
        months.append(month)
        month = add_months(month, 1)
    sources = [unit, *predecessors]
    # Every unit of the sources' subtrees (a ward's own bodies count with it), and which source each belongs to.
    subtree = Unit.objects.within_any(sources)
    source_of: dict[int, Unit] = {}
    for member in subtree.only("pk", "path"):
        source_of[member.pk] = max((s for s in sources if is_within(member, s)), key=lambda s: s.depth)
    by_source: dict[int, dict[datetime.date, HistoryMonth]] = {s.pk: {m: HistoryMonth(month=m) for m in months} for s in sources}
    if months:
        for unit_id, by_month in rating_sheet_counts(root=subtree, months=months).items():
            for month, counts in by_month.items():
                figures = by_source[source_of[unit_id].pk][month]
                figures.submitted += counts["submitted"]
                figures.approved += counts["approved"]
        for unit_id, by_month in grade_counts(root=subtree, months=months).items():
            for month, counts in by_month.items():
                for grade, n in counts.items():
                    by_source[source_of[unit_id].pk][month].grades[grade] += n
        for unit_id, by_month in violation_counts_by_month(
            root=subtree, first_day=months[0], last_day=month_end(months[-1])
        ).items():
            for month, n in by_month.items():
                by_source[source_of[unit_id].pk][month].violations += n
        for unit_id, counts in feedback_counts(root=subtree, months=months).items():
            for month, values in counts.get("months", {}).items():
                figures = by_source[source_of[unit_id].pk][month]
                for key in ("rated", "satisfied", "closed", "on_time", "open_late", "handling_rated", "handling_satisfied"):
                    setattr(figures, key, getattr(figures, key) + values.get(key, 0))

    rows, total = [], HistoryMonth(month=months[0] if months else first)
    for month in months:
        counted = [unit] if _in_force(unit, month) else [p for p in predecessors if _in_force(p, month)]
        row = HistoryMonth(month=month, sources=counted, own=counted == [unit])
        for source in counted:
            row.add(by_source[source.pk][month])
        total.add(row)
        rows.append(row)
    return UnitHistory(unit=unit, predecessors=predecessors, months=rows, total=total)
