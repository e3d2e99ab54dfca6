"""Playwright driving Debian's Chromium against pytest-django's live server. Never downloads a browser.

Every page a journey's ``page`` (or a ``login(...)`` page) loads is checked for WCAG 2.0/2.1 A and AA (axe-core) and
for horizontal scrolling (tests/browser/checks.py): in place where the journey calls ``check_page(page)``, and
otherwise when the test has passed, by opening each recorded page again at the same window size. A test that must
not be checked (it drives a page that is not ours) takes the marker ``@pytest.mark.no_page_checks``.
"""

import io
import os
import shutil

from django.core.management import call_command
import pytest

from tests.browser.checks import ARTIFACTS, check_recorded, forget, track

# Playwright's sync API runs an event loop in this thread; the ORM calls the fixtures make are still
# synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser():
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed (apt-get install chromium); CI installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, request):
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    track(page)
    yield page
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    problems = _recorded_problems(request, [page])
    context.close()
    assert not problems, "Pages this journey visited:\n" + "\n".join(problems)


def _recorded_problems(request, pages) -> list[str]:
    """The problems of the pages the test's browser pages loaded, when the test passed and wants them checked."""
    report = getattr(request.node, "rep_call", None)
    if report is None or not report.passed or request.node.get_closest_marker("no_page_checks"):
        for page in pages:
            forget(page)
        return []
    problems = []
    for page in pages:
        problems.extend(check_recorded(page))
    return problems


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture
def demo(hanoi):
    """The demo data of ``make run``; returns today's Phường Thanh Xuân, the demo ward officer's ward."""
    from units.models import Unit

    call_command("seed_demo", force=True, stdout=io.StringIO())
    return Unit.objects.get(structure="current", official_code="00367")


@pytest.fixture
def angiang_demo(demo):
    """The same demo; returns Xã Vĩnh Thuận, the commune of Tỉnh An Giang, the demo's second province."""
    from units.models import Unit

    return Unit.objects.get(structure="current", official_code="31069")


@pytest.fixture
def login(browser, live_server, request):
    """``login(username)``: a new browser (Vietnamese, wide screen, downloads allowed) logged in as a demo user."""
    from playwright.sync_api import expect

    contexts = []

    def as_user(username):
        context = browser.new_context(locale="vi-VN", viewport={"width": 1400, "height": 1000}, accept_downloads=True)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        track(page)
        page.goto(f"{live_server.url}/login/")
        page.get_by_label("Tên đăng nhập").fill(username)
        page.get_by_label("Mật khẩu").fill("hanoi-2026")
        page.get_by_role("button", name="Đăng nhập").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Xin chào")
        return page

    yield as_user
    failed = getattr(request.node, "rep_call", None)
    problems = []
    for number, context in enumerate(contexts, start=1):
        if failed is not None and failed.failed:
            ARTIFACTS.mkdir(exist_ok=True)
            for page in context.pages:
                page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-{number}.png"), full_page=True)
        problems.extend(_recorded_problems(request, context.pages))
        context.close()
    assert not problems, "Pages this journey visited:\n" + "\n".join(problems)
