"""The monthly sheet in a real browser, keyboard only: a ward officer opens a month's link (nothing is created by
looking), creates the sheet with its button, moves with the arrows, types over the starting points, uses Enter and
Tab, sees the row's total and grade and the sheet's counts against the cap follow as they type, finds the values
after reloading, and submits. A 174-person sheet fits a 1366×768 screen: one line per person, the header row and the
name column stay in view (screenshot in test-artifacts/)."""

import datetime
from decimal import Decimal
import importlib
import re

from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect
import pytest

from evaluations.models import Rating, RatingSheet
from evaluations.ratings import services
from tests.browser.conftest import ARTIFACTS
from tests.builders import make_user
from units.choices import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.shipped_baseline,
              pytest.mark.usefixtures("hanoi_scheme")]


@pytest.fixture
def hanoi_scheme(db):
    """Hanoi's scoring scheme, shipped by a data migration: transactional tests empty the tables afterwards,
    so put it back when an earlier one removed it (the migration's function is re-runnable)."""
    from django.apps import apps

    importlib.import_module("evaluations.migrations.0002_hanoi_scheme").add_hanoi_scheme(apps, None)


@pytest.fixture
def officer(phuong_thanh_xuan):
    return make_user("can.bo.phuong", Role.WARD_OFFICER, phuong_thanh_xuan)


def _last_month():
    return (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def _log_in(page, live_server, user):
    page.goto(f"{live_server.url}/")
    page.get_by_label("Tên đăng nhập").fill(user.username)
    page.get_by_label("Mật khẩu").fill("hanoi-2026")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page).to_have_url(f"{live_server.url}/")


def _tab_to(page, locator, limit=60):
    """Press Tab until ``locator`` has the focus (keyboard only, as a user without a mouse reaches it)."""
    for _ in range(limit):
        if locator.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError("not reachable with Tab")


def test_ward_officer_creates_fills_with_the_keyboard_and_submits(page, live_server, officer, phuong_thanh_xuan, staff_factory):
    last_month = _last_month()
    # Rows are in name order: Bùi, Lê, Nguyễn, Phạm.
    people = [staff_factory(unit=phuong_thanh_xuan, full_name=name, position="Công chức Văn phòng - Thống kê")
              for name in ("Bùi Thị Lan", "Lê Văn Hùng", "Nguyễn Thị Mai", "Phạm Văn Đức")]
    _log_in(page, live_server, officer)

    page.goto(f"{live_server.url}{reverse('evaluations:sheet_for_month', args=[phuong_thanh_xuan.public_code, last_month])}")
    expect(page.get_by_test_id("sheet-empty-state")).to_be_visible()
    assert not RatingSheet.objects.exists()  # looking created nothing
    create = page.get_by_test_id("create-sheet")
    _tab_to(page, create)
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("sheet-table")).to_be_visible()
    sheet = RatingSheet.objects.get(unit=phuong_thanh_xuan, month=last_month)
    rows = {r.staff_id: r for r in Rating.objects.filter(sheet=sheet)}
    one, two, three, four = (rows[person.pk] for person in people)

    def cell(rating, name):
        return page.locator(f"#id_r{rating.pk}-{name}")

    def row(rating):
        return page.locator(f"#row-{rating.pk}")

    # Everyone starts at the scheme's starting points (16 + 56 + 0 = 72, B): no warning about the cap.
    expect(cell(one, "p_discipline")).to_have_value("16")
    expect(page.get_by_test_id("count-B")).to_have_text("4")
    expect(page.get_by_test_id("a-share-warning")).to_have_count(0)
    expect(page.get_by_test_id("cap-live")).to_contain_text("0")

    page.evaluate("window.noReload = true")
    keyboard = page.keyboard
    _tab_to(page, cell(one, "p_discipline"), limit=150)  # Tab from the page into the sheet's first cell
    keyboard.type("20")  # typing replaces the cell's value
    keyboard.press("Tab")
    expect(cell(one, "p_tasks")).to_be_focused()
    # Leaving the cell saved the row; once its answer is in, the officer is still in the next cell.
    expect(row(one)).not_to_have_class(re.compile(r"\bhtmx-request\b"))
    expect(cell(one, "p_tasks")).to_be_focused()
    keyboard.type("70")
    # Before any save, the row and the counts follow the typing: 90, A, and one A over a cap of 1 for four staff.
    expect(row(one).get_by_test_id("row-total")).to_have_text("90")
    expect(row(one).get_by_test_id("row-grade")).to_have_attribute("data-grade", "A")
    expect(page.get_by_test_id("count-A")).to_have_text("1")
    expect(page.locator('[data-live="allowed"]')).to_have_text("1")  # 30 % of 4 staff: 1
    keyboard.press("ArrowDown")  # same column, next row; the first row saves itself
    expect(cell(two, "p_tasks")).to_be_focused()
    keyboard.type("40")
    keyboard.press("ArrowLeft")
    expect(cell(two, "p_discipline")).to_be_focused()
    keyboard.type("15,5")
    expect(row(two).get_by_test_id("row-grade")).to_have_attribute("data-grade", "C")  # 55,5 while typing
    keyboard.press("ArrowRight")
    keyboard.press("ArrowRight")
    keyboard.press("ArrowRight")
    expect(cell(two, "remark")).to_be_focused()
    keyboard.type("Chậm giải quyết hồ sơ của người dân")
    keyboard.press("Enter")  # down a row
    expect(cell(three, "remark")).to_be_focused()
    keyboard.press("Shift+Tab")
    expect(cell(three, "p_bonus")).to_be_focused()
    keyboard.type("5")
    keyboard.press("Escape")  # put back what the cell had
    expect(cell(three, "p_bonus")).to_have_value("0")
    keyboard.type("3")
    keyboard.press("ArrowUp")
    expect(cell(two, "p_bonus")).to_be_focused()
    keyboard.press("ArrowDown")
    keyboard.press("ArrowDown")
    expect(cell(four, "p_bonus")).to_be_focused()
    keyboard.type("2")
    keyboard.press("Enter")  # last row: saves in place

    expect(row(one).get_by_test_id("row-total")).to_have_text("90")
    expect(row(two).get_by_test_id("row-total")).to_have_text("55,5")
    expect(row(three).get_by_test_id("row-total")).to_have_text("75")
    expect(row(four).get_by_test_id("row-total")).to_have_text("74")
    for grade, count in (("A", "1"), ("B", "2"), ("C", "1"), ("D", "0")):
        expect(page.get_by_test_id(f"count-{grade}")).to_have_text(count)  # the server's counts, out of band
    expect(page.locator("tr.sheet-row.is-pending, tr.sheet-row.is-dirty")).to_have_count(0)  # all saved
    expect(page.locator("#sheet-table.sheet-busy")).to_have_count(0)  # every save answered, none waiting
    expect(page.locator("tr.sheet-row[data-state=error]")).to_have_count(0)
    assert page.evaluate("window.noReload") is True

    page.reload()
    assert cell(two, "p_discipline").input_value() == "15,5"
    assert cell(two, "remark").input_value() == "Chậm giải quyết hồ sơ của người dân"
    stored = {r.staff_id: r for r in Rating.objects.filter(sheet=sheet)}
    assert [stored[p.pk].total for p in people] == [Decimal(90), Decimal("55.5"), Decimal(75), Decimal(74)]
    assert stored[people[1].pk].grade == "C" and stored[people[1].pk].updated_by == officer

    submit = page.get_by_test_id("action-submit")
    _tab_to(page, submit, limit=200)
    page.keyboard.press("Enter")
    expect(page.locator('[data-testid="sheet-status"] [data-status]')).to_have_attribute("data-status", "submitted")
    sheet.refresh_from_db()
    assert sheet.status == "submitted" and sheet.submitted_by == officer


def test_a_174_person_sheet_fits_1366_by_768(browser, live_server, officer, phuong_thanh_xuan, staff_factory):
    """One line per person, no page-wide horizontal scrolling, and the header and names stay in view while the
    sheet scrolls; the screenshot is kept in test-artifacts/."""
    staff_factory.create_batch(174, unit=phuong_thanh_xuan, position="Công chức Tư pháp - Hộ tịch")
    sheet = services.rating_sheet_open(actor=officer, unit=phuong_thanh_xuan, month=_last_month())
    context = browser.new_context(locale="vi-VN", viewport={"width": 1366, "height": 768})
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        _log_in(page, live_server, officer)
        page.goto(f"{live_server.url}{reverse('evaluations:sheet_detail', args=[sheet.pk])}")
        rows = page.locator("tr.sheet-row")
        expect(rows).to_have_count(174)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "monthly-sheet-174-staff-1366x768.png"))
        heights = rows.evaluate_all("rows => rows.slice(0, 20).map(row => row.getBoundingClientRect().height)")
        assert max(heights) <= 36, heights  # one line each: names, posts and staff codes do not wrap
        header = page.locator("#sheet-table thead th").first
        assert header.evaluate("th => th.getBoundingClientRect().height") <= 40  # short headers on one line
        # The sheet scrolls inside its box: after scrolling down and right, the header and the names are still there.
        page.locator(".sheet-scroll").evaluate("box => { box.scrollTop = 2000; box.scrollLeft = 400; }")
        box = page.locator(".sheet-scroll").bounding_box()
        assert abs(header.bounding_box()["y"] - box["y"]) <= 2
        name = page.locator("tr.sheet-row .sheet-name").nth(60)
        assert abs(name.bounding_box()["x"] - box["x"]) <= 2
        assert box["x"] + box["width"] <= 1366  # the sheet's box fits the window; wide sheets scroll inside it
        page.screenshot(path=str(ARTIFACTS / "monthly-sheet-174-staff-scrolled.png"))
    finally:
        context.close()


def test_typing_on_while_a_slow_server_saves_loses_nothing(page, live_server, officer, phuong_thanh_xuan, staff_factory, monkeypatch):
    """Each save takes 0.4 s: the officer types through a whole row and on to the next without waiting."""
    import time

    from evaluations.ratings import views as sheets
    original = sheets.RatingRowSaveView.post

    def slow_post(self, request, *args, **kwargs):
        time.sleep(0.4)
        return original(self, request, *args, **kwargs)

    monkeypatch.setattr(sheets.RatingRowSaveView, "post", slow_post)
    last_month = (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    first = staff_factory(unit=phuong_thanh_xuan, full_name="Bùi Văn Nam")
    second = staff_factory(unit=phuong_thanh_xuan, full_name="Lê Thị Hoa")

    _log_in(page, live_server, officer)
    page.goto(f"{live_server.url}{reverse('evaluations:sheet_for_month', args=[phuong_thanh_xuan.public_code, last_month])}")
    page.get_by_test_id("create-sheet").click()
    expect(page.get_by_test_id("sheet-table")).to_be_visible()
    sheet = RatingSheet.objects.get(unit=phuong_thanh_xuan, month=last_month)
    one, two = (Rating.objects.get(sheet=sheet, staff=person) for person in (first, second))

    page.locator(f"#id_r{one.pk}-p_discipline").focus()
    for keys in ("18", "Tab", "65", "Tab", "2", "Tab", "Ghi chú kiểm tra", "Enter", "Shift+Tab", "Shift+Tab", "Shift+Tab", "19", "Enter"):
        if keys in ("Tab", "Enter", "Shift+Tab"):
            page.keyboard.press(keys)
        else:
            page.keyboard.type(keys)
    expect(page.locator(f"#id_r{two.pk}-p_discipline")).to_be_focused()  # Enter on the last row stays put

    expect(page.locator(f"#row-{one.pk}").get_by_test_id("row-total")).to_have_text("85", timeout=15_000)
    expect(page.locator(f"#row-{two.pk}").get_by_test_id("row-total")).to_have_text("75", timeout=15_000)  # 19 + 56
    expect(page.locator("#sheet-table.sheet-busy")).to_have_count(0, timeout=15_000)
    expect(page.locator("tr.sheet-row[data-conflict]")).to_have_count(0)
    one.refresh_from_db()
    two.refresh_from_db()
    assert one.points == {"discipline": "18.0", "tasks": "65.0", "bonus": "2.0"} and one.remark == "Ghi chú kiểm tra"
    assert two.points["discipline"] == "19.0" and two.total == Decimal(75)
