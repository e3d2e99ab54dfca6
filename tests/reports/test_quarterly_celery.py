"""Quarterly reports built by real Celery workers: an in-process worker builds one end to end; a prefork worker
started in a subprocess has its pool process SIGKILLed mid-job, and the job is redelivered and finishes once."""

import os
from pathlib import Path
import signal
import subprocess
import sys
import time
import uuid

from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.db import connection
import pytest
from python_calamine import CalamineWorkbook

from conduct_portal.celery import app
from core.choices import JobStatus
from reports.models import QuarterlyReport
from reports.quarterly import services
from reports.quarterly.workbook import SHEET_RATINGS
from tests.reports.quarterly_helpers import QUARTER, rate_ward

pytestmark = pytest.mark.celery


@pytest.fixture
def celery_worker(transactional_db):
    with start_worker(app, pool="threads", concurrency=1, perform_ping_check=False, loglevel="WARNING", shutdown_timeout=30):
        yield


def wait_for(condition, *, timeout: float, step: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(step)
    raise AssertionError(f"timed out after {timeout} s")


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


def _database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except FileNotFoundError:
        return []


@pytest.fixture
def prefork_worker(transactional_db, tmp_path):
    """A real ``celery worker`` (prefork pool, one process) on this run's test database, broker, queue and media
    folder, whose build pauses 1.5 s at each step (REPORTS_BUILD_STEP_DELAY). Yields the worker's process."""
    if connection.vendor != "postgresql" or not settings.REDIS_URL:
        pytest.skip("needs PostgreSQL and Redis: a worker process cannot share the in-memory SQLite test database")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": _database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "CONDUCT_TEST_MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "CONDUCT_TEST_QUEUE": settings.CELERY_TASK_DEFAULT_QUEUE,
        "REPORTS_BUILD_STEP_DELAY": "1.5",
    }
    log = open(tmp_path / "worker.log", "wb")
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "--app", "conduct_portal", "worker", "--pool", "prefork", "--concurrency", "1",
         "--queues", settings.CELERY_TASK_DEFAULT_QUEUE, "--hostname", f"killtest-{uuid.uuid4().hex[:8]}@%h",
         "--loglevel", "INFO", "--without-heartbeat", "--without-gossip", "--without-mingle"],
        cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        yield worker
    finally:
        if worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                for child in _children(worker.pid):
                    os.kill(child, signal.SIGKILL)
                worker.kill()
                worker.wait()
        log.close()
        print((tmp_path / "worker.log").read_text(errors="replace")[-4000:])


def test_job_killed_mid_build_is_redelivered_and_finishes_once(prefork_worker, thanh_xuan, thanh_xuan_bac, district_officer):
    rate_ward(thanh_xuan_bac, ["AB", "BC", "D"])
    report = services.quarterly_report_request(actor=district_officer, unit=thanh_xuan, quarter=QUARTER)

    # Wait until the pool process is inside the build (past its first step), then kill it without warning.
    running = wait_for(lambda: QuarterlyReport.objects.filter(pk=report.pk, status=JobStatus.RUNNING, progress__gt=5).first(),
                       timeout=90)
    assert running.attempts == 1
    pool = _children(prefork_worker.pid)
    assert len(pool) == 1, pool
    os.kill(pool[0], signal.SIGKILL)

    # The worker notices its pool process died, the message goes back to the queue (acks_late,
    # reject_on_worker_lost), and a new pool process takes it over with the same task id.
    done = wait_for(lambda: QuarterlyReport.objects.filter(pk=report.pk).exclude(status=JobStatus.RUNNING)
                    .exclude(status=JobStatus.PENDING).first(), timeout=120)
    assert done.status == JobStatus.SUCCESS, done.error
    assert done.attempts == 2 and done.task_id == report.task_id
    folder = Path(settings.MEDIA_ROOT) / "reports" / "quarterly" / thanh_xuan.public_code
    # One file for the quarter and no temporary leftover (other tests of the run may have built other quarters).
    assert [p.name for p in folder.iterdir() if p.name.startswith(("2025-q2", ".2025-q2"))] == ["2025-q2.xlsx"]
    assert QuarterlyReport.objects.filter(unit=thanh_xuan).count() == 1
    rows = CalamineWorkbook.from_path(str(folder / "2025-q2.xlsx")).get_sheet_by_name(SHEET_RATINGS).to_python()
    assert next(row for row in rows if row[0] == "Cộng" and row[1] == "Cả quý")[6] == 5.0
    # It finished once: nothing runs it again afterwards.
    time.sleep(3)
    done.refresh_from_db()
    assert done.attempts == 2 and done.status == JobStatus.SUCCESS
