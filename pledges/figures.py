"""Counters of pledge coverage for the figures engine (the dashboard, the quarterly report): which campaigns count
over a unit's subtree, and the staff expected to sign and those who signed, keyed by unit id.

Coverage is computed, not stored: the staff expected are those active on the campaign's reference day
(``pledges.selectors.campaign_expected_staff``), counted where they work now.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import reduce
import operator

from django.db.models import Count, Q, QuerySet

from pledges.models import Pledge, PledgeCampaign
from pledges.selectors import campaign_expected_staff
from units.models import Unit


def campaigns_covering(*, unit: Unit, year: int) -> QuerySet:
    """The campaigns of ``year`` whose scope is ``unit`` or a unit above it (a city campaign covers a district),
    oldest first, with their scope unit joined."""
    return (
        PledgeCampaign.objects.filter(year=year, scope_unit_id__in=[*unit.ancestor_ids, unit.pk])
        .select_related("scope_unit").order_by("opens_on", "pk")
    )


def campaigns_covering_each(*, units: Sequence[Unit], year: int) -> list[tuple[PledgeCampaign, list[Unit]]]:
    """The campaigns of ``year`` whose scope is one of ``units`` or a unit above it, oldest first, each with those of
    ``units`` it covers (a legacy district's campaign covers each of its wards that a current ward was formed from).
    ``units`` lie in subtrees that do not overlap, so each pair makes a ``coverage_counts`` plan. One query."""
    covering = {unit.pk: {*unit.ancestor_ids, unit.pk} for unit in units}
    campaigns = (
        PledgeCampaign.objects.filter(year=year, scope_unit_id__in={pk for ids in covering.values() for pk in ids})
        .select_related("scope_unit").order_by("opens_on", "pk")
    )
    return [(campaign, [unit for unit in units if campaign.scope_unit_id in covering[unit.pk]]) for campaign in campaigns]


def coverage_plan(*, root: Unit, rows: Sequence[Unit], year: int) -> list[tuple[PledgeCampaign, Unit]]:
    """Which campaign counts where, for a dashboard of ``root`` whose rows are ``rows``: the year's campaign covering
    ``root`` (its own or an ancestor's, the nearest), counted over ``root``; when there is none (a city whose
    districts run their own), each row's own campaign over that row. One query."""
    ancestors = [*root.ancestor_ids, root.pk]
    row_ids = {row.pk for row in rows}
    campaigns = list(
        PledgeCampaign.objects.filter(year=year, scope_unit_id__in=[*ancestors, *row_ids]).select_related("scope_unit")
        .order_by("-scope_unit__depth", "-opens_on", "-pk")
    )
    covering = next((c for c in campaigns if c.scope_unit_id in ancestors), None)
    if covering is not None:
        return [(covering, root)]
    plan, seen = [], set()
    for campaign in campaigns:
        if campaign.scope_unit_id in row_ids and campaign.scope_unit_id not in seen:
            seen.add(campaign.scope_unit_id)
            plan.append((campaign, campaign.scope_unit))
    return plan


def coverage_counts(*, plan: Iterable[tuple[PledgeCampaign, Unit]]) -> dict[int, dict[str, int]]:
    """Staff expected to sign and staff with a standing pledge, ``{unit_id: {"expected": n, "signed": n}}``, for
    each ``(campaign, under)`` of ``plan``: the campaign's expected staff under ``under``. The subtrees of a plan do
    not overlap (one campaign, or one per row). Two queries, whatever the number of campaigns; none for no plan."""
    plan = list(plan)
    counts: dict[int, dict[str, int]] = {}
    if not plan:
        return counts
    expected = reduce(operator.or_, (campaign_expected_staff(campaign=c, under=under) for c, under in plan))
    for values in expected.order_by().values("unit_id").annotate(n=Count("pk")):
        counts.setdefault(values["unit_id"], {"expected": 0, "signed": 0})["expected"] += values["n"]
    standing = reduce(operator.or_, (
        Q(campaign=c, staff__in=campaign_expected_staff(campaign=c, under=under).values("pk")) for c, under in plan
    ))
    signed = Pledge.objects.filter(standing, withdrawn_at__isnull=True).order_by().values("staff__unit_id")
    for values in signed.annotate(n=Count("pk")):
        counts.setdefault(values["staff__unit_id"], {"expected": 0, "signed": 0})["signed"] += values["n"]
    return counts
