"""The foundation's "done when": a ward officer logs in, sees only their ward's staff, and adds one."""

import pytest

from units.models import Staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_ward_officer_sees_only_their_ward_and_adds_a_staff_member(
    page, live_server, ward_officer, thanh_xuan_bac, thanh_xuan_trung, staff_factory
):
    own = staff_factory(unit=thanh_xuan_bac, full_name="Phạm Thị Lan Anh")
    foreign = staff_factory(unit=thanh_xuan_trung, full_name="Hoàng Văn Sơn")

    page.goto(f"{live_server.url}/")
    # An English browser still gets Vietnamese: the portal's default.
    assert page.locator("html").get_attribute("lang") == "vi"
    page.get_by_label("Tên đăng nhập").fill(ward_officer.username)
    page.get_by_label("Mật khẩu").fill("hanoi-2026")
    page.get_by_role("button", name="Đăng nhập").click()

    page.get_by_test_id("nav-units").click()  # units and staff share one menu
    page.get_by_role("link", name="Cán bộ", exact=True).click()
    table = page.get_by_test_id("staff-table")
    assert own.full_name in table.inner_text()
    assert foreign.full_name not in page.content()

    page.goto(f"{live_server.url}{thanh_xuan_bac.get_absolute_url()}")
    page.get_by_role("link", name="Thêm cán bộ").click()
    page.get_by_label("Họ và tên").fill("Vũ Minh Châu")  # focused first; the rest by keyboard
    page.get_by_label("Mã cán bộ").fill("TXB-900")
    page.get_by_label("Phân loại").select_option("civil_servant")
    page.get_by_label("Chức vụ").fill("Công chức Địa chính - Xây dựng")
    page.get_by_role("button", name="Lưu").click()

    assert page.get_by_role("alert").filter(has_text="Vũ Minh Châu").is_visible()
    assert "Vũ Minh Châu" in page.get_by_test_id("staff-table").inner_text()
    created = Staff.objects.get(staff_code="TXB-900")
    assert created.unit == thanh_xuan_bac and created.history.get().history_user == ward_officer

    # A foreign ward's page is a plain 404, as if it did not exist.
    response = page.goto(f"{live_server.url}{thanh_xuan_trung.get_absolute_url()}")
    assert response.status == 404
