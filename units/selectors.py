"""Reads of units and staff, already scoped, joined and counted, so pages stay at a constant query count."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from core.text import fold_diacritics
from units.models import Staff, Unit
from units.scope import Capability


def _active_staff_filter(prefix: str = "") -> Q:
    today = timezone.localdate()
    return Q(**{f"{prefix}active_from__lte": today}) & (
        Q(**{f"{prefix}active_to__isnull": True}) | Q(**{f"{prefix}active_to__gte": today})
    )


# ``unit_list``'s choice of structure besides Structure's values: every unit, in force or not.
ALL_STRUCTURES = "all"


def unit_list(*, user, query: str = "", structure: str | None = None, kind: str = "") -> QuerySet:
    """Units the user may see, matching ``query`` without regard to diacritics, with their active head count.

    ``structure``: None (the default) lists the units in force today and the former units that hold records
    (``UnitQuerySet.in_force_or_with_records``), and every unit whose name matches a search (a search by name is
    an explicit ask: "thanh xuan bac" finds the former ward); a ``Structure`` value only that structure's units;
    ``ALL_STRUCTURES`` every unit."""
    units = Unit.objects.visible_to(user).select_related("parent")
    if query:
        for word in fold_diacritics(query).split():
            units = units.filter(Q(search_name__contains=word) | Q(official_code=word) | Q(public_code__contains=word))
    if structure is None:
        if not query:
            units = units.in_force_or_with_records()
    elif structure != ALL_STRUCTURES:
        units = units.filter(structure=structure)
    if kind:
        units = units.filter(kind=kind)
    return units.annotate(active_staff_count=Count("staff", filter=_active_staff_filter("staff__"))).order_by("path")


def unit_get_for_user(*, user, public_code: str) -> Unit:
    """A unit by its public code, or 404 when it does not exist or lies outside the user's scope."""
    return get_object_or_404(Unit.objects.visible_to(user).select_related("parent"), public_code=public_code)


def unit_contact(*, unit: Unit) -> dict:
    """What a poster prints to reach ``unit``: its address, and its hotline or else the nearest one above it
    (``hotline_unit`` says whose it is). One query when the unit has no hotline of its own, none otherwise."""
    hotline_unit = unit if unit.hotline else None
    if hotline_unit is None:
        ancestor_ids = [int(part) for part in unit.path.strip("/").split("/") if part and int(part) != unit.pk]
        hotline_unit = (
            Unit.objects.filter(pk__in=ancestor_ids).exclude(hotline="").order_by("-depth").only("name", "hotline")
            .first()
        ) if ancestor_ids else None
    return {"address": unit.address, "hotline": hotline_unit.hotline if hotline_unit else "",
            "hotline_unit": hotline_unit}


def unit_children(*, unit: Unit) -> QuerySet:
    """The units directly beneath ``unit`` in force today or holding records (a city lists today's wards and a
    former district with history, not every dissolved one), by kind and name, with their active head count (one
    query)."""
    return unit.children.in_force_or_with_records().annotate(active_staff_count=Count("staff", filter=_active_staff_filter("staff__"))).order_by(
        "kind", "name"
    )


def staff_list(*, user, unit: Unit | None = None, query: str = "", include_inactive: bool = False) -> QuerySet:
    """Staff the user may see (of ``unit``'s subtree if given), newest name order, with their unit joined."""
    staff = Staff.objects.visible_to(user).select_related("unit")
    if unit is not None:
        staff = staff.within(unit)
    if not include_inactive:
        staff = staff.filter(_active_staff_filter())
    if query:
        for word in fold_diacritics(query).split():
            staff = staff.filter(Q(search_name__contains=word) | Q(staff_code__icontains=word))
    return staff.order_by("unit__path", "full_name", "pk")


def predecessor_staff(*, unit: Unit) -> QuerySet:
    """Active staff of the units ``unit`` was formed from (the merge map), by former unit and name, with their
    unit joined: who may be moved into ``unit`` in bulk. Not scoped: the page that lists them checks the right
    to manage ``unit``'s staff, which is what makes them visible for the move (and for nothing else)."""
    return (
        Staff.objects.filter(unit__in=unit.merged_from.all())
        .filter(_active_staff_filter())
        .select_related("unit")
        .order_by("unit__name", "unit_id", "full_name", "pk")
    )


def units_with_predecessor_staff(*, user) -> list[Unit]:
    """Units in force where the user manages staff and whose former units (the merge map) still have active staff,
    with that head count (``predecessor_staff_count``), by name: one query."""
    return list(
        Unit.objects.where_user_can(user, Capability.MANAGE_STAFF)
        .filter(valid_to__isnull=True)
        .annotate(predecessor_staff_count=Count("merged_from__staff", filter=_active_staff_filter("merged_from__staff__")))
        .filter(predecessor_staff_count__gt=0)
        .order_by("name", "pk")
    )


def staff_get_for_user(*, user, pk: int) -> Staff:
    """A staff member by id, or 404 when outside the user's scope."""
    return get_object_or_404(Staff.objects.visible_to(user).select_related("unit", "unit__parent"), pk=pk)


def staff_history(*, staff: Staff) -> list[dict]:
    """The staff member's audit trail, newest first: who changed what, when, from which value to which."""
    records = list(staff.history.select_related("history_user").order_by("-history_date", "-history_id"))
    unit_names = dict(Unit.objects.filter(pk__in={r.unit_id for r in records}).values_list("pk", "name"))
    trail = []
    for newer, older in zip(records, [*records[1:], None], strict=True):
        changes = []
        if older is not None:
            for change in newer.diff_against(older).changes:
                old, new = change.old, change.new
                if change.field == "unit":
                    old, new = unit_names.get(old, old), unit_names.get(new, new)
                label = Staff._meta.get_field(change.field).verbose_name
                changes.append({"field": label, "old": old, "new": new})
        trail.append(
            {
                "when": newer.history_date,
                "who": newer.history_user,
                "type": newer.history_type,
                "reason": newer.history_change_reason,
                "changes": changes,
            }
        )
    return trail
