"""Reads of commendation lists for the pages: scoped through ``scope_for(user)`` (outside the scope → 404), each a
constant number of queries."""

from __future__ import annotations

from django.db.models import Count, F, Q, QuerySet
from django.http import Http404

from reports.models import CommendationEntry, CommendationList
from units.models import Staff, Unit
from units.scope import Capability, scope_for


def commendation_lists_for_user(*, user) -> QuerySet:
    """The lists of the units the user sees, newest year first (its year's list before its quarters, newest
    first), with their counts of included and removed."""
    lists = CommendationList.objects.select_related("unit", "approved_by").annotate(
        included_count=Count("entries", filter=Q(entries__included=True)),
        removed_count=Count("entries", filter=Q(entries__included=False)),
    )
    return lists.visible_to(user).order_by("-year", F("quarter").desc(nulls_first=True), "unit__path")


def commendation_list_get_for_user(*, user, pk: int) -> CommendationList:
    """One list, if its unit is in the user's scope; a 404 otherwise, the same as a missing one."""
    lists = CommendationList.objects.select_related("unit", "rule", "approved_by")
    found = lists.visible_to(user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def commendation_unit_get_for_user(*, user, public_code: str) -> Unit:
    """A unit of the user's scope by its public code, or 404 (the same answer as a missing one)."""
    unit = Unit.objects.visible_to(user).filter(public_code=public_code).first()
    if unit is None:
        raise Http404
    return unit


def commendation_units_for_user(*, user) -> QuerySet:
    """Units whose list the user may open: every unit in scope, in tree order."""
    return Unit.objects.visible_to(user).order_by("path")


def commendation_staff_choices(*, commendation_list: CommendationList) -> QuerySet:
    """Staff of the list's subtree not on it now, for the office's add form."""
    on_list = commendation_list.entries.filter(included=True).values("staff_id")
    return (
        Staff.objects.within(commendation_list.unit)
        .exclude(pk__in=on_list)
        .select_related("unit")
        .order_by("full_name", "pk")
    )


def commendation_entry_get(*, commendation_list: CommendationList, pk: int) -> CommendationEntry:
    """One entry of ``commendation_list`` (with staff and list unit), or 404."""
    entry = commendation_list.entries.select_related("staff", "commendation_list__unit").filter(pk=pk).first()
    if entry is None:
        raise Http404
    return entry


def commendation_history(*, commendation_list: CommendationList, limit: int = 100) -> list[dict]:
    """The list's changes and its entries' changes, newest first, as rows: when, who, what, whom, why."""
    rows = []
    for record in commendation_list.history.select_related("history_user").order_by("-history_date")[:limit]:
        rows.append({"date": record.history_date, "user": record.history_user, "staff": None,
                     "type": record.history_type, "status": record.get_status_display(), "included": None,
                     "reason": record.history_change_reason or ""})
    entry_history = (
        CommendationEntry.history.filter(commendation_list_id=commendation_list.pk)
        .select_related("history_user", "staff")
        .order_by("-history_date")[:limit]
    )
    for record in entry_history:
        rows.append({"date": record.history_date, "user": record.history_user, "staff": record.staff,
                     "type": record.history_type, "status": None, "included": record.included,
                     "reason": record.history_change_reason or ""})
    rows.sort(key=lambda row: row["date"], reverse=True)
    return rows[:limit]


def user_can_review(*, user, commendation_list: CommendationList) -> bool:
    """Whether the user may review (remove, add, restore, approve) the list: the district office of its unit."""
    return scope_for(user).can(Capability.APPROVE_COMMENDATIONS, commendation_list.unit)


def user_can_generate(*, user, unit: Unit) -> bool:
    """The district office (reviewer) and those who build the quarterly report may (re)compute a draft."""
    scope = scope_for(user)
    return scope.can(Capability.APPROVE_COMMENDATIONS, unit) or scope.can(Capability.BUILD_REPORTS, unit)
