"""Requesting annual summaries: idempotent, refused for a year not started, scoped (404/403); the pages (list,
detail, progress, download, retry) as each role sees them, reached from the quarterly reports' page; Celery beat's
January run and its schedule; the management command."""

import datetime
from io import StringIO
import re

from celery.schedules import crontab
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation
import pytest

from conduct_portal.celery import app
from core.choices import JobStatus
from reports.annual import services, tasks
from reports.models import AnnualReport
from tests.builders import make_user
from tests.helpers import client_for
from tests.reports.annual_helpers import YEAR
from units.choices import GRASSROOTS_KINDS, Role, Structure
from units.models import Unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(monkeypatch):
    """Messages sent to the build task (recorded instead of reaching the broker)."""
    calls = []
    monkeypatch.setattr(tasks.annual_report_build, "apply_async", lambda args, task_id: calls.append((args, task_id)))
    return calls


def request(actor, unit, year=YEAR, **kwargs):
    return services.annual_report_request(actor=actor, unit=unit, year=year, **kwargs)


# --- The service -------------------------------------------------------------------------------------------


def test_two_requests_make_one_row_and_one_job(district_officer, thanh_xuan, sent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = request(district_officer, thanh_xuan)
    with django_capture_on_commit_callbacks(execute=True):
        second = request(district_officer, thanh_xuan)

    assert first.pk == second.pk
    assert AnnualReport.objects.filter(unit=thanh_xuan, year=YEAR).count() == 1
    assert sent == [([first.pk], first.task_id)]
    assert first.requested_by == district_officer and first.parameters == {"unit": thanh_xuan.public_code, "year": YEAR}


def test_a_ready_summary_is_reused_and_rebuilt_in_place_on_demand(district_officer, thanh_xuan, sent,
                                                                  django_capture_on_commit_callbacks):
    report = request(district_officer, thanh_xuan)
    services.annual_report_build(report_id=report.pk, task_id=report.task_id)
    with django_capture_on_commit_callbacks(execute=True):
        again = request(district_officer, thanh_xuan)
    assert again.status == JobStatus.SUCCESS and sent == []

    with django_capture_on_commit_callbacks(execute=True):
        rebuilt = request(district_officer, thanh_xuan, rebuild=True)
    assert rebuilt.pk == report.pk and rebuilt.status == JobStatus.PENDING and rebuilt.task_id != report.task_id
    assert sent == [([report.pk], rebuilt.task_id)]
    assert services.annual_report_build(report_id=report.pk, task_id=report.task_id) is None


def test_a_failed_summary_is_queued_again_by_a_new_request(district_officer, thanh_xuan, sent, monkeypatch):
    report = request(district_officer, thanh_xuan)
    monkeypatch.setattr(services, "annual_workbook", lambda **kwargs: 1 / 0)
    services.annual_report_build(report_id=report.pk, task_id=report.task_id)
    report.refresh_from_db()
    assert report.status == JobStatus.FAILED and "ZeroDivisionError" in report.error

    again = request(district_officer, thanh_xuan)
    assert again.pk == report.pk and again.status == JobStatus.PENDING and again.error == ""


def test_a_year_not_started_or_before_the_portal_is_refused(district_officer, thanh_xuan):
    next_year = timezone.localdate().year + 1
    with translation.override("en"):
        with pytest.raises(ValidationError) as refused:
            request(district_officer, thanh_xuan, next_year)
        assert refused.value.messages == [f"{next_year} has not started yet: there is nothing to summarise."]
        with pytest.raises(ValidationError, match="from 2000 on"):
            request(district_officer, thanh_xuan, 1999)
    assert not AnnualReport.objects.exists()


def test_scope_of_requests(ward_officer, unit_head, district_officer, thanh_xuan, thanh_xuan_bac, thanh_xuan_trung, ba_dinh,
                           sent):
    with pytest.raises(PermissionDenied):
        request(ward_officer, thanh_xuan_bac)  # in scope, but a ward officer does not build reports
    with pytest.raises(Http404):
        request(unit_head, thanh_xuan_trung)  # a sibling ward
    with pytest.raises(Http404):
        request(district_officer, ba_dinh)  # another district
    assert request(unit_head, thanh_xuan_bac).unit == thanh_xuan_bac
    assert not AnnualReport.objects.exclude(unit=thanh_xuan_bac).exists()


# --- Celery beat -------------------------------------------------------------------------------------------


def test_beat_in_january_requests_the_past_year_of_the_city_and_every_current_ward_once(
    hanoi, sent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        reports = services.annual_reports_request_past_year(today=datetime.date(2026, 1, 15))

    wards = Unit.objects.filter(parent=hanoi, structure=Structure.CURRENT, kind__in=GRASSROOTS_KINDS)
    assert wards.count() == 126
    made = AnnualReport.objects.filter(year=2025)
    assert set(made.values_list("unit_id", flat=True)) == {hanoi.pk, *wards.values_list("pk", flat=True)}
    assert len(reports) == 127 and len(sent) == 127
    assert not made.exclude(requested_by=None).exists()
    assert not made.filter(unit__structure=Structure.LEGACY).exists(), "no dissolved district or ward"

    with django_capture_on_commit_callbacks(execute=True):
        again = services.annual_reports_request_past_year(today=datetime.date(2026, 1, 15))
    assert made.count() == 127 and len(again) == 127 and len(sent) == 127, "a second run adds nothing and queues nothing"


def test_beat_task_summarises_last_year(hanoi, sent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        count = tasks.annual_reports_build_past_year()
    last_year = timezone.localdate().year - 1
    assert count == 127 and len(sent) == 127
    assert AnnualReport.objects.filter(year=last_year).count() == 127 == AnnualReport.objects.count()


def test_the_beat_schedule_builds_the_past_year_in_january():
    entry = settings.CELERY_BEAT_SCHEDULE["reports-build-past-year"]
    app.loader.import_default_modules()
    assert entry["task"] in app.tasks and app.tasks[entry["task"]].name == tasks.annual_reports_build_past_year.name
    schedule = entry["schedule"]
    assert isinstance(schedule, crontab)
    assert schedule.month_of_year == {1} and schedule.day_of_month == {15}
    # It is due once a year: on 15 January, not on any other day.
    days = [datetime.date(2027, 1, 1) + datetime.timedelta(days=n) for n in range(365)]
    assert [day for day in days if day.month in schedule.month_of_year and day.day in schedule.day_of_month] == [
        datetime.date(2027, 1, 15)]


# --- Pages -------------------------------------------------------------------------------------------------


@pytest.fixture
def built(thanh_xuan, thanh_xuan_bac, thanh_xuan_trung, ba_dinh, phuc_xa):
    """Ready summaries of 2025 of Phường Thanh Xuân Bắc, its district, its sibling ward and another district's ward."""
    reports = {}
    for unit in (thanh_xuan_bac, thanh_xuan, thanh_xuan_trung, phuc_xa):
        reports[unit.official_code] = services.annual_report_build_now(unit=unit, year=YEAR)
        assert reports[unit.official_code].status == JobStatus.SUCCESS
    return reports


@pytest.mark.parametrize(
    ("role", "own", "sibling", "other_district", "district"),
    [
        ("ward_officer", 200, 404, 404, 404),
        ("unit_head", 200, 404, 404, 404),
        ("district_officer", 200, 200, 404, 200),
        ("city_admin", 200, 200, 200, 200),
    ],
)
def test_scope_matrix_of_detail_progress_and_download(client, request, built, role, own, sibling, other_district, district):
    client.force_login(request.getfixturevalue(role))
    cases = {"00367": own, "00355": sibling, "00001": other_district, "009": district}
    for code, status in cases.items():
        report = built[code]
        assert client.get(f"/reports/annual/{report.pk}/").status_code == status, (role, code)
        download = client.get(f"/reports/annual/{report.pk}/report.xlsx")
        assert download.status_code == status, (role, code)
        if status == 200:
            assert download["Content-Type"].startswith("application/vnd.openxmlformats")
            assert b"".join(download.streaming_content)[:2] == b"PK"
            assert f"bao-cao-tong-ket-nam-2025-{report.unit.public_code}" in download["Content-Disposition"]
        assert client.get(f"/reports/annual/{report.pk}/progress/").status_code == status
    listed = {r.pk for r in client.get("/reports/annual/").context["reports"]}
    assert listed == {built[code].pk for code, status in cases.items() if status == 200}


def test_another_districts_officer_gets_404_for_the_summary_and_its_retry(client, built, ba_dinh):
    officer = make_user("office.badinh", Role.DISTRICT_OFFICE, ba_dinh)
    client.force_login(officer)
    report = built["009"]
    assert client.get(f"/reports/annual/{report.pk}/").status_code == 404
    assert client.post(f"/reports/annual/{report.pk}/retry/").status_code == 404
    assert client.post("/reports/annual/request/", {"unit": report.unit.public_code, "year": YEAR}).status_code == 404


def test_request_from_the_page_reached_from_the_quarterly_reports(client, district_officer, ward_officer, thanh_xuan,
                                                                   ba_dinh, sent, django_capture_on_commit_callbacks):
    client_for(client, district_officer)
    quarterly = client.get("/reports/").content.decode()
    assert f'href="{reverse("reports:annual_report_list")}"' in quarterly
    page = client.get("/reports/annual/")
    assert page.status_code == 200
    form = page.context["form"]
    this_year = timezone.localdate().year
    assert form["year"].value() == str(this_year - 1)
    assert [value for value, _label in form.fields["year"].widget.choices] == [str(this_year - n) for n in range(5)]
    assert thanh_xuan.public_code in dict(form.fields["unit"].widget.choices)
    assert ba_dinh.public_code not in dict(form.fields["unit"].widget.choices)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/reports/annual/request/", {"unit": thanh_xuan.public_code, "year": str(YEAR)})
    report = AnnualReport.objects.get(unit=thanh_xuan)
    assert response.status_code == 302 and response["Location"] == f"/reports/annual/{report.pk}/"
    assert len(sent) == 1
    assert 'hx-trigger="every 2s"' in client.get(response["Location"]).content.decode()

    refused = client.post("/reports/annual/request/", {"unit": thanh_xuan.public_code, "year": str(this_year + 1)})
    assert refused.status_code == 400 and AnnualReport.objects.count() == 1
    assert f"{this_year + 1} has not started yet" in refused.content.decode()
    assert client.post("/reports/annual/request/", {"unit": thanh_xuan.public_code, "year": "hai"}).status_code == 400
    assert AnnualReport.objects.count() == 1
    # An older year than those offered (a summary's "Build again") is accepted.
    with django_capture_on_commit_callbacks(execute=True):
        older = client.post("/reports/annual/request/", {"unit": thanh_xuan.public_code, "year": "2020"})
    assert older.status_code == 302 and AnnualReport.objects.filter(unit=thanh_xuan, year=2020).exists()

    client_for(client, ward_officer)
    assert client.get("/reports/annual/").context["form"] is None
    assert client.post("/reports/annual/request/", {"unit": ward_officer.role_assignments.get().unit.public_code,
                                                     "year": str(YEAR)}).status_code == 403


def test_failure_shown_with_its_reason_and_retried_from_the_page(client, district_officer, thanh_xuan, monkeypatch, sent,
                                                                  django_capture_on_commit_callbacks):
    report = request(district_officer, thanh_xuan)
    monkeypatch.setattr(services, "annual_workbook", lambda **kwargs: (_ for _ in ()).throw(OSError("No space left on device")))
    services.annual_report_build(report_id=report.pk, task_id=report.task_id)
    monkeypatch.undo()
    client.force_login(district_officer)

    page = client.get(f"/reports/annual/{report.pk}/").content.decode()
    assert "No space left on device" in page and f'action="/reports/annual/{report.pk}/retry/"' in page

    sent.clear()
    monkeypatch.setattr(tasks.annual_report_build, "apply_async", lambda args, task_id: sent.append((args, task_id)))
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/reports/annual/{report.pk}/retry/").status_code == 302
    report.refresh_from_db()
    assert report.status == JobStatus.PENDING and report.error == "" and sent == [([report.pk], report.task_id)]
    services.annual_report_build(report_id=report.pk, task_id=report.task_id)
    assert f"/reports/annual/{report.pk}/report.xlsx" in client.get(f"/reports/annual/{report.pk}/").content.decode()
    client.post(f"/reports/annual/{report.pk}/retry/")  # not failed: refused with a message
    report.refresh_from_db()
    assert report.status == JobStatus.SUCCESS


def test_ready_page_shows_every_section_in_english_and_vietnamese(client, annual_data, phuong_thanh_xuan, city_admin):
    report = services.annual_report_build_now(unit=phuong_thanh_xuan, year=YEAR)
    client_for(client, city_admin)
    html = client.get(f"/reports/annual/{report.pk}/").content.decode()
    assert 'hx-trigger="every 2s"' not in html
    for heading in ("Pledge coverage", "Monthly ratings", "Violations", "Inspections", "Citizen feedback",
                    "Quarterly commendations of the year"):
        assert f">{heading}</h2>" in html
    assert "Formed from:" in html and "Phường Thanh Xuân Bắc" in html and "until 30/06/2025" in html
    assert 'data-chart="annual-grades"' in html and 'data-chart="annual-satisfaction"' in html
    assert "75.0%" in html  # the year's satisfaction index
    assert 'data-testid="annual-handling">50.0%' in html  # and the handling satisfaction beside it
    assert annual_data["bac"][0].full_name in html
    list_link = reverse("reports:commendation_detail", args=[report.data["commendations"]["lists"][0]["list_id"]])
    assert f'href="{list_link}"' in html
    progress = client.get(f"/reports/annual/{report.pk}/progress/", HTTP_HX_REQUEST="true")
    assert progress["HX-Refresh"] == "true"

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    html = client.get(f"/reports/annual/{report.pk}/").content.decode()
    for heading in ("Tỷ lệ ký cam kết", "Đánh giá hằng tháng", "Chỉ số hài lòng", "Biểu dương các quý trong năm"):
        assert heading in html, heading
    assert "75,0%" in html


# --- The management command --------------------------------------------------------------------------------


def test_command_builds_the_summary_and_prints_its_name(annual_data, phuong_thanh_xuan, tmp_path):
    out = StringIO()
    call_command("build_annual_report", "--year", str(YEAR), "--unit", phuong_thanh_xuan.public_code, stdout=out)

    name = out.getvalue().strip()  # the workbook's name in the storage
    assert re.fullmatch(r"reports/annual/phuong-thanh-xuan-00367/2025-[0-9a-f]{10}\.xlsx", name) and default_storage.exists(name)
    report = AnnualReport.objects.get(unit=phuong_thanh_xuan, year=YEAR)
    assert report.file.name == name
    assert report.status == JobStatus.SUCCESS and report.data["ratings"]["total"]["rated"] == 13 and report.requested_by is None

    copy = tmp_path / "tong-ket.xlsx"
    call_command("build_annual_report", "--year", str(YEAR), "--unit", phuong_thanh_xuan.public_code, "--output", str(copy),
                 stdout=StringIO())
    assert AnnualReport.objects.filter(unit=phuong_thanh_xuan).count() == 1
    report.refresh_from_db()
    with default_storage.open(report.file.name) as stored:
        assert copy.read_bytes() == stored.read() and copy.read_bytes().startswith(b"PK")


def test_command_errors(hanoi):
    next_year = timezone.localdate().year + 1
    with pytest.raises(CommandError, match="Unknown unit"):
        call_command("build_annual_report", "--year", "2025", "--unit", "nowhere")
    with pytest.raises(CommandError, match="has not started yet"):
        call_command("build_annual_report", "--year", str(next_year), "--unit", "009")
    with pytest.raises(CommandError, match="from 2000 on"):
        call_command("build_annual_report", "--year", "1999", "--unit", "009")
    with pytest.raises(CommandError, match="several units"):
        call_command("build_annual_report", "--year", "2025", "--unit", "00367")
    assert not AnnualReport.objects.exists()
