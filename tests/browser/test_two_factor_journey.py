"""Two-factor login in a real browser: ``dept.hanoi`` turns it on from the user menu with a code computed
from the key the page shows (as the phone's app would), logs out, and logs in again with password and code;
before the code no page opens."""

from base64 import b32decode
import re
import time

from django_otp.oath import hotp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect
import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def app_code(key: bytes, *, after_step: int = -1) -> str:
    """What an authenticator app shows now; never a step already used (the portal accepts each code once)."""
    step = max(int(time.time()) // 30, after_step + 1)
    return f"{hotp(key, step):06d}"


def log_in_by_hand(page, base_url):
    page.goto(f"{base_url}/login/")
    page.get_by_role("button", name="English").click()  # the page's own strings, before the translations land
    page.get_by_label("Username").fill("dept.hanoi")
    page.get_by_label("Password").fill("hanoi-2026")
    page.get_by_role("button", name="Log in").click()


def test_district_office_turns_on_two_factor_and_logs_in_with_a_code(demo, page, live_server):
    base = live_server.url
    log_in_by_hand(page, base)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hello")

    page.locator("nav .dropdown-toggle.btn").click()  # the user menu, under the user's name
    page.get_by_role("link", name="Two-factor login").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Two-factor login")
    expect(page.locator("svg.qr-code")).to_be_visible()
    key = b32decode(re.sub(r"\s", "", page.locator("#two-factor-secret").inner_text()))

    page.get_by_label("6-digit code").fill(app_code(key))
    page.get_by_role("button", name="Turn two-factor login on").click()
    expect(page.get_by_role("alert").first).to_contain_text("Two-factor login is on")
    device = TOTPDevice.objects.get(user__username="dept.hanoi")
    assert device.confirmed and device.bin_key == key

    page.locator("nav .dropdown-toggle.btn").click()
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/login/"))

    log_in_by_hand(page, base)
    expect(page.get_by_role("heading", level=1)).to_have_text("Login code")
    page.goto(f"{base}/dashboard/")  # typing an address does not get round the code
    expect(page.get_by_role("heading", level=1)).to_have_text("Login code")
    expect(page).to_have_url(re.compile(r"/account/two-factor/code/\?next=%2Fdashboard%2F"))

    device.refresh_from_db()
    page.get_by_label("6-digit code").fill(app_code(key, after_step=device.last_t))
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(re.compile(r"/dashboard/"))
    expect(page.get_by_role("heading", level=1)).not_to_have_text("Login code")
    expect(page.locator("main")).not_to_contain_text("This code is wrong")
