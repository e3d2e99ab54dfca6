"""Commendation pages: the scope matrix, the review through the page, the .xlsx read back, the draft decision."""

import io

from django.urls import reverse
import pytest
from python_calamine import CalamineWorkbook

from reports.choices import CommendationStatus
from reports.commendations.exports import HEADER_ROW, LIST_SHEET, REMOVED_SHEET
from reports.commendations.figures import commendation_entries, commendation_list_generate
from reports.commendations.services import commendation_entry_remove
from reports.models import CommendationList, CommendationRule
from tests.builders import make_user
from units.choices import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def lists(thanh_xuan, thanh_xuan_bac, thanh_xuan_trung, phuc_xa, staff_factory, rate, quarter):
    """One list per unit (own ward, sibling ward, other district's ward, the district), two A-A-A staff each."""
    CommendationRule.objects.update(quota_percent=100, quota_min=50)
    made = {}
    for key, unit in (("own", thanh_xuan_bac), ("sibling", thanh_xuan_trung), ("other", phuc_xa)):
        for i in range(2):
            rate(staff_factory(unit=unit, full_name=f"{unit.name} cán bộ {i}", position="Công chức"), "AAA", points=[95 + i] * 3)
        made[key] = commendation_list_generate(unit=unit, quarter=quarter)
    made["district"] = commendation_list_generate(unit=thanh_xuan, quarter=quarter)
    return made


@pytest.fixture
def other_district_office(ba_dinh):
    return make_user("district.badinh", Role.DISTRICT_OFFICE, ba_dinh)


MATRIX = [
    # role, list, GET detail / xlsx / decision, POST approve
    ("ward_officer", "own", 200, 403),
    ("ward_officer", "sibling", 404, 404),
    ("ward_officer", "other", 404, 404),
    ("ward_officer", "district", 404, 404),
    ("unit_head", "own", 200, 403),
    ("unit_head", "sibling", 404, 404),
    ("district_officer", "own", 200, 302),
    ("district_officer", "sibling", 200, 302),
    ("district_officer", "district", 200, 302),
    ("district_officer", "other", 404, 404),
    ("other_district_office", "own", 404, 404),
    ("other_district_office", "other", 200, 302),
    ("city_admin", "district", 200, 302),
    ("city_admin", "other", 200, 302),
]


@pytest.mark.parametrize(("role", "which", "read", "approve"), MATRIX)
def test_scope_matrix(request, client, lists, role, which, read, approve):
    client.force_login(request.getfixturevalue(role))
    commendation_list = lists[which]
    for name in ("reports:commendation_detail", "reports:commendation_xlsx", "reports:commendation_decision"):
        assert client.get(reverse(name, args=[commendation_list.pk])).status_code == read, name
    for_url = reverse("reports:commendation_for", args=[commendation_list.unit.public_code, commendation_list.period])
    assert client.get(for_url).status_code == (302 if read == 200 else 404)
    response = client.post(reverse("reports:commendation_detail", args=[commendation_list.pk]), {"action": "approve"})
    assert response.status_code == approve
    commendation_list.refresh_from_db()
    assert (commendation_list.status == CommendationStatus.APPROVED) == (approve == 302)


def test_the_list_page_shows_only_lists_in_scope(client, lists, ward_officer):
    client.force_login(ward_officer)
    page = client.get(reverse("reports:commendation_list")).content.decode()
    assert reverse("reports:commendation_detail", args=[lists["own"].pk]) in page
    for which in ("sibling", "other", "district"):
        assert reverse("reports:commendation_detail", args=[lists[which].pk]) not in page


def test_opening_a_unit_and_quarter_prepares_the_list(client, district_officer, thanh_xuan, staff_factory, thanh_xuan_bac, rate, quarter):
    rate(staff_factory(unit=thanh_xuan_bac, full_name="Nguyễn Văn An"), "AAA")
    client.force_login(district_officer)
    response = client.get(reverse("reports:commendation_list"), {"unit": thanh_xuan.public_code, "period": quarter.slug})
    for_url = reverse("reports:commendation_for", args=[thanh_xuan.public_code, quarter])
    assert response.url == for_url
    assert client.get(for_url).status_code == 200  # nothing yet: a button to compute it
    response = client.post(for_url)
    commendation_list = CommendationList.objects.get(unit=thanh_xuan)
    assert response.url == reverse("reports:commendation_detail", args=[commendation_list.pk])
    assert client.get(for_url).url == response.url
    assert "Nguyễn Văn An" in client.get(response.url).content.decode()


def test_a_future_quarter_is_refused(client, district_officer, thanh_xuan):
    from core.quarters import Quarter

    client.force_login(district_officer)
    response = client.post(reverse("reports:commendation_for", args=[thanh_xuan.public_code, Quarter.current().next()]))
    assert response.status_code == 400
    assert not CommendationList.objects.exists()


def test_a_ward_officer_may_not_compute_a_list(client, ward_officer, thanh_xuan_bac, quarter):
    client.force_login(ward_officer)
    response = client.post(reverse("reports:commendation_for", args=[thanh_xuan_bac.public_code, quarter]))
    assert response.status_code == 403


def test_remove_and_add_through_the_page(client, lists, district_officer, staff_factory, thanh_xuan_bac):
    commendation_list = lists["district"]
    url = reverse("reports:commendation_detail", args=[commendation_list.pk])
    client.force_login(district_officer)
    first = commendation_entries(commendation_list=commendation_list)[0]
    response = client.post(url, {"action": "remove", "entry": first.pk, "reason": ""})
    assert response.status_code == 400 and 'is-invalid' in response.content.decode()
    assert client.post(url, {"action": "remove", "entry": first.pk, "reason": "Nghỉ việc"}).status_code == 302
    page = client.get(url).content.decode()
    assert f"<del>{first.staff.full_name}</del>" in page and "Nghỉ việc" in page
    newcomer = staff_factory(unit=thanh_xuan_bac, full_name="Phạm Văn Dũng")
    response = client.post(url, {"action": "add", "staff": newcomer.pk, "reason": ""})
    assert response.status_code == 400
    assert client.post(url, {"action": "add", "staff": newcomer.pk, "reason": "Có sáng kiến"}).status_code == 302
    assert "Phạm Văn Dũng" in [e.staff.full_name for e in commendation_entries(commendation_list=commendation_list)]


def test_the_detail_page_takes_a_constant_number_of_queries(
    client, lists, district_officer, staff_factory, thanh_xuan_bac, rate, quarter, thanh_xuan, django_assert_max_num_queries
):
    client.force_login(district_officer)
    url = reverse("reports:commendation_detail", args=[lists["district"].pk])
    client.get(url)
    with django_assert_max_num_queries(20) as few:
        client.get(url)
    for i in range(10):
        rate(staff_factory(unit=thanh_xuan_bac, full_name=f"Thêm {i}"), "AAA")
    commendation_list_generate(unit=thanh_xuan, quarter=quarter)
    entry = lists["district"].entries.first()
    commendation_entry_remove(actor=district_officer, entry=entry, reason="Thử")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url + "?by=unit").status_code == 200


def read_sheet(content: bytes, name: str) -> list[list]:
    return CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_name(name).to_python()


def test_the_workbook_matches_the_database(client, lists, district_officer):
    commendation_list = lists["district"]
    entries = commendation_entries(commendation_list=commendation_list)
    removed = commendation_entry_remove(actor=district_officer, entry=entries[-1], reason="Chuyển công tác")
    client.force_login(district_officer)
    response = client.get(reverse("reports:commendation_xlsx", args=[commendation_list.pk]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert "attachment" in response["Content-Disposition"]
    rows = read_sheet(response.content, LIST_SHEET)
    assert rows[HEADER_ROW - 1][:3] == ["STT", "Họ và tên", "Mã cán bộ"]
    body = [row for row in rows[HEADER_ROW:] if row[0] != ""]
    included = commendation_entries(commendation_list=commendation_list)
    assert len(body) == len(included) == 3  # four picked, one removed
    for row, entry in zip(body, included, strict=True):
        assert row[0] == float(entry.rank)
        assert row[1:6] == [entry.staff.full_name, entry.staff.staff_code, entry.staff.position, entry.staff_unit.name, entry.grades]
        assert row[6] == float(entry.months_rated) and row[7] == float(entry.total_score) and row[8] == float(entry.praise_count)
    gone = [row for row in read_sheet(response.content, REMOVED_SHEET)[HEADER_ROW:] if row[0] != ""]
    assert [(row[1], row[10]) for row in gone] == [(removed.staff.full_name, "Chuyển công tác")]


def test_the_workbook_freezes_its_header_and_sets_widths(client, lists, district_officer):
    import openpyxl

    client.force_login(district_officer)
    content = client.get(reverse("reports:commendation_xlsx", args=[lists["district"].pk])).content
    sheet = openpyxl.load_workbook(io.BytesIO(content))[LIST_SHEET]
    assert sheet.freeze_panes == f"A{HEADER_ROW + 1}"
    assert sheet.column_dimensions["B"].width >= 20
    assert sheet.cell(row=HEADER_ROW + 1, column=8).number_format == "0.0"


def test_the_decision_lists_exactly_the_included_staff(client, lists, district_officer):
    commendation_list = lists["district"]
    entries = commendation_entries(commendation_list=commendation_list)
    removed = commendation_entry_remove(actor=district_officer, entry=entries[0], reason="Không đủ điều kiện")
    client.force_login(district_officer)
    url = reverse("reports:commendation_decision", args=[commendation_list.pk])
    page = client.get(url).content.decode()
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in page and "Độc lập - Tự do - Hạnh phúc" in page
    assert "ỦY BAN NHÂN DÂN" in page and "QUẬN THANH XUÂN" in page and "/QĐ-UBND" in page and "522/QĐ-UBND" in page
    assert "Thanh Xuân, ngày" in page
    assert page.count('data-testid="decision-row"') == 3  # four picked, one removed
    for entry in commendation_entries(commendation_list=commendation_list):
        assert entry.staff.full_name in page
    assert removed.staff.full_name not in page
    assert 'data-testid="draft-mark"' in page
    client.post(reverse("reports:commendation_detail", args=[commendation_list.pk]), {"action": "approve"})
    assert 'data-testid="draft-mark"' not in client.get(url).content.decode()
