"""Staff pages as a ward officer and a district officer use them, in Vietnamese."""

import datetime

from django.urls import reverse
import pytest

from units.models import Staff, StaffTransfer

pytestmark = pytest.mark.django_db


def test_pages_render_in_vietnamese_with_diacritics(client, ward_officer, thanh_xuan_bac, staff_factory):
    person = staff_factory(unit=thanh_xuan_bac, full_name="Nguyễn Thị Hồng Nhung")
    client.force_login(ward_officer)
    home = client.get(reverse("home")).content.decode()
    assert "Cán bộ đang làm việc" in home
    assert "Cán bộ phường" in home  # the ward officer's role
    assert "Phường Thanh Xuân Bắc" in home
    unit_page = client.get(thanh_xuan_bac.get_absolute_url()).content.decode()
    assert "Thêm cán bộ" in unit_page and "Nguyễn Thị Hồng Nhung" in unit_page
    detail = client.get(person.get_absolute_url()).content.decode()
    assert "Lịch sử thay đổi" in detail and "Chuyển đơn vị" in detail
    assert 'lang="vi"' in client.get(reverse("units:staff_list")).content.decode()


def test_english_on_request(client, ward_officer):
    client.force_login(ward_officer)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("home")).content.decode()
    assert "Active staff" in page and 'lang="en"' in page


def test_browser_language_does_not_override_vietnamese(client, ward_officer):
    client.force_login(ward_officer)
    page = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="vi"' in page


def test_login_page_is_vietnamese(client, db):
    page = client.get(reverse("login")).content.decode()
    assert "Đăng nhập" in page and "Tên đăng nhập" in page


def test_ward_officer_adds_a_staff_member_and_it_is_audited(client, ward_officer, thanh_xuan_bac):
    client.force_login(ward_officer)
    response = client.post(
        reverse("units:staff_create", args=[thanh_xuan_bac.public_code]),
        {"staff_code": "txb-100", "full_name": "  Trần   Văn Đức ", "category": "civil_servant",
         "position": "Công chức Tư pháp - Hộ tịch", "leadership": "", "active_from": "2026-01-05"},
    )
    assert response.status_code == 302
    person = Staff.objects.get(staff_code="TXB-100")
    assert person.full_name == "Trần Văn Đức" and person.unit == thanh_xuan_bac
    record = person.history.get()
    assert record.history_user == ward_officer and record.history_type == "+"
    assert "Trần Văn Đức" in client.get(response.url).content.decode()


def test_duplicate_staff_code_is_refused_with_a_message(client, ward_officer, thanh_xuan_bac, staff_factory):
    staff_factory(unit=thanh_xuan_bac, staff_code="TXB-1")
    client.force_login(ward_officer)
    response = client.post(
        reverse("units:staff_create", args=[thanh_xuan_bac.public_code]),
        {"staff_code": "TXB-1", "full_name": "Lê Văn B", "category": "civil_servant", "active_from": "2026-01-05"},
    )
    assert response.status_code == 200
    assert "đã tồn tại" in response.content.decode()
    assert Staff.objects.filter(staff_code="TXB-1").count() == 1


def test_missing_name_is_refused(client, ward_officer, thanh_xuan_bac):
    client.force_login(ward_officer)
    response = client.post(
        reverse("units:staff_create", args=[thanh_xuan_bac.public_code]),
        {"staff_code": "TXB-2", "full_name": "", "category": "civil_servant", "active_from": "2026-01-05"},
    )
    assert response.status_code == 200 and "Trường này là bắt buộc" in response.content.decode()
    assert not Staff.objects.filter(staff_code="TXB-2").exists()


def test_edit_records_old_and_new_values(client, ward_officer, thanh_xuan_bac, staff_factory):
    person = staff_factory(unit=thanh_xuan_bac, position="Công chức Văn hóa - Xã hội")
    client.force_login(ward_officer)
    data = {"staff_code": person.staff_code, "full_name": person.full_name, "category": person.category,
            "position": "Phó Chủ tịch UBND phường", "leadership": "deputy", "active_from": "2020-01-01"}
    assert client.post(reverse("units:staff_update", args=[person.pk]), data).status_code == 302
    page = client.get(person.get_absolute_url()).content.decode()
    assert "Công chức Văn hóa - Xã hội" in page and "Phó Chủ tịch UBND phường" in page
    assert ward_officer.get_full_name() in page


def test_district_officer_moves_staff_between_wards(client, district_officer, thanh_xuan_bac, thanh_xuan_trung, staff_factory):
    person = staff_factory(unit=thanh_xuan_bac)
    client.force_login(district_officer)
    response = client.post(
        reverse("units:staff_move", args=[person.pk]),
        {"to_unit": thanh_xuan_trung.pk, "effective_date": "2025-03-01", "reason": "Điều động"},
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.unit == thanh_xuan_trung
    move = StaffTransfer.objects.get(staff=person)
    assert (move.from_unit, move.to_unit, move.created_by) == (thanh_xuan_bac, thanh_xuan_trung, district_officer)


def test_ward_officer_cannot_move_staff_out_of_scope(client, ward_officer, thanh_xuan_bac, thanh_xuan_trung, staff_factory):
    person = staff_factory(unit=thanh_xuan_bac)
    client.force_login(ward_officer)
    response = client.post(reverse("units:staff_move", args=[person.pk]),
                           {"to_unit": thanh_xuan_trung.pk, "effective_date": "2026-03-01"})
    assert response.status_code == 200  # the form refuses a unit it does not offer
    person.refresh_from_db()
    assert person.unit == thanh_xuan_bac and not StaffTransfer.objects.exists()


def test_deactivated_staff_leave_the_active_list(client, ward_officer, thanh_xuan_bac, staff_factory):
    person = staff_factory(unit=thanh_xuan_bac)
    client.force_login(ward_officer)
    yesterday = datetime.date.today() - datetime.timedelta(days=1)
    response = client.post(reverse("units:staff_deactivate", args=[person.pk]), {"last_day": yesterday.isoformat(), "reason": "Nghỉ hưu"})
    assert response.status_code == 302
    assert person.staff_code not in client.get(reverse("units:staff_list")).content.decode()
    assert person.staff_code in client.get(reverse("units:staff_list"), {"inactive": "1"}).content.decode()


def test_deactivation_before_start_is_refused(client, ward_officer, thanh_xuan_bac, staff_factory):
    person = staff_factory(unit=thanh_xuan_bac, active_from=datetime.date(2024, 1, 1))
    client.force_login(ward_officer)
    response = client.post(reverse("units:staff_deactivate", args=[person.pk]), {"last_day": "2023-12-31"})
    assert response.status_code == 200 and "không thể trước" in response.content.decode()
    person.refresh_from_db()
    assert person.active_to is None


def test_search_ignores_diacritics(client, district_officer, thanh_xuan_bac, staff_factory):
    staff_factory(unit=thanh_xuan_bac, full_name="Đặng Thị Thu Hương")
    client.force_login(district_officer)
    assert "Đặng Thị Thu Hương" in client.get(reverse("units:staff_list"), {"q": "dang thi thu huong"}).content.decode()
    units_page = client.get(reverse("units:unit_list"), {"q": "thanh xuan bac"}).content.decode()
    assert "Phường Thanh Xuân Bắc" in units_page and "Phường Khương Mai" not in units_page


def test_htmx_search_returns_only_the_rows(client, district_officer):
    client.force_login(district_officer)
    response = client.get(reverse("units:unit_list"), {"q": "khuong"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "Phường Khương Mai" in body and "<html" not in body


@pytest.mark.parametrize("page", ["staff_list", "unit_detail", "home", "unit_list"])
def test_list_pages_use_a_constant_number_of_queries(page, client, district_officer, thanh_xuan, thanh_xuan_trung,
                                                      staff_factory, django_assert_max_num_queries):
    url = {
        "staff_list": reverse("units:staff_list"),
        "unit_detail": thanh_xuan_trung.get_absolute_url(),
        "home": reverse("home"),
        "unit_list": reverse("units:unit_list"),
    }[page]
    client.force_login(district_officer)
    staff_factory.create_batch(2, unit=thanh_xuan_trung)
    # 12, the footer's codes in force (one per audience) and the bell's unread count.
    with django_assert_max_num_queries(15) as few:
        assert client.get(url).status_code == 200
    staff_factory.create_batch(60, unit=thanh_xuan_trung)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


def test_city_admin_adds_a_department(client, city_admin, thanh_xuan):
    client.force_login(city_admin)
    response = client.post(reverse("units:subunit_create", args=[thanh_xuan.public_code]),
                           {"name": "Phòng Nội vụ", "kind": "department"})
    assert response.status_code == 302
    department = thanh_xuan.children.get(name="Phòng Nội vụ")
    assert department.structure == thanh_xuan.structure and department.path.startswith(thanh_xuan.path)


def test_district_officer_cannot_add_units(client, district_officer, thanh_xuan):
    client.force_login(district_officer)
    assert client.get(reverse("units:subunit_create", args=[thanh_xuan.public_code])).status_code == 403
