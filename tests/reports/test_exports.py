"""Excel exports in the request: every workbook read back with python-calamine and compared with the database;
the scope matrix; form errors; the feedback log without the citizens' personal data; inspections keeping
surprise visits secret; downloads of background files only for their requester, until purged."""

from __future__ import annotations

import datetime
import functools

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
import pytest

from core.choices import JobStatus
from core.jobs import write_atomically
from evaluations.choices import ActionStatus, VisitKind, VisitStatus
from evaluations.models import Rating
from feedback.choices import CaseStatus
from reports.choices import ExportKind
from reports.exports.kinds import export_write
from reports.exports.services import export_file_name, export_files_purge
from reports.exports.writer import ExportRequest
from reports.models import ExportJob
from tests.builders import make_campaign, make_user, sign
from tests.factories import (
    CorrectiveActionFactory,
    ExportJobFactory,
    FeedbackCaseFactory,
    FindingFactory,
    InspectionTeamFactory,
    InspectionVisitFactory,
    ViolationFactory,
    record_results,
)
from tests.helpers import local_at
from tests.reports.export_helpers import rated_sheets, read_sheets, response_bytes
from units.choices import Role

pytestmark = pytest.mark.django_db

EXPORT_URL = "reports:export_create"
MONTHS_2026 = [datetime.date(2026, month, 1) for month in (1, 2, 3)]


def _post(client, **data):
    return client.post(reverse(EXPORT_URL), data)


def _download(client, **data) -> dict[str, list[list]]:
    response = _post(client, **data)
    assert response.status_code == 200, response.content[:2000]
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in response["Content-Disposition"]
    return read_sheets(response_bytes(response))


def _day(value):
    return value.date() if isinstance(value, datetime.datetime) else value


def _english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


# --- Ratings ------------------------------------------------------------------------------------------------


@pytest.fixture
def rated(city_admin, thanh_xuan_bac, thanh_xuan_trung, phuc_xa):
    """Three months of 2026 in two wards of Thanh Xuân, a month of 2025, and a ward of another district."""
    ratings = rated_sheets(unit=thanh_xuan_bac, actor=city_admin, months=MONTHS_2026, staff_count=3)
    ratings += rated_sheets(unit=thanh_xuan_trung, actor=city_admin, months=MONTHS_2026[:2], staff_count=2)
    rated_sheets(unit=thanh_xuan_bac, actor=city_admin, months=[datetime.date(2025, 12, 1)], staff_count=0)
    rated_sheets(unit=phuc_xa, actor=city_admin, months=MONTHS_2026[:1], staff_count=2)
    return ratings


def test_ratings_of_a_year_match_the_database(client, district_officer, city_admin, thanh_xuan, rated):
    staff = rated[0].staff
    ViolationFactory(staff=staff, occurred_on=datetime.date(2026, 2, 10), recorded_by=city_admin)
    client.force_login(district_officer)

    sheets = _download(client, kind=ExportKind.RATINGS, unit=thanh_xuan.public_code, year=2026)

    (rows,) = sheets.values()
    header, data = rows[0], rows[1:]
    assert header[:6] == ["Tháng", "Đơn vị", "Mã cán bộ", "Họ và tên", "Phân loại", "Chức vụ"]
    assert header[-6:] == ["Tổng điểm", "Xếp loại theo điểm", "Xếp loại", "Nhận xét", "Trạng thái phiếu", "Vi phạm trong tháng"]
    assert [h.split(" (tối đa")[0] for h in header[6:9]] == [
        "Ý thức tổ chức kỷ luật, đạo đức, lối sống, thực hiện Quy tắc ứng xử",
        "Kết quả thực hiện nhiệm vụ được giao",
        "Điểm thưởng (sáng kiến, thành tích nổi bật)",
    ]
    expected = (
        Rating.objects.within(thanh_xuan).filter(sheet__month__year=2026)
        .select_related("sheet__unit", "staff")
        .order_by("sheet__month", "sheet__unit__path", "staff__full_name", "pk")
    )
    assert len(data) == expected.count() == 3 * 3 + 2 * 2  # not 2025, not Ba Đình
    for row, rating in zip(data, expected, strict=True):
        assert _day(row[0]) == rating.sheet.month
        assert row[1:6] == [rating.sheet.unit.name, rating.staff.staff_code, rating.staff.full_name, "Công chức", rating.staff.position]
        assert row[6:9] == [float(rating.points[code]) for code in ("discipline", "tasks", "bonus")]
        assert row[9] == float(rating.total)
        assert row[10:14] == [rating.grade_by_points, rating.grade, rating.remark, "Dự thảo"]
        violation_month = rating.staff_id == staff.pk and rating.sheet.month == datetime.date(2026, 2, 1)
        assert ("10/02/2026: Điều" in row[14]) is violation_month
    assert sum(row[9] for row in data) == pytest.approx(float(sum(r.total for r in expected)))


def test_ratings_of_a_month_range_and_a_single_ward(client, city_admin, thanh_xuan_bac, rated):
    client.force_login(city_admin)
    sheets = _download(client, kind=ExportKind.RATINGS, unit=thanh_xuan_bac.public_code, month_from="2026-02", month_to="2026-03")
    data = next(iter(sheets.values()))[1:]
    assert len(data) == 2 * 3
    assert {_day(row[0]) for row in data} == {datetime.date(2026, 2, 1), datetime.date(2026, 3, 1)}
    assert {row[1] for row in data} == {thanh_xuan_bac.name}


def test_ratings_writer_reads_a_constant_number_of_queries(city_admin, thanh_xuan, thanh_xuan_bac, thanh_xuan_trung,
                                                            tmp_path):
    def queries_for_export() -> int:
        request = ExportRequest(kind=ExportKind.RATINGS, unit=thanh_xuan, start=MONTHS_2026[0], end=MONTHS_2026[-1])
        with CaptureQueriesContext(connection) as captured:
            rows = export_write(request=request, user=city_admin, target=tmp_path / "ratings.xlsx")
        return rows, len(captured)

    rated_sheets(unit=thanh_xuan_bac, actor=city_admin, months=MONTHS_2026[:1], staff_count=50)
    small_rows, small_queries = queries_for_export()
    rated_sheets(unit=thanh_xuan_trung, actor=city_admin, months=MONTHS_2026, staff_count=150)
    large_rows, large_queries = queries_for_export()

    assert (small_rows, large_rows) == (50, 500)
    assert large_queries == small_queries <= 4


# --- Feedback log -------------------------------------------------------------------------------------------


def test_feedback_log_matches_the_database_without_personal_data(client, district_officer, thanh_xuan, thanh_xuan_bac,
                                                                 thanh_xuan_trung, phuc_xa, staff_factory):
    officer = staff_factory(unit=thanh_xuan_bac, full_name="Trần Văn Cán", staff_code="TX0001")
    at = datetime.date
    # Citizens who left their contact details (with consent): they must never reach an export.
    case = functools.partial(FeedbackCaseFactory, with_contact=True)
    cases = [
        case(unit=thanh_xuan_bac, received_at=local_at(at(2026, 3, 2), 9), status=CaseStatus.RESOLVED, due_on=at(2026, 3, 16),
             closed_at=local_at(at(2026, 3, 10), 9), satisfaction=5, staff=officer),
        case(unit=thanh_xuan_trung, received_at=local_at(at(2026, 3, 5), 9), status=CaseStatus.REJECTED, due_on=at(2026, 3, 19),
             closed_at=local_at(at(2026, 3, 25), 9), satisfaction=2),
        case(unit=thanh_xuan_bac, received_at=local_at(at(2026, 3, 20), 9), due_on=at(2026, 4, 3)),
    ]
    outside = [
        case(unit=thanh_xuan_bac, received_at=local_at(at(2026, 4, 1), 9), due_on=at(2026, 4, 15)),  # after the period
        case(unit=phuc_xa, received_at=local_at(at(2026, 3, 3), 9), due_on=at(2026, 3, 17)),  # another district
    ]
    client.force_login(district_officer)

    sheets = _download(client, kind=ExportKind.FEEDBACK, unit=thanh_xuan.public_code, date_from="2026-03-01", date_to="2026-03-31")

    rows = sheets["Sổ phản ánh"]
    assert rows[0] == ["Thời điểm tiếp nhận", "Đơn vị", "Mã tra cứu", "Kênh", "Loại phản ánh", "Trạng thái", "Hạn xử lý",
                       "Thời điểm kết thúc", "Đúng hạn", "Mức độ hài lòng (1–5)", "Cán bộ liên quan"]
    data = rows[1:]
    assert [row[2] for row in data] == [case.tracking_code for case in cases]
    first, second, third = data
    assert first[0] == datetime.datetime(2026, 3, 2, 9, 0)
    assert first[1] == thanh_xuan_bac.name
    assert first[3:6] == ["Biểu mẫu trực tuyến", "Thái độ của cán bộ", "Đã giải quyết"]
    assert _day(first[6]) == datetime.date(2026, 3, 16)
    assert first[7] == datetime.datetime(2026, 3, 10, 9, 0)
    assert first[8:] == ["Đúng hạn", 5.0, "Trần Văn Cán (TX0001)"]
    assert second[5] == "Không xử lý" and second[8] == "Trễ hạn" and second[9] == 2.0
    assert third[5] == "Mới" and third[8] == "Quá hạn" and third[9] in ("", None)

    every_cell = " ".join(str(value) for sheet in sheets.values() for row in sheet for value in row)
    for case in cases + outside:
        for personal in (case.contact_name, case.contact_phone, case.contact_email, case.text):
            assert personal not in every_cell
    assert outside[0].tracking_code not in every_cell and outside[1].tracking_code not in every_cell


# --- Pledge roster ------------------------------------------------------------------------------------------


def test_pledge_roster_of_a_ward_for_a_district_campaign(client, district_officer, ward_officer, thanh_xuan, thanh_xuan_bac,
                                                         thanh_xuan_trung, staff_factory, code_version):
    campaign = make_campaign(actor=district_officer, scope_unit=thanh_xuan, code_version=code_version)
    bac = staff_factory.create_batch(3, unit=thanh_xuan_bac)
    staff_factory.create_batch(2, unit=thanh_xuan_trung)
    signed_on = timezone.localdate() - datetime.timedelta(days=3)
    sign(campaign, bac[0], ward_officer, signed_on=signed_on)
    client.force_login(district_officer)

    sheets = _download(client, kind=ExportKind.PLEDGES, unit=thanh_xuan_bac.public_code, campaign=campaign.pk)

    rows = next(iter(sheets.values()))
    assert rows[0] == ["Đơn vị", "Mã cán bộ", "Họ và tên", "Chức vụ", "Đã ký", "Ngày ký", "Hình thức", "Người ghi nhận"]
    data = {row[1]: row for row in rows[1:]}
    assert sorted(data) == sorted(staff.staff_code for staff in bac)
    signed = data[bac[0].staff_code]
    assert signed[4] == "Có" and _day(signed[5]) == signed_on and signed[6] == "Bản giấy"
    assert [data[staff.staff_code][4] for staff in bac[1:]] == ["Chưa", "Chưa"]


def test_a_campaign_of_another_unit_is_a_form_error(client, city_admin, phuc_xa, thanh_xuan, code_version):
    campaign = make_campaign(actor=city_admin, scope_unit=thanh_xuan, code_version=code_version)
    client.force_login(city_admin)
    _english(client)
    response = _post(client, kind=ExportKind.PLEDGES, unit=phuc_xa.public_code, campaign=campaign.pk)
    assert response.status_code == 400
    assert "This campaign does not concern the chosen unit." in response.content.decode()


# --- Inspections --------------------------------------------------------------------------------------------


def test_inspections_keep_a_planned_surprise_visit_secret(client, district_officer, city_admin, inspector, hanoi,
                                                          thanh_xuan, thanh_xuan_bac, staff_factory):
    district_team = InspectionTeamFactory(name="Tổ kiểm tra quận", owner_unit=thanh_xuan, leader=inspector)
    city_leader = make_user("city.inspector", Role.INSPECTOR, hanoi)
    city_team = InspectionTeamFactory(name="Đoàn kiểm tra thành phố", owner_unit=hanoi, leader=city_leader)
    when = timezone.now() - datetime.timedelta(days=2)
    visit = InspectionVisitFactory(team=district_team, unit=thanh_xuan_bac, scheduled_at=when)
    results = record_results(visit, failed=2)
    officer = staff_factory(unit=thanh_xuan_bac)
    finding = FindingFactory(visit=visit, result=results[0], staff=[officer])
    CorrectiveActionFactory(finding=finding, status=ActionStatus.OPEN, due_on=timezone.localdate() - datetime.timedelta(days=1))
    CorrectiveActionFactory(finding=finding, status=ActionStatus.DONE)
    FindingFactory(visit=visit, result=results[1])
    secret = InspectionVisitFactory(team=city_team, unit=thanh_xuan_bac, kind=VisitKind.SURPRISE, status=VisitStatus.PLANNED,
                                    scheduled_at=when, subject="Kiểm tra đột xuất bí mật")
    today = timezone.localdate()
    period = {"kind": ExportKind.INSPECTIONS, "unit": thanh_xuan.public_code,
              "date_from": (today - datetime.timedelta(days=7)).isoformat(), "date_to": today.isoformat()}

    client.force_login(district_officer)
    sheets = _download(client, **period)
    visits, findings = sheets["Lượt kiểm tra"][1:], sheets["Phát hiện"][1:]
    assert [row[5] for row in visits] == [visit.subject]
    assert visits[0][1:5] == [thanh_xuan_bac.name, district_team.name, "Theo kế hoạch", "Đang kiểm tra"]
    assert visits[0][6:] == [2.0, 2.0]
    assert len(findings) == 3  # two actions of the first finding, the second without any
    assert sum("Quá hạn" in str(row[9]) for row in findings) == 1
    assert f"{officer.full_name} ({officer.staff_code})" in findings[0][6]
    assert secret.subject not in " ".join(str(v) for sheet in sheets.values() for row in sheet for v in row)

    client.force_login(city_admin)
    visits = _download(client, **period)["Lượt kiểm tra"][1:]
    assert sorted(row[5] for row in visits) == sorted([visit.subject, secret.subject])


# --- Scope, rights and bad input ----------------------------------------------------------------------------

MATRIX = [
    # role fixture, unit fixture, expected status
    ("district_officer", "thanh_xuan", 200),
    ("district_officer", "thanh_xuan_bac", 200),
    ("district_officer", "ba_dinh", 404),
    ("city_admin", "ba_dinh", 200),
    ("city_admin", "thanh_xuan_bac", 200),
    ("ward_officer", "thanh_xuan_bac", 403),
    ("ward_officer", "thanh_xuan_trung", 403),
    ("ward_officer", "ba_dinh", 403),
    ("unit_head", "thanh_xuan_bac", 403),
    ("inspector", "thanh_xuan", 403),
]


@pytest.mark.parametrize(("role", "unit_name", "status"), MATRIX)
def test_scope_matrix(client, request, role, unit_name, status):
    user, unit = request.getfixturevalue(role), request.getfixturevalue(unit_name)
    client.force_login(user)
    response = _post(client, kind=ExportKind.FEEDBACK, unit=unit.public_code, date_from="2026-01-01", date_to="2026-01-31")
    assert response.status_code == status
    assert client.get(reverse("reports:export_list")).status_code == (403 if status == 403 else 200)


def test_an_inspector_with_an_export_role_elsewhere_gets_403_on_a_unit_seen_without_that_right(client, thanh_xuan, phuc_xa, hanoi):
    user = make_user("mixed", Role.DISTRICT_OFFICE, phuc_xa.parent)
    from units.services import role_assign

    role_assign(user=user, unit=thanh_xuan, role=Role.INSPECTOR)
    client.force_login(user)
    data = {"kind": ExportKind.FEEDBACK, "date_from": "2026-01-01", "date_to": "2026-01-31"}
    assert _post(client, unit=thanh_xuan.public_code, **data).status_code == 403
    assert _post(client, unit=phuc_xa.public_code, **data).status_code == 200
    assert _post(client, unit="no-such-unit", **data).status_code == 404


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("reports:export_list"))
    assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": ExportKind.RATINGS, "month_from": "2026-10", "month_to": "2027-01"}, "This month has not started yet."),
        ({"kind": ExportKind.RATINGS, "month_from": "2026-05", "month_to": "2026-02"}, "The last month comes before the first."),
        ({"kind": ExportKind.RATINGS, "year": 2099}, "This year has not started yet."),
        ({"kind": ExportKind.RATINGS}, "Give a year or a range of months."),
        ({"kind": ExportKind.FEEDBACK, "date_from": "2026-03-10", "date_to": "2026-03-01"}, "The last day comes before the first."),
        ({"kind": ExportKind.INSPECTIONS, "date_from": "2026-01-01", "date_to": "2099-01-01"}, "This day is in the future."),
        ({"kind": ExportKind.PLEDGES}, "Choose a pledge campaign."),
    ],
)
def test_a_bad_period_is_a_translated_form_error(client, district_officer, thanh_xuan, data, message):
    client.force_login(district_officer)
    _english(client)
    response = _post(client, unit=thanh_xuan.public_code, **data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ExportJob.objects.exists()


def test_the_list_page_offers_only_exportable_units_and_polls_running_jobs(client, district_officer, thanh_xuan, ba_dinh):
    running = ExportJobFactory(kind=ExportKind.RATINGS, unit=thanh_xuan, requested_by=district_officer,
                               status=JobStatus.RUNNING, progress=40, parameters={"period": "01/2026–12/2026"})
    client.force_login(district_officer)
    page = client.get(reverse("reports:export_list")).content.decode()
    assert f'value="{thanh_xuan.public_code}"' in page and f'value="{ba_dinh.public_code}"' not in page
    assert f'hx-get="{reverse("reports:export_progress", args=[running.pk])}"' in page and 'hx-trigger="every 2s"' in page
    assert "<script>" not in page and 'style="' not in page

    ExportJob.objects.filter(pk=running.pk).update(status=JobStatus.FAILED, error="ValueError: hỏng")
    row = client.get(reverse("reports:export_progress", args=[running.pk])).content.decode()
    assert "hx-trigger" not in row and "ValueError: hỏng" in row


# --- Background files: download and purge -------------------------------------------------------------------


def _finished_job(user, unit, *, expires_in=datetime.timedelta(days=3)) -> ExportJob:
    job = ExportJobFactory(kind=ExportKind.RATINGS, unit=unit, requested_by=user, status=JobStatus.SUCCESS,
                           parameters={"filename": "danh-gia-xep-loai-x.xlsx"})
    name, _ = write_atomically(export_file_name(job), lambda path: path.write_bytes(b"PK\x03\x04 not really"))
    ExportJob.objects.filter(pk=job.pk).update(file=name, expires_at=timezone.now() + expires_in, row_count=12)
    job.refresh_from_db()
    return job


def test_only_the_requester_downloads_and_only_until_expiry(client, district_officer, city_admin, thanh_xuan):
    job = _finished_job(district_officer, thanh_xuan)
    url = reverse("reports:export_download", args=[job.pk])

    client.force_login(city_admin)  # sees the unit, may export it, but did not ask for this file
    assert client.get(url).status_code == 404
    assert client.get(reverse("reports:export_progress", args=[job.pk])).status_code == 404

    client.force_login(district_officer)
    response = client.get(url)
    assert response.status_code == 200
    assert 'filename="danh-gia-xep-loai-x.xlsx"' in response["Content-Disposition"]

    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    assert client.get(url).status_code == 404


def test_purge_removes_expired_files_and_keeps_fresh_ones(district_officer, thanh_xuan):
    old = _finished_job(district_officer, thanh_xuan, expires_in=-datetime.timedelta(hours=1))
    fresh = _finished_job(district_officer, thanh_xuan)
    old_name, fresh_name = old.file.name, fresh.file.name

    assert export_files_purge() == 1

    old.refresh_from_db()
    fresh.refresh_from_db()
    assert not old.file and old.status == JobStatus.SUCCESS and old.expires_at < timezone.now()
    assert fresh.file and fresh.file.name == fresh_name
    assert not default_storage.exists(old_name) and default_storage.exists(fresh_name)
    assert export_files_purge() == 0
