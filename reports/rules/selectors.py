"""Reads of the rules the reports app keeps per jurisdiction: commendation rules and ranking weights.

Rule rows have no unit of their own but a ``jurisdiction`` (``units.jurisdiction``): a user with
``Capability.MANAGE_RULES`` sees the rules of the jurisdictions under their assignments, and everyone who may
manage rules sees the national defaults (read-only unless a superuser). A rule of another province answers 404,
as a missing one. Rules shipped for a province not imported yet apply nowhere and are not listed.
"""

from __future__ import annotations

from dataclasses import dataclass
import datetime

from django.db.models import Count, F, Model, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from core.quarters import Quarter
from reports.choices import CommendationStatus
from reports.models import CommendationList, CommendationRule, RankingWeights
from units.jurisdiction import national_q
from units.models import Unit
from units.scope import Capability, scope_for


def rules_for_user(model: type[Model], *, user) -> QuerySet:
    """The rules of ``model`` the user may look at on the rule pages: the national defaults and the rules of the
    jurisdictions under the user's ``MANAGE_RULES`` assignments (a superuser: every attached rule)."""
    rules = model.objects.select_related("jurisdiction")
    managed = scope_for(user).filter_capable(rules.filter(jurisdiction__isnull=False), Capability.MANAGE_RULES, "jurisdiction")
    # The user's own jurisdictions first, the national defaults last.
    return (rules.filter(national_q()) | managed).order_by(
        F("jurisdiction__path").asc(nulls_last=True), "-effective_from", "-pk"
    )


def rule_get_for_user(model: type[Model], *, user, pk: int):
    """One rule the user may look at (``rules_for_user``), or 404."""
    return get_object_or_404(rules_for_user(model, user=user), pk=pk)


def user_can_change_rule(*, user, jurisdiction: Unit | None) -> bool:
    """May the user add or change rules of ``jurisdiction``: ``MANAGE_RULES`` there; the national defaults
    (``None``) only a superuser."""
    scope = scope_for(user)
    if jurisdiction is None:
        return scope.is_global
    return scope.can(Capability.MANAGE_RULES, jurisdiction)


def rule_jurisdictions_for_user(*, user) -> QuerySet:
    """The units a user may make a rule for: those of their assignments that grant ``MANAGE_RULES`` (a
    superuser: every province, and the national default beside them in the form)."""
    scope = scope_for(user)
    condition = Q(pk__in=scope.assigned_unit_ids(capability=Capability.MANAGE_RULES))
    if scope.is_global:
        condition |= Q(parent__isnull=True)
    return Unit.objects.filter(condition).order_by("path")


@dataclass
class RuleRow:
    """A rule as its list shows it: whether it is the one in force today in its jurisdiction, and whether the
    user may change it (``editable``: in place; ``versionable``: a new version from a date)."""

    rule: Model
    in_force: bool
    editable: bool
    versionable: bool
    approved_lists: int = 0


def _in_force_ids(rules: list, today: datetime.date) -> set[int]:
    """Per jurisdiction, the rule in force today: the latest one that has started."""
    latest: dict[int | None, Model] = {}
    for rule in rules:
        if rule.effective_from > today:
            continue
        current = latest.get(rule.jurisdiction_id)
        if current is None or (rule.effective_from, rule.pk) > (current.effective_from, current.pk):
            latest[rule.jurisdiction_id] = rule
    return {rule.pk for rule in latest.values()}


def commendation_rule_rows(*, user) -> list[RuleRow]:
    """The commendation rules of the list page, each with how many approved lists it decided. Two queries."""
    rules = list(
        rules_for_user(CommendationRule, user=user).annotate(
            approved_lists=Count("lists", filter=Q(lists__status=CommendationStatus.APPROVED))
        )
    )
    current = _in_force_ids(rules, timezone.localdate())
    rows = []
    for rule in rules:
        may_change = user_can_change_rule(user=user, jurisdiction=rule.jurisdiction)
        rows.append(RuleRow(rule=rule, in_force=rule.pk in current, editable=may_change and not rule.approved_lists,
                            versionable=may_change, approved_lists=rule.approved_lists))
    return rows


def ranking_weights_rows(*, user) -> list[RuleRow]:
    """The ranking weights of the list page. One query (weights are never edited in place: nothing stored
    depends on them, but a dashboard of a past month would silently change)."""
    rules = list(rules_for_user(RankingWeights, user=user))
    current = _in_force_ids(rules, timezone.localdate())
    return [
        RuleRow(rule=rule, in_force=rule.pk in current, editable=False,
                versionable=user_can_change_rule(user=user, jurisdiction=rule.jurisdiction))
        for rule in rules
    ]


def commendation_rule_approved_lists(*, rule: CommendationRule) -> QuerySet:
    """The approved lists the rule decided: while there is one, the rule is never edited in place."""
    return (
        CommendationList.objects.filter(rule=rule, status=CommendationStatus.APPROVED)
        .select_related("unit")
        .order_by("-year", "-quarter", "unit__path")
    )


def approved_lists_governed_from(*, jurisdiction: Unit | None, effective_from: datetime.date, exclude_rule=None) -> list[CommendationList]:
    """Approved lists that a rule of ``jurisdiction`` in force from ``effective_from`` would take over: lists of
    the jurisdiction's subtree (the whole country for a national rule) whose quarter starts on or after that day
    and whose rule is not nearer to their unit (a rule of a sub-jurisdiction would still win), nor a later rule
    of the same jurisdiction. An approved list never changes, so such a date is refused."""
    first_quarter = Quarter.of(effective_from)
    if first_quarter.first_day < effective_from:
        first_quarter = first_quarter.next()
    lists = CommendationList.objects.filter(status=CommendationStatus.APPROVED).filter(
        Q(year__gt=first_quarter.year) | Q(year=first_quarter.year, quarter__gte=first_quarter.number)
    )
    if jurisdiction is not None:
        lists = lists.filter(unit__path__startswith=jurisdiction.path)
    if exclude_rule is not None:
        lists = lists.exclude(rule=exclude_rule)
    taken = []
    for item in lists.select_related("unit", "rule__jurisdiction").order_by("year", "quarter", "unit__path"):
        rule = item.rule
        if rule.jurisdiction_id is None:
            wins = jurisdiction is not None or rule.effective_from < effective_from
        elif jurisdiction is None:
            wins = False  # a province's own rule is nearer than any national one
        elif rule.jurisdiction_id == jurisdiction.pk:
            wins = rule.effective_from < effective_from
        else:
            # The list's rule belongs to an ancestor of the jurisdiction (the new rule is nearer) or to a unit
            # inside it (nearer than the new rule).
            wins = jurisdiction.path.startswith(rule.jurisdiction.path)
        if wins:
            taken.append(item)
    return taken
