"""The pledges and ratings issues' "done when", on the demo data (today's Phường Thanh Xuân), in a real browser.

Pledges: ``ward.thanhxuan`` records three paper pledges and signs one online; ``dept.hanoi`` (the city's
department) sees Phường Thanh Xuân's new numbers among the city's wards and downloads the roster.
Ratings: ``ward.thanhxuan`` fills this month's sheet with the keyboard, uploads a corrected sheet from Excel and
submits; ``head.thanhxuan`` approves; the department locks it; the staff history shows it.
The structure: both logins open on today's units, and the ward's history adds up the wards it was formed from.
"""

import datetime

from django.utils import timezone
import openpyxl
from playwright.sync_api import expect
import pytest
from python_calamine import CalamineWorkbook

from evaluations.choices import SheetStatus
from evaluations.models import RatingSheet
from pledges.models import Pledge, PledgeCampaign
from tests.browser.checks import check_recorded, track
from units.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_pledges_done_when(demo, login, live_server):
    ward = demo
    campaign = PledgeCampaign.objects.get(scope_unit__official_code="01")  # Hanoi's, beside An Giang's
    paper_before = Pledge.objects.filter(campaign=campaign, staff__unit=ward, method="paper").count()
    officer = login("ward.thanhxuan")
    officer.get_by_role("link", name="Ký cam kết", exact=True).click()
    officer.get_by_role("link", name=campaign.title).first.click()
    expect(officer.get_by_test_id("unsigned-staff")).to_be_visible()
    for _ in range(3):
        officer.get_by_test_id("unsigned-staff").get_by_role("link", name="Ghi nhận bản giấy").first.click()
        officer.get_by_role("button", name="Ghi nhận cam kết").click()
        expect(officer.get_by_role("alert").first).to_contain_text("Đã ghi nhận bản cam kết giấy")
    assert Pledge.objects.filter(campaign=campaign, staff__unit=ward, method="paper").count() == paper_before + 3

    # The officer has a staff record of the ward: they sign their own pledge online.
    officer.goto(f"{live_server.url}/pledges/mine/")
    officer.get_by_role("link", name="Ký ngay").click()
    officer.get_by_label("Tôi đã đọc Quy tắc ứng xử và cam kết thực hiện").check()
    officer.get_by_role("button", name="Xác nhận và ký").click()
    signer = User.objects.get(username="ward.thanhxuan").staff_member
    online = Pledge.objects.get(campaign=campaign, staff=signer)
    assert online.method == "online" and online.ip_address == "127.0.0.1" and len(online.text_hash) == 64
    signed = Pledge.objects.filter(campaign=campaign, staff__unit=ward, withdrawn_at__isnull=True).count()
    assert signed == paper_before + 4

    department = login("dept.hanoi")
    department.goto(f"{live_server.url}{campaign.get_absolute_url()}")
    children = department.get_by_test_id("coverage-children")
    row = children.get_by_role("row").filter(has_text="Phường Thanh Xuân")
    expect(row).to_contain_text(str(signed))
    expect(row).to_contain_text(str(ward.staff.count()))
    expect(children).not_to_contain_text("Quận Thanh Xuân")  # the former district counts nobody in 2026
    with department.expect_download() as download:
        department.get_by_test_id("roster-export").click()
    sheet = CalamineWorkbook.from_path(download.value.path()).get_sheet_by_index(0).to_python()
    signed_rows = [r for r in sheet if ward.name in r and "Có" in r]
    assert len(signed_rows) == signed


def test_ratings_done_when(demo, login, live_server, tmp_path):
    ward = demo
    month = timezone.localdate().replace(day=1)  # last month is approved already; this month is the officer's
    officer = login("ward.thanhxuan")
    officer.goto(f"{live_server.url}/ratings/{ward.public_code}/{month:%Y-%m}/")
    officer.get_by_test_id("create-sheet").click()  # following the link creates nothing; the button does
    expect(officer.get_by_test_id("sheet-table")).to_be_visible()
    sheet = RatingSheet.objects.get(unit=ward, month=month)
    ratings = list(sheet.ratings.select_related("staff").order_by("staff__full_name", "staff_id"))
    assert len(ratings) == ward.staff.count()

    # Keyboard only: lower task points row after row with Enter, as an officer does for the usual deviations.
    first_input = officer.locator(f"#id_r{ratings[0].pk}-p_tasks")
    first_input.focus()
    for points in ("65", "66", "64", "67", "63", "68"):
        officer.keyboard.type(points)
        officer.keyboard.press("Enter")
    # Totals follow the typing before the saves: wait for every row's save to be answered.
    expect(officer.locator("tr.sheet-row.is-pending, tr.sheet-row.is-dirty")).to_have_count(0, timeout=30_000)
    expect(officer.locator(f"#row-{ratings[5].pk}").get_by_test_id("row-total")).to_have_text("88")

    # Offline correction in Excel: everyone else is rated B too, one person C with a remark.
    with officer.expect_download() as download:
        officer.get_by_role("link", name="Tải Excel").click()
    downloaded = tmp_path / "downloaded.xlsx"
    download.value.save_as(downloaded)
    workbook = openpyxl.load_workbook(downloaded)
    table = workbook["Phiếu đánh giá"]
    header_row = next(r for r in range(1, 10) if table.cell(r, 1).value == "Mã cán bộ")
    headers = [c.value for c in table[header_row]]
    tasks_col = next(i for i, h in enumerate(headers, 1) if h and h.startswith("Kết quả thực hiện nhiệm vụ"))
    remark_col = headers.index("Nhận xét") + 1
    data_rows = list(range(header_row + 1, header_row + 1 + len(ratings)))
    for row in data_rows[6:]:
        table.cell(row, tasks_col).value = 62
    table.cell(data_rows[-1], tasks_col).value = 35
    table.cell(data_rows[-1], remark_col).value = "Nhiều lần chậm trả hồ sơ cho người dân"
    corrected = tmp_path / "phieu.xlsx"
    workbook.save(corrected)
    officer.get_by_role("link", name="Tải lên từ Excel").click()
    officer.set_input_files('input[type="file"]', str(corrected))
    officer.get_by_role("button", name="Tải lên").click()
    expect(officer.get_by_role("alert").first).to_contain_text("Đã cập nhật")
    officer.get_by_test_id("action-submit").click()
    sheet.refresh_from_db()
    assert sheet.status == SheetStatus.SUBMITTED
    grades = list(sheet.ratings.values_list("grade", flat=True))
    assert grades.count("C") == 1 and grades.count("A") == 0

    head = login("head.thanhxuan")
    head.goto(f"{live_server.url}/ratings/{sheet.pk}/")
    head.get_by_test_id("action-approve").click()
    sheet.refresh_from_db()
    assert sheet.status == SheetStatus.APPROVED

    district = login("dept.hanoi")
    district.goto(f"{live_server.url}/ratings/{sheet.pk}/")
    district.once("dialog", lambda dialog: dialog.accept())
    district.get_by_test_id("action-lock").click()
    expect(district.get_by_test_id("sheet-status")).to_contain_text("Đã khóa")
    sheet.refresh_from_db()
    assert sheet.status == SheetStatus.LOCKED

    # The staff member's page shows the month, its grade and who changed the points.
    person = ratings[-1].staff
    assert sheet.ratings.get(staff=person).grade == "C"
    district.goto(f"{live_server.url}{person.get_absolute_url()}")
    month_row = district.get_by_role("row").filter(has_text=f"{month:%m/%Y}").first
    expect(month_row).to_contain_text("C")
    expect(month_row).to_contain_text("55")  # 20 + 35 + 0


def test_inspections_done_when(demo, login, live_server):
    """The inspector plans a surprise visit the ward cannot see, records two failed items (one naming a staff
    member), the ward does the corrective action, the team verifies it, and the monthly sheet shows the cap."""
    from evaluations.models import CorrectiveAction, Finding, InspectionVisit, Violation

    ward = demo
    person = ward.staff.order_by("staff_code").last()
    now = timezone.localtime()
    inspector = login("inspector")
    inspector.goto(f"{live_server.url}/inspections/new/")
    inspector.locator("#id_team").select_option(label="Đoàn kiểm tra công vụ số 1")
    inspector.locator("#id_unit").select_option(str(ward.pk))
    inspector.get_by_label("Đột xuất").check()
    inspector.locator("#id_scheduled_at").fill(now.strftime("%Y-%m-%dT%H:%M"))
    inspector.locator("#id_subject").fill("Kiểm tra đột xuất việc thực hiện Quy tắc ứng xử tại bộ phận một cửa")
    inspector.get_by_role("button", name="Lên kế hoạch").click()
    expect(inspector.get_by_role("button", name="Bắt đầu kiểm tra")).to_be_visible()
    visit = InspectionVisit.objects.get(unit=ward, kind="surprise")  # beside the demo's closed Q3 visit

    # The ward does not know: no trace in its plan, and the visit's page is a 404 for its users.
    officer = login("ward.thanhxuan")
    officer.goto(f"{live_server.url}/inspections/")
    expect(officer.locator("body")).not_to_contain_text("Kiểm tra đột xuất việc thực hiện")
    assert officer.goto(f"{live_server.url}/inspections/{visit.pk}/").status == 404

    inspector.goto(f"{live_server.url}/inspections/{visit.pk}/")
    inspector.get_by_role("button", name="Bắt đầu kiểm tra").click()
    items = inspector.get_by_test_id("visit-item")
    expect(items.first).to_be_visible()
    for index in (0, 1):  # Điều 4 (attitude) and Điều 5 (communication) fail
        item = items.nth(index)
        item.locator("label", has_text="Không đạt").click()
        item.locator("textarea").fill("Không thực hiện đúng khi tiếp công dân")
        item.get_by_role("button", name="Lưu").click()
        expect(item.locator("input[value=fail]")).to_be_checked()
    inspector.goto(f"{live_server.url}/inspections/{visit.pk}/")

    failed = inspector.locator("details")
    failed.nth(0).locator("summary").click()
    form = failed.nth(0).locator("form")
    form.locator("textarea").fill(f"{person.full_name} cáu gắt với người dân")
    form.locator("select[name=article]").select_option(label="Điều 4. Tinh thần, thái độ làm việc")
    form.locator("select[name=severity]").select_option("minor")
    form.locator("select[name=staff]").select_option(str(person.pk))
    form.get_by_role("button", name="Ghi phát hiện").click()
    expect(inspector.get_by_role("alert").first).to_contain_text("Đã ghi phát hiện")
    inspector.goto(f"{live_server.url}/inspections/{visit.pk}/")
    failed = inspector.locator("details")
    failed.nth(1).locator("summary").click()
    form = failed.nth(1).locator("form")
    form.locator("textarea").fill("Bộ phận một cửa không niêm yết Quy tắc ứng xử")
    form.locator("select[name=article]").select_option(label="Điều 8. Trách nhiệm thực hiện")
    form.locator("select[name=severity]").select_option("minor")
    form.get_by_role("button", name="Ghi phát hiện").click()
    expect(inspector.get_by_role("alert").first).to_contain_text("Đã ghi phát hiện")
    assert Finding.objects.filter(visit=visit).count() == 2
    violation = Violation.objects.get(staff=person, finding__visit=visit)
    assert violation.source == "inspection" and violation.finding.visit == visit

    # A corrective action on the unit-level finding, done by the ward and verified by the team.
    unit_finding = Finding.objects.get(visit=visit, staff__isnull=True)
    inspector.goto(f"{live_server.url}/inspections/findings/{unit_finding.pk}/actions/new/")
    inspector.locator("#id_description").fill("Niêm yết Quy tắc ứng xử tại bộ phận một cửa")
    inspector.locator("#id_owner_unit").select_option(str(ward.pk))
    inspector.locator("#id_due_on").fill((timezone.localdate() + datetime.timedelta(days=7)).isoformat())
    inspector.get_by_role("button", name="Thêm").click()
    action = CorrectiveAction.objects.get(finding=unit_finding)

    officer.goto(f"{live_server.url}/inspections/actions/{action.pk}/")
    officer.locator("#id_evidence").fill("Đã niêm yết bản Quy tắc tại quầy tiếp dân")
    officer.get_by_role("button", name="Báo cáo hoàn thành").click()
    inspector.goto(f"{live_server.url}/inspections/actions/{action.pk}/")
    inspector.get_by_label("Xác nhận: đã hoàn thành").check()
    inspector.get_by_role("button", name="Lưu quyết định").click()
    action.refresh_from_db()
    assert action.status == "verified"

    # The staff member's violation shows on the ward's sheet of this month, capping the grade.
    officer.goto(f"{live_server.url}/ratings/{ward.public_code}/{timezone.localdate():%Y-%m}/")
    officer.get_by_test_id("create-sheet").click()  # following the link creates nothing; the button does
    expect(officer.get_by_test_id("sheet-table")).to_be_visible()
    sheet = RatingSheet.objects.get(unit=ward, month=timezone.localdate().replace(day=1))
    row = sheet.ratings.get(staff=person)
    assert row.grade == "B" and row.total == 90
    expect(officer.locator(f"#row-{row.pk}")).to_contain_text("Điều 4")


def test_feedback_done_when(demo, login, browser, live_server):
    """A citizen, on a phone, follows the Phường Thanh Xuân poster's link and complains about a named officer; the
    ward officer triages, links, replies and resolves; the citizen reads the reply; the satisfaction index moves."""
    from core.dates import month_bounds
    from core.numbers import share
    from feedback.figures import satisfaction_index
    from feedback.models import FeedbackCase, KioskVote

    ward = demo
    officer_named = ward.staff.get(leadership="head")
    month = timezone.localdate().replace(day=1)
    start, end = month_bounds(month)
    rated = FeedbackCase.objects.filter(unit=ward, received_at__gte=start, received_at__lt=end, satisfaction__isnull=False)
    votes = KioskVote.objects.filter(unit=ward, created_at__gte=start, created_at__lt=end)
    satisfied = rated.filter(satisfaction__gte=4).count() + votes.filter(score__gte=4).count()
    responses = rated.count() + votes.count()
    assert satisfaction_index(units_qs_or_unit=ward, month=month) == share(satisfied, responses)

    phone = browser.new_context(locale="vi-VN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    try:
        citizen = phone.new_page()
        citizen.set_default_timeout(15_000)
        track(citizen)
        citizen.goto(f"{live_server.url}/feedback/{ward.public_code}/poster/")
        form_url = f"/feedback/{ward.public_code}/"
        expect(citizen.locator("body")).to_contain_text(form_url)
        citizen.goto(f"{live_server.url}{form_url}")  # what the QR code opens
        citizen.get_by_label("Thái độ của cán bộ").check()
        citizen.locator("#id_staff_mentioned").fill(officer_named.full_name)
        citizen.locator("#id_text").fill("Cán bộ quát tháo, không hướng dẫn khi tôi nộp hồ sơ <script>alert(1)</script>")
        citizen.locator("label[for=satisfaction-2]").click()  # a large face button
        citizen.get_by_role("button", name="Gửi góp ý").click()
        code = citizen.get_by_test_id("tracking-code").inner_text().strip()
        case = FeedbackCase.objects.get(tracking_code=code.replace("-", ""))
        assert case.unit == ward and case.status == "new"

        officer = login("ward.thanhxuan")
        officer.goto(f"{live_server.url}/feedback/inbox/")
        officer.get_by_role("link", name=code.replace("-", "")).or_(officer.get_by_role("link", name=code)).first.click()
        officer.locator("#form-status select[name=status]").select_option("in_progress")
        officer.locator("#form-status").get_by_role("button").click()
        officer.locator("#form-link select[name=staff]").select_option(str(officer_named.pk))
        officer.locator("#form-link input[name=substantiated]").check()
        officer.locator("#form-link").get_by_role("button").click()
        reply = "Đơn vị đã làm việc với cán bộ, nhắc nhở và xin lỗi ông/bà. Cảm ơn ông/bà đã phản ánh."
        officer.locator("#form-reply textarea").fill(reply)
        # Replying and resolving is one step (issue 19).
        with officer.expect_navigation():
            officer.locator("#form-reply").get_by_role("button", name="Trả lời và giải quyết").click()
        case.refresh_from_db()
        assert case.status == "resolved" and case.staff == officer_named and case.substantiated

        citizen.goto(f"{live_server.url}/feedback/track/")
        citizen.locator("input[name=code]").fill(code.lower())
        citizen.locator("input[name=code]").press("Enter")
        expect(citizen.locator("main")).to_contain_text(reply)
        expect(citizen.locator("main")).not_to_contain_text(officer_named.full_name)
        expect(citizen.locator("main")).not_to_contain_text("<script>")  # the text is not on the tracking page at all
        problems = check_recorded(citizen)  # every page the citizen saw on the phone: axe and no sideways scrolling
        assert not problems, "\n".join(problems)
    finally:
        phone.close()

    after = satisfaction_index(units_qs_or_unit=ward, month=month)
    assert after == share(satisfied, responses + 1)  # one more rated response, a 2: not satisfied


def test_todays_logins_open_on_todays_units(demo, login, live_server):
    """``ward.thanhxuan`` and ``dept.hanoi`` log in with the demo password and land on today's structure; the
    ward's history view adds up the wards it was formed from before 1 July 2025."""
    ward = demo
    officer = login("ward.thanhxuan")
    expect(officer.locator("main")).to_contain_text("Phường Thanh Xuân")
    officer.goto(f"{live_server.url}/dashboard/")
    expect(officer.get_by_role("heading", level=1)).to_contain_text("Phường Thanh Xuân")
    officer.get_by_test_id("history-link").click()
    history = officer.get_by_test_id("history")
    expect(history.locator('tr[data-month="2025-06"]')).to_contain_text("Phường Thanh Xuân Bắc")
    expect(history.locator('tr[data-month="2025-07"] [data-col="sources"]')).not_to_contain_text("Phường Thanh Xuân Bắc")

    department = login("dept.hanoi")
    department.goto(f"{live_server.url}/dashboard/")
    ranking = department.get_by_test_id("ranking")
    expect(ranking.locator(f'tr[data-unit="{ward.public_code}"]')).to_be_visible()
    expect(ranking).not_to_contain_text("Quận Thanh Xuân")  # a former district without figures this year
    # Searched: units are listed by tree path, 50 a page, and where a unit falls depends on the ids the test run gave.
    department.goto(f"{live_server.url}/units/?q=thanh+xuan")
    expect(department.locator("#unit-rows")).to_contain_text("Phường Thanh Xuân")
    department.goto(f"{live_server.url}/units/?structure=legacy&q=thanh+xuan")
    expect(department.locator("#unit-rows")).to_contain_text("Quận Thanh Xuân")
