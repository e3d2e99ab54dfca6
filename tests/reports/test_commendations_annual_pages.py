"""The year's commendation list through the same pages as a quarter's: opened from the list page by a year, its
scope and permission matrix, the review through the page, the workbook read back and the draft decision of the
year."""

import io

from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
import pytest
from python_calamine import CalamineWorkbook

from core.quarters import Year
from evaluations.choices import AnnualStatus, Grade
from reports.choices import CommendationStatus
from reports.commendations.exports import HEADER_ROW, LIST_SHEET
from reports.commendations.figures import commendation_entries, commendation_list_generate
from reports.models import CommendationList, CommendationRule
from tests.builders import make_user
from tests.factories import AnnualClassificationFactory, AnnualListFactory
from units.choices import Role

pytestmark = pytest.mark.django_db


def vi(text: str) -> str:
    with translation.override("vi"):
        return gettext(text)

YEAR = Year(2025)


@pytest.fixture
def year_lists(thanh_xuan, thanh_xuan_bac, thanh_xuan_trung, phuc_xa, staff_factory):
    """Approved annual classification lists of 2025 in three wards (two A each, one B), and the year's commendation
    list of each ward and of Quận Thanh Xuân."""
    CommendationRule.objects.update(annual_quota_percent=100, annual_quota_min=50)
    made = {}
    for key, unit in (("own", thanh_xuan_bac), ("sibling", thanh_xuan_trung), ("other", phuc_xa)):
        annual_list = AnnualListFactory(unit=unit, year=YEAR.year, status=AnnualStatus.APPROVED)
        for i, grade in enumerate((Grade.A, Grade.A, Grade.B)):
            staff = staff_factory(unit=unit, full_name=f"{unit.name} cán bộ {i}", position="Công chức")
            AnnualClassificationFactory(annual_list=annual_list, staff=staff, computed_grade=grade, final_grade=grade,
                                        average_points=f"{95 - i}.0" if grade == Grade.A else "80.0")
        made[key] = commendation_list_generate(unit=unit, period=YEAR)
    made["district"] = commendation_list_generate(unit=thanh_xuan, period=YEAR)
    return made


@pytest.fixture
def other_district_office(ba_dinh):
    return make_user("district.badinh", Role.DISTRICT_OFFICE, ba_dinh)


MATRIX = [
    # role, list, GET detail / xlsx / decision, POST approve
    ("ward_officer", "own", 200, 403),
    ("ward_officer", "sibling", 404, 404),
    ("ward_officer", "district", 404, 404),
    ("unit_head", "own", 200, 403),
    ("unit_head", "other", 404, 404),
    ("inspector", "own", 200, 403),
    ("district_officer", "own", 200, 302),
    ("district_officer", "district", 200, 302),
    ("district_officer", "other", 404, 404),
    ("other_district_office", "own", 404, 404),
    ("other_district_office", "other", 200, 302),
    ("city_admin", "district", 200, 302),
    ("city_admin", "other", 200, 302),
]


@pytest.mark.parametrize(("role", "which", "read", "approve"), MATRIX)
def test_scope_matrix_of_the_years_list(request, client, year_lists, role, which, read, approve):
    client.force_login(request.getfixturevalue(role))
    commendation_list = year_lists[which]
    for name in ("reports:commendation_detail", "reports:commendation_xlsx", "reports:commendation_decision"):
        assert client.get(reverse(name, args=[commendation_list.pk])).status_code == read, name
    for_url = reverse("reports:commendation_for", args=[commendation_list.unit.public_code, YEAR])
    assert for_url.endswith("/2025/")
    assert client.get(for_url).status_code == (302 if read == 200 else 404)
    response = client.post(reverse("reports:commendation_detail", args=[commendation_list.pk]), {"action": "approve"})
    assert response.status_code == approve
    commendation_list.refresh_from_db()
    assert (commendation_list.status == CommendationStatus.APPROVED) == (approve == 302)


@pytest.mark.parametrize(("role", "status"), [("ward_officer", 403), ("unit_head", 302), ("district_officer", 302),
                                              ("inspector", 403)])
def test_who_computes_a_years_list(request, client, role, status, thanh_xuan_bac):
    client.force_login(request.getfixturevalue(role))
    response = client.post(reverse("reports:commendation_for", args=[thanh_xuan_bac.public_code, YEAR]))
    assert response.status_code == status
    assert CommendationList.objects.filter(unit=thanh_xuan_bac, year=2025, quarter=None).exists() == (status == 302)


def test_a_unit_and_a_year_open_the_years_list(client, district_officer, thanh_xuan_bac, staff_factory):
    annual_list = AnnualListFactory(unit=thanh_xuan_bac, year=YEAR.year, status=AnnualStatus.APPROVED)
    AnnualClassificationFactory(annual_list=annual_list, staff=staff_factory(unit=thanh_xuan_bac, full_name="Nguyễn Văn An"),
                                computed_grade=Grade.A, final_grade=Grade.A, average_points="94.0")
    client.force_login(district_officer)
    page = client.get(reverse("reports:commendation_list")).content.decode()
    assert '<option value="2025">' in page and '<option value="2025-q4">' in page

    response = client.get(reverse("reports:commendation_list"), {"unit": thanh_xuan_bac.public_code, "period": "2025"})
    for_url = reverse("reports:commendation_for", args=[thanh_xuan_bac.public_code, YEAR])
    assert response.url == for_url
    page = client.get(for_url).content.decode()
    assert vi("There is no list for this unit and year yet.") in page
    response = client.post(for_url)
    commendation_list = CommendationList.objects.get(unit=thanh_xuan_bac)
    assert commendation_list.is_annual and response.url == reverse("reports:commendation_detail", args=[commendation_list.pk])
    assert client.get(for_url).url == response.url
    page = client.get(response.url).content.decode()
    assert "Nguyễn Văn An" in page and "94,0" in page  # the average points, as Vietnamese write them
    assert vi("Annual grade") in page and vi("Grades by month") not in page
    assert vi("no disciplinary sanction in the year") in page


def test_an_unknown_period_in_the_address_is_a_404(client, district_officer, thanh_xuan_bac):
    client.force_login(district_officer)
    for period in ("2025-q5", "25", "2025-13", "1999"):
        assert client.get(f"/commendations/{thanh_xuan_bac.public_code}/{period}/").status_code == 404, period


def test_a_year_not_started_is_refused_on_the_page(client, district_officer, thanh_xuan):
    client.force_login(district_officer)
    response = client.post(reverse("reports:commendation_for", args=[thanh_xuan.public_code, Year(Year.current().year + 1)]))
    assert response.status_code == 400
    assert not CommendationList.objects.exists()


def test_the_review_through_the_page(client, year_lists, district_officer, staff_factory, thanh_xuan_bac):
    commendation_list = year_lists["district"]
    url = reverse("reports:commendation_detail", args=[commendation_list.pk])
    client.force_login(district_officer)
    first = commendation_entries(commendation_list=commendation_list)[0]
    assert client.post(url, {"action": "remove", "entry": first.pk, "reason": ""}).status_code == 400
    assert client.post(url, {"action": "remove", "entry": first.pk, "reason": "Chuyển công tác"}).status_code == 302
    newcomer = staff_factory(unit=thanh_xuan_bac, full_name="Phạm Văn Dũng")
    assert client.post(url, {"action": "add", "staff": newcomer.pk, "reason": "Có sáng kiến"}).status_code == 302
    included = [e.staff.full_name for e in commendation_entries(commendation_list=commendation_list)]
    assert first.staff.full_name not in included and "Phạm Văn Dũng" in included
    assert client.post(url, {"action": "approve"}).status_code == 302
    commendation_list.refresh_from_db()
    assert commendation_list.status == CommendationStatus.APPROVED


def test_the_years_workbook_and_decision(client, year_lists, district_officer):
    commendation_list = year_lists["district"]
    client.force_login(district_officer)
    response = client.get(reverse("reports:commendation_xlsx", args=[commendation_list.pk]))
    assert "bieu-duong-quan-thanh-xuan" in response["Content-Disposition"] and "-2025.xlsx" in response["Content-Disposition"]
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_name(LIST_SHEET).to_python()
    assert rows[0][0] == "Danh sách đề nghị biểu dương năm 2025"
    assert rows[HEADER_ROW - 1][5:8] == ["Xếp loại chất lượng năm", "Số kỳ được đánh giá", "Điểm bình quân năm"]
    body = [row for row in rows[HEADER_ROW:] if row[0] != ""]
    entries = commendation_entries(commendation_list=commendation_list)
    assert len(body) == len(entries) == 4  # the two A of each ward of the district; not the B, not Ba Đình's
    assert [(row[1], row[5], row[7]) for row in body] == [
        (e.staff.full_name, "A", float(e.total_score)) for e in entries]

    page = client.get(reverse("reports:commendation_decision", args=[commendation_list.pk])).content.decode()
    assert "thực hiện tốt Quy tắc ứng xử năm 2025" in page
    assert "kết quả đánh giá, xếp loại chất lượng năm 2025" in page
    assert "quý" not in page.split('data-testid="decision"')[1]
    assert page.count('data-testid="decision-row"') == 4
