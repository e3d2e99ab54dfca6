"""Reads of Open311 partners, scoped to the units whose rules the user manages."""

from __future__ import annotations

from django.db.models import Count, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from feedback.models import Open311Partner
from units.choices import DISTRICT_KINDS, UnitKind
from units.models import Unit
from units.scope import Capability

# A partner serves a province or city (or one district, before the reform).
JURISDICTION_KINDS = (UnitKind.PROVINCE, UnitKind.CENTRAL_CITY, *DISTRICT_KINDS)


def open311_partners(*, user) -> QuerySet:
    """The partners of the jurisdictions where the user manages rules, newest first, with their case counts."""
    return (
        Open311Partner.objects.where_user_can(user, Capability.MANAGE_RULES)
        .select_related("jurisdiction", "created_by").annotate(case_count=Count("cases")).order_by("-created_at")
    )


def open311_partner_get_for_user(*, user, pk: int) -> Open311Partner:
    """A partner by id, 404 outside the units where the user manages rules."""
    return get_object_or_404(
        Open311Partner.objects.where_user_can(user, Capability.MANAGE_RULES).select_related("jurisdiction"), pk=pk
    )


def open311_jurisdictions(*, user) -> QuerySet:
    """The units in force the user may give a partner as its jurisdiction."""
    return (
        Unit.objects.where_user_can(user, Capability.MANAGE_RULES).valid_on(timezone.localdate())
        .filter(kind__in=JURISDICTION_KINDS).order_by("path")
    )
