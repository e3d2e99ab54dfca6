"""Public statistics of citizen feedback (open data): for each unit and month, the cases received, the share
answered on time, the satisfaction index, the handling satisfaction and the median days to answer.

The on-time rate and the satisfaction index come from the figures engine (``feedback.figures.feedback_counts``),
so they are the dashboard's numbers; the other three are counted here:

- cases received: cases received in the month, rejected ones included (as ``feedback_month_counts`` counts them);
- handling satisfaction: among the citizens' ratings of the handling given in the month, the share of 4 or 5;
- median days to answer: over the cases resolved (closed with their reply) in the month, the median time from
  receipt to the reply, in days. PostgreSQL computes it in the same grouped query (``percentile_cont``); on
  SQLite, which has no such aggregate, one more query reads those cases' two timestamps.

Whatever the number of units or cases: a page of units costs the page's query, its count, the engine's two
queries and two (three on SQLite) here. A unit's twelve months read the finished months from the night's roll-up
(``FeedbackMonthFigures``, written by ``feedback.stats.rollup`` with these same functions) in one query, and count
live only the running month (and any month the roll-up lacks) in four more. No personal data and no case text is
ever read.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
import datetime
import re
import statistics

from django.db import connection
from django.db.models import Aggregate, Count, FloatField, Q, QuerySet
from django.utils import timezone

from core.dates import add_months, month_bounds, parse_month
from core.numbers import share
from core.text import fold_diacritics
from feedback.choices import CaseStatus
from feedback.figures import HANDLING_KEYS, ON_TIME_KEYS, SATISFACTION_KEYS, feedback_counts, handling_counts
from feedback.models import FeedbackCase, FeedbackMonthFigures
from units.choices import DISTRICT_KINDS, GRASSROOTS_KINDS, LEGACY_LAST_DAY, Structure
from units.models import Unit
from units.rollup import add_counts
from units.scope import subtree_q

STATS_MONTHS = 12
MONTH_PATTERN = re.compile(r"[0-9]{4}-(?:0[1-9]|1[0-2])")
SECONDS_PER_DAY = 24 * 60 * 60
# Units listed: wards, communes and districts (the levels whose citizens send feedback).
LISTED_KINDS = (*GRASSROOTS_KINDS, *DISTRICT_KINDS)
# What a month of ``FeedbackMonthFigures`` holds: the figures engine's counts, and those counted here.
ENGINE_KEYS = (*SATISFACTION_KEYS, *ON_TIME_KEYS)
OWN_KEYS = ("received", *HANDLING_KEYS, "median_seconds")


class MedianSeconds(Aggregate):
    """PostgreSQL: the median of ``end - start`` (two datetime columns) in seconds, ``percentile_cont(0.5)``."""

    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM (%(expressions)s)))"
    arg_joiner = " - "
    output_field = FloatField()

    def __init__(self, end, start, **extra):
        super().__init__(end, start, **extra)


def median_supported() -> bool:
    """Whether the database computes medians itself (PostgreSQL); SQLite gets the Python fallback."""
    return connection.vendor == "postgresql"


@dataclass(frozen=True)
class MonthStats:
    """One unit's figures of one month (``None``: nothing to divide by, or no case answered)."""

    month: datetime.date
    received: int
    on_time: float | None
    satisfaction: float | None
    handling: float | None
    median_days: float | None


@dataclass
class UnitStats:
    """A unit and its figures, month by month (oldest first)."""

    unit: Unit
    months: list[MonthStats]

    @property
    def latest(self) -> MonthStats:
        return self.months[-1]


def handling_satisfaction(*, rated: int, satisfied: int) -> float | None:
    """The handling satisfaction (0–100): ratings of 4 or 5 among all ratings of the handling."""
    return share(satisfied, rated)


def _answered(month: datetime.date) -> Q:
    start, end = month_bounds(month)
    return Q(status=CaseStatus.RESOLVED, closed_at__gte=start, closed_at__lt=end)


def own_counts(*, where: Q, months: list[datetime.date], by_unit: bool, medians: bool = True) -> dict:
    """Received, handling ratings and median seconds to answer (unless not ``medians``), by unit id (``by_unit``)
    or for all of ``where`` together (key ``None``), and month. Two queries (three on SQLite), each served by an
    index alone on PostgreSQL: the received and answered cases from the covering index of the counts
    (``feedback_counts_cover_idx``), the ratings of the handling from the partial index of rated cases
    (``feedback_handling_rated_idx``)."""
    first, _end = month_bounds(months[0])
    _start, last = month_bounds(months[-1])
    case_aggregates, rating_aggregates = {}, {}
    for i, month in enumerate(months):
        start, end = month_bounds(month)
        case_aggregates[f"received_{i}"] = Count("pk", filter=Q(received_at__gte=start, received_at__lt=end))
        if medians and median_supported():
            case_aggregates[f"median_{i}"] = MedianSeconds("closed_at", "received_at", filter=_answered(month))
        rating_aggregates.update(handling_counts(month, f"_{i}"))
    cases = FeedbackCase.objects.filter(where).filter(
        Q(received_at__gte=first, received_at__lt=last) | Q(closed_at__gte=first, closed_at__lt=last)
    ).order_by()
    ratings = FeedbackCase.objects.filter(where).filter(
        handling_rated_at__gte=first, handling_rated_at__lt=last
    ).order_by()
    counts: dict = {}

    def add(rows, keys):
        for row in rows:
            unit_id = row["unit_id"] if by_unit else None
            unit_counts = counts.setdefault(unit_id, {month: {"received": 0, "handling_rated": 0,
                                                              "handling_satisfied": 0, "median_seconds": None}
                                                      for month in months})
            for i, month in enumerate(months):
                for key in keys:
                    if f"{key}_{i}" in row:
                        unit_counts[month]["median_seconds" if key == "median" else key] = row[f"{key}_{i}"]

    if by_unit:
        add(cases.values("unit_id").annotate(**case_aggregates), ("received", "median"))
        add(ratings.values("unit_id").annotate(**rating_aggregates), ("handling_rated", "handling_satisfied"))
    else:
        add([cases.aggregate(**case_aggregates)], ("received", "median"))
        add([ratings.aggregate(**rating_aggregates)], ("handling_rated", "handling_satisfied"))
    if medians and not median_supported():
        _median_fallback(counts, where=where, months=months, by_unit=by_unit)
    return counts


def _median_fallback(counts: dict, *, where: Q, months: list[datetime.date], by_unit: bool) -> None:
    """SQLite: the medians from the answered cases' timestamps, read in one query."""
    first, _end = month_bounds(months[0])
    _start, last = month_bounds(months[-1])
    durations: dict = defaultdict(list)
    answered = FeedbackCase.objects.filter(where).filter(
        status=CaseStatus.RESOLVED, closed_at__gte=first, closed_at__lt=last
    ).order_by().values_list("unit_id", "received_at", "closed_at")
    for unit_id, received_at, closed_at in answered.iterator(chunk_size=5000):
        month = timezone.localtime(closed_at).date().replace(day=1)
        durations[unit_id if by_unit else None, month].append((closed_at - received_at).total_seconds())
    for (unit_id, month), values in durations.items():
        if unit_id in counts and month in counts[unit_id]:
            counts[unit_id][month]["median_seconds"] = statistics.median(values)


def _month_stats(month: datetime.date, engine: dict, own: dict) -> MonthStats:
    figures = engine.get("months", {}).get(month, {})
    mine = own.get(month, {})
    seconds = mine.get("median_seconds")
    return MonthStats(
        month=month,
        received=mine.get("received", 0),
        on_time=share(figures.get("on_time", 0), figures.get("closed", 0) + figures.get("open_late", 0)),
        satisfaction=share(figures.get("satisfied", 0), figures.get("rated", 0)),
        handling=handling_satisfaction(rated=mine.get("handling_rated", 0), satisfied=mine.get("handling_satisfied", 0)),
        median_days=None if seconds is None else round(seconds / SECONDS_PER_DAY, 1),
    )


def stats_month(text: str | None, *, today: datetime.date | None = None) -> datetime.date:
    """The month asked for ("YYYY-MM"), or this month when it is missing, malformed, before 2000 or to come."""
    this_month = (today or timezone.localdate()).replace(day=1)
    text = (text or "").strip()
    month = parse_month(text) if MONTH_PATTERN.fullmatch(text) else None
    return month if month is not None and datetime.date(2000, 1, 1) <= month <= this_month else this_month


def stats_units(*, query: str = "", former: bool = False, within: Unit | None = None) -> QuerySet:
    """The units the public statistics list: wards, communes (and districts) of the structure in force today, or
    with ``former`` those of the structure before 1 July 2025; matching ``query`` without regard to diacritics
    ("thanh xuan" finds "Thanh Xuân"), under ``within`` when given (a district's wards), by name."""
    if former:
        units = Unit.objects.filter(structure=Structure.LEGACY).valid_on(LEGACY_LAST_DAY)
    else:
        units = Unit.objects.valid_on(timezone.localdate())
    units = units.filter(kind__in=LISTED_KINDS).select_related("parent")
    if within is not None:
        units = units.within(within).exclude(pk=within.pk)
    for word in fold_diacritics(query).split():
        units = units.filter(search_name__contains=word)
    return units.order_by("search_name", "pk")


def units_month_stats(*, units: list[Unit], month: datetime.date) -> list[UnitStats]:
    """The figures of ``month`` of each of ``units`` (a page of the list), each unit's own cases and kiosk votes.
    Four queries (five on SQLite), whatever the number of units and cases."""
    if not units:
        return []
    ids = [unit.pk for unit in units]
    engine = feedback_counts(root=ids, months=[month])
    own = own_counts(where=Q(unit_id__in=ids), months=[month], by_unit=True)
    return [UnitStats(unit, [_month_stats(month, engine.get(unit.pk, {}), own.get(unit.pk, {}))]) for unit in units]


def stats_months(month: datetime.date, count: int = STATS_MONTHS) -> list[datetime.date]:
    """``count`` months ending with ``month``, oldest first."""
    return [add_months(month, i - count + 1) for i in range(count)]


def unit_stats(*, unit: Unit, month: datetime.date, count: int = STATS_MONTHS) -> UnitStats:
    """The figures of ``unit``'s whole subtree for the ``count`` months ending with ``month``, oldest first, with
    the formulas of the dashboard. Finished months come from the night's roll-up (``FeedbackMonthFigures``, one
    query); the running month, and any month the roll-up does not hold, are counted live from the cases and votes
    (four more queries, five on SQLite)."""
    months = stats_months(month, count)
    this_month = timezone.localdate().replace(day=1)
    stored = {
        row.month: row for row in FeedbackMonthFigures.objects.filter(
            unit=unit, month__in=[m for m in months if m < this_month])
    }
    live = [m for m in months if m not in stored]
    total: dict = {}
    own: dict = {}
    if live:
        for counts in feedback_counts(root=unit, months=live).values():
            add_counts(total, counts)
        own = own_counts(where=subtree_q(unit), months=live, by_unit=False).get(None, {})
    for m, row in stored.items():
        total.setdefault("months", {})[m] = {key: getattr(row, key) for key in ENGINE_KEYS}
        own[m] = {key: getattr(row, key) for key in OWN_KEYS}
    return UnitStats(unit, [_month_stats(m, total, own) for m in months])


def unit_stats_get(*, public_code: str) -> Unit | None:
    """A unit by its public code (any unit, in force or former: its history stays public), or None."""
    return Unit.objects.select_related("parent").filter(public_code=public_code).first()

