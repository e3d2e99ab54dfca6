"""Rules that belong to a jurisdiction: which one applies to a unit on a day.

Codes of conduct, scoring schemes, commendation rules, checklists and ranking weights are rows of models built on
``units.models.JurisdictionRule``: each is attached to a unit (its ``jurisdiction``) and applies to that unit's
whole subtree, or to the whole country when it has none (a national default). For a unit and a day the portal uses
the nearest rule in force up the tree: the unit's own, else its parent's, … else the national default. A rule made
for one province therefore never reaches another.

Rules the portal ships for a province that is not imported yet wait with ``shipped_for`` set to the province's
official code and no jurisdiction; they apply nowhere until ``rules_attach_shipped`` gives them their province.
"""

from __future__ import annotations

import datetime

from django.apps import apps
from django.db.models import Q, QuerySet


def ancestry_ids(unit) -> list[int]:
    """Ids from the root down to ``unit`` itself, the nearest last."""
    return [int(part) for part in unit.path.strip("/").split("/") if part]


def applicable_q(unit) -> Q:
    """Rules that may apply to ``unit``: those of the unit and its ancestors, and the national defaults."""
    return Q(jurisdiction_id__in=ancestry_ids(unit)) | Q(jurisdiction__isnull=True, shipped_for="")


def national_q() -> Q:
    return Q(jurisdiction__isnull=True, shipped_for="")


def nearest_first(rules, unit, *, date_field: str | None = "effective_from"):
    """``rules`` (already applicable to ``unit``) from the nearest jurisdiction to the national default, the
    latest in force first within one jurisdiction."""
    depth = {unit_id: index for index, unit_id in enumerate(ancestry_ids(unit))}

    def key(rule):
        when = getattr(rule, date_field) if date_field else None
        return (depth.get(rule.jurisdiction_id, -1), when or datetime.date.min, rule.pk)

    return sorted(rules, key=key, reverse=True)


def rule_in_force(queryset: QuerySet, *, unit, day: datetime.date, date_field: str = "effective_from"):
    """The rule of ``queryset`` in force for ``unit`` on ``day``: at the nearest jurisdiction up the tree that has
    one in force on that day, the latest one in force there. Before any rule of the chain is in force, the
    earliest national default applies (else the earliest of the nearest jurisdiction). ``None`` without any rule.
    One query."""
    candidates = list(queryset.filter(applicable_q(unit)))
    in_force = [rule for rule in candidates if getattr(rule, date_field) <= day]
    if in_force:
        return nearest_first(in_force, unit, date_field=date_field)[0]
    if not candidates:
        return None
    national = [rule for rule in candidates if rule.jurisdiction_id is None]
    pool = national or candidates
    return min(pool, key=lambda rule: (getattr(rule, date_field), rule.pk))


def rule_models():
    """Every model whose rows are rules of a jurisdiction."""
    from units.models import JurisdictionRule

    return [model for model in apps.get_models() if issubclass(model, JurisdictionRule)]


def rules_attach_shipped(unit) -> int:
    """Give the rules shipped for ``unit``'s official code (e.g. Hanoi's, "01") their jurisdiction. Run when units
    are imported; harmless to run again. Returns how many rules were attached."""
    if not unit.official_code:
        return 0
    attached = 0
    for model in rule_models():
        attached += model.objects.filter(shipped_for=unit.official_code, jurisdiction__isnull=True).update(
            jurisdiction=unit
        )
    return attached
