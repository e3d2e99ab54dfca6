"""Who hears of a feedback case: its unit's officers of a new case, the assignee of their case, both of a case
falling due or overdue, and of a case the citizen reopened. Each function is one event; the services that do the
work call them (``feedback_record``, ``feedback_assign``, the citizen's reopening); the sweep every minute
(``new_cases_notify``) tells of the citizens' new cases, the daily scan (``feedback_due_notify``) of cases falling
due, both by Celery beat. Recipients come from the scope (``units.notifications``):
those who may triage feedback of the case's unit, nearest level first."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core.dates import add_working_days
from feedback.choices import CaseStatus
from feedback.models import FeedbackCase
from units.choices import Role
from units.notifications.kinds import NotificationKind
from units.notifications.services import notify
from units.scope import Capability

# The inbox is worked by the unit's officers and head; a unit without them is watched by the office above.
TRIAGE_ROLES = (Role.WARD_OFFICER, Role.UNIT_HEAD, Role.DISTRICT_OFFICE)
DUE_SOON_WORKING_DAYS = 2
NEW_CASES_BATCH = 200


def _params(case: FeedbackCase) -> dict:
    return {"code": case.tracking_code, "unit": case.unit.name, "due": case.due_on.strftime("%d/%m/%Y")}


def _url(case: FeedbackCase) -> str:
    return reverse("feedback:case_detail", kwargs={"pk": case.pk})


def _triagers(case: FeedbackCase) -> dict:
    return {"capability": Capability.TRIAGE_FEEDBACK, "roles": TRIAGE_ROLES, "nearest": True}


def case_new(case: FeedbackCase, *, actor=None) -> int:
    """A new case in the unit (the public form, or recorded by staff from another channel)."""
    return notify(
        kind=NotificationKind.FEEDBACK_NEW, unit=case.unit, obj=case, url=_url(case), params=_params(case),
        event_key=f"feedback-new:{case.pk}", actor=actor, **_triagers(case),
    )


def new_cases_notify(*, batch: int = NEW_CASES_BATCH) -> int:
    """The sweep (every minute, by beat): tell the officers of every case not told yet (the citizens' cases, from
    the public form and Open311) and mark it told; returns how many. Batches of ``batch`` cases, each locked while
    told (``SKIP LOCKED``: two sweeps at once share the work; ``notify`` is idempotent besides)."""
    told = 0
    while True:
        with transaction.atomic():
            cases = list(
                FeedbackCase.objects.filter(officers_told_at__isnull=True).select_related("unit")
                .select_for_update(skip_locked=True, of=("self",)).order_by("pk")[:batch]
            )
            for case in cases:
                case_new(case)
            FeedbackCase.objects.filter(pk__in=[case.pk for case in cases]).update(officers_told_at=timezone.now())
        told += len(cases)
        if len(cases) < batch:
            return told


def case_assigned(case: FeedbackCase, *, actor=None) -> int:
    """The case was given to someone (not when they took it themselves)."""
    if case.assigned_to_id is None:
        return 0
    return notify(
        kind=NotificationKind.FEEDBACK_ASSIGNED, unit=case.unit, obj=case, url=_url(case), params=_params(case),
        event_key=f"feedback-assigned:{case.pk}:{case.assigned_to_id}", recipients=[case.assigned_to_id], actor=actor,
    )


def case_reopened(case: FeedbackCase) -> int:
    """The citizen reopened the case (from the tracking page): its assignee and the unit's triagers hear of it."""
    return notify(
        kind=NotificationKind.FEEDBACK_REOPENED, unit=case.unit, obj=case, url=_url(case), params=_params(case),
        event_key=f"feedback-reopened:{case.pk}:{case.reopen_count}",
        recipients=[case.assigned_to_id] if case.assigned_to_id else None, **_triagers(case),
    )


def feedback_due_notify(*, today: datetime.date | None = None) -> dict:
    """The daily scan: open cases due within two working days, and those overdue, each told once per due date
    (the event key holds it: a new due date is a new event) to the assignee, or to the unit's triagers."""
    today = today or timezone.localdate()
    horizon = add_working_days(today, DUE_SOON_WORKING_DAYS)
    cases = FeedbackCase.objects.filter(
        status__in=(CaseStatus.NEW, CaseStatus.IN_PROGRESS), due_on__lte=horizon
    ).select_related("unit").order_by("due_on", "pk")
    counts = {"due_soon": 0, "overdue": 0}
    for case in cases.iterator(chunk_size=500):
        overdue = case.due_on < today
        kind = NotificationKind.FEEDBACK_OVERDUE if overdue else NotificationKind.FEEDBACK_DUE_SOON
        audience = {"recipients": [case.assigned_to_id]} if case.assigned_to_id else _triagers(case)
        notify(
            kind=kind, unit=case.unit, obj=case, url=_url(case), params=_params(case),
            event_key=f"{kind}:{case.pk}:{case.due_on.isoformat()}", **audience,
        )
        counts["overdue" if overdue else "due_soon"] += 1
    return counts
