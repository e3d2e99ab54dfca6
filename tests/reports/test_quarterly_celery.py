"""Quarterly reports built by real Celery workers: an in-process worker builds one end to end; a prefork worker
started in a subprocess has its pool process SIGKILLed mid-job, and the job is redelivered and finishes once; a
worker killed as a whole leaves the job to the sweep, which sends it again to a new worker; a report asked for while
the broker is down waits, and the sweep sends it once the broker is back."""

from contextlib import contextmanager
import os
from pathlib import Path
import re
import signal
import socket
import time

from django.conf import settings
from django.test import override_settings
import pytest
from python_calamine import CalamineWorkbook

from conduct_portal.celery import app
from core import jobs
from core.choices import JobStatus
from reports.models import QuarterlyReport
from reports.quarterly import services
from reports.quarterly.workbook import SHEET_RATINGS
from tests.reports.celery_helpers import children, forget_unacked, kill_group, wait_for
from tests.reports.quarterly_helpers import QUARTER, rate_ward

pytestmark = pytest.mark.celery


def test_worker_builds_a_report_end_to_end(celery_worker, thanh_xuan, thanh_xuan_bac, district_officer):
    rate_ward(thanh_xuan_bac, ["AB", "BC", "D"])
    report = services.quarterly_report_request(actor=district_officer, unit=thanh_xuan, quarter=QUARTER)

    file_name = app.AsyncResult(report.task_id).get(timeout=90)

    report.refresh_from_db()
    assert report.status == JobStatus.SUCCESS, report.error
    assert file_name == report.file.name and report.attempts == 1
    rows = CalamineWorkbook.from_path(str(Path(settings.MEDIA_ROOT) / file_name)).get_sheet_by_name(SHEET_RATINGS).to_python()
    total = next(row for row in rows if row[0] == "Cộng" and row[1] == "Cả quý")
    assert total[2:7] == [1.0, 2.0, 1.0, 1.0, 5.0]


def _files_in(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()} if folder.exists() else set()


def test_job_killed_mid_build_is_redelivered_and_finishes_once(prefork_worker, thanh_xuan, thanh_xuan_bac, district_officer):
    rate_ward(thanh_xuan_bac, ["AB", "BC", "D"])
    folder = Path(settings.MEDIA_ROOT) / "reports" / "quarterly" / thanh_xuan.public_code
    before = _files_in(folder)  # other tests of the run may have built reports here
    report = services.quarterly_report_request(actor=district_officer, unit=thanh_xuan, quarter=QUARTER)

    # Wait until the pool process is inside the build (past its first step), then kill it without warning.
    running = wait_for(lambda: QuarterlyReport.objects.filter(pk=report.pk, status=JobStatus.RUNNING, progress__gt=5).first(),
                       timeout=90)
    assert running.attempts == 1
    pool = children(prefork_worker.pid)
    assert len(pool) == 1, pool
    os.kill(pool[0], signal.SIGKILL)

    # The worker notices its pool process died, the message goes back to the queue (acks_late,
    # reject_on_worker_lost), and a new pool process takes it over with the same task id.
    done = wait_for(lambda: QuarterlyReport.objects.filter(pk=report.pk).exclude(status=JobStatus.RUNNING)
                    .exclude(status=JobStatus.PENDING).first(), timeout=120)
    assert done.status == JobStatus.SUCCESS, done.error
    assert done.attempts == 2 and done.task_id == report.task_id
    # One new file, the one the row names, and no temporary leftover.
    assert _files_in(folder) - before == {Path(done.file.name).name}
    assert re.fullmatch(r"2025-q2-[0-9a-f]{10}\.xlsx", Path(done.file.name).name)
    assert QuarterlyReport.objects.filter(unit=thanh_xuan).count() == 1
    rows = CalamineWorkbook.from_path(str(folder / Path(done.file.name).name)).get_sheet_by_name(SHEET_RATINGS).to_python()
    assert next(row for row in rows if row[0] == "Cộng" and row[1] == "Cả quý")[6] == 5.0
    # It finished once: nothing runs it again afterwards.
    time.sleep(3)
    done.refresh_from_db()
    assert done.attempts == 2 and done.status == JobStatus.SUCCESS


def test_a_worker_killed_as_a_whole_leaves_a_report_that_the_sweep_sends_again_and_that_finishes_once(
    start_prefork_worker, thanh_xuan, thanh_xuan_bac, district_officer
):
    rate_ward(thanh_xuan_bac, ["AB", "BC", "D"])
    folder = Path(settings.MEDIA_ROOT) / "reports" / "quarterly" / thanh_xuan.public_code
    before = _files_in(folder)
    first = start_prefork_worker()
    report = services.quarterly_report_request(actor=district_officer, unit=thanh_xuan, quarter=QUARTER)
    wait_for(lambda: QuarterlyReport.objects.filter(pk=report.pk, status=JobStatus.RUNNING, progress__gt=5).exists(),
             timeout=90)

    # The whole worker dies (main process and pool): nobody gives the message back before Redis' visibility
    # timeout (two hours), and the row stays RUNNING.
    kill_group(first)
    try:
        stranded = QuarterlyReport.objects.get(pk=report.pk)
        assert stranded.status == JobStatus.RUNNING and stranded.attempts == 1
        start_prefork_worker()
        # The sweep (Celery beat's task, here with a threshold of 2 s) sends it again under a fresh task id.
        with override_settings(JOB_STALE_AFTER=2):
            wait_for(lambda: jobs.background_jobs_sweep()["resent"] == 1, timeout=30, step=0.5)
        done = wait_for(lambda: QuarterlyReport.objects.filter(pk=report.pk, status__in=(JobStatus.SUCCESS, JobStatus.FAILED))
                        .first(), timeout=120)
        assert done.status == JobStatus.SUCCESS, done.error
        assert done.attempts == 2 and done.task_id != report.task_id
        assert _files_in(folder) - before == {Path(done.file.name).name}
        rows = CalamineWorkbook.from_path(str(folder / Path(done.file.name).name)).get_sheet_by_name(SHEET_RATINGS).to_python()
        assert next(row for row in rows if row[0] == "Cộng" and row[1] == "Cả quý")[6] == 5.0

        # The dead worker's message, when Redis gives it back, is refused by the claim: it finished once.
        old_delivery = app.tasks["reports.quarterly_report_build"].apply_async(args=[report.pk], task_id=report.task_id)
        assert old_delivery.get(timeout=60) is None
        done.refresh_from_db()
        assert done.attempts == 2 and done.status == JobStatus.SUCCESS
    finally:
        forget_unacked(settings.CELERY_TASK_DEFAULT_QUEUE)


@contextmanager
def broker_unreachable():
    """Point this process' Celery producer at a port where nothing listens (connection refused), as when Redis is
    down; the worker's own connection is left alone."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    saved = app.conf.broker_url, app._pool, app.amqp._producer_pool
    app.conf.broker_url, app._pool, app.amqp._producer_pool = f"redis://127.0.0.1:{port}/0", None, None
    try:
        yield
    finally:
        app.conf.broker_url, app._pool, app.amqp._producer_pool = saved


def test_a_report_asked_for_while_the_broker_is_down_is_sent_by_the_sweep_once_it_is_back(
    celery_worker, client, thanh_xuan, thanh_xuan_bac, district_officer
):
    rate_ward(thanh_xuan_bac, ["AB", "BC", "D"])
    client.force_login(district_officer)
    with broker_unreachable():
        response = client.post("/reports/request/", {"unit": thanh_xuan.public_code, "quarter": QUARTER.slug})

    report = QuarterlyReport.objects.get(unit=thanh_xuan, year=QUARTER.year, quarter=QUARTER.number)
    assert response.status_code == 302 and response["Location"] == f"/reports/{report.pk}/"
    assert report.status == JobStatus.PENDING and report.sent_at is None
    assert 'data-job="unsent"' in client.get(response["Location"]).content.decode()

    # The broker is back: the sweep (here with a threshold of 1 s) sends it, and the worker builds it.
    with override_settings(JOB_STALE_AFTER=1):
        wait_for(lambda: jobs.background_jobs_sweep()["resent"] == 1, timeout=30, step=0.5)
    done = wait_for(lambda: QuarterlyReport.objects.filter(pk=report.pk, status__in=(JobStatus.SUCCESS, JobStatus.FAILED))
                    .first(), timeout=90)
    assert done.status == JobStatus.SUCCESS, done.error
    assert done.attempts == 1 and done.sent_at is not None and done.file
