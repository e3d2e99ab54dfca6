"""The bell in the header: a citizen's complaint lights it for the ward's officer, the list links to the case, and
marking everything read puts it out."""

from playwright.sync_api import expect
import pytest

from feedback.choices import FeedbackKind
from feedback.notifications import new_cases_notify
from feedback.public.services import feedback_submit
from tests.builders import make_user
from units.choices import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_bell_and_the_list(page, live_server, phuong_thanh_xuan):
    officer = make_user("bell.officer", Role.WARD_OFFICER, phuong_thanh_xuan, email="bell@hanoi.example")
    first = feedback_submit(unit=phuong_thanh_xuan, kind=FeedbackKind.ATTITUDE, text="Cán bộ không chào hỏi")
    second = feedback_submit(unit=phuong_thanh_xuan, kind=FeedbackKind.DELAY, text="Chậm trả hồ sơ")
    new_cases_notify()  # the beat's sweep, a minute later

    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Tên đăng nhập").fill(officer.username)
    page.get_by_label("Mật khẩu").fill("hanoi-2026")
    page.get_by_role("button", name="Đăng nhập").click()

    bell = page.get_by_test_id("notification-bell")
    expect(bell.get_by_test_id("notification-count")).to_have_text("2")
    expect(bell).to_have_attribute("aria-label", "Thông báo: 2 chưa đọc")
    bell.click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Thông báo")
    items = page.get_by_test_id("notification")
    expect(items).to_have_count(2)
    expect(items.first).to_contain_text(second.tracking_code)  # newest first
    expect(items.nth(1)).to_contain_text(first.tracking_code)

    items.nth(1).get_by_role("button", name="Đánh dấu đã đọc").click()
    expect(page.get_by_test_id("notification-count")).to_have_text("1")
    page.get_by_test_id("mark-all-read").click()
    expect(page.get_by_test_id("notification-count")).to_have_count(0)
    expect(page.get_by_test_id("no-notifications")).to_be_visible()  # the unread filter is now empty

    page.get_by_role("link", name="Tất cả").click()
    page.get_by_role("link", name=first.tracking_code, exact=False).click()
    expect(page).to_have_url(f"{live_server.url}/feedback/inbox/{first.pk}/")
