"""Large exports: a real Celery worker builds the file from the request to the download; the job saves its
progress every chunk and fails visibly when its requester lost the right; the writer holds no rows."""

from __future__ import annotations

import datetime
import re
import time
import tracemalloc

from celery.contrib.testing.worker import start_worker
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
import pytest

from conduct_portal.celery import app
from core.choices import JobStatus
from evaluations.models import Rating
from reports.choices import ExportKind
from reports.exports import services as export_services, writer as exports
from reports.exports.writer import DATE, POINTS, Column, ExportRequest, SheetSource, write_workbook
from reports.models import ExportJob
from tests.factories import ExportJobFactory
from tests.reports.export_helpers import rated_sheets, read_sheets, response_bytes
from units.models import RoleAssignment

MONTHS = [datetime.date(2026, month, 1) for month in (4, 5, 6)]


@pytest.fixture
def celery_worker(transactional_db):
    with start_worker(app, pool="threads", concurrency=1, perform_ping_check=False, loglevel="WARNING", shutdown_timeout=30):
        yield


def _wait_until_finished(job: ExportJob, timeout: float = 90) -> ExportJob:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status in (JobStatus.SUCCESS, JobStatus.FAILED):
            return job
        time.sleep(0.2)
    raise AssertionError(f"export job still {job.status} after {timeout} s")


@pytest.mark.celery
def test_a_large_export_is_built_by_the_worker_and_downloaded_by_its_requester(
    celery_worker, client, district_officer, city_admin, thanh_xuan, thanh_xuan_bac
):
    rated_sheets(unit=thanh_xuan_bac, actor=city_admin, months=MONTHS, staff_count=4)
    client.force_login(district_officer)

    with override_settings(EXPORT_BACKGROUND_ROWS=5):
        response = client.post(
            reverse("reports:export_create"),
            {"kind": ExportKind.RATINGS, "unit": thanh_xuan.public_code, "month_from": "2026-04", "month_to": "2026-06"},
        )

    assert response.status_code == 302 and response["Location"] == reverse("reports:export_list")
    job = ExportJob.objects.get()
    assert (job.kind, job.unit, job.requested_by) == (ExportKind.RATINGS, thanh_xuan, district_officer)
    assert job.parameters["start"] == "2026-04-01" and job.parameters["end"] == "2026-06-01"
    job = _wait_until_finished(job)
    assert job.status == JobStatus.SUCCESS, job.error
    assert re.fullmatch(rf"exports/{district_officer.pk}/{job.pk}-ratings-[0-9a-f]{{10}}\.xlsx", job.file.name)
    assert job.row_count == 12 and job.attempts == 1
    retention = datetime.timedelta(days=7)
    assert timezone.now() + retention - datetime.timedelta(minutes=5) < job.expires_at <= timezone.now() + retention

    page = client.get(reverse("reports:export_list")).content.decode()
    assert reverse("reports:export_download", args=[job.pk]) in page
    download = client.get(reverse("reports:export_download", args=[job.pk]))
    assert download.status_code == 200
    data = next(iter(read_sheets(response_bytes(download)).values()))[1:]
    expected = Rating.objects.filter(sheet__unit=thanh_xuan_bac).order_by("sheet__month", "staff__full_name", "pk")
    assert [(row[2], row[9]) for row in data] == [(r.staff.staff_code, float(r.total)) for r in expected]

    client.force_login(city_admin)
    assert client.get(reverse("reports:export_download", args=[job.pk])).status_code == 404


@pytest.mark.django_db
def test_the_job_saves_progress_every_chunk(monkeypatch, district_officer, city_admin, thanh_xuan, thanh_xuan_bac):
    rated_sheets(unit=thanh_xuan_bac, actor=city_admin, months=MONTHS, staff_count=4)
    request = ExportRequest(kind=ExportKind.RATINGS, unit=thanh_xuan, start=MONTHS[0], end=MONTHS[-1])
    job = ExportJobFactory(kind=request.kind, unit=thanh_xuan, requested_by=district_officer,
                           parameters=request.parameters(), task_id="t-1")
    seen = []
    real_progress = export_services.job_progress
    monkeypatch.setattr(exports, "CHUNK_SIZE", 5)
    monkeypatch.setattr(export_services, "job_progress", lambda j, percent, note="": (seen.append(percent), real_progress(j, percent, note)))

    export_services.export_job_build(job_id=job.pk, task_id="t-1")

    job.refresh_from_db()
    assert job.status == JobStatus.SUCCESS and job.row_count == 12
    assert seen == [100 * 5 // 12, 100 * 10 // 12]
    assert export_services.export_job_build(job_id=job.pk, task_id="t-1") is None  # done: a second delivery does nothing


@pytest.mark.django_db
def test_a_requester_who_lost_the_right_gets_a_failed_job_with_its_reason(district_officer, thanh_xuan):
    request = ExportRequest(kind=ExportKind.FEEDBACK, unit=thanh_xuan, start=datetime.date(2026, 1, 1), end=datetime.date(2026, 1, 31))
    job = ExportJobFactory(kind=request.kind, unit=thanh_xuan, requested_by=district_officer,
                           parameters=request.parameters(), task_id="t-2")
    RoleAssignment.objects.filter(user=district_officer).delete()
    district_officer._conduct_scope = None

    export_services.export_job_build(job_id=job.pk, task_id="t-2")

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "may no longer export" in job.error and not job.file


def _synthetic_rows(count: int):
    for i in range(count):
        yield [datetime.date(2026, 1 + i % 12, 1), f"Phường số {i % 50}", f"CB{i:06d}", f"Nguyễn Văn Người Thứ {i}",
               20.0, 70.0 - i % 9, f"Nhận xét riêng của hàng số {i}, đủ dài để chiếm chỗ trong bộ nhớ"]


COLUMNS = [Column("Tháng", 10, DATE), Column("Đơn vị", 30), Column("Mã", 10), Column("Họ và tên", 30),
           Column("Điểm 1", 10, POINTS), Column("Điểm 2", 10, POINTS), Column("Nhận xét", 40)]


def test_the_writer_does_not_hold_the_rows(tmp_path):
    count = 20_000
    tracemalloc.start()
    try:
        rows = list(_synthetic_rows(count))
        held_by_a_list = tracemalloc.get_traced_memory()[0]
        del rows
        tracemalloc.reset_peak()
        baseline = tracemalloc.get_traced_memory()[0]
        written = write_workbook(tmp_path / "big.xlsx", [SheetSource("Dữ liệu", COLUMNS, _synthetic_rows(count))])
        writer_peak = tracemalloc.get_traced_memory()[1] - baseline
    finally:
        tracemalloc.stop()

    assert written == count
    assert writer_peak < held_by_a_list / 5, (writer_peak, held_by_a_list)
    rows = next(iter(read_sheets((tmp_path / "big.xlsx").read_bytes()).values()))
    assert len(rows) == count + 1 and rows[-1][2] == f"CB{count - 1:06d}"
