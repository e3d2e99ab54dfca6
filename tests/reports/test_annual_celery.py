"""Annual summaries built by real Celery workers: an in-process worker builds one end to end and its workbook is
read back; a prefork worker started in a subprocess has its pool process SIGKILLed mid-job, and the job is
redelivered and finishes once; a summary whose worker died unseen is sent again by the sweep and finished by a
worker."""

import datetime
import os
from pathlib import Path
import re
import signal
import time

from django.conf import settings
from django.utils import timezone
import pytest
from python_calamine import CalamineWorkbook

from conduct_portal.celery import app
from core import jobs
from core.choices import JobStatus
from reports.annual import services
from reports.annual.workbook import SHEET_FEEDBACK, SHEET_RATINGS
from reports.models import AnnualReport
from tests.factories import AnnualReportFactory
from tests.reports.annual_helpers import YEAR
from tests.reports.celery_helpers import children, wait_for

pytestmark = pytest.mark.celery


def year_row(path: Path, sheet: str) -> list:
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()
    return next(row for row in rows if row and row[0] == "Cả năm")


def test_worker_builds_a_summary_end_to_end(celery_worker, annual_data, phuong_thanh_xuan, city_admin):
    report = services.annual_report_request(actor=city_admin, unit=phuong_thanh_xuan, year=YEAR)

    file_name = app.AsyncResult(report.task_id).get(timeout=90)

    report.refresh_from_db()
    assert report.status == JobStatus.SUCCESS, report.error
    assert file_name == report.file.name
    assert re.fullmatch(rf"reports/annual/{phuong_thanh_xuan.public_code}/{YEAR}-[0-9a-f]{{10}}\.xlsx", file_name)
    assert report.attempts == 1 and report.progress == 100
    path = Path(settings.MEDIA_ROOT) / file_name
    # The year's grades, each month under the ward that existed then: A, B, C, D and all rated.
    assert year_row(path, SHEET_RATINGS)[1:6] == [5, 6, 1, 1, 13]
    # Feedback received in the year, then ratings and the satisfaction index (3 satisfied of 4: 75 %).
    assert year_row(path, SHEET_FEEDBACK)[1:3] == [3, 4] and year_row(path, SHEET_FEEDBACK)[4] == pytest.approx(0.75)


def test_summary_killed_mid_build_is_redelivered_and_finishes_once(prefork_worker, annual_data, phuong_thanh_xuan,
                                                                    city_admin):
    folder = Path(settings.MEDIA_ROOT) / "reports" / "annual" / phuong_thanh_xuan.public_code
    before = {p.name for p in folder.iterdir()} if folder.exists() else set()  # other tests' summaries
    report = services.annual_report_request(actor=city_admin, unit=phuong_thanh_xuan, year=YEAR)

    running = wait_for(lambda: AnnualReport.objects.filter(pk=report.pk, status=JobStatus.RUNNING, progress__gt=5).first(),
                       timeout=90)
    assert running.attempts == 1
    pool = children(prefork_worker.pid)
    assert len(pool) == 1, pool
    os.kill(pool[0], signal.SIGKILL)

    done = wait_for(lambda: AnnualReport.objects.filter(pk=report.pk).exclude(status__in=(JobStatus.RUNNING, JobStatus.PENDING))
                    .first(), timeout=120)
    assert done.status == JobStatus.SUCCESS, done.error
    assert done.attempts == 2 and done.task_id == report.task_id
    assert {p.name for p in folder.iterdir()} - before == {Path(done.file.name).name}  # one file, no leftover
    assert AnnualReport.objects.filter(unit=phuong_thanh_xuan).count() == 1
    assert year_row(folder / Path(done.file.name).name, SHEET_RATINGS)[5] == 13
    time.sleep(3)
    done.refresh_from_db()
    assert done.attempts == 2 and done.status == JobStatus.SUCCESS


def test_a_summary_whose_worker_died_unseen_is_sent_again_by_the_sweep(celery_worker, annual_data, phuong_thanh_xuan):
    # Claimed by a worker that died long ago (its message gone with it): nobody would ever finish it.
    long_ago = timezone.now() - datetime.timedelta(seconds=settings.JOB_STALE_AFTER + 60)
    stranded = AnnualReportFactory(unit=phuong_thanh_xuan, year=YEAR, status=JobStatus.RUNNING, task_id="dead-worker",
                                   attempts=1, progress=40, started_at=long_ago, heartbeat_at=long_ago, sent_at=long_ago)

    assert jobs.background_jobs_sweep() == {"resent": 1, "failed": 0}

    done = wait_for(lambda: AnnualReport.objects.filter(pk=stranded.pk, status__in=(JobStatus.SUCCESS, JobStatus.FAILED))
                    .first(), timeout=90)
    assert done.status == JobStatus.SUCCESS, done.error
    assert done.task_id != "dead-worker" and done.attempts == 2
    assert year_row(Path(settings.MEDIA_ROOT) / done.file.name, SHEET_RATINGS)[5] == 13
    # The dead worker's message, should it come back, is refused: the summary was built once.
    assert services.annual_report_build(report_id=stranded.pk, task_id="dead-worker") is None
