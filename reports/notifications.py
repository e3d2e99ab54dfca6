"""Who hears of reports: the person who asked for a report or an export, when it is ready or has failed; the office
that approves a commendation list, when a list awaits its approval. Called by the services that build them."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_noop

from core.choices import JobStatus
from reports.models import AnnualReport, CommendationList, ExportJob, QuarterlyReport
from units.notifications.kinds import NotificationKind
from units.notifications.services import notify
from units.scope import Capability


def _what(job) -> tuple[str, str, str]:
    """(what, period, link) of a job: the message id of its name, its period, its page."""
    if isinstance(job, QuarterlyReport):
        return gettext_noop("the quarterly report"), f"Q{job.quarter}/{job.year}", reverse(
            "reports:report_detail", kwargs={"pk": job.pk})
    if isinstance(job, AnnualReport):
        return gettext_noop("the annual summary"), str(job.year), reverse(
            "reports:annual_report_detail", kwargs={"pk": job.pk})
    if isinstance(job, ExportJob):
        return gettext_noop("the Excel export"), "", reverse("reports:export_list")
    raise TypeError(type(job).__name__)


def job_finished(job) -> int:
    """A report or export someone asked for succeeded or failed: they hear of it (a scheduled build has no
    requester and tells no one). Once per finish: the event key holds the finishing time."""
    if job.status not in (JobStatus.SUCCESS, JobStatus.FAILED) or not job.requested_by_id:
        return 0
    what, period, url = _what(job)
    kind = NotificationKind.REPORT_READY if job.status == JobStatus.SUCCESS else NotificationKind.REPORT_FAILED
    finished = job.finished_at.isoformat(timespec="seconds") if job.finished_at else ""
    return notify(
        kind=kind, unit=job.unit, obj=job, url=url, params={"what": what, "period": period, "unit": job.unit.name},
        event_key=f"{kind}:{type(job).__name__}:{job.pk}:{finished}", recipients=[job.requested_by_id],
    )


def commendation_awaiting(commendation_list: CommendationList, *, actor=None) -> int:
    """A new draft commendation list awaits the approval of the office above its unit."""
    period = f"Q{commendation_list.quarter}/{commendation_list.year}" if commendation_list.quarter else str(commendation_list.year)
    return notify(
        kind=NotificationKind.COMMENDATION_AWAITING, unit=commendation_list.unit, obj=commendation_list,
        url=reverse("reports:commendation_detail", kwargs={"pk": commendation_list.pk}),
        params={"unit": commendation_list.unit.name, "period": period},
        event_key=f"commendation-awaiting:{commendation_list.pk}", capability=Capability.APPROVE_COMMENDATIONS, nearest=True,
        actor=actor,
    )
