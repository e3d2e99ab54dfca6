"""Reads of inspection checklists: those concerning a user (their jurisdictions' up the tree, those inside their
scope, the national ones), what a checklist of a jurisdiction may cite, who may change one. What a visit to a unit
may use is ``evaluations.inspections.selectors.checklists_for`` / ``checklist_default_for``."""

from __future__ import annotations

import datetime

from django.db.models import Count, F, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from evaluations.models import ChecklistTemplate, InspectionVisit
from pledges.selectors import articles_of_code, code_in_force_for_jurisdiction
from units.jurisdiction import applicable_q, national_q
from units.models import Unit
from units.scope import Capability, scope_for


def _checklists_concerning_q(user) -> Q:
    """Checklists that concern the user: the national ones, those of jurisdictions above or at the user's units
    (they may be used there) and those of jurisdictions inside the user's scope."""
    scope = scope_for(user)
    return national_q() | Q(jurisdiction_id__in=scope.ancestor_unit_ids) | Q(jurisdiction__in=Unit.objects.visible_to(user))


def checklist_list(*, user) -> QuerySet:
    """The checklists concerning the user (every one for a superuser), with how many items and visits each has,
    by jurisdiction (national first), the default and the active ones first."""
    checklists = ChecklistTemplate.objects.select_related("jurisdiction").annotate(
        item_count=Count("items", distinct=True), visit_count=Count("visits", distinct=True)
    )
    if not scope_for(user).is_global:
        checklists = checklists.filter(_checklists_concerning_q(user))
    return checklists.order_by(F("jurisdiction__path").asc(nulls_first=True), "-is_active", "-is_default", "name", "pk")


def checklist_get_for_user(*, user, pk: int) -> ChecklistTemplate:
    """A checklist concerning the user (``checklist_list``), or 404."""
    return get_object_or_404(checklist_list(user=user), pk=pk)


def checklist_items(*, checklist: ChecklistTemplate) -> list:
    """The checklist's items in order, with the article and its code."""
    return list(checklist.items.select_related("article__chapter__version__code").order_by("order", "pk"))


def checklist_can_manage(*, user, checklist: ChecklistTemplate) -> bool:
    """May ``user`` change ``checklist``: MANAGE_RULES on its jurisdiction; a national one only for a superuser."""
    scope = scope_for(user)
    if scope.is_global:
        return True
    return checklist.jurisdiction_id is not None and scope.can(Capability.MANAGE_RULES, checklist.jurisdiction)


def checklist_in_use(checklist: ChecklistTemplate) -> bool:
    """Has a visit used ``checklist``: it is then never changed in place (its results refer to its items)."""
    return InspectionVisit.objects.filter(checklist=checklist).exists()


def checklist_jurisdictions(*, user) -> QuerySet:
    """Units the user may make checklists for: their assignments that grant MANAGE_RULES (a superuser: the roots;
    the national default apart)."""
    scope = scope_for(user)
    condition = Q(pk__in=scope.assigned_unit_ids(capability=Capability.MANAGE_RULES))
    if scope.is_global:
        condition |= Q(parent__isnull=True)
    return Unit.objects.filter(condition).select_related("parent").order_by("path")


def checklist_articles(*, jurisdiction: Unit | None, day: datetime.date | None = None) -> QuerySet:
    """The articles a checklist of ``jurisdiction`` may cite: those of the staff code in force there today (for a
    national checklist, the national default's)."""
    day = day or timezone.localdate()
    return articles_of_code(code_in_force_for_jurisdiction(jurisdiction=jurisdiction, day=day))


def checklists_for_units(units) -> QuerySet:
    """The active checklists that apply to any of ``units`` (a form offering several units)."""
    condition = Q(pk__in=[])
    for unit in units:
        condition |= applicable_q(unit)
    return ChecklistTemplate.objects.filter(condition, is_active=True).select_related("jurisdiction").order_by(
        F("jurisdiction__path").asc(nulls_first=True), "name", "pk"
    )
