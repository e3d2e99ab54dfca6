"""Which rule set governs a jurisdiction today: its code of conduct, scoring scheme, commendation rule, default
inspection checklist and ranking weights, each resolved by the app that owns it (nearest jurisdiction up the
tree, else the national default; see ``units.jurisdiction``), and where each comes from: the unit's own rule,
one inherited from a unit above, or the national default.

The rules hub (``portal.views.rules``) shows it for each of the user's jurisdictions, with links to the pages
that manage each kind of rule where they exist."""

from __future__ import annotations

from dataclasses import dataclass, field
import datetime

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from evaluations.inspections.selectors import checklist_default_for
from evaluations.ratings.services import scheme_for
from pledges.choices import Audience
from pledges.selectors import codes_in_force
from reports.dashboard.selectors import ranking_weights_in_force
from reports.models import CommendationRule
from units.jurisdiction import ancestry_ids, rule_in_force
from units.models import Unit
from units.scope import Capability, scope_for

OWN, INHERITED, NATIONAL = "own", "inherited", "national"

# The page that manages each kind of rule, by URL name.
MANAGE_PAGES: dict[str, str] = {
    "staff_code": "pledges:code_list",
    "public_code": "pledges:code_list",
    "scheme": "evaluations:scheme_list",
    "commendation_rule": "reports:commendation_rule_list",
    "checklist": "evaluations:checklist_list",
    "ranking_weights": "reports:ranking_weights_list",
}
LABELS = {
    "staff_code": _("Code of conduct for staff"),
    "public_code": _("Code of conduct in public places"),
    "scheme": _("Scoring scheme"),
    "commendation_rule": _("Commendation rule"),
    "checklist": _("Default inspection checklist"),
    "ranking_weights": _("Ranking weights"),
}


def manage_url(kind: str) -> str:
    """The page managing rules of ``kind``."""
    return reverse(MANAGE_PAGES[kind])


@dataclass
class RuleInForce:
    """One kind of rule for one jurisdiction: the rule (``None`` when none is defined), where it comes from and
    the pages to read and manage it."""

    kind: str
    rule: object | None
    origin: str = NATIONAL
    origin_unit: Unit | None = None
    manage_url: str = ""
    read_url: str = ""

    @property
    def label(self):
        return LABELS[self.kind]


@dataclass
class JurisdictionRules:
    unit: Unit
    rules: list[RuleInForce] = field(default_factory=list)
    may_manage: bool = False


def _origin(rule, unit: Unit, ancestors: dict[int, Unit]) -> tuple[str, Unit | None]:
    if rule is None or rule.jurisdiction_id is None:
        return NATIONAL, None
    if rule.jurisdiction_id == unit.pk:
        return OWN, unit
    return INHERITED, ancestors.get(rule.jurisdiction_id)


def _resolve(resolver, *args, **kwargs):
    """A resolver's rule, or ``None`` when none is defined (the resolvers refuse with a ValidationError)."""
    try:
        return resolver(*args, **kwargs)
    except ValidationError:
        return None


def rules_in_force(*, unit: Unit, day: datetime.date, may_manage: bool = False) -> JurisdictionRules:
    """The rule set governing ``unit`` on ``day``. About eight queries, whatever the size of the tree."""
    ancestors = {ancestor.pk: ancestor for ancestor in Unit.objects.filter(pk__in=ancestry_ids(unit))}
    codes = {code.audience: code for code in codes_in_force(unit=unit, day=day)}
    found = {
        "staff_code": codes.get(Audience.STAFF),
        "public_code": codes.get(Audience.PUBLIC),
        "scheme": _resolve(scheme_for, unit=unit, month=day.replace(day=1)),
        "commendation_rule": rule_in_force(CommendationRule.objects.all(), unit=unit, day=day),
        "checklist": _resolve(checklist_default_for, unit),
        "ranking_weights": ranking_weights_in_force(unit=unit, day=day),
    }
    result = JurisdictionRules(unit=unit, may_manage=may_manage)
    for kind, rule in found.items():
        if rule is None and kind == "public_code":
            continue  # a jurisdiction without a code for public places (most provinces) simply has none
        origin, origin_unit = _origin(rule, unit, ancestors)
        read_url = rule.get_absolute_url() if rule is not None and hasattr(rule, "get_absolute_url") else ""
        result.rules.append(RuleInForce(
            kind=kind, rule=rule, origin=origin, origin_unit=origin_unit,
            manage_url=manage_url(kind) if may_manage else "", read_url=read_url,
        ))
    return result


def hub_jurisdictions(*, user) -> list[tuple[Unit, bool]]:
    """The units the hub shows for ``user``, each with whether the user may manage its rules: the units of their
    assignments (those that grant ``MANAGE_RULES`` first); for a superuser, every province."""
    scope = scope_for(user)
    managed = scope.assigned_unit_ids(capability=Capability.MANAGE_RULES)
    ids = list(dict.fromkeys([*managed, *scope.assigned_unit_ids()]))
    condition = Q(pk__in=ids)
    if scope.is_global:
        condition |= Q(parent__isnull=True)
    units = {unit.pk: unit for unit in Unit.objects.filter(condition)}
    order = {unit_id: index for index, unit_id in enumerate(ids)}
    ordered = sorted(units.values(), key=lambda unit: (order.get(unit.pk, len(ids)), unit.path))
    return [(unit, scope.is_global or unit.pk in managed or scope.can(Capability.MANAGE_RULES, unit)) for unit in ordered]


def rule_sets_for_user(*, user, day: datetime.date | None = None) -> list[JurisdictionRules]:
    """The hub's content: the rule set in force on ``day`` (today) for each of the user's jurisdictions."""
    day = day or timezone.localdate()
    return [rules_in_force(unit=unit, day=day, may_manage=may) for unit, may in hub_jurisdictions(user=user)]
