"""The citizen's side on a phone (390×844): send feedback with an e-mail address and consent; the officer replies
and resolves it in one step; the e-mail arrives (a real SMTP server) with the tracking link; the citizen opens it,
rates the handling 1 with a comment, reopens the case with a reason; the inbox shows it reopened."""

import re

from django.utils import translation
from django.utils.translation import gettext
import pytest

from feedback.choices import CaseStatus
from feedback.models import FeedbackCase
from tests.builders import make_user
from units.choices import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def vi(msgid: str) -> str:
    with translation.override("vi"):
        return gettext(msgid)


def no_horizontal_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), page.url


def test_a_citizen_is_told_rates_badly_and_reopens_on_a_phone(
    browser, live_server, phuong_thanh_xuan, mailbox, eager_celery, settings
):
    from playwright.sync_api import expect

    settings.PORTAL_BASE_URL = live_server.url
    officer_user = make_user("officer.ptx", Role.WARD_OFFICER, phuong_thanh_xuan, full_name="Nguyễn Thị Thu")
    citizen = browser.new_context(locale="vi-VN", viewport=PHONE, is_mobile=True, has_touch=True)
    officer_context = browser.new_context(locale="vi-VN", viewport=PHONE, is_mobile=True, has_touch=True)
    try:
        # The citizen sends feedback from the ward's form (the QR poster's address).
        phone = citizen.new_page()
        phone.set_default_timeout(15_000)
        phone.goto(f"{live_server.url}/feedback/{phuong_thanh_xuan.public_code}/")
        no_horizontal_scroll(phone)
        phone.locator("input[name=kind][value=delay]").check()
        phone.locator("#id_text").fill("Hồ sơ cấp giấy phép xây dựng của tôi trễ hẹn hai tuần.")
        phone.locator("#id_contact_name").fill("Trần Văn Công")
        phone.locator("#id_contact_email").fill("cong.tran@example.vn")
        phone.locator("#id_contact_consent").check()
        phone.get_by_role("button", name=vi("Send feedback")).click()
        case = FeedbackCase.objects.get(contact_email="cong.tran@example.vn")
        expect(phone.locator("body")).to_contain_text(case.tracking_code[:4])

        # The officer, on a phone too, replies and resolves in one step.
        office = officer_context.new_page()
        office.set_default_timeout(15_000)
        office.goto(f"{live_server.url}/login/")
        office.get_by_label("Tên đăng nhập").fill(officer_user.username)
        office.get_by_label("Mật khẩu").fill("hanoi-2026")
        office.get_by_role("button", name="Đăng nhập").click()
        office.goto(f"{live_server.url}/feedback/inbox/")
        office.get_by_role("link", name=case.tracking_code).click()
        no_horizontal_scroll(office)
        office.get_by_label(vi("Start from a template")).select_option(label="Trả lời phản ánh về chậm giải quyết hồ sơ")
        office.get_by_role("button", name=vi("Fill in")).click()
        reply = office.get_by_label(vi("Reply to the citizen"))
        expect(reply).to_have_value(re.compile(case.tracking_code))
        reply.fill(reply.input_value().replace("[Nguyên nhân và thời hạn trả kết quả]",
                                                "Hồ sơ đã được ký và trả ngày hôm nay."))
        office.get_by_role("button", name=vi("Reply and resolve")).click()
        expect(office.get_by_role("alert").filter(has_text=vi("Reply sent and case resolved."))).to_be_visible()
        case.refresh_from_db()
        assert case.status == CaseStatus.RESOLVED

        # The e-mail arrived, in Vietnamese, with the unit, the reply and the tracking link.
        (mail,) = mailbox.messages
        assert mail["to"] == ["cong.tran@example.vn"]
        assert "Phường Thanh Xuân" in mail["subject"] and "Hồ sơ đã được ký và trả ngày hôm nay." in mail["body"]
        link = re.search(r"https?://\S+/feedback/track/[A-Z0-9]+/", mail["body"])[0]

        # The citizen opens the link, rates the handling 1 with a comment, then reopens with a reason.
        phone.goto(link)
        no_horizontal_scroll(phone)
        expect(phone.get_by_test_id("public-reply")).to_contain_text("Hồ sơ đã được ký")
        phone.get_by_label(vi("1 — Very dissatisfied")).check()
        phone.get_by_label(vi("Comment (optional)")).fill("Thực tế tôi vẫn chưa nhận được giấy phép.")
        phone.get_by_role("button", name=vi("Send my rating")).click()
        expect(phone.get_by_test_id("done")).to_contain_text(vi("Thank you: your rating of the handling has been recorded."))
        phone.get_by_label(vi("Why did the answer not solve the problem?")).fill("Bộ phận một cửa chưa trả giấy phép cho tôi.")
        phone.get_by_role("button", name=vi("Reopen my feedback")).click()
        expect(phone.get_by_test_id("done")).to_contain_text(vi("Your feedback has been reopened: the unit will answer it again by the date below."))
        expect(phone.get_by_test_id("reopened")).to_be_visible()
        assert "cong.tran@example.vn" not in phone.content() and "Trần Văn Công" not in phone.content()
        case.refresh_from_db()
        assert (case.status, case.handling_rating, case.reopen_count) == (CaseStatus.IN_PROGRESS, 1, 1)
        assert len(mailbox.messages) == 2 and "mở lại" in mailbox.messages[1]["subject"]

        # Back in the officer's inbox, the case is flagged reopened.
        office.goto(f"{live_server.url}/feedback/inbox/")
        no_horizontal_scroll(office)
        row = office.locator(f"tr[data-case='{case.pk}']")
        expect(row.get_by_test_id("reopened")).to_be_visible()
        row.get_by_role("link", name=case.tracking_code).click()
        expect(office.get_by_test_id("reopen-reason")).to_contain_text("Bộ phận một cửa chưa trả giấy phép cho tôi.")
        expect(office.get_by_test_id("handling-rating")).to_contain_text("1/5")
    finally:
        citizen.close()
        officer_context.close()
