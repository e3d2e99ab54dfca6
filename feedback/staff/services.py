"""Staff writes on citizen feedback: record a case from another channel, triage it, link it to a staff member,
turn a substantiated complaint into a violation, erase contact details, manage satisfaction kiosks.

Every service is keyword-only, runs in one transaction, checks the actor's right on the case's unit
(``units.scope.require``) and leaves a history row naming the actor, and the reason where it matters
(``core.audit.save_with_history``). A case's status moves only as ``CASE_WORKFLOW`` allows.
"""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from core.audit import save_with_history
from core.workflow import Transition, Workflow
from evaluations.choices import ViolationSource
from evaluations.violations.services import violation_record
from feedback import notifications as feedback_notifications
from feedback.choices import CLOSED_STATUSES, CaseStatus, Channel, CitizenEvent, FeedbackKind, RejectionReason
from feedback.citizen.messages import citizen_notify
from feedback.models import FeedbackCase, KioskDevice
from feedback.public.services import due_date_for, tracking_code_new
from units.models import Staff, Unit
from units.scope import Capability, is_within, require, scope_for
from units.validity import unit_require_open

# The one map of the triage pipeline: a closed case can be reopened, nothing else goes back. Rejecting needs
# one of the rejection reasons; resolving needs a reply to the citizen (checked by ``feedback_update``).
CASE_WORKFLOW = Workflow(
    [
        Transition("start", (CaseStatus.NEW,), CaseStatus.IN_PROGRESS, capability=Capability.TRIAGE_FEEDBACK),
        Transition("resolve", (CaseStatus.IN_PROGRESS,), CaseStatus.RESOLVED, capability=Capability.TRIAGE_FEEDBACK),
        Transition(
            "reject", (CaseStatus.IN_PROGRESS,), CaseStatus.REJECTED, capability=Capability.TRIAGE_FEEDBACK, needs_reason=True
        ),
        Transition(
            "reopen", (CaseStatus.RESOLVED, CaseStatus.REJECTED), CaseStatus.IN_PROGRESS, capability=Capability.TRIAGE_FEEDBACK
        ),
    ]
)
# Channels staff record by hand; the public web form is the other engineer's (feedback.public.services).
STAFF_CHANNELS = (Channel.HOTLINE, Channel.MAILBOX, Channel.COMMENT_BOOK, Channel.SURVEY_SLIP)
CONTACT_FIELDS = ["contact_name", "contact_phone", "contact_email", "contact_consent", "contact_erased_at"]


def _tracking_code_new() -> str:
    """A fresh code from the public side's generator, checked against existing ones (the unique index stays
    the last word; staff record a handful of cases a day, so a collision retry loop is enough)."""
    while True:
        code = tracking_code_new()
        if not FeedbackCase.objects.filter(tracking_code=code).exists():
            return code


def _save(case: FeedbackCase, actor, reason: str | None = None) -> FeedbackCase:
    case.full_clean(exclude=["violation", "staff", "assigned_to", "recorded_by", "unit"])
    return save_with_history(case, actor=actor, reason=reason)


def status_choices(case: FeedbackCase) -> list[tuple[str, str]]:
    """The statuses a case may be set to now: its own, then those one allowed move away (what the status list
    offers; the service refuses any other)."""
    targets = CASE_WORKFLOW.targets_from(case.status)
    return [(value, label) for value, label in CaseStatus.choices if value == case.status or value in targets]


def _citizen_event(old_status: str, new_status: str, reply_changed: bool) -> str | None:
    """What the citizen is told of a change: a case closed or reopened says so (with the reply); otherwise a new
    or changed official reply."""
    if new_status != old_status:
        if new_status == CaseStatus.RESOLVED:
            return CitizenEvent.RESOLVED
        if new_status == CaseStatus.REJECTED:
            return CitizenEvent.REJECTED
        if old_status in CLOSED_STATUSES:
            return CitizenEvent.REOPENED
    return CitizenEvent.REPLIED if reply_changed else None


def _transition_refused(case: FeedbackCase, status: str):
    """The error of a move the workflow does not allow, naming both statuses (an unknown one as given)."""
    return lambda: ValidationError(
        {"status": _("A case cannot go from “%(old)s” to “%(new)s”.")
         % {"old": CaseStatus(case.status).label, "new": CaseStatus(status).label if status in CaseStatus.values else status}}
    )


@transaction.atomic
def feedback_record(
    *,
    actor,
    unit: Unit,
    channel: str,
    kind: str,
    text: str,
    received_at: datetime.datetime,
    satisfaction: int | None = None,
    staff_mentioned: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    contact_email: str = "",
    consent: bool = False,
) -> FeedbackCase:
    """Record feedback that reached the unit by hotline, feedback box, comment book or survey slip."""
    require(actor, Capability.TRIAGE_FEEDBACK, unit)
    if channel not in STAFF_CHANNELS:
        raise ValidationError({"channel": _("Choose the channel the feedback came through.")})
    if received_at > timezone.now():
        raise ValidationError({"received_at": _("The date cannot be in the future.")})
    # Feedback that reached a unit before it was dissolved may still be recorded there (its history).
    unit_require_open(unit, timezone.localdate(received_at), field="unit")
    contact = {"contact_name": contact_name.strip(), "contact_phone": contact_phone.strip(), "contact_email": contact_email.strip()}
    if any(contact.values()) and not consent:
        raise ValidationError({"consent": _("Contact details can be kept only with the citizen's consent.")})
    case = FeedbackCase(
        unit=unit, tracking_code=_tracking_code_new(), channel=channel, kind=kind, text=text.strip(),
        staff_mentioned=staff_mentioned.strip(), satisfaction=satisfaction, contact_consent=bool(consent) and any(contact.values()),
        received_at=received_at, due_on=due_date_for(timezone.localdate(received_at)), recorded_by=actor, **contact,
        officers_told_at=timezone.now(),
    )
    case = _save(case, actor)
    feedback_notifications.case_new(case, actor=actor)
    return case


@transaction.atomic
def feedback_assign(*, actor, case: FeedbackCase, assignee) -> FeedbackCase:
    """Give the case to a person who may triage feedback of its unit."""
    require(actor, Capability.TRIAGE_FEEDBACK, case.unit)
    if assignee is not None and not scope_for(assignee).can(Capability.TRIAGE_FEEDBACK, case.unit):
        raise ValidationError({"assignee": _("This person cannot handle feedback of this unit.")})
    case.assigned_to = assignee
    case = _save(case, actor)
    feedback_notifications.case_assigned(case, actor=actor)
    return case


@transaction.atomic
def feedback_update(
    *,
    actor,
    case: FeedbackCase,
    status: str | None = None,
    rejection_reason: str = "",
    internal_note: str | None = None,
    public_reply: str | None = None,
    due_on: datetime.date | None = None,
    notify: bool = True,
) -> FeedbackCase:
    """Change a case's status, note, reply or due date. Resolving needs a reply, rejecting a reason. A closed case
    set back in progress is reopened (``case_reopened``). The citizen who left contact details with consent is told
    of the official reply, of the case resolved, rejected or reopened (``citizen_notify``, after commit), unless
    ``notify`` is off (history recorded afterwards, e.g. demo data: nobody is told of the past)."""
    require(actor, Capability.TRIAGE_FEEDBACK, case.unit)
    now = timezone.now()
    old_status, reply_changed = case.status, False
    if internal_note is not None:
        case.internal_note = internal_note.strip()
    if public_reply is not None and public_reply.strip() != case.public_reply:
        case.public_reply = public_reply.strip()
        case.replied_at = now if case.public_reply else None
        reply_changed = bool(case.public_reply)
    if due_on is not None:
        case.due_on = due_on
    if status is not None and status != case.status:
        refused = _transition_refused(case, status)
        # Asked first, moved last: a refused change leaves the case's status as it was.
        if status not in CASE_WORKFLOW.targets_from(case.status):
            raise refused()
        if status == CaseStatus.RESOLVED and not case.public_reply:
            raise ValidationError({"public_reply": _("Write the reply to the citizen before resolving the case.")})
        if status == CaseStatus.REJECTED:
            if rejection_reason not in RejectionReason.values:
                raise ValidationError({"rejection_reason": _("Choose why the case is rejected.")})
            case.rejection_reason = rejection_reason
        else:
            case.rejection_reason = ""
        case.closed_at = now if status in CLOSED_STATUSES else None
        CASE_WORKFLOW.move_to(case, status, refused=refused)
        if old_status in CLOSED_STATUSES and status not in CLOSED_STATUSES:
            case_reopened(case, when=now, keep_due_on=due_on is not None)
    _save(case, actor)
    event = _citizen_event(old_status, case.status, reply_changed) if notify else None
    if event is not None:
        citizen_notify(case=case, event=event)
    return case


def case_reopened(case: FeedbackCase, *, when: datetime.datetime, reason: str | None = None, keep_due_on: bool = False) -> None:
    """Mark ``case`` (just moved back in progress) as reopened: counted, dated, with a new due date
    (``FEEDBACK_DUE_WORKING_DAYS`` working days from today) unless one was given. Saving is the caller's."""
    case.closed_at = None
    case.reopened_at = when
    case.reopen_count += 1
    if reason is not None:
        case.reopen_reason = reason
    if not keep_due_on:
        case.due_on = due_date_for(timezone.localdate(when))


@transaction.atomic
def feedback_reply_and_resolve(*, actor, case: FeedbackCase, public_reply: str) -> FeedbackCase:
    """Reply to the citizen and resolve the case in one step (a new case is taken in progress on the way): one
    history row, one message to the citizen."""
    require(actor, Capability.TRIAGE_FEEDBACK, case.unit)
    if not public_reply.strip():
        raise ValidationError({"public_reply": _("Write the reply to the citizen before resolving the case.")})
    if case.status not in (CaseStatus.NEW, CaseStatus.IN_PROGRESS):
        raise ValidationError(_("Only an open case can be answered and resolved."))
    if case.status == CaseStatus.NEW:
        CASE_WORKFLOW.move(case, "start", refused=_transition_refused(case, CaseStatus.IN_PROGRESS))
    return feedback_update(actor=actor, case=case, public_reply=public_reply, status=CaseStatus.RESOLVED)


@transaction.atomic
def feedback_link_staff(*, actor, case: FeedbackCase, staff: Staff | None, substantiated: bool) -> FeedbackCase:
    """Link the case to the staff member it is about (in the unit or below it), and say whether it holds."""
    require(actor, Capability.TRIAGE_FEEDBACK, case.unit)
    if staff is not None and not is_within(staff.unit, case.unit):
        raise ValidationError({"staff": _("The staff member must belong to the case's unit.")})
    if case.violation_id and staff != case.staff:
        raise ValidationError({"staff": _("A violation has been recorded for this case; the staff member cannot change.")})
    case.staff = staff
    case.substantiated = bool(substantiated) and staff is not None
    return _save(case, actor)


@transaction.atomic
def feedback_create_violation(*, actor, case: FeedbackCase, article, severity: str, description: str):
    """Record a violation of the code from a substantiated complaint about a linked staff member; the article must
    be one of the code in force for that staff member's unit on the day the case was received (``violation_record``
    refuses any other)."""
    require(actor, Capability.TRIAGE_FEEDBACK, case.unit)
    if case.kind == FeedbackKind.PRAISE:
        raise ValidationError(_("Praise cannot become a violation."))
    if case.staff_id is None or not case.substantiated:
        raise ValidationError(_("Link the case to a staff member and mark it substantiated first."))
    if case.violation_id:
        raise ValidationError(_("A violation has already been recorded for this case."))
    violation = violation_record(
        actor=actor, staff=case.staff, occurred_on=timezone.localdate(case.received_at), article=article,
        severity=severity, source=ViolationSource.CITIZEN_FEEDBACK, description=description,
    )
    case.violation = violation
    _save(case, actor, reason="violation")
    return violation


def _erase_contact(case: FeedbackCase, when: datetime.datetime) -> None:
    case.contact_name = case.contact_phone = case.contact_email = ""
    case.contact_consent = False
    case.contact_erased_at = when


@transaction.atomic
def feedback_contacts_erase(*, actor, case: FeedbackCase, reason: str) -> FeedbackCase:
    """Erase the citizen's name, phone and e-mail at their request; the reason stays in the history."""
    require(actor, Capability.TRIAGE_FEEDBACK, case.unit)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the contact details are erased.")})
    _erase_contact(case, timezone.now())
    # The history keeps earlier rows with the details: blank them there too, or the erasure is only cosmetic.
    case.history.update(contact_name="", contact_phone="", contact_email="")
    return _save(case, actor, reason=reason.strip())


@transaction.atomic
def feedback_contacts_purge(*, today: datetime.date) -> int:
    """Erase the contact details of cases closed more than ``FEEDBACK_RETENTION_DAYS`` ago. Returns how many."""
    cutoff = today - datetime.timedelta(days=settings.FEEDBACK_RETENTION_DAYS)
    tz = timezone.get_current_timezone()
    cutoff_at = datetime.datetime.combine(cutoff, datetime.time.min, tzinfo=tz)
    with_contact = (
        FeedbackCase.objects.filter(status__in=CLOSED_STATUSES, closed_at__lt=cutoff_at, contact_erased_at__isnull=True)
        .exclude(contact_name="", contact_phone="", contact_email="")
        .select_for_update()
    )
    cases = list(with_contact)
    now = timezone.now()
    for case in cases:
        _erase_contact(case, now)
    if cases:
        bulk_update_with_history(
            cases, FeedbackCase, CONTACT_FIELDS, batch_size=500, default_change_reason="retention period",
        )
        FeedbackCase.history.filter(id__in=[c.pk for c in cases]).update(contact_name="", contact_phone="", contact_email="")
    return len(cases)


@transaction.atomic
def kiosk_device_create(*, actor, unit: Unit, name: str) -> KioskDevice:
    """Bind a new kiosk tablet to the unit; its secret token goes into the kiosk page's address."""
    require(actor, Capability.MANAGE_KIOSKS, unit)
    unit_require_open(unit, timezone.localdate(), field="unit")
    device = KioskDevice(unit=unit, name=name.strip(), token=secrets.token_urlsafe(32), created_by=actor)
    device.full_clean()
    device.save()
    return device


@transaction.atomic
def kiosk_device_revoke(*, actor, device: KioskDevice) -> KioskDevice:
    """Stop a kiosk from recording votes (a lost or replaced tablet)."""
    require(actor, Capability.MANAGE_KIOSKS, device.unit)
    if device.revoked_at is None:
        device.revoked_at = timezone.now()
        device.save(update_fields=["revoked_at"])
    return device
