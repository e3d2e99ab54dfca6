"""Reads of citizen feedback for staff: the scoped inbox, one case, the satisfaction index and on-time rate.

Everything is scoped through the querysets (``visible_to``, ``where_user_can``, ``within``); the index and the
rate take a constant number of aggregate queries for a whole unit subtree.
"""

from __future__ import annotations

from dataclasses import dataclass
import datetime

from django.db.models import Count, F, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from feedback.choices import CaseStatus, FeedbackKind
from feedback.models import FeedbackCase, KioskDevice, KioskVote
from units.models import Unit, User
from units.scope import Capability, roles_with, scope_for, subtree_q

OPEN = (CaseStatus.NEW, CaseStatus.IN_PROGRESS)
CLOSED = (CaseStatus.RESOLVED, CaseStatus.REJECTED)


def month_bounds(month: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The first instant of the month and of the next one, in the portal's time zone."""
    start = month.replace(day=1)
    following = (start + datetime.timedelta(days=32)).replace(day=1)
    tz = timezone.get_current_timezone()
    return (
        datetime.datetime.combine(start, datetime.time.min, tzinfo=tz),
        datetime.datetime.combine(following, datetime.time.min, tzinfo=tz),
    )


def _cases_for_user(user) -> QuerySet:
    return FeedbackCase.objects.visible_to(user)


def inbox(
    *,
    user,
    status: str | None = None,
    kind: str | None = None,
    channel: str | None = None,
    unit: Unit | None = None,
    overdue: bool = False,
    assigned_to_me: bool = False,
    q: str = "",
) -> QuerySet:
    """The cases of the user's scope, newest first, joined with unit, assignee and staff (one query a page)."""
    cases = _cases_for_user(user).select_related("unit", "assigned_to", "staff")
    if status:
        cases = cases.filter(status=status)
    if kind:
        cases = cases.filter(kind=kind)
    if channel:
        cases = cases.filter(channel=channel)
    if unit is not None:
        cases = cases.within(unit)
    if overdue:
        cases = cases.filter(status__in=OPEN, due_on__lt=timezone.localdate())
    if assigned_to_me:
        cases = cases.filter(assigned_to=user)
    q = q.strip()
    if q:
        cases = cases.filter(
            Q(tracking_code__iexact=q) | Q(text__icontains=q) | Q(staff_mentioned__icontains=q) | Q(staff__full_name__icontains=q)
        )
    return cases.order_by("-received_at", "-pk")


def case_get_for_user(*, user, pk: int) -> FeedbackCase:
    """One case of the user's scope (404 otherwise, the same as a missing one)."""
    case = _cases_for_user(user).select_related("unit", "unit__parent", "assigned_to", "staff", "staff__unit", "violation", "recorded_by").filter(pk=pk).first()
    if case is None:
        raise Http404
    return case


def case_history(*, case: FeedbackCase):
    """The case's history rows, newest first, with the user who made each change."""
    return case.history.select_related("history_user").order_by("-history_date", "-history_id")


def inbox_units(*, user) -> QuerySet:
    """Units worth filtering the inbox by: the user's own and those with cases in scope."""
    return Unit.objects.visible_to(user).filter(
        Q(pk__in=_cases_for_user(user).values("unit_id")) | Q(pk__in=scope_for(user).assigned_unit_ids())
    ).order_by("path")


def triage_units(*, user) -> QuerySet:
    """Units where the user may triage feedback (for the record form and filters)."""
    return Unit.objects.where_user_can(user, Capability.TRIAGE_FEEDBACK).order_by("path")


def triagers_for(*, unit: Unit) -> QuerySet:
    """Active users holding a role that triages feedback at or above ``unit``."""
    ancestor_ids = [*unit.ancestor_ids, unit.pk]
    return (
        User.objects.filter(
            is_active=True, role_assignments__role__in=roles_with(Capability.TRIAGE_FEEDBACK),
            role_assignments__unit_id__in=ancestor_ids,
        )
        .distinct().order_by("full_name", "username")
    )


def kiosk_devices(*, user) -> QuerySet:
    """The kiosk tablets of the units where the user manages kiosks, live ones first, with unit and creator."""
    return (
        KioskDevice.objects.select_related("unit", "created_by")
        .where_user_can(user, Capability.MANAGE_KIOSKS)
        .order_by("revoked_at", "unit__path", "name")
    )


def kiosk_device_get_for_user(*, user, pk: int) -> KioskDevice:
    """One kiosk tablet of the user's scope, with its unit (404 otherwise, the same as a missing one)."""
    device = KioskDevice.objects.visible_to(user).filter(pk=pk).select_related("unit").first()
    if device is None:
        raise Http404
    return device


def _subtree(units_qs_or_unit) -> Q:
    if isinstance(units_qs_or_unit, Unit):
        return subtree_q(units_qs_or_unit)
    return Q(unit__in=units_qs_or_unit)


def satisfaction_counts(month: datetime.date, key: str = "") -> tuple[dict, dict]:
    """Filtered counts (for ``FeedbackCase`` and ``KioskVote`` aggregates) of rated and satisfied responses."""
    start, end = month_bounds(month)
    received = Q(received_at__gte=start, received_at__lt=end, satisfaction__isnull=False)
    voted = Q(created_at__gte=start, created_at__lt=end)
    return (
        {f"rated{key}": Count("pk", filter=received), f"satisfied{key}": Count("pk", filter=received & Q(satisfaction__gte=4))},
        {f"rated{key}": Count("pk", filter=voted), f"satisfied{key}": Count("pk", filter=voted & Q(score__gte=4))},
    )


def on_time_counts(month: datetime.date, key: str = "") -> dict:
    """Filtered counts of cases closed in the month, closed on time, and open past due at the month's end."""
    start, end = month_bounds(month)
    # For the running month "the month's end" is now: a case due later this month is not late yet; a case due
    # on the month's last day and still open when the month is over is late.
    late_before = min(end.date(), timezone.localdate())
    until = min(end, timezone.now())
    closed_in_month = Q(status__in=CLOSED, closed_at__gte=start, closed_at__lt=end)
    # Open at the month's end: not closed yet, or closed after it (a later close does not rewrite the past).
    open_at_end = Q(received_at__lt=until) & (Q(closed_at__isnull=True) | Q(closed_at__gte=until))
    return {
        f"closed{key}": Count("pk", filter=closed_in_month),
        # ``__date`` converts to the current (Hanoi) time zone: a case closed at 06:00 the day after is late.
        f"on_time{key}": Count("pk", filter=closed_in_month & Q(closed_at__date__lte=F("due_on"))),
        f"open_late{key}": Count("pk", filter=open_at_end & Q(due_on__lt=late_before)),
    }


def share(part: int, whole: int) -> float | None:
    """``part`` as a percentage (0–100) of ``whole``; ``None`` when there is nothing to divide by."""
    return 100 * part / whole if whole else None


def satisfaction_index(*, units_qs_or_unit, month: datetime.date) -> float | None:
    """Share (0–100) of responses rated 4–5 among all rated ones in the month: satisfaction given on cases
    received that month and kiosk votes cast that month, for a unit's subtree (or a queryset of units).
    ``None`` when nobody rated anything. Two aggregate queries."""
    where = _subtree(units_qs_or_unit)
    start, end = month_bounds(month)
    case_counts, vote_counts = satisfaction_counts(month)
    cases = FeedbackCase.objects.filter(where, received_at__gte=start, received_at__lt=end).aggregate(**case_counts)
    votes = KioskVote.objects.filter(where, created_at__gte=start, created_at__lt=end).aggregate(**vote_counts)
    return share(cases["satisfied"] + votes["satisfied"], cases["rated"] + votes["rated"])


def on_time_rate(*, unit: Unit, month: datetime.date) -> float | None:
    """Share (0–100) of cases closed on time: those closed in the month by their due date (local date), divided
    by those closed in the month plus those still open (or closed only later) past their due date at the
    month's end. ``None`` when the denominator is empty. One aggregate query over the unit's subtree."""
    counts = FeedbackCase.objects.filter(unit__path__startswith=unit.path).aggregate(**on_time_counts(month))
    return share(counts["on_time"], counts["closed"] + counts["open_late"])


@dataclass(frozen=True)
class UnitFeedbackMonth:
    month: datetime.date
    satisfaction: float | None
    on_time: float | None


def unit_feedback_months(*, unit: Unit, months: int = 3, today: datetime.date | None = None) -> list[UnitFeedbackMonth]:
    """The satisfaction index and on-time rate of the unit's subtree for the last ``months`` months, newest
    first, with the same formulas as ``satisfaction_index`` and ``on_time_rate``. Two queries in all."""
    month = (today or timezone.localdate()).replace(day=1)
    firsts = []
    for _i in range(months):
        firsts.append(month)
        month = (month - datetime.timedelta(days=1)).replace(day=1)
    case_counts, vote_counts = {}, {}
    for i, first in enumerate(firsts):
        on_cases, on_votes = satisfaction_counts(first, f"_{i}")
        case_counts.update(on_cases, **on_time_counts(first, f"_{i}"))
        vote_counts.update(on_votes)
    where = _subtree(unit)
    cases = FeedbackCase.objects.filter(where).aggregate(**case_counts)
    votes = KioskVote.objects.filter(where).aggregate(**vote_counts)
    return [
        UnitFeedbackMonth(
            first,
            share(cases[f"satisfied_{i}"] + votes[f"satisfied_{i}"], cases[f"rated_{i}"] + votes[f"rated_{i}"]),
            share(cases[f"on_time_{i}"], cases[f"closed_{i}"] + cases[f"open_late_{i}"]),
        )
        for i, first in enumerate(firsts)
    ]


def feedback_headline(*, user) -> dict:
    """The landing page's tile: open cases, overdue ones, this month's satisfaction index over the scope."""
    cases = _cases_for_user(user)
    counts = cases.aggregate(
        open=Count("pk", filter=Q(status__in=OPEN)),
        overdue=Count("pk", filter=Q(status__in=OPEN, due_on__lt=timezone.localdate())),
    )
    index = satisfaction_index(units_qs_or_unit=Unit.objects.visible_to(user).values("pk"), month=timezone.localdate())
    return {**counts, "satisfaction": index}


def praise_count(*, staff, start: datetime.date, end: datetime.date) -> int:
    """Praise cases linked to ``staff`` received between ``start`` and ``end`` (inclusive), for commendations."""
    tz = timezone.get_current_timezone()
    return FeedbackCase.objects.filter(
        staff=staff, kind=FeedbackKind.PRAISE,
        received_at__gte=datetime.datetime.combine(start, datetime.time.min, tzinfo=tz),
        received_at__lt=datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz),
    ).exclude(status=CaseStatus.REJECTED).count()
