"""Reads of inspections. Every page, count, export and notification about visits goes through
``visits_visible_to``: a surprise visit never shows to the inspected unit before the team has started it."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from evaluations.choices import VisitKind, VisitStatus
from evaluations.models import CorrectiveAction, InspectionTeam, InspectionVisit
from units.models import Unit
from units.scope import Capability, scope_for


def teams_visible_to(user) -> QuerySet:
    """Teams owned by a unit the user sees, or that the user leads or belongs to."""
    scope = scope_for(user)
    teams = InspectionTeam.objects.select_related("owner_unit", "leader")
    if scope.is_global:
        return teams
    return teams.filter(
        Q(owner_unit__in=Unit.objects.visible_to(user)) | Q(leader=user) | Q(members=user)
    ).distinct()


def visits_visible_to(user) -> QuerySet:
    """Visits to units the user sees; a surprise visit still planned only for those who plan or make it:
    the team's owners (district office, city), its leader and members. Never for the inspected unit."""
    scope = scope_for(user)
    visits = InspectionVisit.objects.select_related("team", "team__owner_unit", "unit", "unit__parent")
    if scope.is_global:
        return visits
    visible_units = Unit.objects.visible_to(user)
    in_the_team = Q(team__leader=user) | Q(team__members=user) | Q(team__owner_unit__in=visible_units)
    announced = Q(kind=VisitKind.SCHEDULED) | ~Q(status=VisitStatus.PLANNED)
    return visits.filter(Q(unit__in=visible_units) | Q(team__leader=user) | Q(team__members=user)).filter(
        announced | in_the_team
    ).distinct()


def visit_get_for_user(*, user, pk: int) -> InspectionVisit:
    """A visit the user may see, or 404 (a surprise visit not yet started is a 404 for the inspected unit)."""
    return get_object_or_404(visits_visible_to(user), pk=pk)


def user_can_inspect(*, user, visit: InspectionVisit) -> bool:
    """Record results and findings: a member or the leader of the visit's team with the inspector's rights."""
    scope = scope_for(user)
    if scope.is_global:
        return True
    in_team = visit.team.leader_id == user.pk or visit.team.members.filter(pk=user.pk).exists()
    return in_team and (scope.can(Capability.INSPECT, visit.unit) or scope.can(Capability.MANAGE_INSPECTIONS, visit.unit))


def actions_visible_to(user) -> QuerySet:
    """Corrective actions of findings on visits the user may see."""
    return CorrectiveAction.objects.filter(finding__visit__in=visits_visible_to(user)).select_related(
        "finding", "finding__visit", "owner_unit"
    )
