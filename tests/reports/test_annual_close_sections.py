"""The annual summary's sections of the year's close: the annual classification (final grades of the lists the level
above approved, per unit, with each list's status) and the year's commendation list (prepared by the build, as the
quarterly report prepares the quarter's), on the page and in the workbook read back with python-calamine."""

from decimal import Decimal
from pathlib import Path
import zipfile

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
import pytest
from python_calamine import CalamineWorkbook

from core.choices import JobStatus
from evaluations.choices import AnnualStatus, Grade
from reports.annual import services
from reports.annual.workbook import SHEET_CLASSIFICATION, SHEET_SUMMARY, SHEET_YEAR_COMMENDATIONS
from reports.choices import CommendationStatus
from reports.commendations.services import commendation_list_approve
from reports.models import CommendationList
from tests.factories import AnnualClassificationFactory, AnnualListFactory
from tests.reports.annual_helpers import YEAR, current_unit, staff_of

pytestmark = pytest.mark.django_db


def vi(text: str) -> str:
    with translation.override("vi"):
        return gettext(text)


def classified(unit, status, grades: str):
    """``unit``'s annual classification list of the year with one row per letter (``"-"``: not classified)."""
    annual_list = AnnualListFactory(unit=unit, year=YEAR, status=status)
    for person, grade in zip(staff_of(unit, len(grades)), grades, strict=True):
        grade = "" if grade == "-" else grade
        AnnualClassificationFactory(
            annual_list=annual_list, staff=person, computed_grade=grade,
            final_grade=grade if status == AnnualStatus.APPROVED else "",
            average_points={"A": Decimal("94.0"), "B": Decimal("81.5"), "C": Decimal("60.0")}.get(grade),
            periods_rated=12 if grade else 3,
        )
    return annual_list


def built(unit):
    report = services.annual_report_build_now(unit=unit, year=YEAR)
    assert report.status == JobStatus.SUCCESS, report.error
    return report


def sheet(report, name) -> list[list]:
    return CalamineWorkbook.from_path(str(Path(settings.MEDIA_ROOT) / report.file.name)).get_sheet_by_name(name).to_python()


@pytest.fixture
def classification(hanoi, phuong_thanh_xuan):
    """Phường Thanh Xuân's list approved (A, B, B, C and one not classified); Phường Khương Đình's submitted, not yet
    approved (two A that must not count)."""
    classified(phuong_thanh_xuan, AnnualStatus.APPROVED, "ABBC-")
    khuong_dinh = current_unit("00364")
    classified(khuong_dinh, AnnualStatus.SUBMITTED, "AA")
    return khuong_dinh


def test_the_annual_classification_counts_the_approved_lists_of_the_units_beneath(
    hanoi, phuong_thanh_xuan, classification
):
    report = built(hanoi)
    section = report.data["annual_classification"]
    rows = {row["unit"]: row for row in section["rows"]}
    ward = rows[phuong_thanh_xuan.name]
    assert (ward["counts"], ward["classified"], ward["not_classified"], ward["status"]) == ([1, 2, 1, 0], 4, 1, "approved")
    pending = rows[classification.name]
    assert (pending["counts"], pending["classified"], pending["status"]) == ([0, 0, 0, 0], 0, "submitted")
    assert section["total"]["counts"] == [1, 2, 1, 0] and section["total"]["shares"] == [25.0, 50.0, 25.0, 0.0]
    assert (section["lists"], section["lists_approved"]) == (2, 1)

    # The workbook: a sheet of its own, the same figures, and a native pie of the year's grades.
    table = sheet(report, SHEET_CLASSIFICATION)
    assert table[0][:7] == ["Đơn vị", "Loại A", "Loại B", "Loại C", "Loại D", "Tổng số được xếp loại",
                            "Không xếp loại (chưa đủ thời gian)"]
    line = next(row for row in table if row[0] == phuong_thanh_xuan.name)
    assert line[1:7] == [1.0, 2.0, 1.0, 0.0, 4.0, 1.0] and line[7:11] == [0.25, 0.5, 0.25, 0.0]
    assert line[11] == "Đã phê duyệt"
    assert next(row for row in table if row[0] == classification.name)[11] == "Đã trình cấp trên"
    total = next(row for row in table if row[0] == "Cộng")
    assert total[1:7] == [1.0, 2.0, 1.0, 0.0, 4.0, 1.0] and total[11] == "1/2 đã phê duyệt"
    with zipfile.ZipFile(Path(settings.MEDIA_ROOT) / report.file.name) as archive:
        charts = [archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/charts/chart")]
    assert any("<pieChart>" in chart and "Xếp loại chất lượng năm" in chart for chart in charts)
    summary = {row[0]: row[1] for row in sheet(report, SHEET_SUMMARY) if row and row[0]}
    assert summary["Số cán bộ được xếp loại chất lượng năm"] == 4.0
    assert summary["Số danh sách xếp loại chất lượng năm đã phê duyệt"] == 1.0
    assert summary["Tỷ lệ xếp loại năm A"] == 0.25


def test_the_years_commendation_list_is_prepared_by_the_build_and_shown_once_approved(
    hanoi, phuong_thanh_xuan, classification, city_admin
):
    report = built(phuong_thanh_xuan)
    year_list = CommendationList.objects.get(unit=phuong_thanh_xuan, year=YEAR, quarter=None)
    section = report.data["year_commendations"]
    assert (section["list_id"], section["status"]) == (year_list.pk, CommendationStatus.DRAFT)
    assert [(e["grades"], e["total_score"]) for e in section["entries"]] == [("A", 94.0)]
    assert report.data["commendations"]["lists"] == []  # the quarterly section keeps to the quarters
    rows = sheet(report, SHEET_YEAR_COMMENDATIONS)
    assert rows[0][:6] == ["STT", "Họ và tên", "Mã cán bộ", "Chức vụ", "Đơn vị", "Xếp loại chất lượng năm"]
    assert rows[1][1] == section["entries"][0]["name"] and rows[1][5:7] == ["A", 94.0]
    assert ["Trạng thái danh sách", "Dự thảo"] in [row[:2] for row in rows]

    commendation_list_approve(actor=city_admin, commendation_list=year_list)
    report = services.annual_report_build_now(unit=phuong_thanh_xuan, year=YEAR)
    section = report.data["year_commendations"]
    assert section["status"] == CommendationStatus.APPROVED and section["approved_by"] == city_admin.full_name
    assert report.data["commendations"]["lists"] == []
    rows = sheet(report, SHEET_YEAR_COMMENDATIONS)
    assert ["Trạng thái danh sách", "Đã phê duyệt"] in [row[:2] for row in rows]
    summary = {row[0]: row[1] for row in sheet(report, SHEET_SUMMARY) if row and row[0]}
    assert summary["Số cán bộ trong danh sách biểu dương năm"] == 1.0


def test_the_page_shows_both_sections(client, city_admin, hanoi, phuong_thanh_xuan, classification):
    report = built(phuong_thanh_xuan)
    client.force_login(city_admin)
    page = client.get(reverse("reports:annual_report_detail", args=[report.pk])).content.decode()
    assert 'data-testid="annual-classification"' in page and 'data-testid="year-commended-staff"' in page
    assert vi("Annual classification") in page and vi("The year's commendation list") in page
    list_id = report.data["year_commendations"]["list_id"]
    assert reverse("reports:commendation_detail", args=[list_id]) in page
    assert vi("Review the year's commendation list") in page


def test_a_summary_built_before_these_sections_still_shows(client, city_admin, phuong_thanh_xuan):
    report = built(phuong_thanh_xuan)
    data = dict(report.data)
    for key in ("annual_classification", "year_commendations"):
        data.pop(key)
        data["sections"] = [k for k in data["sections"] if k != key]
    type(report).objects.filter(pk=report.pk).update(data=data)
    client.force_login(city_admin)
    response = client.get(reverse("reports:annual_report_detail", args=[report.pk]))
    assert response.status_code == 200
    assert 'data-testid="annual-classification"' not in response.content.decode()


def test_the_build_refreshes_a_draft_but_never_an_approved_years_list(hanoi, phuong_thanh_xuan, city_admin):
    classified(phuong_thanh_xuan, AnnualStatus.APPROVED, "AB")
    built(phuong_thanh_xuan)
    year_list = CommendationList.objects.get(unit=phuong_thanh_xuan, year=YEAR, quarter=None)
    assert year_list.entries.count() == 1
    commendation_list_approve(actor=city_admin, commendation_list=year_list)
    extra = AnnualClassificationFactory(annual_list=year_list.unit.annual_lists.get(year=YEAR),
                                        staff=staff_of(phuong_thanh_xuan, 1)[0], computed_grade=Grade.A,
                                        final_grade=Grade.A, average_points=Decimal("99.0"))
    report = built(phuong_thanh_xuan)
    assert year_list.entries.count() == 1 and extra.staff_id not in [e.staff_id for e in year_list.entries.all()]
    assert report.data["year_commendations"]["status"] == CommendationStatus.APPROVED
