"""Counters of the units app for the figures engine: plain counts over a unit's subtree, keyed by unit id.

Each app counts its own rows (``pledges.figures``, ``evaluations.figures``, ``feedback.figures``); the dashboard and
the reports add the counts up to their rows with ``units.rollup.Rollup.roll_up``.
"""

from __future__ import annotations

import datetime

from django.db.models import Count

from units.models import Staff, Unit


def active_staff_counts(*, root: Unit, day: datetime.date) -> dict[int, int]:
    """Staff active on ``day`` in ``root``'s subtree, by unit id (units without active staff are absent). One
    query."""
    staff = Staff.objects.active_on(day).within(root).order_by().values("unit_id").annotate(n=Count("pk"))
    return {values["unit_id"]: values["n"] for values in staff}
