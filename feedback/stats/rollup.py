"""The night's roll-up of the public statistics: every unit's whole-subtree figures for each finished month, stored
in ``FeedbackMonthFigures`` so that a city's twelve months read twelve rows.

The counts are the figures engine's (``feedback_counts``) and the statistics' own (``own_counts``), grouped by the
unit owning each case or vote, then added up to every unit above it by its materialised path; the median days to
answer, which does not add up, is taken over the answered cases of each unit's subtree (read once, their unit and
two timestamps). Twelve months at a time; each batch replaces its months' rows in one transaction, so a page reads
either the old or the new figures. The running month is never stored.
"""

from __future__ import annotations

from collections import defaultdict
import datetime
import statistics

from django.db import transaction
from django.db.models import Min, Q
from django.utils import timezone

from core.dates import add_months, month_bounds
from feedback.choices import CaseStatus
from feedback.figures import feedback_counts
from feedback.models import FeedbackCase, FeedbackMonthFigures, KioskVote
from feedback.stats.selectors import ENGINE_KEYS, OWN_KEYS, own_counts
from units.models import Unit
from units.rollup import add_counts

BATCH_MONTHS = 12
# The nightly run recomputes this many finished months (a case reopened or rated late changes its past month).
NIGHTLY_MONTHS = 13
# The statistics' own counts that add up from unit to unit (the median does not).
ADDED_KEYS = tuple(key for key in OWN_KEYS if key != "median_seconds")


def _batch(months: list[datetime.date], now: datetime.datetime) -> list[FeedbackMonthFigures]:
    engine = feedback_counts(root=Unit.objects.all(), months=months)
    own = own_counts(where=Q(), months=months, by_unit=True, medians=False)
    first, _end = month_bounds(months[0])
    _start, last = month_bounds(months[-1])
    answered = FeedbackCase.objects.filter(
        status=CaseStatus.RESOLVED, closed_at__gte=first, closed_at__lt=last
    ).order_by().values_list("unit_id", "received_at", "closed_at")
    unit_ids = set(engine) | set(own)
    durations: dict[tuple[int, datetime.date], list[float]] = defaultdict(list)
    answered_rows = list(answered.iterator(chunk_size=5000))
    unit_ids.update(row[0] for row in answered_rows)
    # Each unit with itself and every unit above it (its materialised path).
    ancestors = {unit.pk: [*unit.ancestor_ids, unit.pk] for unit in Unit.objects.filter(pk__in=unit_ids).only("pk", "path")}

    totals: dict[int, dict] = {}
    for unit_id in set(engine) | set(own):
        engine_months = engine.get(unit_id, {}).get("months", {})
        own_months = own.get(unit_id, {})
        counts = {
            month: {
                **{key: engine_months.get(month, {}).get(key, 0) for key in ENGINE_KEYS},
                **{key: own_months.get(month, {}).get(key, 0) for key in ADDED_KEYS},
            }
            for month in months
        }
        for ancestor in ancestors.get(unit_id, ()):
            add_counts(totals.setdefault(ancestor, {}), counts)
    for unit_id, received_at, closed_at in answered_rows:
        month = timezone.localtime(closed_at).date().replace(day=1)
        seconds = (closed_at - received_at).total_seconds()
        for ancestor in ancestors.get(unit_id, ()):
            durations[ancestor, month].append(seconds)

    # Every month of the batch for every unit with something in it, zeros included: a stored month is never
    # counted again.
    rows = []
    for unit_id, counts in totals.items():
        for month in months:
            values = counts.get(month, {})
            median = durations.get((unit_id, month))
            rows.append(FeedbackMonthFigures(
                unit_id=unit_id, month=month, computed_at=now,
                median_seconds=statistics.median(median) if median else None,
                **{key: values.get(key, 0) for key in (*ENGINE_KEYS, *ADDED_KEYS)},
            ))
    return rows


def first_month() -> datetime.date | None:
    """The month of the oldest case or kiosk vote, or None when there is none."""
    oldest = [
        FeedbackCase.objects.aggregate(first=Min("received_at"))["first"],
        KioskVote.objects.aggregate(first=Min("created_at"))["first"],
    ]
    oldest = [moment for moment in oldest if moment is not None]
    return timezone.localtime(min(oldest)).date().replace(day=1) if oldest else None


def feedback_stats_rollup(*, months: int | None = NIGHTLY_MONTHS, today: datetime.date | None = None) -> int:
    """Recompute the stored figures of the last ``months`` finished months (every month since the first case when
    ``months`` is None) for every unit; returns the number of rows written."""
    this_month = (today or timezone.localdate()).replace(day=1)
    start = add_months(this_month, -months) if months is not None else first_month()
    if start is None or start >= this_month:
        return 0
    now = timezone.now()
    written = 0
    while start < this_month:
        batch = [month for month in (add_months(start, i) for i in range(BATCH_MONTHS)) if month < this_month]
        rows = _batch(batch, now)
        with transaction.atomic():
            FeedbackMonthFigures.objects.filter(month__in=batch).delete()
            FeedbackMonthFigures.objects.bulk_create(rows, batch_size=2000)
        written += len(rows)
        start = add_months(batch[-1], 1)
    return written
