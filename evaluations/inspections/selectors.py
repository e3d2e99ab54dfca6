"""Reads of inspections. Every page, count, export and notification about visits goes through
``visits_visible_to``: a surprise visit never shows to the inspected unit before the team has started it."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from evaluations.choices import ActionStatus, CheckResult, VisitKind, VisitStatus
from evaluations.models import (
    ChecklistResult,
    ChecklistTemplate,
    CorrectiveAction,
    Finding,
    InspectionPhoto,
    InspectionTeam,
    InspectionVisit,
    Violation,
)
from units.jurisdiction import applicable_q, nearest_first
from units.models import Staff, Unit
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
    return get_object_or_404(visits_visible_to(user).select_related("checklist"), pk=pk)


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


# Corrective actions and reports -------------------------------------------------------------------------------


def action_list(*, user, status: str | None = None, overdue: bool = False) -> QuerySet:
    """Corrective actions the user may see, joined for a list (finding, visit, units, team): one query a page."""
    actions = actions_visible_to(user).select_related(
        "finding__visit__unit", "finding__visit__team", "finding__article", "owner_unit"
    )
    if overdue:
        actions = actions.filter(status=ActionStatus.OPEN, due_on__lt=timezone.localdate())
    elif status in ActionStatus.values:
        actions = actions.filter(status=status)
    return actions.order_by("due_on", "id")


def action_get_for_user(*, user, pk: int) -> CorrectiveAction:
    """A corrective action on a visit the user may see, or 404."""
    return get_object_or_404(
        actions_visible_to(user).select_related(
            "finding__visit__unit", "finding__visit__team__leader", "finding__article", "finding__result__item",
            "owner_unit", "done_by", "verified_by",
        ),
        pk=pk,
    )


def overdue_actions(*, user) -> QuerySet:
    """Open corrective actions past their due date, among those the user may see (oldest due first)."""
    return action_list(user=user, overdue=True)


def actions_for_unit(*, user, unit: Unit) -> QuerySet:
    """Corrective actions the user may see that ``unit`` or a unit beneath it is responsible for."""
    return action_list(user=user).within(unit)


def finding_get_for_user(*, user, pk: int) -> Finding:
    """A finding on a visit the user may see, or 404."""
    return get_object_or_404(
        Finding.objects.filter(visit__in=visits_visible_to(user)).select_related("visit__unit", "visit__team", "article"),
        pk=pk,
    )


def _quarter_q(day: datetime.date, prefix: str = "") -> Q:
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = datetime.date(day.year, first_month, 1)
    end = datetime.date(day.year + 1, 1, 1) if first_month == 10 else datetime.date(day.year, first_month + 3, 1)
    zone = timezone.get_current_timezone()
    return Q(**{
        f"{prefix}scheduled_at__gte": datetime.datetime.combine(start, datetime.time.min, tzinfo=zone),
        f"{prefix}scheduled_at__lt": datetime.datetime.combine(end, datetime.time.min, tzinfo=zone),
    })


def visits_in_quarter(*, user, day: datetime.date | None = None) -> QuerySet:
    """Visits the user may see scheduled in the calendar quarter of ``day`` (today by default)."""
    return visits_visible_to(user).filter(_quarter_q(day or timezone.localdate()))


def inspection_headline(*, user, day: datetime.date | None = None) -> dict[str, int]:
    """For the landing page, in one query: the visits the user may see this quarter and the overdue corrective
    actions among those the user may see (both through ``visits_visible_to``)."""
    day = day or timezone.localdate()
    overdue = Q(findings__actions__status=ActionStatus.OPEN, findings__actions__due_on__lt=day)
    return visits_visible_to(user).aggregate(
        visits_this_quarter=Count("pk", filter=_quarter_q(day), distinct=True),
        overdue_actions=Count("findings__actions", filter=overdue, distinct=True),
    )


def visit_report(*, user, pk: int) -> InspectionVisit:
    """A visit the user may see (else 404) with what its printed report needs, in a fixed number of queries."""
    visit = visit_get_for_user(user=user, pk=pk)
    # Fetch the team's leader and members and the visit's results, findings, staff, violations and actions.
    visit = (
        InspectionVisit.objects.filter(pk=visit.pk)
        .select_related("team__leader", "team__owner_unit", "unit__parent", "checklist", "created_by")
        .prefetch_related(
            "team__members",
            Prefetch("results", queryset=ChecklistResult.objects.select_related("item__article").order_by("item__order")),
            Prefetch(
                "findings",
                queryset=Finding.objects.select_related("article", "result__item").prefetch_related(
                    "staff",
                    Prefetch("violations", queryset=Violation.objects.select_related("staff", "article")),
                    Prefetch("actions", queryset=CorrectiveAction.objects.select_related("owner_unit")),
                ),
            ),
        )
        .get()
    )
    return visit


def visits_for_export(*, user) -> QuerySet:
    """Visits the user may see (``visits_visible_to``: a planned surprise visit never reaches the inspected
    unit), with the number of failed items and of findings, newest first."""
    failed = (
        ChecklistResult.objects.filter(visit=OuterRef("pk"), result=CheckResult.FAIL)
        .order_by().values("visit").annotate(n=Count("pk")).values("n")
    )
    findings = Finding.objects.filter(visit=OuterRef("pk")).order_by().values("visit").annotate(n=Count("pk")).values("n")
    return visits_visible_to(user).annotate(
        failed_count=Coalesce(Subquery(failed, output_field=IntegerField()), 0),
        findings_count=Coalesce(Subquery(findings, output_field=IntegerField()), 0),
    ).order_by("-scheduled_at", "-pk")


def findings_for_export(*, user) -> QuerySet:
    """Findings on visits the user may see, with staff and corrective actions prefetched (use ``iterator`` with a
    ``chunk_size``: a fixed number of queries a chunk)."""
    return (
        Finding.objects.filter(visit__in=visits_visible_to(user))
        .select_related("visit__unit", "article", "result__item")
        .prefetch_related(
            Prefetch("staff", queryset=Staff.objects.order_by("full_name")),
            Prefetch("actions", queryset=CorrectiveAction.objects.order_by("due_on", "pk")),
        )
        .order_by("-visit__scheduled_at", "visit_id", "pk")
    )


def visit_plan_list(*, user, month=None, unit=None, kind: str = "", status: str = "") -> QuerySet:
    """The plan as the user may see it, filtered (month = first day of a month, unit = a visible unit and its
    subtree), ordered by time. Joined once: the list and the calendar cost a constant number of queries."""
    visits = visits_visible_to(user)
    if month is not None:
        following = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        tz = timezone.get_current_timezone()
        start = datetime.datetime.combine(month, datetime.time.min, tzinfo=tz)
        end = datetime.datetime.combine(following, datetime.time.min, tzinfo=tz)
        visits = visits.filter(scheduled_at__gte=start, scheduled_at__lt=end)
    if unit is not None:
        visits = visits.within(unit)
    if kind:
        visits = visits.filter(kind=kind)
    if status:
        visits = visits.filter(status=status)
    return visits.order_by("scheduled_at", "pk")


def teams_managed_by(user) -> QuerySet:
    """Active teams the user may plan visits for: those of the units where they manage inspections (district
    office), and those they lead (a team leader plans the team's own surprise visits)."""
    teams = InspectionTeam.objects.filter(is_active=True).select_related("owner_unit", "leader")
    managed = teams.where_user_can(user, Capability.MANAGE_INSPECTIONS)
    return teams.filter(Q(pk__in=managed.values("pk")) | Q(leader=user)).order_by("owner_unit__path", "name")


def visit_results(*, visit: InspectionVisit) -> list:
    """The visit's checklist results with their item, article, photos and findings (staff included)."""
    return list(
        ChecklistResult.objects.filter(visit=visit)
        .select_related("item", "item__article", "updated_by")
        .prefetch_related(
            "photos",
            Prefetch("findings", queryset=Finding.objects.select_related("article").prefetch_related("staff")),
        )
        .order_by("item__order", "pk")
    )


def photo_get_for_user(*, user, pk: int):
    """A photo of a visit the user may see, or 404 (a hidden surprise visit's photos included)."""
    return get_object_or_404(
        InspectionPhoto.objects.select_related("result"), pk=pk, result__visit__in=visits_visible_to(user).values("pk")
    )


def checklists_for(unit: Unit) -> QuerySet:
    """The checklists a visit to ``unit`` may use: its jurisdictions' (up the tree) and the national ones."""
    return ChecklistTemplate.objects.filter(applicable_q(unit), is_active=True).select_related("jurisdiction").order_by(
        "name", "pk"
    )


def checklist_default_for(unit: Unit) -> ChecklistTemplate:
    """The default checklist of the nearest jurisdiction up the tree that has one (else the national default)."""
    defaults = nearest_first(checklists_for(unit).filter(is_default=True), unit, date_field=None)
    if not defaults:
        raise ValidationError({"checklist": _("No checklist is defined for this unit.")}, code="checklist")
    return defaults[0]
