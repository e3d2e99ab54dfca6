"""Who hears of ratings and inspections. Each function is one event, called by the service that did the work
(``rating_sheet_transition``, ``cap_exception_decide``, ``visit_plan``, ``visit_start``, ``action_create``,
``action_mark_done``) or by the daily scan (``notifications_due_scan``, Celery beat).

Secrecy of surprise visits: a visit's team (leader and members) hears of it when it is planned; the inspected unit
only when it is a scheduled visit, and for a surprise visit only once the team has started it (``visit_started``),
exactly what ``evaluations.inspections.selectors.visits_visible_to`` lets them open."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from core.dates import add_months, month_start
from evaluations.choices import ActionStatus, SheetStatus, VisitKind, VisitStatus
from evaluations.models import CapException, CorrectiveAction, InspectionVisit, RatingSheet
from units.choices import Role
from units.models import RoleAssignment, Staff, Unit
from units.notifications.kinds import NotificationKind
from units.notifications.services import notify
from units.scope import Capability

UNIT_OFFICERS = (Role.WARD_OFFICER, Role.UNIT_HEAD)
DUE_SOON_DAYS = 3


def _date(day: datetime.date) -> str:
    return day.strftime("%d/%m/%Y")


# --- Ratings ------------------------------------------------------------------------------------------------


def _sheet_params(sheet: RatingSheet, reason: str = "") -> dict:
    return {"unit": sheet.unit.name, "period": sheet.period_label, "reason": reason}


def sheet_moved(sheet: RatingSheet, *, action: str, actor, reason: str = "") -> int:
    """A sheet was submitted (its approvers hear), approved or returned (who submitted it and the unit's raters),
    or reopened by the level above (the unit's raters and approvers)."""
    url = reverse("evaluations:sheet_detail", kwargs={"pk": sheet.pk})
    common = {"unit": sheet.unit, "obj": sheet, "url": url, "params": _sheet_params(sheet, reason), "actor": actor}
    stamp = timezone.now().isoformat()  # a new event each move (a repeated move is refused by the workflow)
    submitter = [sheet.submitted_by_id] if sheet.submitted_by_id else None
    if action == "submit":
        return notify(kind=NotificationKind.SHEET_SUBMITTED, event_key=f"sheet-submit:{sheet.pk}:{stamp}",
                      capability=Capability.APPROVE_SHEETS, nearest=True, **common)
    if action in ("approve", "return"):
        kind = NotificationKind.SHEET_APPROVED if action == "approve" else NotificationKind.SHEET_RETURNED
        return notify(kind=kind, event_key=f"sheet-{action}:{sheet.pk}:{stamp}", recipients=submitter,
                      capability=Capability.RATE, roles=UNIT_OFFICERS, nearest=True, **common)
    if action == "reopen":
        told = notify(kind=NotificationKind.SHEET_REOPENED, event_key=f"sheet-reopen:{sheet.pk}:{stamp}",
                      recipients=submitter, capability=Capability.RATE, roles=UNIT_OFFICERS, nearest=True, **common)
        return told + notify(kind=NotificationKind.SHEET_REOPENED, event_key=f"sheet-reopen:{sheet.pk}:{stamp}",
                             capability=Capability.APPROVE_SHEETS, roles=UNIT_OFFICERS, nearest=True, **common)
    return 0


def cap_exception_decided(exception: CapException, *, actor) -> int:
    """The level above marked the unit exceptional for a period: its raters and head hear of it."""
    from evaluations.ratings.periods import period_label

    sheet = RatingSheet.objects.filter(unit=exception.unit, month=exception.month).select_related("scheme").first()
    label = sheet.period_label if sheet else period_label(exception.month, quarterly=False)
    url = reverse("evaluations:sheet_for_month", kwargs={"public_code": exception.unit.public_code, "month": exception.month})
    return notify(
        kind=NotificationKind.CAP_EXCEPTION, unit=exception.unit, obj=exception, url=url,
        params={"unit": exception.unit.name, "period": label}, event_key=f"cap-exception:{exception.pk}",
        capability=Capability.RATE, roles=UNIT_OFFICERS, nearest=True, actor=actor,
    )


def sheet_reminders_send(*, today: datetime.date) -> int:
    """From ``RATING_REMINDER_DAY`` of the month: the officers of each unit with active staff whose sheet of the month
    is not submitted yet are reminded, once a month, to rate by ``RATING_DUE_DAY`` of the next month."""
    if today.day < settings.RATING_REMINDER_DAY:
        return 0
    month = month_start(today)
    due = add_months(month, 1).replace(day=min(settings.RATING_DUE_DAY, 28))
    done = RatingSheet.objects.filter(unit=OuterRef("pk"), month=month).exclude(status=SheetStatus.DRAFT)
    units = (
        Unit.objects.filter(valid_to__isnull=True)
        .filter(Exists(RoleAssignment.objects.filter(unit=OuterRef("pk"), role__in=UNIT_OFFICERS)))
        .filter(Exists(Staff.objects.active().filter(unit=OuterRef("pk"))))
        .exclude(Exists(done))
        .order_by("path")
    )
    told = 0
    for unit in units:
        url = reverse("evaluations:sheet_for_month", kwargs={"public_code": unit.public_code, "month": month})
        told += notify(
            kind=NotificationKind.SHEET_REMINDER, unit=unit, url=url,
            params={"unit": unit.name, "period": month.strftime("%m/%Y"), "due": _date(due)},
            event_key=f"sheet-reminder:{unit.pk}:{month:%Y-%m}",
            capability=Capability.RATE, roles=UNIT_OFFICERS, nearest=True,
        )
    return told


# --- Inspections ----------------------------------------------------------------------------------------------


def _team(visit: InspectionVisit) -> list[int]:
    return [visit.team.leader_id, *visit.team.members.values_list("pk", flat=True)]


def _visit_params(visit: InspectionVisit) -> dict:
    return {
        "unit": visit.unit.name, "subject": visit.subject,
        "when": timezone.localtime(visit.scheduled_at).strftime("%d/%m/%Y %H:%M"),
    }


def visit_planned(visit: InspectionVisit, *, actor) -> int:
    """The team hears of a planned visit; the inspected unit's officers too when it is a scheduled visit, never for
    a surprise one (they hear of it when it starts)."""
    url = reverse("evaluations:visit_detail", kwargs={"pk": visit.pk})
    common = {"kind": NotificationKind.VISIT_PLANNED, "unit": visit.unit, "obj": visit, "url": url,
              "params": _visit_params(visit), "event_key": f"visit-planned:{visit.pk}", "actor": actor}
    told = notify(recipients=_team(visit), **common)
    if visit.kind == VisitKind.SCHEDULED:
        told += notify(capability=Capability.CORRECT, roles=UNIT_OFFICERS, nearest=True, **common)
    return told


def visit_changed(visit: InspectionVisit, *, actor, change: str) -> int:
    """A planned visit was moved or changed (``change`` names it, e.g. its new date): the same people as when it was
    planned — the inspected unit only for a scheduled visit, or a surprise visit already under way. No service
    changes a visit yet; the one that does calls this."""
    url = reverse("evaluations:visit_detail", kwargs={"pk": visit.pk})
    common = {"kind": NotificationKind.VISIT_PLANNED, "unit": visit.unit, "obj": visit, "url": url,
              "params": _visit_params(visit), "event_key": f"visit-changed:{visit.pk}:{change}"[:200], "actor": actor}
    told = notify(recipients=_team(visit), **common)
    if visit.kind == VisitKind.SCHEDULED or visit.status != VisitStatus.PLANNED:
        told += notify(capability=Capability.CORRECT, roles=UNIT_OFFICERS, nearest=True, **common)
    return told


def visit_started(visit: InspectionVisit, *, actor) -> int:
    """A surprise visit has started: now the inspected unit may know (it can open the visit from this moment)."""
    if visit.kind != VisitKind.SURPRISE:
        return 0
    return notify(
        kind=NotificationKind.VISIT_STARTED, unit=visit.unit, obj=visit,
        url=reverse("evaluations:visit_detail", kwargs={"pk": visit.pk}), params=_visit_params(visit),
        event_key=f"visit-started:{visit.pk}", capability=Capability.CORRECT, roles=UNIT_OFFICERS, nearest=True,
        actor=actor,
    )


def _action_params(action: CorrectiveAction, visit: InspectionVisit) -> dict:
    return {"unit": action.owner_unit.name, "due": _date(action.due_on), "description": action.description[:200]}


def _action_url(action: CorrectiveAction) -> str:
    return reverse("evaluations:action_detail", kwargs={"pk": action.pk})


def _correctors(visit: InspectionVisit) -> dict:
    # Counted on the visited unit, not the responsible one beneath it: only assignments that see the visit can
    # open its actions (``actions_visible_to``).
    return {"unit": visit.unit, "capability": Capability.CORRECT, "roles": UNIT_OFFICERS, "nearest": True}


def action_assigned(action: CorrectiveAction, *, actor) -> int:
    """The inspected unit's officers are given a corrective action."""
    visit = action.finding.visit
    return notify(
        kind=NotificationKind.ACTION_ASSIGNED, obj=action, url=_action_url(action), params=_action_params(action, visit),
        event_key=f"action-assigned:{action.pk}", actor=actor, **_correctors(visit),
    )


def action_done(action: CorrectiveAction, *, actor) -> int:
    """The unit marked the action done: the visit's team hears of it, to verify."""
    visit = InspectionVisit.objects.select_related("team", "unit").get(pk=action.finding.visit_id)
    return notify(
        kind=NotificationKind.ACTION_DONE, unit=visit.unit, obj=action, url=_action_url(action),
        params=_action_params(action, visit), event_key=f"action-done:{action.pk}:{action.done_at.isoformat()}",
        recipients=_team(visit), actor=actor,
    )


def actions_due_notify(*, today: datetime.date) -> dict:
    """Open corrective actions due within ``DUE_SOON_DAYS`` days, and overdue ones: the responsible unit's officers
    are told once per due date."""
    actions = CorrectiveAction.objects.filter(
        status=ActionStatus.OPEN, due_on__lte=today + datetime.timedelta(days=DUE_SOON_DAYS)
    ).select_related("owner_unit", "finding__visit__unit").order_by("due_on", "pk")
    counts = {"due_soon": 0, "overdue": 0}
    for action in actions.iterator(chunk_size=500):
        visit = action.finding.visit
        overdue = action.due_on < today
        kind = NotificationKind.ACTION_OVERDUE if overdue else NotificationKind.ACTION_DUE_SOON
        notify(kind=kind, obj=action, url=_action_url(action), params=_action_params(action, visit),
               event_key=f"{kind}:{action.pk}:{action.due_on.isoformat()}", **_correctors(visit))
        counts["overdue" if overdue else "due_soon"] += 1
    return counts


def notifications_due_scan(*, today: datetime.date | None = None) -> dict:
    """The daily scan of what falls due: corrective actions, and the month's rating reminders."""
    today = today or timezone.localdate()
    return {**actions_due_notify(today=today), "sheet_reminders": sheet_reminders_send(today=today)}
