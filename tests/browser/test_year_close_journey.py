"""The year's close of 2026 on the demo data, in a real browser, with a real Celery worker (issue 16's "done when").

``ward.thanhxuan`` computes Phường Thanh Xuân's annual classification of 2026 and writes their own self-assessment;
``head.thanhxuan`` reviews a row and submits the list; ``dept.hanoi`` (the city's department, the level above)
approves it, requests the annual summary of 2026 and watches it built by the worker, reads the classification in the
page and in the workbook, then reviews the year's commendation list the build prepared, approves it and opens its
draft decision; the summary built again shows the list approved. Labels are looked up in the Vietnamese catalogue,
so the test reads the pages as their users do.
"""

from celery.contrib.testing.worker import start_worker
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import expect
import pytest
from python_calamine import CalamineWorkbook

from conduct_portal.celery import app
from core.choices import JobStatus
from evaluations.choices import AnnualStatus
from evaluations.models import AnnualList, DisciplinaryDecision
from reports.annual.workbook import SHEET_CLASSIFICATION, SHEET_YEAR_COMMENDATIONS
from reports.choices import CommendationStatus
from reports.models import AnnualReport, CommendationList
from units.models import User

pytestmark = [pytest.mark.browser, pytest.mark.celery, pytest.mark.django_db(transaction=True)]

YEAR = 2026


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


def test_the_years_close_done_when(demo, login, live_server, celery_worker):
    ward = demo  # today's Phường Thanh Xuân
    list_url = f"{live_server.url}/annual/{ward.public_code}/{YEAR}/"

    # The ward's officer opens the year's list from the ratings and computes it from the year's approved months.
    officer = login("ward.thanhxuan")
    officer.locator("#main-nav").get_by_role("link", name=vi("Ratings"), exact=True).click()
    officer.get_by_role("link", name=vi("Annual classification")).click()
    officer.locator("#id_unit").select_option(ward.public_code)
    officer.locator("#id_year").fill(str(YEAR))
    officer.get_by_role("button", name=vi("Open the list")).click()
    officer.get_by_test_id("annual-compute").click()
    expect(officer.get_by_test_id("annual-row")).to_have_count(ward.staff.count())
    annual_list = AnnualList.objects.get(unit=ward, year=YEAR)
    assert annual_list.status == AnnualStatus.OPEN and not annual_list.rows.filter(computed_grade="").exists()

    # The officer, a staff member of the ward, writes their own self-assessment.
    own = annual_list.rows.get(staff=User.objects.get(username="ward.thanhxuan").staff_member)
    officer.goto(f"{live_server.url}/annual/rows/{own.pk}/")
    form = officer.get_by_test_id("annual-self-form")
    form.get_by_label(vi("Self-assessment")).fill("Hoàn thành tốt nhiệm vụ được giao; cần chủ động hơn trong tham mưu.")
    form.get_by_role("button", name=vi("Save the self-assessment")).click()
    own.refresh_from_db()
    assert own.self_grade == own.computed_grade and own.self_assessed_at is not None

    # The head reviews that row and submits the list to the level above.
    head = login("head.thanhxuan")
    head.goto(f"{live_server.url}/annual/rows/{own.pk}/")
    review = head.get_by_test_id("annual-review-form")
    review.get_by_label(vi("The head's review")).fill("Đồng ý với kết quả tự đánh giá.")
    review.get_by_role("button", name=vi("Save the review")).click()
    head.goto(list_url)
    head.get_by_test_id("annual-submit").click()
    annual_list.refresh_from_db()
    assert annual_list.status == AnnualStatus.SUBMITTED
    expect(head.get_by_test_id("annual-approve")).to_have_count(0)  # the head does not approve their own unit

    # The city's department approves it: final grades, locked.
    department = login("dept.hanoi")
    department.goto(list_url)
    department.get_by_test_id("annual-approve").click()
    annual_list.refresh_from_db()
    assert annual_list.status == AnnualStatus.APPROVED
    finals = list(annual_list.rows.values_list("final_grade", flat=True))
    assert all(finals) and finals.count("A") > 0

    # The annual summary of 2026, built by the worker; the page and the workbook show the classification.
    _open_menu(department, "Annual summaries")
    department.get_by_label(vi("Unit"), exact=True).select_option(ward.public_code)
    department.get_by_label(vi("Year"), exact=True).select_option(str(YEAR))
    department.get_by_role("button", name=vi("Build the summary")).click()
    download_button = department.get_by_role("link", name=vi("Download (Excel)"))
    expect(download_button).to_be_visible(timeout=90_000)  # the progress fragment reloads the page when done
    report = AnnualReport.objects.get(unit=ward, year=YEAR)
    assert report.status == JobStatus.SUCCESS and report.attempts == 1
    classification = department.get_by_test_id("annual-classification")
    expect(classification).to_contain_text(ward.name)
    expect(classification).to_contain_text(str(len(finals)))
    with department.expect_download() as download:
        download_button.click()
    workbook = CalamineWorkbook.from_path(download.value.path())
    line = next(row for row in workbook.get_sheet_by_name(SHEET_CLASSIFICATION).to_python() if row[0] == ward.name)
    assert line[1:5] == [float(finals.count(grade)) for grade in "ABCD"] and line[5] == float(len(finals))
    listed = workbook.get_sheet_by_name(SHEET_YEAR_COMMENDATIONS).to_python()
    assert ["Trạng thái danh sách", "Dự thảo"] in [row[:2] for row in listed]

    # The year's commendation list the build prepared: A of the year only, the reprimanded staff member left out;
    # the department takes one off with a reason, approves it and opens the draft decision of the year.
    department.get_by_role("link", name=vi("Review the year's commendation list")).click()
    year_list = CommendationList.objects.get(unit=ward, year=YEAR, quarter=None)
    picked = list(year_list.entries.filter(included=True).select_related("staff").order_by("rank"))
    assert picked and {entry.grades for entry in picked} == {"A"}
    sanctioned = DisciplinaryDecision.objects.get(violation__unit=ward, decision_date__year=YEAR).violation.staff
    assert sanctioned.pk not in {entry.staff_id for entry in picked}
    expect(department.get_by_test_id("entry-row")).to_have_count(len(picked))
    last = department.get_by_test_id("entry-row").last
    last.locator("summary").click()
    last.get_by_label(vi("Reason")).fill("Đã được khen thưởng đột xuất trong năm")
    last.get_by_role("button", name=vi("Remove from the list")).click()
    expect(department.get_by_test_id("removed-row")).to_have_count(1)
    department.get_by_test_id("approve").click()
    expect(department.get_by_test_id("list-status")).to_contain_text(vi("Approved"))
    year_list.refresh_from_db()
    assert year_list.status == CommendationStatus.APPROVED and year_list.approved_by.username == "dept.hanoi"
    department.get_by_role("link", name=vi("Draft decision")).click()
    decision = department.get_by_test_id("decision")
    expect(decision).to_contain_text(f"thực hiện tốt Quy tắc ứng xử năm {YEAR}")
    expect(department.get_by_test_id("decision-row")).to_have_count(len(picked) - 1)

    # Built again, the summary shows the year's list approved.
    department.goto(f"{live_server.url}/reports/annual/{report.pk}/")
    department.get_by_role("button", name=vi("Build again")).click()
    expect(department.get_by_test_id("year-list-status")).to_contain_text(vi("Approved"), timeout=90_000)
    report.refresh_from_db()
    assert report.data["year_commendations"]["status"] == CommendationStatus.APPROVED
    assert len(report.data["year_commendations"]["entries"]) == len(picked) - 1
