"""Writes of a jurisdiction's commendation rules and ranking weights, by its province administrator (or, for the
national defaults, a superuser): a new rule, a new version from a date, and (commendation rules no approved list
used yet) a change in place.

Every write needs ``Capability.MANAGE_RULES`` on the rule's jurisdiction; the national defaults (no
jurisdiction) only a superuser. Wrong input raises ``ValidationError`` with a message per field and saves
nothing. A rule already used by an approved commendation list is never edited in place, and no new rule may
take over a quarter whose list is approved: an approved list never changes."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.audit import save_with_history
from reports.choices import CommendationStatus
from reports.models import CommendationRule, RankingWeights
from reports.rules.selectors import approved_lists_governed_from
from units.jurisdiction import national_q
from units.models import Unit
from units.scope import Capability, require, scope_for

COMMENDATION_RULE_FIELDS = (
    "name", "legal_basis", "effective_from", "min_grade", "months_required", "allow_violations",
    "allow_substantiated_complaints", "quota_percent", "quota_min",
)
RANKING_WEIGHTS_FIELDS = ("name", "effective_from", *RankingWeights.COMPONENTS)
LISTS_NAMED = 3  # approved lists named in a refusal; the rest are counted


def _require_rule_right(actor, jurisdiction: Unit | None) -> None:
    """403 unless ``actor`` may manage the rules of ``jurisdiction`` (``None``: the national defaults, which only
    a superuser changes). ``actor`` None is the system itself."""
    if actor is None:
        return
    if jurisdiction is None:
        if not scope_for(actor).is_global:
            raise PermissionDenied
        return
    require(actor, Capability.MANAGE_RULES, jurisdiction)


def _day(value: datetime.date) -> str:
    return date_format(value, "d/m/Y")


def _check_date_free(model, *, jurisdiction: Unit | None, effective_from: datetime.date | None, exclude_pk=None) -> None:
    """One rule of a kind per jurisdiction and day."""
    if effective_from is None:
        return
    same_day = model.objects.filter(effective_from=effective_from)
    same_day = same_day.filter(jurisdiction=jurisdiction) if jurisdiction is not None else same_day.filter(national_q())
    if exclude_pk is not None:
        same_day = same_day.exclude(pk=exclude_pk)
    if same_day.exists():
        raise ValidationError({"effective_from": _(
            "This jurisdiction already has a rule in force from %(day)s. Choose another date."
        ) % {"day": _day(effective_from)}})


def _clean_text(rule, *names: str) -> None:
    for name in names:
        setattr(rule, name, " ".join(str(getattr(rule, name) or "").split()))


def _clean_fields(rule) -> None:
    """Each field on its own (required, 0–100, …). The model's constraints are checked by the services with
    messages a user understands (one rule per day, not every weight zero); the database keeps them too."""
    _clean_text(rule, *(name for name in ("name", "legal_basis") if hasattr(rule, name)))
    rule.full_clean(exclude=["jurisdiction"], validate_unique=False, validate_constraints=False)


def _check_follows(rule, source) -> None:
    """A new version starts after the version it follows, which keeps the days before."""
    if source is not None and rule.effective_from <= source.effective_from:
        raise ValidationError({"effective_from": _(
            "A new version starts after the version it follows (in force from %(day)s)."
        ) % {"day": _day(source.effective_from)}})


def _save(rule, *, actor, reason: str):
    """Save a validated rule, or raise and save nothing."""
    try:
        with transaction.atomic():
            save_with_history(rule, actor=actor, reason=reason)
    except IntegrityError as error:  # a rule saved by someone else for the same day meanwhile
        raise ValidationError({"effective_from": _(
            "This jurisdiction already has a rule in force from %(day)s. Choose another date."
        ) % {"day": _day(rule.effective_from)}}) from error
    return rule


# --- Commendation rules -----------------------------------------------------------------------------------------


def _check_approved_lists(rule: CommendationRule) -> None:
    """Refuse a start date that would hand a quarter whose list is approved to this rule."""
    if rule.effective_from is None:
        return
    taken = approved_lists_governed_from(
        jurisdiction=rule.jurisdiction, effective_from=rule.effective_from, exclude_rule=rule if rule.pk else None
    )
    if not taken:
        return
    named = ", ".join(f"{item.unit.name} ({item.period})" for item in taken[:LISTS_NAMED])
    if len(taken) > LISTS_NAMED:
        named += " " + _("and %(count)s more") % {"count": len(taken) - LISTS_NAMED}
    last = max(item.period.last_day for item in taken)  # a year's list has no quarter: compare the last days
    raise ValidationError({"effective_from": _(
        "Approved commendation lists would fall under this rule: %(lists)s. An approved list never changes: "
        "choose a date after %(day)s."
    ) % {"lists": named, "day": _day(last)}})


def _validated_commendation_rule(rule: CommendationRule, *, follows: CommendationRule | None = None) -> None:
    _clean_fields(rule)
    _check_follows(rule, follows)
    _check_date_free(CommendationRule, jurisdiction=rule.jurisdiction, effective_from=rule.effective_from, exclude_pk=rule.pk)
    _check_approved_lists(rule)


@transaction.atomic
def commendation_rule_create(*, actor, jurisdiction: Unit | None, **fields) -> CommendationRule:
    """A new commendation rule of ``jurisdiction`` (``None``: national), in force from ``effective_from`` until the
    jurisdiction's next one. ``fields``: those of ``COMMENDATION_RULE_FIELDS``."""
    _require_rule_right(actor, jurisdiction)
    rule = CommendationRule(jurisdiction=jurisdiction, **_only(fields, COMMENDATION_RULE_FIELDS))
    _validated_commendation_rule(rule)
    return _save(rule, actor=actor, reason=_("Created"))


@transaction.atomic
def commendation_rule_version_create(*, actor, source: CommendationRule, **fields) -> CommendationRule:
    """A new version of ``source``: a rule of the same jurisdiction from a later date (``source`` stays in force
    until then, and keeps deciding the quarters before it)."""
    _require_rule_right(actor, source.jurisdiction)
    rule = CommendationRule(jurisdiction=source.jurisdiction, **_only(fields, COMMENDATION_RULE_FIELDS))
    _validated_commendation_rule(rule, follows=source)
    return _save(rule, actor=actor, reason=_("New version of rule %(id)s") % {"id": source.pk})


@transaction.atomic
def commendation_rule_update(*, actor, rule: CommendationRule, **fields) -> CommendationRule:
    """Change a rule in place, as long as no approved commendation list used it (a draft list follows the
    change when it is next refreshed). Otherwise: a new version from a date."""
    _require_rule_right(actor, rule.jurisdiction)
    rule = CommendationRule.objects.select_for_update(of=("self",)).select_related("jurisdiction").get(pk=rule.pk)
    if rule.lists.filter(status=CommendationStatus.APPROVED).exists():
        raise ValidationError(_(
            "An approved commendation list was decided by this rule: it is never changed in place. "
            "Make a new version from a date instead."
        ), code="in_use")
    for name, value in _only(fields, COMMENDATION_RULE_FIELDS).items():
        setattr(rule, name, value)
    _validated_commendation_rule(rule)
    return _save(rule, actor=actor, reason=_("Changed"))


# --- Ranking weights ----------------------------------------------------------------------------------------------


def _validated_weights(weights: RankingWeights, *, follows: RankingWeights | None = None) -> None:
    _clean_fields(weights)
    _check_follows(weights, follows)
    if all(getattr(weights, name) == 0 for name in RankingWeights.COMPONENTS):
        raise ValidationError(_("Every weight is zero: give at least one component a weight above zero."), code="all_zero")
    _check_date_free(RankingWeights, jurisdiction=weights.jurisdiction, effective_from=weights.effective_from, exclude_pk=weights.pk)


@transaction.atomic
def ranking_weights_create(*, actor, jurisdiction: Unit | None, **fields) -> RankingWeights:
    """New ranking weights of ``jurisdiction`` (``None``: national) from ``effective_from``: the dashboards of the
    jurisdiction's units rank by them from that month on. ``fields``: those of ``RANKING_WEIGHTS_FIELDS``."""
    _require_rule_right(actor, jurisdiction)
    weights = RankingWeights(jurisdiction=jurisdiction, **_only(fields, RANKING_WEIGHTS_FIELDS))
    _validated_weights(weights)
    return _save(weights, actor=actor, reason=_("Created"))


@transaction.atomic
def ranking_weights_version_create(*, actor, source: RankingWeights, **fields) -> RankingWeights:
    """A new version of ``source``: weights of the same jurisdiction from a later date. Weights are never
    changed in place: the ranking of a month already shown stays as it was."""
    _require_rule_right(actor, source.jurisdiction)
    weights = RankingWeights(jurisdiction=source.jurisdiction, **_only(fields, RANKING_WEIGHTS_FIELDS))
    _validated_weights(weights, follows=source)
    return _save(weights, actor=actor, reason=_("New version of rule %(id)s") % {"id": source.pk})


def _only(fields: dict, allowed: tuple[str, ...]) -> dict:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"unexpected fields: {', '.join(sorted(unknown))}")
    return fields
