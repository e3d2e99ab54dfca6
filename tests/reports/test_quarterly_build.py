"""Building a quarterly report: the figures against the database, the workbook read back with python-calamine,
a constant number of queries, a failure recorded with its reason."""

import datetime
from pathlib import Path
import re

from django.conf import settings
from django.db.models import Count
import pytest
from python_calamine import CalamineWorkbook

from core.choices import JobStatus
from core.quarters import Quarter
from evaluations.models import Rating
from feedback.models import FeedbackCase
from pledges.models import Pledge
from reports.models import QuarterlyReport
from reports.quarterly import services
from reports.quarterly.selectors import ReportRows
from reports.quarterly.workbook import (
    SHEET_COMMENDATIONS,
    SHEET_COVERAGE,
    SHEET_FEEDBACK,
    SHEET_INSPECTIONS,
    SHEET_RATINGS,
    SHEET_SUMMARY,
    SHEET_VIOLATIONS,
)
from tests.factories import ViolationFactory
from tests.reports.quarterly_helpers import QUARTER, rate_ward
from units.choices import Structure
from units.models import Unit

pytestmark = pytest.mark.django_db


def build(unit, actor=None) -> QuarterlyReport:
    """Request and run the job in this process, as the worker would with the enqueued task id."""
    report = services.quarterly_report_request(actor=actor, unit=unit, quarter=QUARTER)
    services.quarterly_report_build(report_id=report.pk, task_id=report.task_id)
    report.refresh_from_db()
    return report


def sheet_rows(path, name) -> list[list]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name).to_python()


def test_report_figures_and_workbook_match_the_database(report_data, thanh_xuan, thanh_xuan_bac, thanh_xuan_trung, district_officer):
    report = build(thanh_xuan, district_officer)

    assert report.status == JobStatus.SUCCESS, report.error
    assert report.progress == 100 and report.attempts == 1
    assert re.fullmatch(rf"reports/quarterly/{thanh_xuan.public_code}/2025-q2-[0-9a-f]{{10}}\.xlsx", report.file.name)
    path = Path(settings.MEDIA_ROOT) / report.file.name
    assert path.exists()
    assert all(p.suffix == ".xlsx" and not p.name.startswith(".") for p in path.parent.iterdir()), "no temporary file left"
    import zipfile

    with zipfile.ZipFile(path) as archive:  # native Excel charts: grades, violations, feedback by kind and channel
        assert len([n for n in archive.namelist() if n.startswith("xl/charts/chart")]) == 4
    workbook = CalamineWorkbook.from_path(str(path))
    assert workbook.sheet_names == [SHEET_SUMMARY, SHEET_COVERAGE, SHEET_RATINGS, SHEET_VIOLATIONS, SHEET_INSPECTIONS,
                                    SHEET_FEEDBACK, SHEET_COMMENDATIONS]

    # Ratings: per ward and month, counted from submitted/approved sheets only (the draft sheet is left out).
    expected = {
        (unit_name, month, grade): n
        for unit_name, month, grade, n in Rating.objects.filter(
            sheet__unit__parent=thanh_xuan, sheet__month__in=QUARTER.months,
            sheet__status__in=["submitted", "approved", "locked"],
        ).values_list("sheet__unit__name", "sheet__month", "grade").annotate(n=Count("pk"))
    }
    assert sum(expected.values()) == 12 + 5
    rows = sheet_rows(path, SHEET_RATINGS)
    header = rows[0]
    assert header[:7] == ["Đơn vị", "Tháng", "Loại A", "Loại B", "Loại C", "Loại D", "Tổng số"]
    found = {}
    for row in rows[1:]:
        if row[0] and row[0] != "Cộng" and isinstance(row[1], datetime.date):
            for index, grade in enumerate("ABCD"):
                if row[2 + index]:
                    found[(row[0], row[1], grade)] = int(row[2 + index])
    assert found == expected
    bac_april = next(r for r in rows if r[0] == thanh_xuan_bac.name and r[1] == QUARTER.months[0])
    assert bac_april[6] == 4 and bac_april[7] == pytest.approx(0.5)  # 2 A of 4: 50 %
    quarter_total = next(r for r in rows if r[0] == "Cộng" and r[1] == "Cả quý")
    assert int(quarter_total[6]) == sum(expected.values())
    assert not any(r[0] == "Phường Nhân Chính" and r[6] for r in rows[1:]), "a draft sheet is not counted"

    # Pledge coverage: the district campaign, signed/expected per ward.
    coverage = {r[0]: r for r in sheet_rows(path, SHEET_COVERAGE)[1:] if r[0]}
    signed_bac = Pledge.objects.filter(campaign=report_data["campaign"], staff__unit=thanh_xuan_bac).count()
    assert coverage[thanh_xuan_bac.name][2:4] == [4.0, float(signed_bac)]
    assert coverage["Cộng"][3] == 3.0

    # Violations: two in the quarter (one before it is left out), by article and severity.
    violations = sheet_rows(path, SHEET_VIOLATIONS)
    assert violations[0][:5] == ["Điều của Quy tắc", "Quyết định", "Nhẹ", "Nghiêm trọng", "Rất nghiêm trọng"]
    total_row = next(r for r in violations if r[0] == "Cộng")
    assert total_row[2:6] == [1.0, 1.0, 0.0, 2.0]

    # Inspections: the visit that took place; the planned surprise visit is not counted.
    inspections = {r[0]: r for r in sheet_rows(path, SHEET_INSPECTIONS)[1:] if r[0]}
    assert inspections["Cộng"][1:8] == [1.0, 1.0, 0.0, 2.0, 1.0, 1.0, 1.0]
    assert inspections[thanh_xuan_trung.name][1] == 0.0

    # Feedback by kind per ward, against the database.
    feedback_rows = sheet_rows(path, SHEET_FEEDBACK)
    total_at = next(i for i, r in enumerate(feedback_rows) if r[0] == "Cộng")
    by_ward = {r[0]: r for r in feedback_rows[1:total_at]}
    wards_in_force = set(Unit.objects.filter(parent=thanh_xuan).valid_on(QUARTER.last_day).values_list("name", flat=True))
    assert set(by_ward) == wards_in_force, "every ward of the district in force in the quarter has a row"
    start = datetime.datetime(2025, 4, 1, tzinfo=datetime.timezone(datetime.timedelta(hours=7)))
    end = datetime.datetime(2025, 7, 1, tzinfo=datetime.timezone(datetime.timedelta(hours=7)))
    for ward in (thanh_xuan_bac, thanh_xuan_trung):
        in_db = FeedbackCase.objects.filter(unit=ward, received_at__gte=start, received_at__lt=end).count()
        assert by_ward[ward.name][7] == in_db
    assert next(r for r in feedback_rows if r[0] == "Cộng")[7] == 5.0
    # Satisfaction in the quarter: ratings 5, 2, 4, 5 on cases and a kiosk vote of 1 → 3 of 5 satisfied.
    assert report.data["feedback"]["satisfaction"] == 60.0
    summary = {r[0]: r[1] for r in sheet_rows(path, SHEET_SUMMARY) if r and r[0]}
    assert summary["Chỉ số hài lòng"] == pytest.approx(0.6)
    # The handling satisfaction beside it: the citizens rated the handling 4 (April) and 1 (June): 50 %.
    assert report.data["feedback"]["handling"] == 50.0
    assert summary["Mức hài lòng với việc giải quyết"] == pytest.approx(0.5)
    assert summary["Số vi phạm"] == 2.0
    # On time: 5 closed in the quarter, 4 by their due date (the hotline case of May was closed a month later).
    assert report.data["feedback"]["on_time"] == 80.0

    # The page's figures are stored on the row.
    assert report.data["ratings"]["total"]["rated"] == 17
    assert report.data["commendations"]["list_id"]


def test_query_count_of_the_build_stays_constant_as_wards_and_months_grow(hanoi, thanh_xuan, thanh_xuan_bac):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    rate_ward(thanh_xuan_bac, ["AB", "", ""])
    build(thanh_xuan)  # the first build also creates the quarter's commendation list
    with CaptureQueriesContext(connection) as small:
        report = services.quarterly_report_build_now(unit=thanh_xuan, quarter=QUARTER)
    assert report.status == JobStatus.SUCCESS, report.error

    # Eight more wards, every month rated, with violations and feedback.
    wards = list(Unit.objects.filter(parent=thanh_xuan, structure=Structure.LEGACY).exclude(pk=thanh_xuan_bac.pk)[:8])
    for ward in wards:
        staff = rate_ward(ward, ["ABCD", "BBCD", "ABCD"])
        ViolationFactory(staff=staff[0], occurred_on=QUARTER.months[1])
    with CaptureQueriesContext(connection) as large:
        report = services.quarterly_report_build_now(unit=thanh_xuan, quarter=QUARTER)
    assert report.status == JobStatus.SUCCESS, report.error
    assert report.data["ratings"]["total"]["rated"] == 2 + 8 * 12
    assert report.data["violations"]["total"] == 8
    assert len(large.captured_queries) == len(small.captured_queries), (
        len(small.captured_queries), len(large.captured_queries))


def test_a_failure_is_recorded_with_its_reason(report_data, thanh_xuan, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "quarterly_workbook", broken)
    report = build(thanh_xuan)

    assert report.status == JobStatus.FAILED
    assert "disk full" in report.error
    assert not report.file
    assert report.finished_at is not None


def test_a_delivery_with_another_task_id_does_not_run_the_job(report_data, thanh_xuan):
    report = services.quarterly_report_request(actor=None, unit=thanh_xuan, quarter=QUARTER)

    assert services.quarterly_report_build(report_id=report.pk, task_id="someone-else") is None
    report.refresh_from_db()
    assert report.status == JobStatus.PENDING and report.attempts == 0


def test_rows_list_units_in_force_and_former_units_that_still_hold_figures(thanh_xuan, thanh_xuan_bac):
    # Before the 2025 reform every ward of the district was in force: all are listed, figures or not.
    before = ReportRows(thanh_xuan, Quarter(2025, 1)).shown(lambda pk: False)
    assert thanh_xuan_bac in before and thanh_xuan not in before and len(before) == thanh_xuan.children.count()
    # In 2026 the legacy wards are no longer in force; one still rated there is listed, the others are not.
    after = ReportRows(thanh_xuan, Quarter(2026, 3))
    assert after.shown(lambda pk: pk == thanh_xuan_bac.pk) == [thanh_xuan_bac]
    assert after.shown(lambda pk: False) == [thanh_xuan]  # nothing at all: the unit itself, as one empty row
