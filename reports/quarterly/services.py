"""Services of the quarterly review (sơ kết quý): request a unit's report, build it (the Celery job's body),
retry a failed one.

One row per unit and quarter: asking again reuses the row (running or ready), and rebuilding or retrying
re-enqueues that same row with a fresh task id, so a report is never duplicated. A stuck report (its worker
died, its message was lost or never sent) is sent again by asking again, by Retry, or by the sweeper
(``core.jobs.background_jobs_sweep``). The build claims the row
(``core.jobs.job_claim``: a message redelivered after a worker died may take over its own RUNNING row),
computes the sections with progress updates, writes the workbook to a temporary file moved into place, and
stores the figures for the page; any error marks the row FAILED with its reason.
"""

from __future__ import annotations

import datetime
import time
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_noop

from core.choices import JobStatus
from core.jobs import job_claim, job_enqueue, job_progress, job_run, job_succeed, write_atomically
from core.quarters import Quarter
from reports import notifications as report_notifications
from reports.commendations.figures import commendation_list_generate
from reports.models import QuarterlyReport
from reports.quarterly import selectors as sections
from reports.quarterly.workbook import quarterly_workbook, report_file_name
from units.choices import GRASSROOTS_KINDS, Structure, UnitKind
from units.models import Unit
from units.scope import Capability, require, require_visible

# Progress notes are stored as English msgids and translated when the page shows them.
STEPS = (
    ("coverage", gettext_noop("Pledge coverage")),
    ("ratings", gettext_noop("Monthly ratings")),
    ("violations", gettext_noop("Violations")),
    ("inspections", gettext_noop("Inspections")),
    ("feedback", gettext_noop("Citizen feedback")),
    ("commendations", gettext_noop("Commendation list")),
)
WRITING_NOTE = gettext_noop("Writing the workbook")


def _refuse_future(quarter: Quarter) -> None:
    if quarter.is_future():
        raise ValidationError(
            _("%(quarter)s has not started yet: there is nothing to report.") % {"quarter": quarter}, code="future"
        )


def _enqueue(report: QuarterlyReport) -> None:
    job_enqueue(report, QuarterlyReport.job_task_name)


def quarterly_report_request(*, actor, unit: Unit, quarter: Quarter, rebuild: bool = False) -> QuarterlyReport:
    """The report of ``unit`` for ``quarter``, queued for building when it is new, failed, stuck (no sign of
    life for ``JOB_STALE_AFTER``) or ``rebuild`` is asked for (a report running is left to finish). ``actor`` is
    None for Celery beat.

    Raises Http404 (unit outside the actor's scope), PermissionDenied (no right to build reports there) or
    ValidationError (a quarter that has not started)."""
    require_visible(actor, unit)  # 404 outside the scope, as for a unit that does not exist
    require(actor, Capability.BUILD_REPORTS, unit)
    _refuse_future(quarter)
    with transaction.atomic():
        report, created = QuarterlyReport.objects.select_for_update().get_or_create(
            unit=unit, year=quarter.year, quarter=quarter.number,
            defaults={"requested_by": actor, "parameters": {"unit": unit.public_code, "quarter": quarter.slug}},
        )
        # A report waiting or running with no sign of life for JOB_STALE_AFTER is stuck (its worker died, its
        # message was lost): asking again sends it again, as the sweeper would.
        running = report.status == JobStatus.RUNNING and not report.is_stale
        if created or report.status == JobStatus.FAILED or report.is_stale or (rebuild and not running):
            if not created and actor is not None:
                report.requested_by = actor
                report.save(update_fields=["requested_by"])
            _enqueue(report)
    return report


def quarterly_report_retry(*, actor, report: QuarterlyReport) -> QuarterlyReport:
    """Queue a FAILED report again, or a stuck one (waiting or running with no sign of life for
    ``JOB_STALE_AFTER``: its worker died or its message was lost) under a fresh task id (the page's Retry
    button)."""
    require_visible(actor, report.unit)
    require(actor, Capability.BUILD_REPORTS, report.unit)
    with transaction.atomic():
        report = QuarterlyReport.objects.select_for_update().select_related("unit").get(pk=report.pk)
        if report.status != JobStatus.FAILED and not report.is_stale:
            raise ValidationError(_("Only a failed or stuck report can be tried again."), code="not_failed")
        report.requested_by = actor
        report.save(update_fields=["requested_by"])
        _enqueue(report)
    return report


def quarterly_report_build_now(*, unit: Unit, quarter: Quarter) -> QuarterlyReport:
    """Build the report of ``unit`` for ``quarter`` in this process (the management command), on the same row
    and with the same job as Celery. A message still queued for the row is refused afterwards (its task id is
    no longer the row's). Raises ValidationError for a quarter not started or a build already running."""
    _refuse_future(quarter)
    with transaction.atomic():
        report, _created = QuarterlyReport.objects.select_for_update().get_or_create(
            unit=unit, year=quarter.year, quarter=quarter.number,
            defaults={"parameters": {"unit": unit.public_code, "quarter": quarter.slug}},
        )
        if report.status == JobStatus.RUNNING:
            raise ValidationError(_("This report is being built right now."), code="running")
        task_id = f"cli-{uuid.uuid4().hex}"
        # Sent and alive as of now (run in this process), so the sweeper leaves it to this command.
        now = timezone.now()
        QuarterlyReport.objects.filter(pk=report.pk).update(
            task_id=task_id, status=JobStatus.PENDING, progress=0, progress_note="", error="", finished_at=None,
            heartbeat_at=now, sent_at=now,
        )
    quarterly_report_build(report_id=report.pk, task_id=task_id)
    return QuarterlyReport.objects.select_related("unit").get(pk=report.pk)


def _pause() -> None:
    # Only for tests and demonstrations: makes a running build long enough to watch (or to kill a worker in).
    if settings.REPORTS_BUILD_STEP_DELAY > 0:
        time.sleep(settings.REPORTS_BUILD_STEP_DELAY)


def _commendations(*, unit: Unit, quarter: Quarter) -> dict:
    """The build's one write, explicit: the quarter's commendation list is created or refreshed from the rule (an
    approved list stays as approved), so the report shows the list as the rule makes it now; then its section
    reads it."""
    commendation_list = commendation_list_generate(unit=unit, period=quarter, actor=None)
    return sections.commendations_section(commendation_list=commendation_list)


def quarterly_report_figures(*, unit: Unit, quarter: Quarter, on_step=None, today: datetime.date | None = None) -> dict:
    """Every section of the report, as stored in ``QuarterlyReport.data``; ``on_step(index, note)`` is told
    before each section. Every section reads the figures counters, except that the commendation step first
    prepares the quarter's list (``_commendations``). A fixed number of queries whatever the number of units and
    months."""
    today = today or timezone.localdate()
    rows = sections.ReportRows(unit, quarter)
    compute = {
        "coverage": lambda: sections.coverage_section(rows=rows, quarter=quarter),
        "ratings": lambda: sections.ratings_section(rows=rows, quarter=quarter),
        "violations": lambda: sections.violations_section(rows=rows, quarter=quarter),
        "inspections": lambda: sections.inspections_section(rows=rows, quarter=quarter, today=today),
        "feedback": lambda: sections.feedback_section(rows=rows, quarter=quarter),
        "commendations": lambda: _commendations(unit=unit, quarter=quarter),
    }
    data = {**sections.unit_summary(unit, quarter), "generated_on": today.isoformat()}
    for index, (key, note) in enumerate(STEPS):
        if on_step is not None:
            on_step(index, note)
        data[key] = compute[key]()
    return data


def quarterly_report_build(*, report_id: int, task_id: str) -> QuarterlyReport | None:
    """The Celery job's body: claim the report, compute its sections (saving progress), write the workbook
    atomically to ``reports/quarterly/<unit public code>/<year>-q<n>.xlsx``, store the figures and succeed.
    ``None`` when this delivery may not run it (done already, or owned by another task)."""
    report = job_claim(QuarterlyReport, pk=report_id, task_id=task_id)
    if report is None:
        return None
    unit, quarter = Unit.objects.get(pk=report.unit_id), report.period

    def on_step(index: int, note: str) -> None:
        job_progress(report, 5 + index * 80 // len(STEPS), note)
        _pause()

    def body() -> None:
        data = quarterly_report_figures(unit=unit, quarter=quarter, on_step=on_step)
        job_progress(report, 90, WRITING_NOTE)
        name, _result = write_atomically(
            report_file_name(public_code=unit.public_code, year=quarter.year, quarter=quarter.number),
            lambda path: quarterly_workbook(data=data, target=path),
        )
        job_succeed(report, file_name=name, data=data)

    job_run(report, body)
    report_notifications.job_finished(report)
    return report


def units_in_force(*, first_day: datetime.date, last_day: datetime.date):
    """The units Celery beat builds reports for over a period: every province and centrally run city, and every ward
    and commune, of the structure in force now (Hanoi, whose code is the same in both, included), in force on at
    least one day from ``first_day`` to ``last_day``; in tree order. Since 1 July 2025 there are no districts: a
    ward's report goes to the ward, the city's department reads the city's."""
    kinds = (UnitKind.PROVINCE, UnitKind.CENTRAL_CITY, *GRASSROOTS_KINDS)
    return Unit.objects.filter(kind__in=kinds, structure__in=(Structure.SHARED, Structure.CURRENT)).filter(
        Q(valid_from__isnull=True) | Q(valid_from__lte=last_day),
        Q(valid_to__isnull=True) | Q(valid_to__gte=first_day),
    ).order_by("path")


def reports_request_past_quarter(*, today: datetime.date | None = None) -> list[QuarterlyReport]:
    """Celery beat's quarterly run: the last finished quarter's report of every province and city and every ward and
    commune in force during it (``units_in_force``). Idempotent: a report already there is reused."""
    quarter = Quarter.last_finished(today)
    units = units_in_force(first_day=quarter.first_day, last_day=quarter.last_day)
    return [quarterly_report_request(actor=None, unit=unit, quarter=quarter) for unit in units]
