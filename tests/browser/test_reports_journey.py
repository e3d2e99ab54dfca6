"""The quarterly reports issue's "done when", on the demo data, in a real browser, with a real Celery worker.

``dept.hanoi`` (the city's department) opens the city's dashboard, requests Phường Thanh Xuân's Q3 report, watches
it finish, downloads the workbook, approves the commendation list and exports it; ``admin`` exports every rating of
2026 for Phường Thanh Xuân.
Labels are looked up in the Vietnamese catalogue, so the test reads the page as its user does.
"""

import datetime

from celery.contrib.testing.worker import start_worker
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import expect
import pytest
from python_calamine import CalamineWorkbook

from conduct_portal.celery import app
from core.choices import JobStatus
from evaluations.models import Rating
from reports.choices import CommendationStatus
from reports.models import CommendationList, QuarterlyReport

pytestmark = [pytest.mark.browser, pytest.mark.celery, pytest.mark.django_db(transaction=True)]


def vi(text: str) -> str:
    with translation.override("vi"):
        return gettext(text)


@pytest.fixture
def celery_worker(transactional_db):
    with start_worker(app, pool="threads", concurrency=1, perform_ping_check=False, loglevel="WARNING", shutdown_timeout=30):
        yield


def _open_menu(page, item: str) -> None:
    menu = page.locator("#main-nav")
    menu.get_by_role("button", name=vi("Reports"), exact=True).click()
    menu.get_by_role("link", name=vi(item), exact=True).click()


def test_reports_done_when(demo, login, live_server, celery_worker, tmp_path):
    district_unit = demo  # today's Phường Thanh Xuân
    district = login("dept.hanoi")

    # The dashboard: tiles, server-drawn charts and today's wards ranked, each with a drill-down.
    _open_menu(district, "Dashboard")
    expect(district.get_by_role("heading", level=1)).to_contain_text("Thành phố Hà Nội")
    expect(district.locator("svg[role=img]").first).to_be_visible()
    expect(district.get_by_test_id("ranking").locator(f'tr[data-unit="{district_unit.public_code}"]')).to_be_visible()

    # Q3 report: requested, watched while it runs, then downloaded.
    _open_menu(district, "Quarterly reports")
    district.get_by_label(vi("Unit"), exact=True).select_option(district_unit.public_code)
    district.get_by_label(vi("Quarter"), exact=True).select_option("2026-q3")
    district.get_by_role("button", name=vi("Build the report")).click()
    download_button = district.get_by_role("link", name=vi("Download (Excel)"))
    expect(download_button).to_be_visible(timeout=60_000)  # the progress fragment reloads the page when done
    report = QuarterlyReport.objects.get(unit=district_unit, year=2026, quarter=3)
    assert report.status == JobStatus.SUCCESS and report.attempts == 1
    with district.expect_download() as download:
        download_button.click()
    workbook = CalamineWorkbook.from_path(download.value.path())
    assert len(workbook.sheet_names) >= 6
    rated_in_quarter = Rating.objects.within(district_unit).filter(
        sheet__month__year=2026, sheet__month__month__in=(7, 8, 9), sheet__status__in=("submitted", "approved", "locked"),
    ).count()
    assert rated_in_quarter > 0
    cells = [cell for sheet in workbook.sheet_names for row in workbook.get_sheet_by_name(sheet).to_python() for cell in row]
    assert float(rated_in_quarter) in cells  # the quarter's total of ratings is written in the workbook

    # The commendation list from the report: approved, then exported.
    district.get_by_role("link", name=vi("Review the commendation list")).click()
    commendations = CommendationList.objects.get(unit=district_unit, year=2026, quarter=3)
    included = commendations.entries.filter(included=True).count()
    assert included > 0
    district.get_by_test_id("approve").click()
    expect(district.get_by_role("alert").first).to_be_visible()
    commendations.refresh_from_db()
    assert commendations.status == CommendationStatus.APPROVED and commendations.approved_by.username == "dept.hanoi"
    with district.expect_download() as download:
        district.get_by_role("link", name=vi("Download the list (Excel)")).click()
    listed = CalamineWorkbook.from_path(download.value.path()).get_sheet_by_index(0).to_python()
    names = {entry.staff.full_name for entry in commendations.entries.filter(included=True).select_related("staff")}
    assert names and names <= {cell for row in listed for cell in row}

    # The admin's export of every 2026 rating of the ward: read back, one line per rating.
    admin = login("admin")
    _open_menu(admin, "Excel exports")
    admin.get_by_label(vi("Export"), exact=True).select_option("ratings")
    admin.get_by_label(vi("Unit (with every unit beneath it)")).select_option(district_unit.public_code)
    admin.get_by_label(vi("Year"), exact=True).fill("2026")
    with admin.expect_download() as download:
        admin.get_by_role("button", name=vi("Export to Excel")).click()
    exported = CalamineWorkbook.from_path(download.value.path()).get_sheet_by_index(0).to_python()
    ratings_2026 = Rating.objects.within(district_unit).filter(sheet__month__year=2026).count()
    assert ratings_2026 > 500
    assert len([row for row in exported if row and isinstance(row[0], datetime.date)]) == ratings_2026
