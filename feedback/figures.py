"""Counters of citizen feedback for the figures engine: the satisfaction index and the on-time rate (the formulas,
month by month), cases by kind and channel, kiosk votes, praise and complaints of a staff member.

The formulas, used by every page and report that shows them:
- satisfaction index: responses rated 4–5 among all rated responses of the month, from the satisfaction given on
  cases received that month and the kiosk votes cast that month;
- on-time rate: cases closed in the month by their due date (local date), divided by those closed in the month
  plus those still open (or closed only later) past their due date at the month's end. A case its citizen (or an
  officer) reopened was not answered properly the first time: once reopened it never counts as on time again (closed
  again, it counts as closed late; still open past its new due date, as open late);
- handling satisfaction (SIPAS's "how feedback is handled"): the citizens' ratings of the handling of their resolved
  cases (tracking page) rated 4–5 among all such ratings given in the month, like the satisfaction index.

``feedback_counts`` counts them for every unit of a subtree and every month asked for in two grouped queries (cases,
votes), ``feedback_month_counts`` the cases received by month, kind and channel; ``unit_feedback_months`` and
``satisfaction_index`` give the figures of a whole subtree (and ``on_time_rate`` the on-time rate of one month, from
``on_time_counts``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
import datetime

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from core.dates import month_bounds
from core.numbers import share
from feedback.choices import CLOSED_STATUSES, OPEN_STATUSES, CaseStatus, Channel, FeedbackKind
from feedback.models import FeedbackCase, KioskVote
from units.models import Unit
from units.rollup import add_counts
from units.scope import subtree_q


def _subtree(units_qs_or_unit) -> Q:
    """Rows of a unit's subtree, of a queryset of units (a user's scope), or of a list of unit ids (their own rows
    only: a page of units, looked up by index where a subquery would let the planner scan every case)."""
    if isinstance(units_qs_or_unit, Unit):
        return subtree_q(units_qs_or_unit)
    if isinstance(units_qs_or_unit, list | tuple):
        return Q(unit_id__in=units_qs_or_unit)
    return Q(unit__in=units_qs_or_unit)


def satisfaction_counts(month: datetime.date, key: str = "") -> tuple[dict, dict]:
    """The aggregates (for ``FeedbackCase`` and ``KioskVote`` respectively) counting the month's rated responses
    (``rated<key>``) and those rated 4–5 (``satisfied<key>``)."""
    start, end = month_bounds(month)
    received = Q(received_at__gte=start, received_at__lt=end, satisfaction__isnull=False)
    voted = Q(created_at__gte=start, created_at__lt=end)
    return (
        {f"rated{key}": Count("pk", filter=received), f"satisfied{key}": Count("pk", filter=received & Q(satisfaction__gte=4))},
        {f"rated{key}": Count("pk", filter=voted), f"satisfied{key}": Count("pk", filter=voted & Q(score__gte=4))},
    )


def on_time_counts(month: datetime.date, key: str = "") -> dict:
    """The aggregates (for ``FeedbackCase``) counting cases closed in the month (``closed<key>``), closed by their
    due date (``on_time<key>``), and open past due at the month's end (``open_late<key>``)."""
    start, end = month_bounds(month)
    # For the running month "the month's end" is now: a case due later this month is not late yet; a case due
    # on the month's last day and still open when the month is over is late.
    late_before = min(end.date(), timezone.localdate())
    until = min(end, timezone.now())
    closed_in_month = Q(status__in=CLOSED_STATUSES, closed_at__gte=start, closed_at__lt=end)
    # Open at the month's end: not closed yet, or closed after it (a later close does not rewrite the past).
    open_at_end = Q(received_at__lt=until) & (Q(closed_at__isnull=True) | Q(closed_at__gte=until))
    return {
        f"closed{key}": Count("pk", filter=closed_in_month),
        # ``__date`` converts to the current (Hanoi) time zone: a case closed at 06:00 the day after is late.
        f"on_time{key}": Count("pk", filter=closed_in_month & Q(closed_at__date__lte=F("due_on"), reopen_count=0)),
        f"open_late{key}": Count("pk", filter=open_at_end & Q(due_on__lt=late_before)),
    }


def handling_counts(month: datetime.date, key: str = "") -> dict:
    """The aggregates (for ``FeedbackCase``) counting the ratings of the handling given in the month
    (``handling_rated<key>``) and those rated 4–5 (``handling_satisfied<key>``)."""
    start, end = month_bounds(month)
    rated = Q(handling_rated_at__gte=start, handling_rated_at__lt=end, handling_rating__isnull=False)
    # Counting the rating itself (never null here), not the id: the partial index of rated cases answers alone.
    return {
        f"handling_rated{key}": Count("handling_rating", filter=rated),
        f"handling_satisfied{key}": Count("handling_rating", filter=rated & Q(handling_rating__gte=4)),
    }


SATISFACTION_KEYS = ("rated", "satisfied")
HANDLING_KEYS = ("handling_rated", "handling_satisfied")
ON_TIME_KEYS = ("closed", "on_time", "open_late")


def feedback_counts(
    *,
    root: Unit | QuerySet | Sequence[int],
    months: Sequence[datetime.date],
    on_time_months: Sequence[datetime.date] | None = None,
    count_rejected: bool = True,
    by_channel: bool = False,
    every_case: bool = False,
    overdue_before: datetime.date | None = None,
) -> dict[int, dict]:
    """The feedback of ``root``'s subtree (or of a queryset of units, or of a list of unit ids), by unit id::

        {"months": {month: {"rated", "satisfied", "handling_rated", "handling_satisfied"[, "closed", "on_time",
                            "open_late"]}},
         "kinds": {kind: n}[, "channels": {channel: n}][, "open": n, "overdue": n]}

    - ``months`` (first days): the satisfaction counts of each, cases and kiosk votes together; the on-time counts
      of each month of ``on_time_months`` (by default every month of ``months``; it must lie within them);
    - cases received from the first month's start to the last month's end by kind, and by channel when
      ``by_channel`` (rejected ones left out unless ``count_rejected``);
    - when ``overdue_before`` (a day, today for the dashboard) is given, the cases open now, and those of them due
      before that day.

    ``months`` may come in any order. Only cases that can count are read (received in the months, still open, or
    closed since the first on-time month began); ``every_case`` reads every case instead, so that every unit
    holding any case or vote has an entry (the quarterly report lists a former unit that still holds feedback).
    Two queries, three with ``by_channel``.
    """
    months = list(months)
    on_time_months = months if on_time_months is None else list(on_time_months)
    where = _subtree(root)
    case_counts, vote_counts = {}, {}
    for i, month in enumerate(months):
        on_cases, on_votes = satisfaction_counts(month, f"_{i}")
        case_counts.update(on_cases)
        case_counts.update(handling_counts(month, f"_{i}"))
        vote_counts.update(on_votes)
        if month in on_time_months:
            case_counts.update(on_time_counts(month, f"_{i}"))
    start, _end = month_bounds(min(months))
    _start, end = month_bounds(max(months))
    received = Q(received_at__gte=start, received_at__lt=end)
    if not count_rejected:
        received &= ~Q(status=CaseStatus.REJECTED)
    if not by_channel:  # else counted with the channels, below
        case_counts.update({f"kind_{kind}": Count("pk", filter=received & Q(kind=kind)) for kind in FeedbackKind.values})
    cases = FeedbackCase.objects.filter(where)
    if not every_case:
        # Years of cases closed long ago stay out of the scan (a covering index serves the rest).
        first_on_time = month_bounds(min(on_time_months))[0] if on_time_months else end
        cases = cases.filter(Q(received_at__gte=start) | Q(closed_at__isnull=True) | Q(closed_at__gte=first_on_time)
                             | Q(handling_rated_at__gte=start))
    if overdue_before is not None:
        case_counts["open"] = Count("pk", filter=Q(status__in=OPEN_STATUSES))
        case_counts["overdue"] = Count("pk", filter=Q(status__in=OPEN_STATUSES, due_on__lt=overdue_before))
    cases = cases.order_by().values("unit_id").annotate(**case_counts)
    votes = KioskVote.objects.filter(where).order_by().values("unit_id").annotate(**vote_counts)

    counts: dict[int, dict] = {}
    for values in cases:
        counts[values["unit_id"]] = {
            "months": {
                month: {key: values[f"{key}_{i}"]
                        for key in SATISFACTION_KEYS + HANDLING_KEYS + (ON_TIME_KEYS if month in on_time_months else ())}
                for i, month in enumerate(months)
            },
            "kinds": {kind: values[f"kind_{kind}"] if not by_channel else 0 for kind in FeedbackKind.values},
        }
        if overdue_before is not None:
            counts[values["unit_id"]].update(open=values["open"], overdue=values["overdue"])
    if by_channel:
        # Apart, over the period's cases only: the channel is not in the covering index the main scan reads from.
        received_cases = FeedbackCase.objects.filter(where).filter(received).order_by()
        for unit_id, kind, channel, n in received_cases.values_list("unit_id", "kind", "channel").annotate(n=Count("pk")):
            unit_counts = counts.setdefault(unit_id, {})
            add_counts(unit_counts.setdefault("kinds", dict.fromkeys(FeedbackKind.values, 0)), {kind: n})
            add_counts(unit_counts.setdefault("channels", dict.fromkeys(Channel.values, 0)), {channel: n})
    for values in votes:
        add_counts(counts.setdefault(values["unit_id"], {}), {
            "months": {month: {key: values[f"{key}_{i}"] for key in SATISFACTION_KEYS} for i, month in enumerate(months)}
        })
    return counts


def feedback_month_counts(*, root: Unit | QuerySet, months: Sequence[datetime.date]) -> dict[int, dict[datetime.date, dict]]:
    """Cases received in each of ``months`` (first days, in the portal's time zone) in ``root``'s subtree (or a
    queryset of units), rejected ones included as in ``feedback_counts``, by unit id and month:
    ``{unit_id: {month: {"received": n, "kinds": {kind: n}, "channels": {channel: n}}}}``. One query."""
    months = set(months)
    if not months:
        return {}
    start, _end = month_bounds(min(months))
    _start, end = month_bounds(max(months))
    cases = (
        FeedbackCase.objects.filter(_subtree(root), received_at__gte=start, received_at__lt=end)
        .annotate(month=TruncMonth("received_at")).order_by()
        .values_list("unit_id", "month", "kind", "channel").annotate(n=Count("pk"))
    )
    counts: dict[int, dict[datetime.date, dict]] = {}
    for unit_id, moment, kind, channel, n in cases:
        month = timezone.localtime(moment).date().replace(day=1)
        if month not in months:
            continue
        add_counts(counts.setdefault(unit_id, {}).setdefault(month, {}),
                   {"received": n, "kinds": {kind: n}, "channels": {channel: n}})
    return counts


def on_time_rate(*, unit: Unit, month: datetime.date) -> float | None:
    """Share (0–100) of cases closed on time: those closed in the month by their due date (local date), divided
    by those closed in the month plus those still open (or closed only later) past their due date at the
    month's end. ``None`` when the denominator is empty. One aggregate query over the unit's subtree."""
    counts = FeedbackCase.objects.within(unit).aggregate(**on_time_counts(month))
    return share(counts["on_time"], counts["closed"] + counts["open_late"])


def satisfaction_index(*, units_qs_or_unit, month: datetime.date) -> float | None:
    """The satisfaction index (0–100) of ``month`` for a unit's subtree (or a queryset of units); ``None`` when
    nobody rated anything. Two aggregate queries."""
    where = _subtree(units_qs_or_unit)
    start, end = month_bounds(month)
    case_counts, vote_counts = satisfaction_counts(month)
    cases = FeedbackCase.objects.filter(where, received_at__gte=start, received_at__lt=end).aggregate(**case_counts)
    votes = KioskVote.objects.filter(where, created_at__gte=start, created_at__lt=end).aggregate(**vote_counts)
    return share(cases["satisfied"] + votes["satisfied"], cases["rated"] + votes["rated"])


def handling_satisfaction(*, units_qs_or_unit, month: datetime.date) -> float | None:
    """The handling satisfaction (0–100) of ``month`` for a unit's subtree (or a queryset of units): ratings of the
    handling given that month rated 4–5, among all of them; ``None`` when nobody rated. One aggregate query."""
    start, end = month_bounds(month)
    counts = FeedbackCase.objects.filter(
        _subtree(units_qs_or_unit), handling_rated_at__gte=start, handling_rated_at__lt=end
    ).aggregate(**handling_counts(month))
    return share(counts["handling_satisfied"], counts["handling_rated"])


@dataclass(frozen=True)
class UnitFeedbackMonth:
    """The satisfaction index, the on-time rate and the handling satisfaction of one month (``None``: nothing to
    divide by)."""

    month: datetime.date
    satisfaction: float | None
    on_time: float | None
    handling: float | None = None


def unit_feedback_months(*, unit: Unit, months: int = 3, today: datetime.date | None = None) -> list[UnitFeedbackMonth]:
    """The satisfaction index, on-time rate and handling satisfaction of the unit's subtree for the last ``months``
    months, newest first, with the same formulas as ``satisfaction_index``, ``on_time_rate`` and
    ``handling_satisfaction``. Two queries in all."""
    month = (today or timezone.localdate()).replace(day=1)
    firsts = []
    for _i in range(months):
        firsts.append(month)
        month = (month - datetime.timedelta(days=1)).replace(day=1)
    total: dict = {}
    for counts in feedback_counts(root=unit, months=firsts).values():
        add_counts(total, counts)
    by_month = total.get("months", {})
    result = []
    for first in firsts:
        get = by_month.get(first, {}).get
        result.append(UnitFeedbackMonth(
            first,
            share(get("satisfied", 0), get("rated", 0)),
            share(get("on_time", 0), get("closed", 0) + get("open_late", 0)),
            share(get("handling_satisfied", 0), get("handling_rated", 0)),
        ))
    return result


def _day_bounds(first_day: datetime.date, last_day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    tz = timezone.get_current_timezone()
    return (
        datetime.datetime.combine(first_day, datetime.time.min, tzinfo=tz),
        datetime.datetime.combine(last_day + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz),
    )


def staff_case_counts(
    *, staff_ids: Iterable[int], first_day: datetime.date, last_day: datetime.date
) -> dict[int, dict[str, int]]:
    """Cases linked to each of ``staff_ids`` received from ``first_day`` to ``last_day`` (inclusive), rejected ones
    left out: ``{staff_id: {"praise", "complaints"}}`` (complaints: those found substantiated), for the
    commendation rule. One query."""
    start, end = _day_bounds(first_day, last_day)
    cases = (
        FeedbackCase.objects.filter(staff_id__in=staff_ids, received_at__gte=start, received_at__lt=end)
        .exclude(status=CaseStatus.REJECTED)
        .order_by()
        .values("staff_id")
        .annotate(
            praise=Count("id", filter=Q(kind=FeedbackKind.PRAISE)),
            complaints=Count("id", filter=Q(substantiated=True)),
        )
    )
    return {row["staff_id"]: {"praise": row["praise"], "complaints": row["complaints"]} for row in cases}


def praise_count(*, staff, start: datetime.date, end: datetime.date) -> int:
    """Praise cases linked to ``staff`` received between ``start`` and ``end`` (inclusive), rejected ones left out:
    what ``staff_case_counts`` counts as praise, for one staff member."""
    first, following = _day_bounds(start, end)
    return FeedbackCase.objects.filter(
        staff=staff, kind=FeedbackKind.PRAISE, received_at__gte=first, received_at__lt=following,
    ).exclude(status=CaseStatus.REJECTED).count()
