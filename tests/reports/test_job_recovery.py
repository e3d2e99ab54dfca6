"""Background jobs that lost their worker or their message (issue 14): the sweep sends again a report or an
export that shows no sign of life or was never sent, under a fresh task id that refuses the old message; a run
that lost its row stops; a request made while the broker is down answers normally and waits; the pages offer a
retry (and a rebuild) of a stuck job. The same, with real workers and a real broker, is in
``test_quarterly_celery.py``."""

import datetime
import os
import subprocess
import sys
import time

from django.conf import settings
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError
import pytest

from core import jobs
from core.choices import JobStatus
from reports.exports import tasks as export_tasks
from reports.models import ExportJob, QuarterlyReport
from reports.quarterly import services, tasks as quarterly_tasks
from tests.factories import ExportJobFactory
from tests.helpers import in_page
from tests.reports.export_helpers import rated_sheets
from tests.reports.quarterly_helpers import QUARTER

pytestmark = pytest.mark.django_db

LONG_AGO = datetime.timedelta(seconds=settings.JOB_STALE_AFTER + 60)


class Broker:
    """Messages sent to the report and export tasks, recorded instead of reaching the broker; ``down`` makes
    every send fail as kombu does when Redis cannot be reached."""

    def __init__(self, monkeypatch):
        self.sent, self.down = [], False
        for task in (quarterly_tasks.quarterly_report_build, export_tasks.export_build):
            monkeypatch.setattr(task, "apply_async", self._sender(task.name))

    def _sender(self, name):
        def apply_async(args, task_id):
            if self.down:
                raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
            self.sent.append((name, args, task_id))
        return apply_async


@pytest.fixture
def broker(monkeypatch):
    return Broker(monkeypatch)


def sweep(**kwargs):
    return jobs.background_jobs_sweep(**kwargs)


def request_report(actor, unit, **kwargs) -> QuarterlyReport:
    return services.quarterly_report_request(actor=actor, unit=unit, quarter=QUARTER, **kwargs)


def running_report(actor, unit, *, silent_for=datetime.timedelta(0), attempts=1) -> QuarterlyReport:
    """A report claimed by a worker (as the task would), whose last sign of life was ``silent_for`` ago."""
    report = request_report(actor, unit)
    assert jobs.job_claim(QuarterlyReport, pk=report.pk, task_id=report.task_id) is not None
    QuarterlyReport.objects.filter(pk=report.pk).update(
        heartbeat_at=timezone.now() - silent_for, progress=45, attempts=attempts, sent_at=timezone.now() - silent_for
    )
    report.refresh_from_db()
    return report


# --- The sweep -------------------------------------------------------------------------------------------------


def test_the_sweep_sends_again_a_running_report_whose_worker_died_and_it_finishes_once(
    broker, district_officer, thanh_xuan, ba_dinh, city_admin, hanoi, django_capture_on_commit_callbacks
):
    dead = running_report(district_officer, thanh_xuan, silent_for=LONG_AGO)
    alive = running_report(city_admin, ba_dinh, silent_for=datetime.timedelta(seconds=20))
    done = running_report(city_admin, hanoi, silent_for=LONG_AGO)
    QuarterlyReport.objects.filter(pk=done.pk).update(status=JobStatus.SUCCESS)
    broker.sent.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assert sweep() == {"resent": 1, "failed": 0}

    dead_now = QuarterlyReport.objects.get(pk=dead.pk)
    assert dead_now.status == JobStatus.PENDING and dead_now.progress == 0
    assert dead_now.task_id != dead.task_id and dead_now.sent_at is not None and dead_now.attempts == 1
    assert broker.sent == [("reports.quarterly_report_build", [dead.pk], dead_now.task_id)]
    for untouched in (alive, done):
        assert QuarterlyReport.objects.get(pk=untouched.pk).task_id == untouched.task_id
    # The dead worker's message, should the broker give it back one day, is refused; the new one finishes it.
    assert services.quarterly_report_build(report_id=dead.pk, task_id=dead.task_id) is None
    services.quarterly_report_build(report_id=dead.pk, task_id=dead_now.task_id)
    dead_now.refresh_from_db()
    assert dead_now.status == JobStatus.SUCCESS and dead_now.attempts == 2, dead_now.error
    assert services.quarterly_report_build(report_id=dead.pk, task_id=dead_now.task_id) is None  # done: never again
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep() == {"resent": 0, "failed": 0}


def test_the_sweep_sends_a_waiting_job_never_sent_soon_and_one_never_claimed_later(
    broker, district_officer, thanh_xuan, ba_dinh, hanoi, city_admin, django_capture_on_commit_callbacks
):
    broker.down = True
    with django_capture_on_commit_callbacks(execute=True):
        unsent = request_report(district_officer, thanh_xuan)
    broker.down = False
    with django_capture_on_commit_callbacks(execute=True):
        queued = request_report(city_admin, ba_dinh)
        lost = request_report(city_admin, hanoi)
    unsent.refresh_from_db()
    assert unsent.status == JobStatus.PENDING and unsent.sent_at is None and unsent.is_unsent
    assert QuarterlyReport.objects.get(pk=queued.pk).sent_at is not None
    QuarterlyReport.objects.filter(pk=lost.pk).update(heartbeat_at=timezone.now() - LONG_AGO)
    broker.sent.clear()

    with django_capture_on_commit_callbacks(execute=True):  # at once: the unsent one waits its grace first
        assert sweep() == {"resent": 1, "failed": 0}
    assert [args for _name, args, _id in broker.sent] == [[lost.pk]]
    later = timezone.now() + jobs.SEND_GRACE + datetime.timedelta(seconds=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep(now=later) == {"resent": 1, "failed": 0}

    unsent_now = QuarterlyReport.objects.get(pk=unsent.pk)
    assert broker.sent[-1] == ("reports.quarterly_report_build", [unsent.pk], unsent_now.task_id)
    assert unsent_now.task_id != unsent.task_id and unsent_now.sent_at is not None
    assert QuarterlyReport.objects.get(pk=queued.pk).task_id == queued.task_id  # waiting its turn: left alone


def test_an_export_whose_worker_died_is_sent_again(broker, district_officer, thanh_xuan, django_capture_on_commit_callbacks):
    job = ExportJobFactory(unit=thanh_xuan, requested_by=district_officer, status=JobStatus.RUNNING, task_id="dead",
                           attempts=1, heartbeat_at=timezone.now() - LONG_AGO)
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep() == {"resent": 1, "failed": 0}
    job.refresh_from_db()
    assert job.status == JobStatus.PENDING and broker.sent == [("reports.export_build", [job.pk], job.task_id)]


@override_settings(JOB_MAX_ATTEMPTS=3)
def test_a_job_whose_worker_stopped_too_often_fails_with_its_reason(
    broker, client, district_officer, thanh_xuan, django_capture_on_commit_callbacks
):
    report = running_report(district_officer, thanh_xuan, silent_for=LONG_AGO, attempts=3)
    broker.sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep() == {"resent": 0, "failed": 1}
    report.refresh_from_db()
    assert report.status == JobStatus.FAILED and "stopped without finishing 3 times" in report.error
    assert broker.sent == []
    client.force_login(district_officer)
    page = client.get(reverse("reports:report_detail", args=[report.pk])).content.decode()
    assert "stopped without finishing 3 times" in page and f'action="/reports/{report.pk}/retry/"' in page


def test_a_slow_run_whose_row_was_sent_again_stops_without_touching_it(
    broker, district_officer, thanh_xuan, monkeypatch, django_capture_on_commit_callbacks
):
    report = request_report(district_officer, thanh_xuan)
    taken = {}

    def sweep_meanwhile():  # the run goes silent; the sweep gives the row to a new task in the middle of it
        if not taken:
            QuarterlyReport.objects.filter(pk=report.pk).update(heartbeat_at=timezone.now() - LONG_AGO)
            with django_capture_on_commit_callbacks(execute=True):
                taken.update(sweep())

    monkeypatch.setattr(services, "_pause", sweep_meanwhile)
    assert services.quarterly_report_build(report_id=report.pk, task_id=report.task_id) is not None

    assert taken == {"resent": 1, "failed": 0}
    report_now = QuarterlyReport.objects.get(pk=report.pk)
    assert report_now.status == JobStatus.PENDING and report_now.error == "" and not report_now.file
    assert report_now.task_id != report.task_id


# --- The broker is down when the job is asked for ------------------------------------------------------------


def test_a_request_while_the_broker_is_down_answers_the_page_and_waits(
    broker, client, district_officer, thanh_xuan, caplog, django_capture_on_commit_callbacks
):
    client.force_login(district_officer)
    broker.down = True
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:report_request"), {"unit": thanh_xuan.public_code, "quarter": QUARTER.slug})

    report = QuarterlyReport.objects.get(unit=thanh_xuan)
    assert response.status_code == 302 and response["Location"] == f"/reports/{report.pk}/"
    assert report.status == JobStatus.PENDING and report.sent_at is None
    assert "not sent (broker unreachable?)" in caplog.text
    page = client.get(response["Location"]).content.decode()
    assert 'data-job="unsent"' in page and 'hx-trigger="every 2s"' in page
    assert in_page("Waiting for the task queue, which cannot be reached right now: the build will start by itself once it "
                   "is back.") in page

    broker.down = False
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep(now=timezone.now() + jobs.SEND_GRACE + datetime.timedelta(seconds=1))["resent"] == 1
    report.refresh_from_db()
    assert broker.sent == [("reports.quarterly_report_build", [report.pk], report.task_id)] and report.sent_at
    assert 'data-job="unsent"' not in client.get(response["Location"]).content.decode()


def test_an_export_asked_for_while_the_broker_is_down_waits(
    broker, client, district_officer, city_admin, thanh_xuan, thanh_xuan_bac, django_capture_on_commit_callbacks
):
    rated_sheets(unit=thanh_xuan_bac, actor=city_admin, months=[datetime.date(2026, 4, 1)], staff_count=3)
    client.force_login(district_officer)
    broker.down = True
    with override_settings(EXPORT_BACKGROUND_ROWS=1), django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:export_create"), {"kind": "ratings", "unit": thanh_xuan.public_code,
                                                                   "month_from": "2026-04", "month_to": "2026-04"})
    assert response.status_code == 302
    job = ExportJob.objects.get()
    assert job.status == JobStatus.PENDING and job.sent_at is None
    assert 'data-job="unsent"' in client.get(reverse("reports:export_list")).content.decode()


# --- Retry and rebuild from the pages ------------------------------------------------------------------------


def test_a_stuck_report_is_retried_from_its_page(broker, client, district_officer, thanh_xuan, django_capture_on_commit_callbacks):
    report = running_report(district_officer, thanh_xuan, silent_for=LONG_AGO)
    client.force_login(district_officer)
    detail = reverse("reports:report_detail", args=[report.pk])

    page = client.get(detail).content.decode()
    assert 'data-job="stale"' in page and f'action="/reports/{report.pk}/retry/"' in page
    progress = client.get(reverse("reports:report_progress", args=[report.pk])).content.decode()
    assert 'data-job="stale"' in progress and f'action="/reports/{report.pk}/retry/"' in progress
    broker.sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("reports:report_retry", args=[report.pk])).status_code == 302
    report_now = QuarterlyReport.objects.get(pk=report.pk)
    assert report_now.status == JobStatus.PENDING and report_now.task_id != report.task_id
    assert broker.sent == [("reports.quarterly_report_build", [report.pk], report_now.task_id)]
    assert 'data-job="stale"' not in client.get(detail).content.decode()


def test_a_report_still_alive_is_neither_retried_nor_rebuilt(broker, client, district_officer, thanh_xuan,
                                                            django_capture_on_commit_callbacks):
    report = running_report(district_officer, thanh_xuan, silent_for=datetime.timedelta(seconds=10))
    client.force_login(district_officer)
    assert 'data-job="stale"' not in client.get(reverse("reports:report_detail", args=[report.pk])).content.decode()
    broker.sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reports:report_retry", args=[report.pk]))
        request_report(district_officer, thanh_xuan, rebuild=True)
    report_now = QuarterlyReport.objects.get(pk=report.pk)
    assert (report_now.status, report_now.task_id, broker.sent) == (JobStatus.RUNNING, report.task_id, [])


def test_asking_again_to_rebuild_a_stuck_report_sends_it_again(broker, client, district_officer, thanh_xuan,
                                                              django_capture_on_commit_callbacks):
    report = running_report(district_officer, thanh_xuan, silent_for=LONG_AGO)
    client.force_login(district_officer)
    broker.sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:report_request"),
                               {"unit": thanh_xuan.public_code, "quarter": QUARTER.slug, "rebuild": "1"})
    assert response.status_code == 302
    report_now = QuarterlyReport.objects.get(pk=report.pk)
    assert report_now.status == JobStatus.PENDING and report_now.task_id != report.task_id
    assert broker.sent == [("reports.quarterly_report_build", [report.pk], report_now.task_id)]
    assert services.quarterly_report_build(report_id=report.pk, task_id=report.task_id) is None


def test_a_stuck_or_failed_export_is_retried_by_its_requester_only(
    broker, client, district_officer, city_admin, thanh_xuan, django_capture_on_commit_callbacks
):
    stuck = ExportJobFactory(unit=thanh_xuan, requested_by=district_officer, status=JobStatus.RUNNING, task_id="dead",
                             heartbeat_at=timezone.now() - LONG_AGO)
    failed = ExportJobFactory(unit=thanh_xuan, requested_by=district_officer, status=JobStatus.FAILED, error="disk full")
    alive = ExportJobFactory(unit=thanh_xuan, requested_by=district_officer, status=JobStatus.RUNNING, task_id="alive",
                             heartbeat_at=timezone.now())
    client.force_login(district_officer)
    page = client.get(reverse("reports:export_list")).content.decode()
    for job, offered in ((stuck, True), (failed, True), (alive, False)):
        assert (reverse("reports:export_retry", args=[job.pk]) in page) is offered, job
    assert 'data-job="stale"' in client.get(reverse("reports:export_progress", args=[stuck.pk])).content.decode()

    client.force_login(city_admin)
    assert client.post(reverse("reports:export_retry", args=[stuck.pk])).status_code == 404
    client.force_login(district_officer)
    with django_capture_on_commit_callbacks(execute=True):
        for job in (stuck, failed, alive):
            assert client.post(reverse("reports:export_retry", args=[job.pk])).status_code == 302
    states = {job.pk: (job.status, job.task_id) for job in ExportJob.objects.all()}
    assert states[alive.pk] == (JobStatus.RUNNING, "alive")
    assert {states[stuck.pk][0], states[failed.pk][0]} == {JobStatus.PENDING}
    assert sorted(broker.sent) == sorted(("reports.export_build", [job.pk], states[job.pk][1]) for job in (stuck, failed))


# --- Signs of life, and finding the tasks -------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@override_settings(JOB_STALE_AFTER=5)  # a heartbeat every second
def test_a_long_step_keeps_the_job_alive(broker, district_officer, thanh_xuan):
    report = request_report(district_officer, thanh_xuan)
    report = jobs.job_claim(QuarterlyReport, pk=report.pk, task_id=report.task_id)
    claimed_at = report.heartbeat_at
    seen = []

    def long_step():
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and len(seen) < 2:
            beat = QuarterlyReport.objects.get(pk=report.pk).heartbeat_at
            if beat > (seen[-1] if seen else claimed_at):
                seen.append(beat)
            time.sleep(0.2)

    jobs.job_run(report, long_step)
    assert len(seen) == 2, "the worker's heartbeat marked the job alive during the step"
    assert QuarterlyReport.objects.get(pk=report.pk).status == JobStatus.RUNNING  # the body did not finish it


def test_the_web_process_finds_the_tasks_by_name():
    """Celery imports the apps' task modules only in a worker; a web process sends by name all the same."""
    code = ("import django; django.setup(); from core.jobs import _task; "
            "print(_task('reports.quarterly_report_build').name, _task('reports.export_build').name, "
            "_task('reports.annual_report_build').name)")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"}
    result = subprocess.run([sys.executable, "-c", code], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["reports.quarterly_report_build", "reports.export_build", "reports.annual_report_build"]


def test_celery_beat_sweeps_every_minute():
    entry = next(e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "core.background_jobs_sweep")
    assert entry["schedule"] <= 120
    assert {model.__name__ for model in jobs.job_models()} == {"QuarterlyReport", "AnnualReport", "ExportJob"}
