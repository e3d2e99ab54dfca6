"""Writes of corrective actions: the team (or the district office) sets one for a finding, the inspected unit
marks it done with evidence, the team verifies it or sends it back. Each state change goes through
``ACTION_TRANSITIONS``; rights are checked on the visit's unit (team side) or the owner unit (ward side)."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from conduct_portal.uploads import validate_scan
from evaluations.choices import ActionStatus
from evaluations.inspection_selectors import user_can_inspect
from evaluations.models import CorrectiveAction, Finding, InspectionVisit
from units.models import Unit, User
from units.scope import Capability, scope_for

# Evidence files: a scan or a photo of what was done.
EVIDENCE_MAX_BYTES = 5 * 1024 * 1024

ACTION_TRANSITIONS: dict[str, frozenset[str]] = {
    ActionStatus.OPEN: frozenset({ActionStatus.DONE}),
    ActionStatus.DONE: frozenset({ActionStatus.VERIFIED, ActionStatus.OPEN}),
    ActionStatus.VERIFIED: frozenset(),
}


def user_can_follow_up(*, user: User, visit: InspectionVisit) -> bool:
    """Set and verify corrective actions: the visit's team (leader, members) or the district office above it."""
    return user_can_inspect(user=user, visit=visit) or scope_for(user).can(Capability.MANAGE_INSPECTIONS, visit.unit)


def user_can_correct(*, user: User, action: CorrectiveAction) -> bool:
    """Mark an action done: staff of the responsible unit (or above it) with the right to correct."""
    return scope_for(user).can(Capability.CORRECT, action.owner_unit)


def _check_transition(action: CorrectiveAction, target: str) -> None:
    if target not in ACTION_TRANSITIONS.get(action.status, frozenset()):
        raise ValidationError(
            _("This corrective action is %(status)s: it cannot be changed this way.")
            % {"status": action.get_status_display().lower()},
            code="invalid_transition",
        )


@transaction.atomic
def action_create(
    *, actor: User, finding: Finding, description: str, owner_unit: Unit, due_on: datetime.date
) -> CorrectiveAction:
    """Set what the inspected unit (or a unit beneath it) must do about ``finding``, and by when."""
    visit = finding.visit
    if not user_can_follow_up(user=actor, visit=visit):
        raise PermissionDenied
    errors = {}
    if not description.strip():
        errors["description"] = _("Say what must be done.")
    if not owner_unit.path.startswith(visit.unit.path):
        errors["owner_unit"] = _("The responsible unit must be the unit visited or a unit beneath it.")
    if due_on < timezone.localdate():
        errors["due_on"] = _("The due date cannot be in the past.")
    if errors:
        raise ValidationError(errors)
    action = CorrectiveAction(finding=finding, description=description.strip(), owner_unit=owner_unit, due_on=due_on)
    action.full_clean()
    action._history_user = actor
    action.save()
    return action


@transaction.atomic
def action_mark_done(*, actor: User, action: CorrectiveAction, evidence: str, evidence_file=None) -> CorrectiveAction:
    """The responsible unit reports the action done, with what it did and optionally a scan or photo of it."""
    action = CorrectiveAction.objects.select_for_update().select_related("owner_unit").get(pk=action.pk)
    if not user_can_correct(user=actor, action=action):
        raise PermissionDenied
    _check_transition(action, ActionStatus.DONE)
    if not evidence.strip():
        raise ValidationError({"evidence": _("Describe what was done.")})
    if evidence_file:
        try:
            extension = validate_scan(evidence_file, max_bytes=EVIDENCE_MAX_BYTES)
        except ValidationError as error:
            raise ValidationError({"evidence_file": error.messages}) from None
        evidence_file.name = f"action-{action.pk}-{timezone.now():%Y%m%d%H%M%S}.{extension}"
        action.evidence_file = evidence_file
    action.status = ActionStatus.DONE
    action.evidence = evidence.strip()
    action.done_by = actor
    action.done_at = timezone.now()
    action.full_clean()
    action._history_user = actor
    action.save()
    return action


@transaction.atomic
def action_verify(*, actor: User, action: CorrectiveAction, accepted: bool, note: str = "") -> CorrectiveAction:
    """The team accepts the work (verified) or sends it back to the unit (open again, with a reason kept in the
    action's history)."""
    action = CorrectiveAction.objects.select_for_update().select_related(
        "finding__visit__unit", "finding__visit__team"
    ).get(pk=action.pk)
    if not user_can_follow_up(user=actor, visit=action.finding.visit):
        raise PermissionDenied
    target = ActionStatus.VERIFIED if accepted else ActionStatus.OPEN
    _check_transition(action, target)
    note = note.strip()
    if not accepted and not note:
        raise ValidationError({"note": _("Say why the action is sent back.")})
    action.status = target
    if accepted:
        action.verified_by = actor
        action.verified_at = timezone.now()
    else:
        action.done_by = None
        action.done_at = None
    action.full_clean()
    action._history_user = actor
    action._change_reason = note[:100] if note else None
    action.save()
    return action
