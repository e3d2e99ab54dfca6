"""A ward's head corrects the hotline and address printed on the ward's poster, in Vietnamese, on a wide screen and
on a phone: a bad number is refused with the reason, a good one saved and shown on the unit's page. Every page is
checked by axe and for sideways scrolling (``tests/browser/checks.py``)."""

from playwright.sync_api import expect
import pytest

from tests.browser.checks import assert_accessible, horizontal_overflow
from tests.builders import make_user
from units.choices import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_head_corrects_the_contact_details(page, live_server, phuong_thanh_xuan):
    head = make_user("contact.head.browser", Role.UNIT_HEAD, phuong_thanh_xuan)
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Tên đăng nhập").fill(head.username)
    page.get_by_label("Mật khẩu").fill("hanoi-2026")
    page.get_by_role("button", name="Đăng nhập").click()

    page.goto(f"{live_server.url}{phuong_thanh_xuan.get_absolute_url()}")
    page.get_by_test_id("edit-contact").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sửa thông tin liên hệ")
    page.get_by_label("Đường dây nóng").fill("gọi cho tôi")
    page.get_by_label("Địa chỉ").fill("Số 9 Khuất Duy Tiến")
    page.get_by_role("button", name="Lưu").click()
    expect(page.locator(".invalid-feedback")).to_contain_text("Hãy nhập số điện thoại")

    page.set_viewport_size({"width": 390, "height": 844})
    assert horizontal_overflow(page) is None
    assert_accessible(page)  # the error state, on the phone
    page.set_viewport_size({"width": 1366, "height": 900})
    page.get_by_label("Đường dây nóng").fill("024 3858 1234")
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_text("024 3858 1234")).to_be_visible()
    expect(page.get_by_text("Số 9 Khuất Duy Tiến")).to_be_visible()
