"""Counters of the units app for the figures engine: plain counts over a unit's subtree, keyed by unit id.

Each app counts its own rows (``pledges.figures``, ``evaluations.figures``, ``feedback.figures``); the dashboard and
the reports add the counts up to their rows with ``units.rollup.Rollup.roll_up``.

A staff member is counted under the unit they worked in on the day asked for: their unit now, unless a transfer
dated after that day moved them (the former wards' staff who moved into today's wards on 1 July 2025 count under
the former ward for a day in June 2025). Ratings, violations and feedback keep the unit they were recorded in.
"""

from __future__ import annotations

import datetime

from django.db.models import BigIntegerField, Count, Exists, F, OuterRef, Subquery
from django.db.models.functions import Coalesce

from units.models import Staff, StaffTransfer, Unit
from units.scope import subtree_q


def unit_on(day: datetime.date):
    """An expression for ``Staff``: the id of the unit the staff member worked in on ``day`` — the unit they left
    by their first transfer dated after ``day``, else their unit now."""
    left_later = (
        StaffTransfer.objects.filter(staff=OuterRef("pk"), effective_date__gt=day)
        .order_by("effective_date", "pk").values("from_unit_id")[:1]
    )
    return Coalesce(Subquery(left_later), F("unit_id"), output_field=BigIntegerField())


def active_staff_counts(*, root: Unit, day: datetime.date) -> dict[int, int]:
    """Staff active on ``day`` in ``root``'s subtree as it was that day (see the module), by unit id (units without
    active staff are absent). One query."""
    # Only people under ``root`` now, or who left a unit of it after ``day``, can count: read those alone.
    left_root = StaffTransfer.objects.filter(subtree_q(root, "from_unit"), staff=OuterRef("pk"), effective_date__gt=day)
    staff = (
        Staff.objects.active_on(day).filter(subtree_q(root) | Exists(left_root))
        .annotate(unit_then=unit_on(day))
        .filter(unit_then__in=Unit.objects.within(root).values("pk"))
        .order_by().values("unit_then").annotate(n=Count("pk"))
    )
    return {values["unit_then"]: values["n"] for values in staff}
