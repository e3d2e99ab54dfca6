"""Reads of citizen feedback for staff: the scoped inbox, one case, the satisfaction index and on-time rate.

Everything is scoped through the querysets (``visible_to``, ``where_user_can``, ``within``); the index and the
rate take a constant number of aggregate queries for a whole unit subtree.
"""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from feedback.choices import OPEN_STATUSES
from feedback.figures import satisfaction_index
from feedback.models import FeedbackCase, KioskDevice
from units.models import Staff, Unit, User
from units.scope import Capability, roles_with, scope_for


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
        cases = cases.filter(status__in=OPEN_STATUSES, due_on__lt=timezone.localdate())
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


def feedback_headline(*, user) -> dict:
    """The landing page's tile: open cases, overdue ones, this month's satisfaction index over the scope."""
    cases = _cases_for_user(user)
    counts = cases.aggregate(
        open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
        overdue=Count("pk", filter=Q(status__in=OPEN_STATUSES, due_on__lt=timezone.localdate())),
    )
    index = satisfaction_index(units_qs_or_unit=Unit.objects.visible_to(user).values("pk"), month=timezone.localdate())
    return {**counts, "satisfaction": index}


def staff_feedback_cases(*, staff: Staff, limit: int = 20) -> list[FeedbackCase]:
    """The latest cases linked to ``staff`` (praise and complaints), in whichever unit they were received, for their
    page: dates, unit, channel, kind and status only, never the citizen's text or contact details (one query)."""
    return list(
        FeedbackCase.objects.filter(staff=staff)
        .select_related("unit")
        .only("received_at", "channel", "kind", "status", "substantiated", "unit__name", "unit__public_code")
        .order_by("-received_at", "-pk")[:limit]
    )
