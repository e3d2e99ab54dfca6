"""The CSV choice of every export (issue 21): UTF-8 with a byte-order mark, read back with the csv module and
compared with the workbook of the same export; Vietnamese intact; streamed in the request, written by the job when
large; the pledge roster and the inspections export as CSV too. Formula-like text is covered for every CSV writer
in tests/portal/test_formula_injection.py."""

from __future__ import annotations

import csv
import datetime
import io

from django.urls import reverse
from django.utils import timezone
import pytest

from core.choices import JobStatus
from core.xlsx import CSV_BOM, CSV_TEXT_PREFIX, Column, SheetSource, csv_field, write_table
from reports.choices import ExportKind
from reports.exports import services as export_services
from reports.exports.kinds import export_write
from reports.exports.writer import ExportRequest
from reports.models import ExportJob
from tests.factories import ExportJobFactory, ViolationFactory
from tests.reports.export_helpers import rated_sheets, read_sheets, response_bytes

pytestmark = pytest.mark.django_db

MONTHS = [datetime.date(2026, month, 1) for month in (1, 2)]


def _records(content: bytes) -> list[list[str]]:
    assert content.startswith(CSV_BOM.encode()), content[:10]
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def _as_csv(value) -> str:
    """A workbook cell as the CSV shows it (calamine gives numbers as floats, months as dates)."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime.datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def test_ratings_as_csv_hold_the_workbook_s_rows(client, city_admin, phuong_thanh_xuan):
    ratings = rated_sheets(unit=phuong_thanh_xuan, actor=city_admin, months=MONTHS, staff_count=3)
    ViolationFactory(staff=ratings[0].staff, occurred_on=datetime.date(2026, 1, 10), recorded_by=city_admin)
    client.force_login(city_admin)
    form = {"kind": ExportKind.RATINGS, "unit": phuong_thanh_xuan.public_code, "month_from": "2026-01", "month_to": "2026-02"}

    streamed = client.post(reverse("reports:export_create"), {**form, "file_format": "csv"})
    workbook = client.post(reverse("reports:export_create"), {**form, "file_format": "xlsx"})

    assert streamed.streaming and streamed["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="danh-gia-xep-loai-' in streamed["Content-Disposition"] and ".csv" in streamed["Content-Disposition"]
    records = _records(response_bytes(streamed))
    (sheet,) = read_sheets(response_bytes(workbook)).values()
    assert records[0] == sheet[0] and records[0][:4] == ["Tháng", "Đơn vị", "Mã cán bộ", "Họ và tên"]
    assert len(records) == len(sheet) == 1 + 2 * 3
    for record, row in zip(records[1:], sheet[1:], strict=True):
        assert record[0] == row[0].strftime("%m/%Y")  # the month as the workbook's mm/yyyy shows it
        assert record[1:6] == [_as_csv(value) for value in row[1:6]]
        assert [float(value) for value in record[6:10]] == row[6:10]  # points: numbers with a dot
        assert record[10:] == [_as_csv(value) for value in row[10:]]
    assert any("10/01/2026: Điều" in record[-1] for record in records[1:])
    assert phuong_thanh_xuan.name in {record[1] for record in records[1:]}  # Vietnamese intact


def test_a_large_csv_export_is_written_by_the_job(client, city_admin, phuong_thanh_xuan):
    rated_sheets(unit=phuong_thanh_xuan, actor=city_admin, months=MONTHS, staff_count=2)
    request = ExportRequest(kind=ExportKind.RATINGS, unit=phuong_thanh_xuan, start=MONTHS[0], end=MONTHS[-1], file_format="csv")
    job = ExportJobFactory(kind=request.kind, unit=phuong_thanh_xuan, requested_by=city_admin,
                           parameters=request.parameters(), task_id="t-csv")

    export_services.export_job_build(job_id=job.pk, task_id="t-csv")

    job.refresh_from_db()
    assert job.status == JobStatus.SUCCESS and job.row_count == 4 and job.file.name.endswith(".csv")
    client.force_login(city_admin)
    response = client.get(reverse("reports:export_download", args=[job.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].endswith('.csv"')
    records = _records(response_bytes(response))
    assert len(records) == 5 and records[0][0] == "Tháng"


def test_the_form_sends_a_large_csv_export_to_the_job(settings, client, city_admin, phuong_thanh_xuan,
                                                       django_capture_on_commit_callbacks):
    settings.EXPORT_BACKGROUND_ROWS = 1
    rated_sheets(unit=phuong_thanh_xuan, actor=city_admin, months=MONTHS[:1], staff_count=2)
    client.force_login(city_admin)
    with django_capture_on_commit_callbacks():
        response = client.post(reverse("reports:export_create"), {
            "kind": ExportKind.RATINGS, "unit": phuong_thanh_xuan.public_code, "month_from": "2026-01", "month_to": "2026-01",
            "file_format": "csv",
        })
    assert response.status_code == 302
    job = ExportJob.objects.get(requested_by=city_admin)
    assert job.parameters["format"] == "csv" and job.parameters["filename"].endswith(".csv")
    assert export_services.export_file_name(job).endswith(".csv")


def test_feedback_log_as_csv_without_personal_data(city_admin, phuong_thanh_xuan):
    from tests.factories import FeedbackCaseFactory

    case = FeedbackCaseFactory(unit=phuong_thanh_xuan, with_contact=True, satisfaction=4)
    today = timezone.localtime(case.received_at).date()
    buffer = io.BytesIO()
    rows = export_write(request=ExportRequest(kind=ExportKind.FEEDBACK, unit=phuong_thanh_xuan, start=today, end=today,
                                              file_format="csv"), user=city_admin, target=buffer)
    records = _records(buffer.getvalue())
    assert rows == 1 and records[0][0] == "Thời điểm tiếp nhận" and records[1][2] == case.tracking_code
    assert records[1][9] == "4"
    text = buffer.getvalue().decode("utf-8-sig")
    for personal in (case.contact_name, case.contact_phone, case.contact_email, case.text):
        assert personal not in text


def test_csv_fields_neutralise_formula_like_text_and_keep_the_rest():
    assert [csv_field(text) for text in ("=1+1", "+84 912", "-3", "@SUM(A1)", "\t=x", "\r=x")] == [
        CSV_TEXT_PREFIX + text for text in ("=1+1", "+84 912", "-3", "@SUM(A1)", "\t=x", "\r=x")]
    assert csv_field("Phường Thanh Xuân") == "Phường Thanh Xuân" and csv_field(None) == ""
    assert csv_field(-3) == -3 and csv_field(2.5) == 2.5  # numbers are numbers, never text
    assert csv_field(datetime.date(2026, 3, 1), "mm/yyyy") == "03/2026"
    assert csv_field(datetime.datetime(2026, 3, 1, 9, 5)) == "01/03/2026 09:05"

    buffer = io.BytesIO()
    written = write_table(buffer, [
        SheetSource("Một", [Column("Tên", 10), Column("Ngày", 10, "dd/mm/yyyy")], iter([["=HYPERLINK(1)", datetime.date(2026, 1, 2)]])),
        SheetSource("Hai", [Column("Số", 10)], iter([[1], [2]])),
    ], file_format="csv")
    assert written == 3
    assert _records(buffer.getvalue()) == [["Một"], ["Tên", "Ngày"], ["'=HYPERLINK(1)", "02/01/2026"], [],
                                           ["Hai"], ["Số"], ["1"], ["2"]]
    assert buffer.getvalue().count(b"\r\n") == 8  # CRLF, as Excel writes CSV
