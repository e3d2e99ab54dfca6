"""Building an annual summary (tổng kết năm): every section's figures on a small year across the 2025 reform (each
month counted under the unit that existed then), the workbook read back with python-calamine as a user would see
it, a constant number of queries whatever the number of units, a failure recorded with its reason."""

import datetime
from pathlib import Path
import re
import zipfile

from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
import pytest
from python_calamine import CalamineWorkbook

from core.choices import JobStatus
from reports.annual import services
from reports.annual.workbook import (
    SHEET_CLASSIFICATION,
    SHEET_COMMENDATIONS,
    SHEET_COVERAGE,
    SHEET_FEEDBACK,
    SHEET_INSPECTIONS,
    SHEET_RATINGS,
    SHEET_RATINGS_DETAIL,
    SHEET_SUMMARY,
    SHEET_VIOLATIONS,
    SHEET_YEAR_COMMENDATIONS,
)
from reports.choices import CommendationStatus
from reports.models import AnnualReport
from tests.factories import (
    CommendationEntryFactory,
    CommendationListFactory,
    FeedbackCaseFactory,
    InspectionVisitFactory,
    ViolationFactory,
)
from tests.helpers import local_at
from tests.reports.annual_helpers import YEAR, month_of, rate_unit, staff_of
from units.choices import Structure
from units.models import Unit

pytestmark = pytest.mark.django_db

FORMER = ["Phường Nhân Chính", "Phường Thanh Xuân Bắc", "Phường Thanh Xuân Trung", "Phường Thượng Đình",
          "Phường Trung Hoà", "Phường Trung Văn"]


def build(unit, year=YEAR, actor=None) -> AnnualReport:
    """Request and run the job in this process, as the worker would with the enqueued task id."""
    report = services.annual_report_request(actor=actor, unit=unit, year=year)
    services.annual_report_build(report_id=report.pk, task_id=report.task_id)
    report.refresh_from_db()
    return report


def sheet(report, name) -> list[list]:
    return CalamineWorkbook.from_path(str(Path(settings.MEDIA_ROOT) / report.file.name)).get_sheet_by_name(name).to_python()


def row_of(rows, first):
    return next(row for row in rows if row and row[0] == first)


@pytest.fixture
def report(annual_data, phuong_thanh_xuan, city_admin):
    built = build(phuong_thanh_xuan, actor=city_admin)
    assert built.status == JobStatus.SUCCESS, built.error
    return built


def test_the_year_of_a_ward_formed_in_2025_adds_up_the_wards_it_was_formed_from_until_they_were_dissolved(report):
    data = report.data
    assert [f["name"] for f in data["formed_from"]] == FORMER
    assert {f["until"] for f in data["formed_from"]} == {"2025-06-30"}

    # Ratings, month by month: March and June of Thanh Xuân Bắc, May of Thanh Xuân Trung (its draft of February is
    # left out), September and December of Phường Thanh Xuân; the August sheet kept on the dissolved ward is not
    # the new ward's history.
    ratings = data["ratings"]
    by_month = {datetime.date.fromisoformat(m): block["counts"] for m, block in zip(ratings["months"], ratings["month_totals"],
                                                                                    strict=True)}
    assert by_month == {month_of(n): [0, 0, 0, 0] for n in range(1, 13)} | {
        month_of(3): [2, 1, 1, 0], month_of(5): [0, 2, 0, 1], month_of(6): [1, 1, 0, 0], month_of(9): [2, 1, 0, 0],
        month_of(12): [0, 1, 0, 0],
    }
    assert ratings["total"]["rated"] == 13 and ratings["total"]["counts"] == [5, 6, 1, 1]
    rows = {row["unit"]: row for row in ratings["rows"]}
    # The wards it was formed from are listed when they hold figures of the months they were in force.
    assert list(rows) == ["Phường Thanh Xuân", "Phường Thanh Xuân Bắc", "Phường Thanh Xuân Trung"]
    assert rows["Phường Thanh Xuân"]["until"] is None and rows["Phường Thanh Xuân Bắc"]["until"] == "2025-06-30"
    assert rows["Phường Thanh Xuân Bắc"]["year"]["counts"] == [3, 2, 1, 0]
    assert rows["Phường Thanh Xuân Bắc"]["months"][7]["rated"] == 0  # August: dissolved by then
    assert rows["Phường Thanh Xuân"]["year"]["counts"] == [2, 2, 0, 0]
    assert ratings["month_totals"][2]["shares"] == [50.0, 25.0, 25.0, 0.0]

    # Violations by month and severity: April (serious), May (very serious), October (minor).
    violations = data["violations"]
    assert [line["total"] for line in violations["by_month"]] == [0, 0, 0, 1, 1, 0, 0, 0, 0, 1, 0, 0]
    assert violations["totals"] == [1, 1, 1] and violations["total"] == 3

    # Inspections: the visits of May and October took place (the surprise visit still planned does not count).
    inspections = data["inspections"]
    assert inspections["total"] == {"visits": 2, "scheduled": 2, "surprise": 0, "findings": 3, "actions_done": 1,
                                    "actions_open": 2, "actions_overdue": 2}
    assert [line["visits"] for line in inspections["by_month"]] == [0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0]

    # Feedback and the satisfaction index month by month: March 5/5; November 2/5 and a kiosk's 5/5; December 4/5.
    feedback = data["feedback"]
    satisfaction = {line["month"]: line["satisfaction"] for line in feedback["months"] if line["satisfaction"] is not None}
    assert satisfaction == {"2025-03-01": 100.0, "2025-11-01": 50.0, "2025-12-01": 100.0}
    assert feedback["satisfaction"] == 75.0 and feedback["total"] == 3
    # Three closed in the year, two by their due date (November's complaint was closed a month late).
    assert feedback["on_time"] == pytest.approx(200 / 3)
    assert feedback["kind_totals"] == [1, 1, 0, 1, 0, 0] and feedback["channel_counts"] == [1, 1, 1, 0, 0, 0]
    # The handling satisfaction beside it: March's 5 (satisfied), December's 2 (not): 50 %.
    handling = {line["month"]: line["handling"] for line in feedback["months"] if line["handling"] is not None}
    assert handling == {"2025-03-01": 100.0, "2025-12-01": 0.0}
    assert feedback["handling"] == 50.0 and feedback["handling_rated"] == 2

    # Pledge coverage: the district's campaign of January over the two former wards, the ward's own of August.
    coverage = {block["campaign"]: block for block in data["coverage"]}
    district = coverage["Ký cam kết 2025 — Quận Thanh Xuân"]
    assert [(r["unit"], r["expected"], r["signed"]) for r in district["rows"]] == [
        ("Phường Thanh Xuân Bắc", 4, 2), ("Phường Thanh Xuân Trung", 3, 1)]
    assert district["total"]["signed"] == 3 and district["total"]["expected"] == 7
    assert coverage["Ký cam kết 2025 — Phường Thanh Xuân"]["total"]["percent"] == pytest.approx(200 / 3)

    # Commendations: the approved lists of Q1 (Thanh Xuân Bắc) and Q4 (Phường Thanh Xuân); not the draft of Q3, nor
    # a list kept on the dissolved ward for Q3; someone commended twice comes first.
    commendations = data["commendations"]
    assert [(c["unit"], c["quarter"], c["count"]) for c in commendations["lists"]] == [
        ("Phường Thanh Xuân Bắc", 1, 2), ("Phường Thanh Xuân", 4, 2)]
    assert commendations["lists"][0]["approved_by"] == "Trần Văn Duyệt"
    assert [p["times"] for p in commendations["staff"]] == [2, 1, 1]
    assert commendations["staff"][0]["quarters"] == [1, 4]


def test_the_workbook_shows_what_the_page_shows(report, annual_data):
    path = Path(settings.MEDIA_ROOT) / report.file.name
    assert re.fullmatch(r"reports/annual/phuong-thanh-xuan-00367/2025-[0-9a-f]{10}\.xlsx", report.file.name) and path.exists()
    assert all(p.suffix == ".xlsx" and not p.name.startswith(".") for p in path.parent.iterdir()), "no temporary file left"
    with zipfile.ZipFile(path) as archive:
        # Native charts: grades by month and by unit, the annual classification (in all and by unit), violations,
        # inspections, satisfaction, kinds, channels.
        charts = [archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/charts/chart")]
        assert len(charts) == 9
        # Their axes are shown (Excel hides an axis whose "delete" flag is left out).
        with_axes = [chart for chart in charts if "<catAx>" in chart]
        assert len(with_axes) == 7 and all(chart.count('<delete val="0"/>') == 2 for chart in with_axes)
    workbook = CalamineWorkbook.from_path(str(path))
    assert workbook.sheet_names == [SHEET_SUMMARY, SHEET_COVERAGE, SHEET_RATINGS, SHEET_RATINGS_DETAIL, SHEET_CLASSIFICATION,
                                    SHEET_VIOLATIONS, SHEET_INSPECTIONS, SHEET_FEEDBACK, SHEET_COMMENDATIONS,
                                    SHEET_YEAR_COMMENDATIONS]

    summary = {row[0]: row[1] for row in sheet(report, SHEET_SUMMARY) if row and row[0]}
    assert summary["BÁO CÁO TỔNG KẾT NĂM 2025"] == ""
    assert summary["Phường Thanh Xuân"] == ""
    assert summary["Từ ngày"] == datetime.date(2025, 1, 1) and summary["Đến ngày"] == datetime.date(2025, 12, 31)
    assert summary["Số lượt xếp loại trong năm (phiếu đã gửi)"] == 13
    assert summary["Số vi phạm"] == 3
    assert summary["Chỉ số hài lòng cả năm"] == pytest.approx(0.75)
    assert summary["Số cán bộ được biểu dương trong năm"] == 3
    assert "Phường Thanh Xuân Bắc (đến 30/06/2025)" in next(row[0] for row in sheet(report, SHEET_SUMMARY)
                                                           if row and str(row[0]).startswith("Hình thành từ"))

    ratings = sheet(report, SHEET_RATINGS)
    assert ratings[0][:6] == ["Tháng", "Loại A", "Loại B", "Loại C", "Loại D", "Tổng số"]
    march = row_of(ratings, datetime.date(2025, 3, 1))
    assert march[1:6] == [2, 1, 1, 0, 4] and march[6] == pytest.approx(0.5)
    assert row_of(ratings, datetime.date(2025, 8, 1))[5] == 0
    assert row_of(ratings, "Cả năm")[1:6] == [5, 6, 1, 1, 13]
    detail = sheet(report, SHEET_RATINGS_DETAIL)
    bac_year = next(r for r in detail if r[0] == "Phường Thanh Xuân Bắc (đến 30/06/2025)" and r[1] == "Cả năm")
    assert bac_year[2:7] == [3, 2, 1, 0, 6]

    violations = sheet(report, SHEET_VIOLATIONS)
    assert violations[0][:5] == ["Tháng", "Nhẹ", "Nghiêm trọng", "Rất nghiêm trọng", "Tổng số"]
    assert row_of(violations, datetime.date(2025, 4, 1))[1:5] == [0, 1, 0, 1]
    assert row_of(violations, "Cả năm")[1:5] == [1, 1, 1, 3]

    inspections = sheet(report, SHEET_INSPECTIONS)
    assert row_of(inspections, "Cả năm")[1:8] == [2, 2, 0, 3, 1, 2, 2]

    feedback = sheet(report, SHEET_FEEDBACK)
    assert feedback[0][:5] == ["Tháng", "Phản ánh nhận được", "Lượt đánh giá", "Hài lòng", "Chỉ số hài lòng"]
    assert row_of(feedback, datetime.date(2025, 11, 1))[1:5] == [1, 2, 1, pytest.approx(0.5)]
    assert row_of(feedback, datetime.date(2025, 1, 1))[4] == ""  # nobody rated anything: no index, not 0 %
    assert row_of(feedback, "Cả năm")[4] == pytest.approx(0.75)
    assert feedback[0][9:11] == ["Lượt đánh giá việc giải quyết", "Hài lòng với việc giải quyết"]
    assert row_of(feedback, datetime.date(2025, 12, 1))[9:11] == [1, pytest.approx(0.0)]
    assert row_of(feedback, "Cả năm")[9:11] == [2, pytest.approx(0.5)]

    coverage = sheet(report, SHEET_COVERAGE)
    assert row_of(coverage, "Phường Thanh Xuân Bắc (đến 30/06/2025)")[1:6] == [
        "Ký cam kết 2025 — Quận Thanh Xuân", 4, 2, 2, pytest.approx(0.5)]

    commendations = sheet(report, SHEET_COMMENDATIONS)
    assert commendations[0][:7] == ["STT", "Họ và tên", "Mã cán bộ", "Chức vụ", "Đơn vị", "Số quý được biểu dương", "Các quý"]
    first = commendations[1]
    assert first[1] == annual_data["bac"][0].full_name and first[5] == 2 and first[6] == "Quý 1, Quý 4"


def test_the_city_counts_each_month_under_the_unit_that_existed_then(annual_data, hanoi):
    report = build(hanoi)
    assert report.status == JobStatus.SUCCESS, report.error
    rows = {row["unit"]: row for row in report.data["ratings"]["rows"]}
    district, ward = rows["Quận Thanh Xuân"], rows["Phường Thanh Xuân"]
    assert district["until"] == "2025-06-30" and ward["until"] is None
    assert [block["rated"] for block in district["months"]][:6] == [0, 0, 4, 0, 3, 2]
    assert [block["rated"] for block in ward["months"]][6:] == [0, 0, 3, 0, 0, 1]
    # Rows kept on a dissolved unit after its end stay where they were recorded, under its name and end date.
    assert district["months"][7]["rated"] == 4
    assert report.data["ratings"]["total"]["rated"] == 17
    assert report.data["formed_from"] == []
    # Hanoi's other wards and legacy districts in force during the year are listed, with nothing to show.
    assert len(rows) == Unit.objects.filter(parent=hanoi).valid_on(datetime.date(YEAR, 6, 30)).count() + \
        Unit.objects.filter(parent=hanoi).valid_on(datetime.date(YEAR, 7, 1)).count()


def test_query_count_of_the_build_stays_constant_as_units_and_rows_grow(hanoi):
    from tests.factories import CorrectiveActionFactory, FindingFactory, KioskVoteFactory

    wards = list(Unit.objects.filter(parent=hanoi, structure=Structure.CURRENT).order_by("path")[:9])
    first = staff_of(wards[0], 2)
    rate_unit(wards[0], month_of(9), "AB", staff=first)
    approved = CommendationListFactory(unit=wards[0], year=YEAR, quarter=3, status=CommendationStatus.APPROVED)
    CommendationEntryFactory(commendation_list=approved, staff=first[0])
    services.annual_report_build_now(unit=hanoi, year=YEAR)  # the first build also creates the row
    with CaptureQueriesContext(connection) as small:
        report = services.annual_report_build_now(unit=hanoi, year=YEAR)
    assert report.status == JobStatus.SUCCESS, report.error

    # Eight more wards, rated every month since the reform, with violations, feedback, visits and approved lists.
    for ward in wards[1:]:
        staff = staff_of(ward, 4)
        for number in range(7, 13):
            rate_unit(ward, month_of(number), "ABCD", staff=staff)
        ViolationFactory(staff=staff[0], occurred_on=month_of(10))
        FeedbackCaseFactory(unit=ward, received_at=local_at(month_of(11)), satisfaction=4)
        KioskVoteFactory(unit=ward, score=2, created_at=local_at(month_of(12)), device=None)
        visit = InspectionVisitFactory(unit=ward, scheduled_at=local_at(month_of(8)))
        CorrectiveActionFactory(finding=FindingFactory(visit=visit))
        approved = CommendationListFactory(unit=ward, year=YEAR, quarter=4, status=CommendationStatus.APPROVED)
        CommendationEntryFactory(commendation_list=approved, staff=staff[0])
    with CaptureQueriesContext(connection) as large:
        report = services.annual_report_build_now(unit=hanoi, year=YEAR)
    assert report.status == JobStatus.SUCCESS, report.error
    assert report.data["ratings"]["total"]["rated"] == 2 + 8 * 6 * 4
    assert report.data["violations"]["total"] == 8 and report.data["inspections"]["total"]["visits"] == 8
    assert len(report.data["commendations"]["staff"]) == 9
    assert len(large.captured_queries) == len(small.captured_queries), (
        len(small.captured_queries), len(large.captured_queries))


def test_a_failure_is_recorded_with_its_reason(annual_data, phuong_thanh_xuan, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "annual_workbook", broken)
    report = build(phuong_thanh_xuan)

    assert report.status == JobStatus.FAILED and "disk full" in report.error
    assert not report.file and report.finished_at is not None


def test_a_delivery_with_another_task_id_does_not_run_the_job(phuong_thanh_xuan):
    report = services.annual_report_request(actor=None, unit=phuong_thanh_xuan, year=YEAR)

    assert services.annual_report_build(report_id=report.pk, task_id="someone-else") is None
    report.refresh_from_db()
    assert report.status == JobStatus.PENDING and report.attempts == 0


def test_query_count_stays_constant_as_the_wards_a_ward_was_formed_from_fill_up(phuong_thanh_xuan):
    former = list(phuong_thanh_xuan.merged_from.order_by("pk"))
    rate_unit(former[0], month_of(3), "AB", staff=staff_of(former[0], 2))
    services.annual_report_build_now(unit=phuong_thanh_xuan, year=YEAR)
    with CaptureQueriesContext(connection) as small:
        report = services.annual_report_build_now(unit=phuong_thanh_xuan, year=YEAR)
    assert [row["unit"] for row in report.data["ratings"]["rows"]] == [phuong_thanh_xuan.name, former[0].name]

    for ward in former[1:]:
        staff = staff_of(ward, 3)
        for number in range(1, 7):
            rate_unit(ward, month_of(number), "ABC", staff=staff)
        ViolationFactory(staff=staff[0], occurred_on=month_of(2))
        FeedbackCaseFactory(unit=ward, received_at=local_at(month_of(4)), satisfaction=5)
    with CaptureQueriesContext(connection) as large:
        report = services.annual_report_build_now(unit=phuong_thanh_xuan, year=YEAR)
    assert report.data["ratings"]["total"]["rated"] == 2 + 5 * 6 * 3
    assert len(report.data["ratings"]["rows"]) == 1 + len(former)
    assert len(large.captured_queries) == len(small.captured_queries), (
        len(small.captured_queries), len(large.captured_queries))
