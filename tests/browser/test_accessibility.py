"""Every demo role's main pages pass axe-core (WCAG 2.0/2.1 A and AA) and never scroll sideways: at 1366 px (and,
for width only, at 1920, 1280 and 1024 px) and on a 390×844 phone.

A role's pages are found as its user finds them: the landing page, every page of the menu (dropdowns included), and
from each list the first page of one of its entries (a sheet, a case, a visit, a staff member, …), plus the answers
to a missing page. One browser context per role and size, one pass per size. The menu's screenshots at 1366 px and
on the phone are saved in test-artifacts/ (``menu-<role>-1366.png``, ``menu-<role>-phone.png``).
"""

from urllib.parse import urlsplit

from playwright.sync_api import expect
import pytest

from tests.browser.checks import ARTIFACTS, horizontal_overflow, page_problems

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROLES = ["admin", "dept.hanoi", "ward.thanhxuan", "head.thanhxuan", "inspector", "province.angiang",
         "officer.vinhthuan", "head.vinhthuan"]
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
OTHER_WIDTHS = [1920, 1280, 1024]
# Links that leave the portal's pages, download a file or change something when followed.
SKIPPED = ("/admin/", "/logout", "export", "download", ".xlsx", ".csv", "/print", "/file", "/scan", "/photo",
           "/new/", "/import/", "/upload", "/edit/", "/delete/", "/poster", "/kiosk", "/i18n/")
PAGE_LIMIT = 40


def _open_context(browser, viewport, **options):
    context = browser.new_context(locale="vi-VN", viewport=viewport, **options)
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


def _log_in(page, base_url, username):
    page.goto(f"{base_url}/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill("hanoi-2026")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Xin chào")


def _path(href: str) -> str:
    parts = urlsplit(href)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _menu_pages(page) -> list[str]:
    hrefs = page.eval_on_selector_all("#main-nav a[href]", "links => links.map(a => a.getAttribute('href'))")
    return [_path(href) for href in hrefs if href.startswith("/") and not any(skip in href for skip in SKIPPED)]


def _first_entry(page, list_path: str) -> str | None:
    """The first link of the page's content to a page beneath the list's own address (an entry of the list)."""
    prefix = list_path.split("?")[0]
    hrefs = page.eval_on_selector_all("main a[href]", "links => links.map(a => a.getAttribute('href'))")
    for href in hrefs:
        path = _path(href)
        if (path.startswith(prefix) and path.split("?")[0] != prefix and path.count("/") > prefix.count("/")
                and not any(skip in path for skip in SKIPPED)):
            return path
    return None


def _visit(page, base_url, path) -> int:
    response = page.goto(f"{base_url}{path}")
    return response.status if response is not None else 0


def _desktop_pass(browser, base_url, username, axed: set[str], problems: list[str]) -> list[str]:
    """The role's pages at 1366 px (axe on a page no earlier role had checked; the width at every size)."""
    pages: list[str] = []
    context, page = _open_context(browser, DESKTOP)
    try:
        _log_in(page, base_url, username)
        problems.extend(page_problems(page))  # the landing page: every role's own menu and tiles
        queue = ["/", *_menu_pages(page)]
        menu = set(queue)
        while queue and len(pages) < PAGE_LIMIT:
            path = queue.pop(0)
            if path in pages:
                continue
            status = _visit(page, base_url, path)
            pages.append(path)
            if status != 200:
                problems.append(f"{path} answered {status} to {username}, who reached it from the menu or a list")
                continue
            landed = _path(page.url)
            if landed not in axed:
                axed.add(landed)
                problems.extend(f"[{username}] {problem}" for problem in page_problems(page))
            else:
                overflow = horizontal_overflow(page)
                if overflow:
                    problems.append(f"[{username}] {landed} at 1366 px scrolls sideways:\n{overflow}")
            for width in OTHER_WIDTHS:
                page.set_viewport_size({"width": width, "height": 900})
                overflow = horizontal_overflow(page)
                if overflow:
                    problems.append(f"[{username}] {landed} at {width} px scrolls sideways:\n{overflow}")
            page.set_viewport_size(DESKTOP)
            if path in menu:
                entry = _first_entry(page, landed)
                if entry and entry not in pages and entry not in queue:
                    queue.append(entry)
        page.goto(f"{base_url}/")
        page.locator("#main-nav .dropdown-toggle").first.click()
        page.screenshot(path=str(ARTIFACTS / f"menu-{username}-1366.png"))
    finally:
        context.close()
    return pages


def _phone_pass(browser, base_url, username, pages: list[str], axed: set[str], problems: list[str]) -> None:
    context, phone = _open_context(browser, PHONE, is_mobile=True, has_touch=True)
    try:
        _log_in(phone, base_url, username)
        for path in pages:
            _visit(phone, base_url, path)
            landed = _path(phone.url)
            if landed not in axed:
                axed.add(landed)
                problems.extend(f"[{username}] {problem}" for problem in page_problems(phone))
            else:
                overflow = horizontal_overflow(phone)
                if overflow:
                    problems.append(f"[{username}] {landed} on the phone scrolls sideways:\n{overflow}")
        phone.goto(f"{base_url}/")
        phone.get_by_role("button", name="Trình đơn").click()
        phone.get_by_test_id("user-menu").click()
        expect(phone.get_by_role("button", name="Đăng xuất")).to_be_visible()
        phone.screenshot(path=str(ARTIFACTS / f"menu-{username}-phone.png"), full_page=True)
    finally:
        context.close()


def test_every_roles_main_pages_pass_axe_and_fit_every_width(demo, browser, live_server):
    """One pass per role and size (the demo is seeded once): axe on each page the first time any role opens it at
    that size, the width on every page at 1920, 1366, 1280, 1024 px and on the phone."""
    ARTIFACTS.mkdir(exist_ok=True)
    problems: list[str] = []
    axed_desktop: set[str] = set()
    axed_phone: set[str] = set()
    counts = {}
    for username in ROLES:
        pages = _desktop_pass(browser, live_server.url, username, axed_desktop, problems)
        _phone_pass(browser, live_server.url, username, pages, axed_phone, problems)
        counts[username] = len(pages)
    # A missing page (the same answer as one outside the user's scope) explains itself in the same layout.
    context, page = _open_context(browser, PHONE)
    try:
        _log_in(page, live_server.url, "ward.thanhxuan")
        assert _visit(page, live_server.url, "/units/no-such-unit-00000/") == 404
        problems.extend(page_problems(page))
    finally:
        context.close()
    assert all(count >= 10 for count in counts.values()), counts
    assert not problems, "\n".join(problems)


def test_the_menu_and_the_users_menu_work_with_the_keyboard(demo, browser, live_server):
    """Tab reaches every menu entry in reading order, Enter opens a group and arrows walk it; on a phone the
    collapsed menu opens from its button and the user's menu (log out) is inside."""
    context, page = _open_context(browser, DESKTOP)
    try:
        _log_in(page, live_server.url, "admin")
        page.keyboard.press("Tab")  # the skip link comes first
        expect(page.get_by_role("link", name="Bỏ qua, đến nội dung chính")).to_be_focused()
        page.keyboard.press("Tab")
        expect(page.get_by_role("link", name="Cổng Quy tắc ứng xử")).to_be_focused()
        page.keyboard.press("Tab")
        units = page.get_by_test_id("nav-units")
        expect(units).to_be_focused()
        page.keyboard.press("Enter")
        expect(units).to_have_attribute("aria-expanded", "true")
        page.keyboard.press("ArrowDown")
        expect(page.locator("#main-nav .dropdown-menu.show a").first).to_be_focused()
        page.keyboard.press("Escape")
        expect(units).to_have_attribute("aria-expanded", "false")
        outline = units.evaluate("el => getComputedStyle(el).outlineStyle")
        assert outline != "none"  # the focus stays visible
        for _ in range(20):
            page.keyboard.press("Tab")
            if page.get_by_test_id("user-menu").evaluate("el => el === document.activeElement"):
                break
        else:
            pytest.fail("Tab never reached the user's menu")
        page.keyboard.press("Enter")
        expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()
    finally:
        context.close()

    context, phone = _open_context(browser, PHONE, is_mobile=True, has_touch=True)
    try:
        _log_in(phone, live_server.url, "ward.thanhxuan")
        expect(phone.get_by_role("link", name="Ký cam kết", exact=True)).to_be_hidden()
        toggler = phone.get_by_role("button", name="Trình đơn")
        toggler.focus()
        phone.keyboard.press("Enter")
        expect(phone.get_by_role("link", name="Ký cam kết", exact=True)).to_be_visible()
        expect(phone.get_by_test_id("user-menu")).to_be_visible()
        assert horizontal_overflow(phone) is None
    finally:
        context.close()
