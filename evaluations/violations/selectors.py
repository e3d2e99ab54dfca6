"""Reads for violations of the code: the list in the user's scope, and what recording one offers (the staff
the user may record against, the articles of the staff code)."""

from __future__ import annotations

from django.db.models import QuerySet

from core.dates import month_end
from evaluations.models import Violation
from pledges.choices import Audience
from pledges.models import CodeOfConduct
from pledges.selectors import articles_for_units, articles_in_force
from units.models import Staff, Unit
from units.scope import Capability, scope_for


def violation_list(*, user, unit: Unit | None = None, month=None) -> QuerySet:
    """Violations of the units the user may see (under ``unit``, in ``month`` if given), newest first, joined."""
    violations = Violation.objects.visible_to(user)
    if unit is not None:
        violations = violations.within(unit)
    if month is not None:
        violations = violations.filter(occurred_on__gte=month, occurred_on__lte=month_end(month))
    return violations.select_related("staff", "unit", "article", "recorded_by", "discipline").order_by("-occurred_on", "-id")


def recordable_staff(user) -> QuerySet:
    """Staff of the units where ``user`` may record violations, with their unit."""
    return Staff.objects.select_related("unit").where_user_can(user, Capability.RECORD_VIOLATIONS)


def code_articles(*, unit: Unit, day) -> QuerySet:
    """The articles of the staff code in force for ``unit`` on ``day`` (its jurisdiction's, else the national one)."""
    return articles_in_force(unit=unit, day=day)


def recordable_articles(user, day) -> QuerySet:
    """The articles a user may cite: those of the staff codes in force for the units they record violations for
    (their assigned units, and the jurisdictions beneath them with a code of their own). A user covering units of
    two provinces gets both provinces' codes; which one applies is decided per staff member's unit."""
    scope = scope_for(user)
    units = Unit.objects.filter(pk__in=scope.assigned_unit_ids(capability=Capability.RECORD_VIOLATIONS))
    if scope.is_global:
        units = Unit.objects.filter(parent__isnull=True)
    own_codes = scope.filter_capable(
        CodeOfConduct.objects.filter(jurisdiction__isnull=False, audience=Audience.STAFF),
        Capability.RECORD_VIOLATIONS, "jurisdiction",
    )
    below = Unit.objects.filter(pk__in=own_codes.values("jurisdiction_id"))
    return articles_for_units(units=list({unit.pk: unit for unit in [*units, *below]}.values()), day=day)


def articles_by_code(articles) -> list[tuple[str, list]]:
    """``articles`` grouped by their code, as (label, [article, …]) in order, for a grouped choice list."""
    groups: dict[int, tuple[str, list]] = {}
    for article in articles:
        code = article.chapter.version.code
        label = f"{code.decision_number} — {code.title}"
        groups.setdefault(code.pk, (label, []))[1].append(article)
    return list(groups.values())
