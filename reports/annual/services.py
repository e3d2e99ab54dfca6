"""Services of the annual summary (tổng kết năm): request a unit's summary of a year, build it (the Celery job's
body), retry a failed one, and Celery beat's January run.

Built as the quarterly review is (``reports.quarterly.services``): one row per unit and year, so asking again reuses
the row (running or ready), and rebuilding or retrying re-enqueues that same row with a fresh task id. A stuck
summary (its worker died, its message was lost or never sent) is sent again by asking again, by Retry, or by the
sweeper (``core.jobs.background_jobs_sweep``). The build claims the row (``core.jobs.job_claim``), computes the
sections with progress updates, writes the workbook to a temporary file moved into place, and stores the figures
for the page; any error marks the row FAILED with its reason. Like the quarterly build, its one other write is
explicit: the step of the year's commendation list creates or refreshes the unit's draft list of the year from the
rule (``commendation_list_generate`` with a ``Year``; an approved list stays as approved), then its section reads it.
"""

from __future__ import annotations

import datetime
import time
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_noop

from core.choices import JobStatus
from core.jobs import job_claim, job_enqueue, job_progress, job_run, job_succeed, write_atomically
from core.quarters import Year
from reports import notifications as report_notifications
from reports.annual import selectors as sections
from reports.annual.workbook import annual_report_file_name, annual_workbook
from reports.commendations.figures import commendation_list_generate
from reports.models import AnnualReport
from reports.quarterly.services import units_in_force
from units.models import Unit
from units.scope import Capability, require, require_visible

# The sections in the order of the page and the workbook; progress notes are English msgids translated when the
# page shows them. A new section is a key here, its selector in ``compute`` below, its sheet in
# ``reports.annual.workbook.SECTION_WRITERS`` and its template ``reports/partials/annual_sections/<key>.html``.
STEPS = (
    ("coverage", gettext_noop("Pledge coverage")),
    ("ratings", gettext_noop("Monthly ratings")),
    ("annual_classification", gettext_noop("Annual classification")),
    ("violations", gettext_noop("Violations")),
    ("inspections", gettext_noop("Inspections")),
    ("feedback", gettext_noop("Citizen feedback")),
    ("commendations", gettext_noop("Quarterly commendations")),
    ("year_commendations", gettext_noop("The year's commendation list")),
)
WRITING_NOTE = gettext_noop("Writing the workbook")
FIRST_YEAR = 2000


def _refuse_year(year: int, today: datetime.date | None = None) -> None:
    """A year not started yet, or outside the years the portal can hold, has nothing to summarise."""
    today = today or timezone.localdate()
    if year > today.year:
        raise ValidationError(_("%(year)s has not started yet: there is nothing to summarise.") % {"year": year},
                              code="future")
    if year < FIRST_YEAR:
        raise ValidationError(_("Choose a year from %(first)s on.") % {"first": FIRST_YEAR}, code="too_early")


def _enqueue(report: AnnualReport) -> None:
    job_enqueue(report, AnnualReport.job_task_name)


def annual_report_request(*, actor, unit: Unit, year: int, rebuild: bool = False) -> AnnualReport:
    """The summary of ``unit`` for ``year``, queued for building when it is new, failed, stuck (no sign of life for
    ``JOB_STALE_AFTER``) or ``rebuild`` is asked for (a summary running is left to finish). ``actor`` is None for
    Celery beat.

    Raises Http404 (unit outside the actor's scope), PermissionDenied (no right to build reports there) or
    ValidationError (a year not started)."""
    require_visible(actor, unit)  # 404 outside the scope, as for a unit that does not exist
    require(actor, Capability.BUILD_REPORTS, unit)
    _refuse_year(year)
    with transaction.atomic():
        report, created = AnnualReport.objects.select_for_update().get_or_create(
            unit=unit, year=year, defaults={"requested_by": actor, "parameters": {"unit": unit.public_code, "year": year}},
        )
        running = report.status == JobStatus.RUNNING and not report.is_stale
        if created or report.status == JobStatus.FAILED or report.is_stale or (rebuild and not running):
            if not created and actor is not None:
                report.requested_by = actor
                report.save(update_fields=["requested_by"])
            _enqueue(report)
    return report


def annual_report_retry(*, actor, report: AnnualReport) -> AnnualReport:
    """Queue a FAILED summary again, or a stuck one, under a fresh task id (the page's Retry button)."""
    require_visible(actor, report.unit)
    require(actor, Capability.BUILD_REPORTS, report.unit)
    with transaction.atomic():
        report = AnnualReport.objects.select_for_update().select_related("unit").get(pk=report.pk)
        if report.status != JobStatus.FAILED and not report.is_stale:
            raise ValidationError(_("Only a failed or stuck report can be tried again."), code="not_failed")
        report.requested_by = actor
        report.save(update_fields=["requested_by"])
        _enqueue(report)
    return report


def annual_report_build_now(*, unit: Unit, year: int) -> AnnualReport:
    """Build the summary of ``unit`` for ``year`` in this process (the management command), on the same row and with
    the same job as Celery. A message still queued for the row is refused afterwards (its task id is no longer the
    row's). Raises ValidationError for a year not started or a build already running."""
    _refuse_year(year)
    with transaction.atomic():
        report, _created = AnnualReport.objects.select_for_update().get_or_create(
            unit=unit, year=year, defaults={"parameters": {"unit": unit.public_code, "year": year}},
        )
        if report.status == JobStatus.RUNNING:
            raise ValidationError(_("This report is being built right now."), code="running")
        task_id = f"cli-{uuid.uuid4().hex}"
        now = timezone.now()
        AnnualReport.objects.filter(pk=report.pk).update(
            task_id=task_id, status=JobStatus.PENDING, progress=0, progress_note="", error="", finished_at=None,
            heartbeat_at=now, sent_at=now,
        )
    annual_report_build(report_id=report.pk, task_id=task_id)
    return AnnualReport.objects.select_related("unit").get(pk=report.pk)


def _pause() -> None:
    # Only for tests and demonstrations: makes a running build long enough to watch (or to kill a worker in).
    if settings.REPORTS_BUILD_STEP_DELAY > 0:
        time.sleep(settings.REPORTS_BUILD_STEP_DELAY)


def _year_commendations(*, unit: Unit, year: int) -> dict:
    """The build's one write, explicit: the year's commendation list of the unit is created or refreshed from the
    rule's annual terms (an approved list stays as approved), so the summary shows the list as the rule makes it now;
    then its section reads it."""
    commendation_list = commendation_list_generate(unit=unit, period=Year(year), actor=None)
    return sections.year_commendations_section(commendation_list=commendation_list)


def annual_report_figures(*, unit: Unit, year: int, on_step=None, today: datetime.date | None = None) -> dict:
    """Every section of the summary, as stored in ``AnnualReport.data`` (``sections`` lists their keys in order);
    ``on_step(index, note)`` is told before each section. Every section reads the figures counters, except that
    the step of the year's commendation list first prepares it (``_year_commendations``). A fixed number of queries
    whatever the number of units and months."""
    today = today or timezone.localdate()
    rows = sections.AnnualRows(unit, year)
    compute = {
        "coverage": lambda: sections.coverage_section(rows=rows),
        "ratings": lambda: sections.ratings_section(rows=rows),
        "annual_classification": lambda: sections.annual_classification_section(rows=rows),
        "violations": lambda: sections.violations_section(rows=rows),
        "inspections": lambda: sections.inspections_section(rows=rows, today=today),
        "feedback": lambda: sections.feedback_section(rows=rows),
        "commendations": lambda: sections.commendations_section(rows=rows),
        "year_commendations": lambda: _year_commendations(unit=unit, year=year),
    }
    data = {**sections.unit_summary(unit, rows), "generated_on": today.isoformat(), "sections": [k for k, _n in STEPS]}
    for index, (key, note) in enumerate(STEPS):
        if on_step is not None:
            on_step(index, note)
        data[key] = compute[key]()
    return data


def annual_report_build(*, report_id: int, task_id: str) -> AnnualReport | None:
    """The Celery job's body: claim the summary, compute its sections (saving progress), write the workbook
    atomically to ``reports/annual/<unit public code>/<year>.xlsx``, store the figures and succeed. ``None`` when
    this delivery may not run it (done already, or owned by another task)."""
    report = job_claim(AnnualReport, pk=report_id, task_id=task_id)
    if report is None:
        return None
    unit = Unit.objects.get(pk=report.unit_id)

    def on_step(index: int, note: str) -> None:
        job_progress(report, 5 + index * 80 // len(STEPS), note)
        _pause()

    def body() -> None:
        data = annual_report_figures(unit=unit, year=report.year, on_step=on_step)
        job_progress(report, 90, WRITING_NOTE)
        name, _result = write_atomically(
            annual_report_file_name(public_code=unit.public_code, year=report.year),
            lambda path: annual_workbook(data=data, target=path),
        )
        job_succeed(report, file_name=name, data=data)

    job_run(report, body)
    report_notifications.job_finished(report)
    return report


def annual_report_units(*, year: int):
    """The units Celery beat summarises for ``year``: every province and centrally run city, and every ward and
    commune, of the structure in force now, in force on at least one day of the year (the quarterly run's units,
    ``reports.quarterly.services.units_in_force``); in tree order."""
    return units_in_force(first_day=datetime.date(year, 1, 1), last_day=datetime.date(year, 12, 31))


def annual_reports_request_past_year(*, today: datetime.date | None = None) -> list[AnnualReport]:
    """Celery beat's January run: the past year's summary of every province and city and every ward and commune
    in force (``annual_report_units``). Idempotent: a summary already there is reused."""
    year = (today or timezone.localdate()).year - 1
    return [annual_report_request(actor=None, unit=unit, year=year) for unit in annual_report_units(year=year)]
