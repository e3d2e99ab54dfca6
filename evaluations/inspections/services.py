"""Writes of inspections: teams, the visit plan, the visit's workflow (planned → in progress → closed, and
reopened with a reason), checklist results with photos, and findings that record violations.

Every write is keyword-only, atomic and audited through simple-history (``core.audit.save_with_history``: who,
and for a reopening or a corrective action sent back, why). The visit and the corrective action each change
status through one ``core.workflow.Workflow``. Refusals are translated ``ValidationError``s (bad input, wrong
state) or ``PermissionDenied`` (no right to act).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_noop

from core.audit import save_with_history
from core.uploads import validate_image, validate_scan
from core.workflow import Transition, Workflow
from evaluations import notifications as evaluation_notifications
from evaluations.choices import ActionStatus, CheckResult, Severity, ViolationSource, VisitKind, VisitStatus
from evaluations.inspections.selectors import checklist_default_for, checklists_for, user_can_inspect
from evaluations.models import (
    ChecklistItem,
    ChecklistResult,
    ChecklistTemplate,
    CorrectiveAction,
    Finding,
    InspectionPhoto,
    InspectionTeam,
    InspectionVisit,
)
from evaluations.violations.services import require_article_in_force, violation_record
from units.choices import Role
from units.models import RoleAssignment, Staff, Unit, User
from units.scope import Capability, is_within, require, scope_for, subtree_q
from units.validity import unit_require_open

DEFAULT_PHOTO_MAX_BYTES = 5 * 1024 * 1024

VISIT_WORKFLOW = Workflow(
    [
        Transition("start", (VisitStatus.PLANNED,), VisitStatus.IN_PROGRESS),
        Transition("close", (VisitStatus.IN_PROGRESS,), VisitStatus.CLOSED),
        Transition("reopen", (VisitStatus.CLOSED,), VisitStatus.IN_PROGRESS),
    ]
)


def photo_max_bytes() -> int:
    """The largest photo accepted (``INSPECTION_PHOTO_MAX_BYTES``, 5 MB by default)."""
    return getattr(settings, "INSPECTION_PHOTO_MAX_BYTES", None) or DEFAULT_PHOTO_MAX_BYTES


def eligible_inspectors(*, owner_unit: Unit):
    """Users who may sit on a team of ``owner_unit``: an inspector or district office assignment at, above or
    beneath it."""
    assignments = RoleAssignment.objects.filter(role__in=(Role.INSPECTOR, Role.DISTRICT_OFFICE)).filter(
        Q(unit_id__in=owner_unit.ancestor_ids) | subtree_q(owner_unit)
    )
    return User.objects.filter(is_active=True, pk__in=assignments.values("user_id"))


def _move_visit(visit: InspectionVisit, action: str) -> None:
    """Set the visit's status where ``action`` leads (saving is the caller's), or refuse the move."""
    VISIT_WORKFLOW.move(
        visit,
        action,
        refused=lambda: ValidationError(
            _("A visit that is %(status)s cannot be %(action)s.")
            % {"status": visit.get_status_display().lower(), "action": VISIT_ACTION_LABELS[action]().lower()},
            code="bad_transition",
        ),
    )


def _locked_visit(visit: InspectionVisit) -> InspectionVisit:
    return InspectionVisit.objects.select_for_update(of=("self",)).select_related("team", "team__owner_unit", "unit").get(pk=visit.pk)


def _ensure_inspector(actor: User, visit: InspectionVisit) -> None:
    """Only the visit's team (its leader or a member, with the inspector's rights) records results and findings."""
    if not user_can_inspect(user=actor, visit=visit):
        raise PermissionDenied


def _ensure_open(visit: InspectionVisit) -> None:
    if visit.status == VisitStatus.CLOSED:
        raise ValidationError(_("The visit is closed; reopen it with a reason to change its results."), code="closed")
    if visit.status == VisitStatus.PLANNED:
        raise ValidationError(_("Start the visit before recording its results."), code="not_started")


def can_manage_visit(*, user: User, visit: InspectionVisit) -> bool:
    """Plan, start, close or reopen any visit of the team: the district office (or city) owning the team."""
    return scope_for(user).can(Capability.MANAGE_INSPECTIONS, visit.team.owner_unit)


# --- Teams ------------------------------------------------------------------------------------------------


@transaction.atomic
def team_create(*, actor: User, name: str, owner_unit: Unit, leader: User, members) -> InspectionTeam:
    """A team owned by a district (or the city); its leader and members must be inspectors or district
    office users of that district."""
    require(actor, Capability.MANAGE_INSPECTIONS, owner_unit)
    members = list(members)
    eligible = set(eligible_inspectors(owner_unit=owner_unit).filter(pk__in=[leader.pk, *[m.pk for m in members]]).values_list("pk", flat=True))
    errors = {}
    if leader.pk not in eligible:
        errors["leader"] = _("%(name)s is not an inspector of this district.") % {"name": leader.get_full_name()}
    wrong = [m.get_full_name() for m in members if m.pk not in eligible]
    if wrong:
        errors["members"] = _("Not inspectors of this district: %(names)s.") % {"names": ", ".join(wrong)}
    team = InspectionTeam(name=name.strip(), owner_unit=owner_unit, leader=leader)
    try:
        team.full_clean()
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    save_with_history(team, actor=actor)
    team.members.set(members)
    return team


# --- Visits -----------------------------------------------------------------------------------------------


@transaction.atomic
def visit_plan(
    *,
    actor: User,
    team: InspectionTeam,
    unit: Unit,
    kind: str,
    scheduled_at: datetime.datetime,
    subject: str,
    checklist: ChecklistTemplate | None = None,
) -> InspectionVisit:
    """Put a visit on the plan (the district office, or the team's leader). A unit outside the team's district
    is refused."""
    if team.leader_id != actor.pk:
        require(actor, Capability.MANAGE_INSPECTIONS, team.owner_unit)
    if not team.is_active:
        raise ValidationError({"team": _("This team is no longer active.")}, code="inactive_team")
    if not is_within(unit, team.owner_unit):
        raise ValidationError({"unit": _("This unit is outside the team's district.")}, code="outside_district")
    if kind not in VisitKind.values:
        raise ValidationError({"kind": _("Choose scheduled or surprise.")}, code="kind")
    unit_require_open(unit, timezone.localtime(scheduled_at).date(), field="unit")
    if checklist is None:
        checklist = checklist_default_for(unit)
    elif not checklists_for(unit).filter(pk=checklist.pk).exists():
        raise ValidationError({"checklist": _("This checklist does not apply to this unit.")}, code="checklist")
    visit = InspectionVisit(
        team=team, unit=unit, kind=kind, scheduled_at=scheduled_at, subject=subject.strip(), checklist=checklist,
        created_by=actor,
    )
    visit.full_clean()
    visit = save_with_history(visit, actor=actor)
    evaluation_notifications.visit_planned(visit, actor=actor)
    return visit


@transaction.atomic
def visit_start(*, actor: User, visit: InspectionVisit) -> InspectionVisit:
    """The team arrives: the visit is in progress (and from now on visible to the inspected unit), with one
    empty result per checklist item."""
    visit = _locked_visit(visit)
    if not (user_can_inspect(user=actor, visit=visit) or can_manage_visit(user=actor, visit=visit)):
        raise PermissionDenied
    _move_visit(visit, "start")
    visit.started_at = timezone.now()
    save_with_history(visit, actor=actor)
    present = set(visit.results.values_list("item_id", flat=True))
    ChecklistResult.objects.bulk_create(
        [
            ChecklistResult(visit=visit, item=item, updated_by=actor)
            for item in ChecklistItem.objects.filter(template_id=visit.checklist_id).order_by("order")
            if item.pk not in present
        ]
    )
    evaluation_notifications.visit_started(visit, actor=actor)
    return visit


@transaction.atomic
def visit_close(*, actor: User, visit: InspectionVisit, summary: str) -> InspectionVisit:
    """The team concludes: results and findings are frozen until the visit is reopened with a reason."""
    visit = _locked_visit(visit)
    if not (user_can_inspect(user=actor, visit=visit) or can_manage_visit(user=actor, visit=visit)):
        raise PermissionDenied
    _move_visit(visit, "close")
    visit.summary = summary.strip()
    visit.closed_at = timezone.now()
    return save_with_history(visit, actor=actor)


@transaction.atomic
def visit_reopen(*, actor: User, visit: InspectionVisit, reason: str) -> InspectionVisit:
    """Reopen a closed visit so its results can be changed: the district office or the team's leader, with a
    reason kept in the visit's history."""
    visit = _locked_visit(visit)
    if not (can_manage_visit(user=actor, visit=visit) or visit.team.leader_id == actor.pk):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError({"reason": _("Give a reason for reopening the visit.")}, code="reason")
    _move_visit(visit, "reopen")
    visit.closed_at = None
    return save_with_history(visit, actor=actor, reason=reason.strip())


# --- Results and findings ---------------------------------------------------------------------------------


@transaction.atomic
def result_record(
    *, actor: User, visit: InspectionVisit, item_id: int, result: str, note: str = "", photos=()
) -> ChecklistResult:
    """One checklist item's pass / fail / not applicable, with a note and photos. Every photo is checked
    (real JPEG, PNG or WebP, size-limited) before anything is saved."""
    visit = _locked_visit(visit)
    _ensure_inspector(actor, visit)
    _ensure_open(visit)
    row = ChecklistResult.objects.select_for_update().filter(visit=visit, item_id=item_id).first()
    if row is None:
        raise ValidationError(_("This item is not on the visit's checklist."), code="unknown_item")
    if result not in CheckResult.values:
        raise ValidationError({"result": _("Choose pass, fail or not applicable.")}, code="result")
    limit = photo_max_bytes()
    extensions = []
    for photo in photos:
        try:
            extensions.append(validate_image(photo, max_bytes=limit))
        except ValidationError as error:
            raise ValidationError(
                {"photos": _("%(file)s: %(error)s") % {"file": photo.name, "error": " ".join(error.messages)}},
                code=error.code,
            ) from error
    row.result, row.note, row.updated_by = result, note.strip(), actor
    save_with_history(row, actor=actor)
    for photo, extension in zip(photos, extensions, strict=True):
        stored = InspectionPhoto(result=row, uploaded_by=actor)
        stored.image.save(f"photo.{extension}", photo, save=False)
        stored.save()
    return row


@transaction.atomic
def finding_create(
    *,
    actor: User,
    visit: InspectionVisit,
    result: ChecklistResult,
    description: str,
    article,
    severity: str,
    staff=(),
) -> Finding:
    """What a failed item revealed, citing an article of the code in force for the visited unit on the visit's
    date. Each staff member named (of the visited unit) gets a violation of the finding's article and severity on
    the visit's date, which caps that month's grade; with nobody named the finding concerns the unit only."""
    visit = _locked_visit(visit)
    _ensure_inspector(actor, visit)
    _ensure_open(visit)
    if result.visit_id != visit.pk:
        raise ValidationError(_("This item is not on the visit's checklist."), code="unknown_item")
    result.refresh_from_db(fields=["result"])
    if result.result != CheckResult.FAIL:
        raise ValidationError(_("A finding can only be recorded on a failed item."), code="not_failed")
    if severity not in Severity.values:
        raise ValidationError({"severity": _("Choose a severity.")}, code="severity")
    occurred_on = timezone.localtime(visit.scheduled_at).date()
    require_article_in_force(article=article, unit=visit.unit, day=occurred_on)
    staff = list(Staff.objects.select_related("unit").filter(pk__in=[s.pk for s in staff]))
    outsiders = [s.full_name for s in staff if not is_within(s.unit, visit.unit)]
    if outsiders:
        raise ValidationError(
            {"staff": _("Not staff of the visited unit: %(names)s.") % {"names": ", ".join(outsiders)}}, code="outsider"
        )
    finding = Finding(
        visit=visit, result=result, description=description.strip(), article=article, severity=severity, created_by=actor
    )
    finding.full_clean()
    save_with_history(finding, actor=actor)
    finding.staff.set(staff)
    for member in staff:
        violation = violation_record(
            actor=actor, staff=member, occurred_on=occurred_on, article=article, severity=severity,
            source=ViolationSource.INSPECTION, description=finding.description,
        )
        violation.finding = finding
        save_with_history(violation, actor=actor, update_fields=["finding"])
    return finding


def _label(text):
    return lambda: _(text)


VISIT_ACTION_LABELS = {
    "start": _label(gettext_noop("Start")),
    "close": _label(gettext_noop("Close")),
    "reopen": _label(gettext_noop("Reopen")),
}


# Evidence files: a scan or a photo of what was done.
EVIDENCE_MAX_BYTES = 5 * 1024 * 1024

# The unit marks an action done; the team verifies it or sends it back (open again). A verified action is final.
ACTION_WORKFLOW = Workflow(
    [
        Transition("mark_done", (ActionStatus.OPEN,), ActionStatus.DONE),
        Transition("verify", (ActionStatus.DONE,), ActionStatus.VERIFIED),
        Transition("send_back", (ActionStatus.DONE,), ActionStatus.OPEN),
    ]
)


def user_can_follow_up(*, user: User, visit: InspectionVisit) -> bool:
    """Set and verify corrective actions: the visit's team (leader, members) or the district office above it."""
    return user_can_inspect(user=user, visit=visit) or scope_for(user).can(Capability.MANAGE_INSPECTIONS, visit.unit)


def user_can_correct(*, user: User, action: CorrectiveAction) -> bool:
    """Mark an action done: staff of the responsible unit (or above it) with the right to correct."""
    return scope_for(user).can(Capability.CORRECT, action.owner_unit)


def _move_action(action: CorrectiveAction, target: str) -> None:
    """Set the action's status to ``target`` (saving is the caller's), or refuse the move from its status."""
    ACTION_WORKFLOW.move_to(
        action,
        target,
        refused=lambda: ValidationError(
            _("This corrective action is %(status)s: it cannot be changed this way.")
            % {"status": action.get_status_display().lower()},
            code="invalid_transition",
        ),
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
    if not is_within(owner_unit, visit.unit):
        errors["owner_unit"] = _("The responsible unit must be the unit visited or a unit beneath it.")
    if due_on < timezone.localdate():
        errors["due_on"] = _("The due date cannot be in the past.")
    if errors:
        raise ValidationError(errors)
    action = CorrectiveAction(finding=finding, description=description.strip(), owner_unit=owner_unit, due_on=due_on)
    action.full_clean()
    action = save_with_history(action, actor=actor)
    evaluation_notifications.action_assigned(action, actor=actor)
    return action


@transaction.atomic
def action_mark_done(*, actor: User, action: CorrectiveAction, evidence: str, evidence_file=None) -> CorrectiveAction:
    """The responsible unit reports the action done, with what it did and optionally a scan or photo of it."""
    action = CorrectiveAction.objects.select_for_update().select_related("owner_unit").get(pk=action.pk)
    if not user_can_correct(user=actor, action=action):
        raise PermissionDenied
    _move_action(action, ActionStatus.DONE)
    if not evidence.strip():
        raise ValidationError({"evidence": _("Describe what was done.")})
    if evidence_file:
        try:
            extension = validate_scan(evidence_file, max_bytes=EVIDENCE_MAX_BYTES)
        except ValidationError as error:
            raise ValidationError({"evidence_file": error.messages}) from None
        evidence_file.name = f"action-{action.pk}-{timezone.now():%Y%m%d%H%M%S}.{extension}"
        action.evidence_file = evidence_file
    action.evidence = evidence.strip()
    action.done_by = actor
    action.done_at = timezone.now()
    action.full_clean()
    action = save_with_history(action, actor=actor)
    evaluation_notifications.action_done(action, actor=actor)
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
    _move_action(action, target)
    note = note.strip()
    if not accepted and not note:
        raise ValidationError({"note": _("Say why the action is sent back.")})
    if accepted:
        action.verified_by = actor
        action.verified_at = timezone.now()
    else:
        action.done_by = None
        action.done_at = None
    action.full_clean()
    return save_with_history(action, actor=actor, reason=note or None)
