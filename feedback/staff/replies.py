"""Reply templates: the texts officers start a reply from, per kind of feedback, of a jurisdiction (the unit's own
or one up its tree, ``units.jurisdiction``) or national. Reads (which templates a case is offered, which concern a
user), writes (``reply_template_create`` / ``reply_template_update``) and the filling of placeholders from a case.

Who may change a template: whoever triages feedback on its jurisdiction (a national one: superusers only). Who sees
one: the national ones, those of jurisdictions above or at the user's units, those inside the user's scope.
"""

from __future__ import annotations

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.http import Http404
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from core.audit import save_with_history
from feedback.models import FeedbackCase, ReplyTemplate
from units.jurisdiction import applicable_q, national_q, nearest_first
from units.models import Unit
from units.scope import Capability, scope_for

PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
PLACEHOLDERS = ("tracking_code", "unit", "received_on", "due_on", "kind", "today")


def reply_templates_for_case(*, case: FeedbackCase) -> list[ReplyTemplate]:
    """The active templates offered for ``case``: of its kind or of every kind, from its unit's jurisdictions up the
    tree and the national ones, the nearest first. One query."""
    templates = ReplyTemplate.objects.filter(
        applicable_q(case.unit), Q(kind="") | Q(kind=case.kind), is_active=True
    ).select_related("jurisdiction")
    return nearest_first(templates, case.unit, date_field=None)


def reply_template_for_case(*, case: FeedbackCase, pk) -> ReplyTemplate | None:
    """One of the templates offered for ``case`` (``None`` for any other id)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return next((template for template in reply_templates_for_case(case=case) if template.pk == pk), None)


def reply_template_fill(*, template: ReplyTemplate, case: FeedbackCase) -> str:
    """The template's text with its placeholders filled from ``case``; an unknown placeholder is left as written."""
    values = {
        "tracking_code": case.tracking_code,
        "unit": case.unit.name,
        "received_on": formats.date_format(timezone.localtime(case.received_at), "d/m/Y"),
        "due_on": formats.date_format(case.due_on, "d/m/Y"),
        "kind": str(case.get_kind_display()),
        "today": formats.date_format(timezone.localdate(), "d/m/Y"),
    }
    return PLACEHOLDER.sub(lambda match: values.get(match[1], match[0]), template.text)


def reply_template_list(*, user) -> QuerySet:
    """The templates concerning the user (every one for a superuser), national first, then by jurisdiction."""
    templates = ReplyTemplate.objects.select_related("jurisdiction")
    scope = scope_for(user)
    if not scope.is_global:
        templates = templates.filter(
            national_q() | Q(jurisdiction_id__in=scope.ancestor_unit_ids) | Q(jurisdiction__in=Unit.objects.visible_to(user))
        )
    return templates.order_by(F("jurisdiction__path").asc(nulls_first=True), "kind", "name", "pk")


def reply_template_get_for_user(*, user, pk: int) -> ReplyTemplate:
    """A template concerning the user, or 404."""
    template = reply_template_list(user=user).filter(pk=pk).first()
    if template is None:
        raise Http404
    return template


def reply_template_can_manage(*, user, template: ReplyTemplate) -> bool:
    """May ``user`` change ``template``: they triage feedback on its jurisdiction; a national one, superusers only."""
    scope = scope_for(user)
    if scope.is_global:
        return True
    return template.jurisdiction_id is not None and scope.can(Capability.TRIAGE_FEEDBACK, template.jurisdiction)


def reply_template_jurisdictions(*, user) -> QuerySet:
    """Units the user may make templates for: their assignments that triage feedback (a superuser: every root)."""
    scope = scope_for(user)
    condition = Q(pk__in=scope.assigned_unit_ids(capability=Capability.TRIAGE_FEEDBACK))
    if scope.is_global:
        condition |= Q(parent__isnull=True)
    return Unit.objects.filter(condition).order_by("path")


def _check(actor, template: ReplyTemplate) -> None:
    if not reply_template_can_manage(user=actor, template=template):
        raise PermissionDenied
    unknown = sorted({name for name in PLACEHOLDER.findall(template.text) if name not in PLACEHOLDERS})
    if unknown:
        raise ValidationError({"text": _("Unknown placeholders: %(names)s.") % {"names": ", ".join("{" + n + "}" for n in unknown)}})
    template.name, template.text = template.name.strip(), template.text.strip()
    template.full_clean(exclude=["jurisdiction"])


@transaction.atomic
def reply_template_create(*, actor, jurisdiction: Unit | None, name: str, kind: str, text: str,
                          is_active: bool = True) -> ReplyTemplate:
    """A new template of ``jurisdiction`` (``None``: national, superusers only)."""
    template = ReplyTemplate(jurisdiction=jurisdiction, name=name, kind=kind, text=text, is_active=is_active)
    _check(actor, template)
    return save_with_history(template, actor=actor)


@transaction.atomic
def reply_template_update(*, actor, template: ReplyTemplate, name: str, kind: str, text: str,
                          is_active: bool) -> ReplyTemplate:
    """Change a template's name, kind, text or whether it is offered (its jurisdiction stays)."""
    template.name, template.kind, template.text, template.is_active = name, kind, text, is_active
    _check(actor, template)
    return save_with_history(template, actor=actor)
