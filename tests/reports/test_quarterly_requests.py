"""Requesting quarterly reports: idempotent, refused for a future quarter, scoped (404/403); the pages (list,
detail, progress, download, retry) as each role sees them; Celery beat's run for the past quarter; the
management command."""

import datetime
from io import StringIO
import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.http import Http404
from django.urls import reverse
from django.utils import translation
import pytest

from core.choices import JobStatus
from core.quarters import Quarter
from reports.models import QuarterlyReport
from reports.quarterly import services, tasks
from tests.reports.quarterly_helpers import QUARTER, rate_ward
from units.choices import DISTRICT_KINDS, GRASSROOTS_KINDS, Structure, UnitKind
from units.models import Unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(monkeypatch):
    """Messages sent to the build task (recorded instead of reaching the broker)."""
    calls = []
    monkeypatch.setattr(tasks.quarterly_report_build, "apply_async", lambda args, task_id: calls.append((args, task_id)))
    return calls


def request(actor, unit, quarter=QUARTER, **kwargs):
    return services.quarterly_report_request(actor=actor, unit=unit, quarter=quarter, **kwargs)


# --- The service -------------------------------------------------------------------------------------------


def test_two_requests_make_one_row_and_one_job(district_officer, thanh_xuan, sent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = request(district_officer, thanh_xuan)
    with django_capture_on_commit_callbacks(execute=True):
        second = request(district_officer, thanh_xuan)

    assert first.pk == second.pk
    assert QuarterlyReport.objects.filter(unit=thanh_xuan, year=2025, quarter=2).count() == 1
    assert sent == [([first.pk], first.task_id)]
    assert first.requested_by == district_officer and first.parameters == {"unit": thanh_xuan.public_code, "quarter": "2025-q2"}


def test_a_ready_report_is_reused_and_rebuilt_in_place_on_demand(district_officer, thanh_xuan, thanh_xuan_bac, sent,
                                                                 django_capture_on_commit_callbacks):
    rate_ward(thanh_xuan_bac, ["A", "", ""])
    report = request(district_officer, thanh_xuan)
    services.quarterly_report_build(report_id=report.pk, task_id=report.task_id)
    with django_capture_on_commit_callbacks(execute=True):
        again = request(district_officer, thanh_xuan)
    assert again.status == JobStatus.SUCCESS and sent == []

    with django_capture_on_commit_callbacks(execute=True):
        rebuilt = request(district_officer, thanh_xuan, rebuild=True)
    assert rebuilt.pk == report.pk and rebuilt.status == JobStatus.PENDING
    assert rebuilt.task_id != report.task_id
    assert sent == [([report.pk], rebuilt.task_id)]
    # The old task's message, should it come again, is refused: only the new task id may claim the row.
    assert services.quarterly_report_build(report_id=report.pk, task_id=report.task_id) is None


def test_a_failed_report_is_queued_again_by_a_new_request(district_officer, thanh_xuan, sent, monkeypatch):
    report = request(district_officer, thanh_xuan)
    monkeypatch.setattr(services, "quarterly_workbook", lambda **kwargs: 1 / 0)
    services.quarterly_report_build(report_id=report.pk, task_id=report.task_id)
    report.refresh_from_db()
    assert report.status == JobStatus.FAILED and "ZeroDivisionError" in report.error

    again = request(district_officer, thanh_xuan)
    assert again.pk == report.pk and again.status == JobStatus.PENDING and again.error == ""


def test_a_future_quarter_is_refused(district_officer, thanh_xuan):
    future = Quarter.current().next()
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        request(district_officer, thanh_xuan, future)
    assert "has not started yet" in refused.value.messages[0]
    assert not QuarterlyReport.objects.exists()


def test_scope_of_requests(ward_officer, unit_head, district_officer, thanh_xuan, thanh_xuan_bac, thanh_xuan_trung, ba_dinh):
    with pytest.raises(PermissionDenied):
        request(ward_officer, thanh_xuan_bac)  # in scope, but a ward officer does not build reports
    with pytest.raises(Http404):
        request(unit_head, thanh_xuan_trung)  # a sibling ward
    with pytest.raises(Http404):
        request(district_officer, ba_dinh)  # another district
    assert request(unit_head, thanh_xuan_bac).unit == thanh_xuan_bac
    assert not QuarterlyReport.objects.exclude(unit=thanh_xuan_bac).exists()


# --- Celery beat -------------------------------------------------------------------------------------------


def test_beat_requests_the_city_and_every_current_ward_of_the_past_quarter_once(
    hanoi, sent, django_capture_on_commit_callbacks
):
    # Day 5 after Q3 2026: the wards and communes in force today, directly under the city; no former district.
    with django_capture_on_commit_callbacks(execute=True):
        reports = services.reports_request_past_quarter(today=datetime.date(2026, 10, 5))
    wards = Unit.objects.filter(parent=hanoi, structure=Structure.CURRENT, kind__in=GRASSROOTS_KINDS)
    assert wards.count() == 126
    made = QuarterlyReport.objects.filter(year=2026, quarter=3)
    assert set(made.values_list("unit_id", flat=True)) == {hanoi.pk, *wards.values_list("pk", flat=True)}
    assert len(reports) == 127 and len(sent) == 127
    assert not made.exclude(requested_by=None).exists()
    assert not made.filter(unit__structure=Structure.LEGACY).exists(), "no dissolved district or ward"

    with django_capture_on_commit_callbacks(execute=True):
        services.reports_request_past_quarter(today=datetime.date(2026, 10, 5))
    assert made.count() == 127 and len(sent) == 127, "a second run adds nothing and queues nothing"


def test_beat_asks_only_for_units_in_force_during_the_quarter(hanoi, sent, django_capture_on_commit_callbacks):
    # Day 5 after Q2 2025, run under today's structure: today's wards did not exist yet (they were formed on 1 July
    # 2025), so only the city's report is asked for; a former district's is built by hand if wanted.
    with django_capture_on_commit_callbacks(execute=True):
        reports = services.reports_request_past_quarter(today=datetime.date(2025, 7, 5))
    assert [report.unit for report in reports] == [hanoi] and len(sent) == 1
    assert not QuarterlyReport.objects.filter(unit__kind__in=DISTRICT_KINDS).exists()


def test_beat_task_builds_the_last_finished_quarter_of_todays_units(hanoi, sent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        count = tasks.quarterly_reports_build_past_quarter()
    quarter = Quarter.last_finished()
    made = QuarterlyReport.objects.filter(year=quarter.year, quarter=quarter.number)
    assert quarter.first_day > datetime.date(2025, 7, 1)
    assert count == 127 and len(sent) == 127 and made.count() == 127
    assert set(made.values_list("unit__kind", flat=True)) == {UnitKind.CENTRAL_CITY, UnitKind.WARD, UnitKind.COMMUNE}
    with django_capture_on_commit_callbacks(execute=True):
        tasks.quarterly_reports_build_past_quarter()
    assert made.count() == 127 and len(sent) == 127


# --- Pages -------------------------------------------------------------------------------------------------


@pytest.fixture
def built(thanh_xuan, thanh_xuan_bac, thanh_xuan_trung, ba_dinh, phuc_xa):
    """Ready reports of Phường Thanh Xuân Bắc, its district, its sibling ward and another district's ward."""
    rate_ward(thanh_xuan_bac, ["AB", "A", "B"])
    reports = {}
    for unit in (thanh_xuan_bac, thanh_xuan, thanh_xuan_trung, phuc_xa):
        reports[unit.official_code] = services.quarterly_report_build_now(unit=unit, quarter=QUARTER)
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
def test_scope_matrix_of_detail_and_download(client, request, built, role, own, sibling, other_district, district):
    user = request.getfixturevalue(role)
    client.force_login(user)
    cases = {"00367": own, "00355": sibling, "00001": other_district, "009": district}
    for code, status in cases.items():
        report = built[code]
        assert client.get(f"/reports/{report.pk}/").status_code == status, (role, code)
        download = client.get(f"/reports/{report.pk}/report.xlsx")
        assert download.status_code == status, (role, code)
        if status == 200:
            assert download["Content-Type"].startswith("application/vnd.openxmlformats")
            assert b"".join(download.streaming_content)[:2] == b"PK"
        assert client.get(f"/reports/{report.pk}/progress/").status_code == status
    listed = {r.pk for r in client.get("/reports/").context["reports"]}
    assert listed == {built[code].pk for code, status in cases.items() if status == 200}


def test_request_from_the_page(client, district_officer, ward_officer, thanh_xuan, ba_dinh, sent,
                               django_capture_on_commit_callbacks):
    client.force_login(district_officer)
    page = client.get("/reports/")
    assert page.status_code == 200
    form = page.context["form"]
    assert form["quarter"].value() == Quarter.last_finished().slug
    assert thanh_xuan.public_code in dict(form.fields["unit"].widget.choices)
    assert ba_dinh.public_code not in dict(form.fields["unit"].widget.choices)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/reports/request/", {"unit": thanh_xuan.public_code, "quarter": "2025-q2"})
    report = QuarterlyReport.objects.get(unit=thanh_xuan)
    assert response.status_code == 302 and response["Location"] == f"/reports/{report.pk}/"
    assert len(sent) == 1
    page = client.get(response["Location"])
    assert 'hx-trigger="every 2s"' in page.content.decode()  # the page follows the build's progress

    future = Quarter.current().next().slug
    refused = client.post("/reports/request/", {"unit": thanh_xuan.public_code, "quarter": future})
    assert refused.status_code == 400 and QuarterlyReport.objects.count() == 1
    assert client.post("/reports/request/", {"unit": ba_dinh.public_code, "quarter": "2025-q2"}).status_code == 404

    client.force_login(ward_officer)
    assert client.get("/reports/").context["form"] is None
    assert client.post("/reports/request/", {"unit": ward_officer.role_assignments.get().unit.public_code,
                                              "quarter": "2025-q2"}).status_code == 403


def test_failure_shown_with_its_reason_and_retried_from_the_page(client, district_officer, thanh_xuan, monkeypatch, sent,
                                                                  django_capture_on_commit_callbacks):
    report = request(district_officer, thanh_xuan)
    monkeypatch.setattr(services, "quarterly_workbook", lambda **kwargs: (_ for _ in ()).throw(OSError("No space left on device")))
    services.quarterly_report_build(report_id=report.pk, task_id=report.task_id)
    monkeypatch.undo()
    client.force_login(district_officer)

    page = client.get(f"/reports/{report.pk}/").content.decode()
    assert "No space left on device" in page and f'action="/reports/{report.pk}/retry/"' in page

    sent.clear()
    monkeypatch.setattr(tasks.quarterly_report_build, "apply_async", lambda args, task_id: sent.append((args, task_id)))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/reports/{report.pk}/retry/")
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == JobStatus.PENDING and report.error == "" and sent == [([report.pk], report.task_id)]
    # The retried job runs (as the worker would) and the page then offers the workbook.
    services.quarterly_report_build(report_id=report.pk, task_id=report.task_id)
    page = client.get(f"/reports/{report.pk}/").content.decode()
    assert f"/reports/{report.pk}/report.xlsx" in page
    assert client.post(f"/reports/{report.pk}/retry/").status_code == 302  # not failed: refused with a message
    report.refresh_from_db()
    assert report.status == JobStatus.SUCCESS


def test_ready_page_shows_the_sections_and_the_commendation_link(client, district_officer, built):
    client.force_login(district_officer)
    report = built["009"]
    page = client.get(f"/reports/{report.pk}/")
    html = page.content.decode()
    assert 'hx-trigger="every 2s"' not in html
    assert "Phường Thanh Xuân Bắc" in html
    assert f"/reports/{report.pk}/report.xlsx" in html
    link = reverse("reports:commendation_detail", args=[report.data["commendations"]["list_id"]])
    assert f'href="{link}"' in html
    progress = client.get(f"/reports/{report.pk}/progress/", HTTP_HX_REQUEST="true")
    assert progress["HX-Refresh"] == "true"


# --- The management command --------------------------------------------------------------------------------


def test_command_builds_the_report_and_prints_its_path(thanh_xuan, thanh_xuan_bac):
    rate_ward(thanh_xuan_bac, ["A", "B", "C"])
    out = StringIO()
    call_command("build_quarterly_report", "--year", "2025", "--quarter", "2", "--unit", "009", stdout=out)

    name = out.getvalue().strip()  # the workbook's name in the storage
    assert re.fullmatch(rf"reports/quarterly/{thanh_xuan.public_code}/2025-q2-[0-9a-f]{{10}}\.xlsx", name)
    assert default_storage.exists(name)
    report = QuarterlyReport.objects.get(unit=thanh_xuan, year=2025, quarter=2)
    assert report.status == JobStatus.SUCCESS and report.data["ratings"]["total"]["rated"] == 3

    call_command("build_quarterly_report", "--year", "2025", "--quarter", "2", "--unit", thanh_xuan.public_code, stdout=out)
    assert QuarterlyReport.objects.filter(unit=thanh_xuan).count() == 1


def test_command_errors(hanoi):
    future = Quarter.current().next()
    with pytest.raises(CommandError, match="Unknown unit"):
        call_command("build_quarterly_report", "--year", "2025", "--quarter", "2", "--unit", "nowhere")
    with pytest.raises(CommandError, match="has not started yet"):
        call_command("build_quarterly_report", "--year", str(future.year), "--quarter", str(future.number), "--unit", "009")
    with pytest.raises(CommandError, match="several units"):
        call_command("build_quarterly_report", "--year", "2025", "--quarter", "2", "--unit", "00367")
    assert not QuarterlyReport.objects.exists()
