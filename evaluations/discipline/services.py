"""Writes for the handling of a violation by discipline: propose a form of discipline, decide it (number, date,
who signed), appeal, decide again or cancel, close; and the follow-up notes. Each needs ``RECORD_VIOLATIONS`` on
the violation's unit and is kept with its author and reason (simple-history).

A decision that stands (decided, under appeal — an appeal does not suspend it — or closed) and is dated in a year
is what the scheme's annual "not completed" trigger reads; a cancelled one never counts.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_noop

from core.audit import save_with_history
from core.workflow import Transition, Workflow
from evaluations.choices import DisciplineForm, DisciplineStatus
from evaluations.models import DisciplinaryDecision, Violation
from units.models import User
from units.scope import Capability, require, scope_for

S = DisciplineStatus
DISCIPLINE_WORKFLOW = Workflow(
    [
        # Deciding again after an appeal records the decision that replaces the first (e.g. a lighter form).
        Transition("decide", (S.PROPOSED, S.APPEALED), S.DECIDED, capability=Capability.RECORD_VIOLATIONS),
        Transition("appeal", (S.DECIDED,), S.APPEALED, capability=Capability.RECORD_VIOLATIONS, needs_reason=True),
        Transition("close", (S.DECIDED,), S.CLOSED, capability=Capability.RECORD_VIOLATIONS),
        # No discipline after all, or the decision annulled on appeal.
        Transition("cancel", (S.PROPOSED, S.APPEALED), S.CANCELLED, capability=Capability.RECORD_VIOLATIONS,
                   needs_reason=True),
    ]
)


def _label(text):
    return lambda: _(text)


ACTION_LABELS = {
    "decide": _label(gettext_noop("Record the decision")),
    "appeal": _label(gettext_noop("Record an appeal")),
    "close": _label(gettext_noop("Close")),
    "cancel": _label(gettext_noop("Cancel")),
}


def allowed_actions(*, user: User, decision: DisciplinaryDecision) -> list[str]:
    """The moves ``user`` may make on the decision now, in workflow order."""
    if not scope_for(user).can(Capability.RECORD_VIOLATIONS, decision.violation.unit):
        return []
    return [t.action for t in DISCIPLINE_WORKFLOW.actions_from(decision.status)]


def _form(value: str) -> str:
    if value not in DisciplineForm.values:
        raise ValidationError({"form": _("Choose a form of discipline.")}, code="form")
    return value


@transaction.atomic
def discipline_propose(*, actor: User, violation: Violation, form: str, follow_up: str = "") -> DisciplinaryDecision:
    """Open the disciplinary handling of a violation with the form of discipline proposed."""
    require(actor, Capability.RECORD_VIOLATIONS, violation.unit)
    violation = Violation.objects.select_for_update().get(pk=violation.pk)
    if DisciplinaryDecision.objects.filter(violation=violation).exists():
        raise ValidationError(_("This violation already has a disciplinary handling."), code="exists")
    decision = DisciplinaryDecision(
        violation=violation, form=_form(form), follow_up=(follow_up or "").strip(), created_by=actor, updated_by=actor
    )
    decision.full_clean()
    return save_with_history(decision, actor=actor, reason=_("Proposed"))


def _check_decision_data(violation: Violation, *, number: str, day: datetime.date | None) -> dict:
    errors = {}
    if not number:
        errors["decision_number"] = _("Enter the number of the decision.")
    if day is None:
        errors["decision_date"] = _("Enter the date of the decision.")
    elif day > timezone.localdate():
        errors["decision_date"] = _("The date cannot be in the future.")
    elif day < violation.occurred_on:
        errors["decision_date"] = _("The decision cannot be dated before the violation (%(date)s).") % {
            "date": f"{violation.occurred_on:%d/%m/%Y}"
        }
    return errors


def _bad_transition(decision: DisciplinaryDecision, action: str) -> ValidationError:
    return ValidationError(
        _("A handling that is %(status)s cannot take the step “%(action)s”.")
        % {"status": decision.get_status_display().lower(), "action": ACTION_LABELS[action]()},
        code="bad_transition",
    )


@transaction.atomic
def discipline_transition(
    *,
    actor: User,
    decision: DisciplinaryDecision,
    action: str,
    reason: str = "",
    form: str = "",
    decision_number: str = "",
    decision_date: datetime.date | None = None,
    issuer: str = "",
) -> DisciplinaryDecision:
    """Move the handling along proposed → decided → (appealed → decided or cancelled) → closed. Deciding needs
    the form of discipline, the decision's number and date (not in the future, not before the violation) and
    may name who signed it; an appeal and a cancellation need a reason."""
    if action not in DISCIPLINE_WORKFLOW:
        raise ValidationError(_("Unknown action."), code="unknown_action")
    decision = DisciplinaryDecision.objects.select_for_update(of=("self",)).select_related("violation__unit").get(pk=decision.pk)
    require(actor, DISCIPLINE_WORKFLOW[action].capability, decision.violation.unit)
    transition = DISCIPLINE_WORKFLOW.move(decision, action, refused=lambda: _bad_transition(decision, action))
    reason = (reason or "").strip()
    if transition.needs_reason and not reason:
        raise ValidationError({"reason": _("Give a reason.")}, code="reason")
    if action == "decide":
        number, issuer = (decision_number or "").strip(), (issuer or "").strip()
        errors = _check_decision_data(decision.violation, number=number, day=decision_date)
        try:
            decision.form = _form(form)
        except ValidationError as error:
            errors.update(error.message_dict)
        if errors:
            raise ValidationError(errors)
        decision.decision_number, decision.decision_date, decision.issuer = number, decision_date, issuer
    decision.updated_by = actor
    decision.full_clean()
    return save_with_history(decision, actor=actor, reason=reason or ACTION_LABELS[action]())


@transaction.atomic
def discipline_follow_up(*, actor: User, decision: DisciplinaryDecision, follow_up: str) -> DisciplinaryDecision:
    """Write the follow-up of the handling (what was done, what remains); each version is kept."""
    decision = DisciplinaryDecision.objects.select_for_update(of=("self",)).select_related("violation__unit").get(pk=decision.pk)
    require(actor, Capability.RECORD_VIOLATIONS, decision.violation.unit)
    follow_up = (follow_up or "").strip()
    if follow_up == decision.follow_up:
        raise ValidationError({"follow_up": _("The follow-up is unchanged.")}, code="unchanged")
    decision.follow_up = follow_up
    decision.updated_by = actor
    return save_with_history(decision, actor=actor, reason=_("Follow-up"))
