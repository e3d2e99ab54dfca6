"""The pages of the annual classification: the unit's list (constant queries, GET writes nothing), computing,
the workflow's refusals as messages, a person's year with the self-assessment and the head's review, the printable
evaluation form and list in Vietnamese, and the scope (404 outside it, 403 without the right)."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
import pytest

from evaluations.annual import services
from evaluations.choices import AnnualStatus
from evaluations.models import AnnualClassification, AnnualList
from tests.builders import compute_annual, discipline, move_annual
from tests.evaluations.annual_helpers import YEAR, rate_year
from tests.factories import StaffFactory, UserFactory, ViolationFactory
from tests.helpers import client_for

pytestmark = pytest.mark.django_db


def list_url(unit, year=YEAR, name="annual_list"):
    return reverse(f"evaluations:{name}", args=[unit.public_code, year])


def staff_with_year(unit, grades="B" * 12, **extra):
    person = StaffFactory(unit=unit, **extra)
    rate_year(person, grades)
    return person


def test_the_list_page_offers_to_compute_and_get_writes_nothing(client, ward_officer, unit_head, thanh_xuan_bac):
    staff_with_year(thanh_xuan_bac)
    client = client_for(client, ward_officer)
    page = client.get(list_url(thanh_xuan_bac))
    assert page.status_code == 200
    assert "has not been computed yet" in page.content.decode()
    assert not AnnualList.objects.exists()

    answer = client.post(list_url(thanh_xuan_bac, name="annual_compute"))
    assert answer.status_code == 302 and answer["Location"] == list_url(thanh_xuan_bac)
    page = client.get(list_url(thanh_xuan_bac)).content.decode()
    assert "The list was computed: 1 added, 0 changed, 0 removed." in page
    assert 'data-testid="annual-row"' in page


def test_the_list_page_takes_the_same_queries_for_3_or_10_people(client, ward_officer, thanh_xuan_bac,
                                                                django_assert_num_queries):
    for _ in range(3):
        staff_with_year(thanh_xuan_bac, "BBBB")
    compute_annual(thanh_xuan_bac, ward_officer, YEAR)
    client = client_for(client, ward_officer)
    client.get(list_url(thanh_xuan_bac))  # warm the session and caches
    with CaptureQueriesContext(connection) as small:
        client.get(list_url(thanh_xuan_bac))
    for _ in range(7):
        staff_with_year(thanh_xuan_bac, "BBBB")
    compute_annual(thanh_xuan_bac, ward_officer, YEAR)
    with django_assert_num_queries(len(small.captured_queries)):
        page = client.get(list_url(thanh_xuan_bac))
    assert page.content.decode().count('data-testid="annual-row"') == 10


def test_computing_needs_the_right_to_rate_and_a_year_in_scope(client, district_officer, ward_officer, thanh_xuan_bac, phuc_xa):
    staff_with_year(thanh_xuan_bac)
    assert client_for(client, district_officer).post(list_url(thanh_xuan_bac, name="annual_compute")).status_code == 403
    client = client_for(client, ward_officer)
    assert client.post(list_url(phuc_xa, name="annual_compute")).status_code == 404
    assert client.get(list_url(phuc_xa)).status_code == 404
    assert client.get(list_url(thanh_xuan_bac, year=datetime.date.today().year + 1)).status_code == 404
    assert client.get(list_url(thanh_xuan_bac, year=1999)).status_code == 404
    assert not AnnualList.objects.exists()


def test_a_list_above_the_cap_comes_back_with_how_many_must_change(client, ward_officer, unit_head, thanh_xuan_bac):
    for _ in range(4):
        staff_with_year(thanh_xuan_bac, "A" * 12)
    compute_annual(thanh_xuan_bac, ward_officer, YEAR)
    client = client_for(client, unit_head)
    page = client.get(list_url(thanh_xuan_bac)).content.decode()
    assert 'data-testid="annual-cap"' in page and "3 grade(s) A must change" in page

    answer = client.post(list_url(thanh_xuan_bac, name="annual_transition"), {"action": "submit"}, follow=True)
    assert "3 of the 4 grades A must change" in answer.content.decode()
    assert AnnualList.objects.get().status == AnnualStatus.OPEN
    # The ward officer may not submit at all.
    officer = client_for(client, ward_officer)
    assert officer.post(list_url(thanh_xuan_bac, name="annual_transition"), {"action": "submit"}).status_code == 403


def test_a_person_writes_their_self_assessment_and_the_head_reviews(client, unit_head, ward_officer, thanh_xuan_bac):
    person = staff_with_year(thanh_xuan_bac, full_name="Đỗ Thị Tự Đánh Giá")
    own_user = UserFactory(staff_member=person)
    row = compute_annual(thanh_xuan_bac, ward_officer, YEAR).rows.get()
    url = reverse("evaluations:annual_row", args=[row.pk])

    client = client_for(client, own_user)
    assert f'href="{url}"' in client.get(reverse("evaluations:annual_index")).content.decode()  # "Your years"
    answer = client.post(url, {"action": "self", "self_grade": "B", "self_comment": ""})
    assert answer.status_code == 400 and "Write the self-assessment" in answer.content.decode()
    assert client.post(url, {"action": "self", "self_grade": "B", "self_comment": "Hoàn thành các nhiệm vụ."}).status_code == 302
    assert client.post(url, {"action": "review", "reviewed_grade": "A", "review_comment": "…"}).status_code == 403
    assert client.get(list_url(thanh_xuan_bac)).status_code == 404  # the list of the unit is not theirs to see

    head = client_for(client, unit_head)
    answer = head.post(url, {"action": "review", "reviewed_grade": "A", "review_comment": ""})
    assert answer.status_code == 400 and "Say why the grade differs from the computed B." in answer.content.decode()
    assert head.post(url, {"action": "review", "reviewed_grade": "A", "review_comment": "Sáng kiến cấp phường."}).status_code == 302
    row.refresh_from_db()
    assert (row.self_grade, row.reviewed_grade, row.reviewed_by) == ("B", "A", unit_head)
    assert client_for(client, ward_officer).post(url, {"action": "review", "reviewed_grade": "B"}).status_code == 403


def test_someone_else_row_does_not_exist_for_a_staff_member(client, ward_officer, thanh_xuan_bac):
    first, second = staff_with_year(thanh_xuan_bac), staff_with_year(thanh_xuan_bac)
    annual_list = compute_annual(thanh_xuan_bac, ward_officer, YEAR)
    client = client_for(client, UserFactory(staff_member=first))
    assert client.get(reverse("evaluations:annual_row", args=[annual_list.rows.get(staff=second).pk])).status_code == 404
    assert client.get(reverse("evaluations:annual_row_print", args=[annual_list.rows.get(staff=first).pk])).status_code == 200


def test_the_printable_form_of_a_person_in_vietnamese(client, ward_officer, unit_head, district_officer, thanh_xuan_bac):
    person = staff_with_year(thanh_xuan_bac, "AAAA-BBBBBBB", full_name="Ngô Văn Biểu Mẫu", position="Công chức Tư pháp - Hộ tịch")
    violation = ViolationFactory(staff=person, occurred_on=datetime.date(YEAR, 2, 3), description="Không đeo thẻ")
    discipline(actor=ward_officer, violation=violation, decided_on=datetime.date(YEAR, 3, 1), number="21/QĐ-UBND")
    for _ in range(3):
        staff_with_year(thanh_xuan_bac)
    annual_list = compute_annual(thanh_xuan_bac, ward_officer, YEAR)
    row = annual_list.rows.get(staff=person)
    services.annual_self_assess(actor=ward_officer, row=row, grade="B", comment="Luôn hoàn thành đúng hạn.")
    services.annual_review(actor=unit_head, row=row, grade="", comment="Đồng ý với kết quả tự đánh giá.")
    move_annual(move_annual(annual_list, unit_head, "submit"), district_officer, "approve")

    page = client_for(client, ward_officer).get(reverse("evaluations:annual_row_print", args=[row.pk])).content.decode()
    for expected in [
        "PHIẾU ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG CÁN BỘ, CÔNG CHỨC, VIÊN CHỨC", f"Năm {YEAR}", "Ngô Văn Biểu Mẫu",
        "Công chức Tư pháp - Hộ tịch", thanh_xuan_bac.name, f"Tháng 05/{YEAR}", "Chưa đánh giá", "11/12",
        "Không đeo thẻ", "Khiển trách (Quyết định số 21/QĐ-UBND ngày 01/03/2026)", "Luôn hoàn thành đúng hạn.",
        "Đồng ý với kết quả tự đánh giá.", "B — Hoàn thành tốt nhiệm vụ", "NGƯỜI TỰ ĐÁNH GIÁ", "THỦ TRƯỞNG ĐƠN VỊ",
    ]:
        assert expected in page, expected
    final = page.split('data-testid="annual-form-final">')[1].split("</strong>")[0]
    assert final == "B — Hoàn thành tốt nhiệm vụ"  # Hanoi's 3814 has no sanction trigger


def test_the_printable_list_of_the_unit(client, ward_officer, thanh_xuan_bac):
    staff_with_year(thanh_xuan_bac, full_name="Vũ Thị Danh Sách")
    staff_with_year(thanh_xuan_bac, "BB", full_name="Lý Văn Mới Đến")
    compute_annual(thanh_xuan_bac, ward_officer, YEAR)
    page = client_for(client, ward_officer).get(list_url(thanh_xuan_bac, name="annual_list_print")).content.decode()
    assert "DANH SÁCH ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG" in page and "đang đánh giá (dự thảo)" in page
    assert page.count('data-testid="annual-print-row"') == 2
    assert "Vũ Thị Danh Sách" in page and "Không xếp loại" in page


def test_the_printable_list_of_a_list_not_computed_is_not_found(client, ward_officer, thanh_xuan_bac):
    assert client_for(client, ward_officer).get(list_url(thanh_xuan_bac, name="annual_list_print")).status_code == 404
    assert AnnualClassification.objects.count() == 0


def test_every_step_is_in_the_audit_trail(client, ward_officer, unit_head, district_officer, thanh_xuan_bac):
    person = staff_with_year(thanh_xuan_bac, full_name="Hoàng Văn Nhật Ký")
    for _ in range(4):
        staff_with_year(thanh_xuan_bac)
    annual_list = compute_annual(thanh_xuan_bac, ward_officer, YEAR)
    services.annual_review(actor=unit_head, row=annual_list.rows.get(staff=person), grade="C", comment="Chậm tiến độ quý III")
    move_annual(move_annual(annual_list, unit_head, "submit"), district_officer, "approve")

    client = client_for(client, district_officer)
    rows = client.get(reverse("portal:audit_trail"), {"source": "annual_rows"}).content.decode()
    assert "Hoàng Văn Nhật Ký" in rows and "Chậm tiến độ quý III" in rows
    lists = client.get(reverse("portal:audit_trail"), {"source": "annual_lists"}).context["entries"]
    assert {entry.record.history_user for entry in lists} == {ward_officer, unit_head, district_officer}
