"""A province's administrator writes and publishes An Giang's code of conduct in the portal, builds the province's
default checklist from its articles, and the province's team leader plans a visit to Xã Vĩnh Thuận: choosing the
commune reloads the checklists offered, with the province's default preselected."""

import datetime

from django.utils import timezone
from playwright.sync_api import expect
import pytest

from evaluations.models import ChecklistTemplate, InspectionVisit
from pledges.models import CodeOfConduct
from tests.builders import make_user
from tests.factories import InspectionTeamFactory
from units.choices import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_province_admin_publishes_a_code_and_its_checklist_is_chosen_for_a_visit(login, live_server, an_giang, vinh_thuan):
    make_user("province.angiang", Role.CITY_ADMIN, an_giang)
    leader = make_user("leader.angiang", Role.INSPECTOR, an_giang)
    InspectionTeamFactory(owner_unit=an_giang, leader=leader, name="Đoàn kiểm tra công vụ tỉnh")

    admin = login("province.angiang")
    admin.on("dialog", lambda dialog: dialog.accept())  # the confirmation of publishing
    admin.goto(f"{live_server.url}/codes/")
    admin.get_by_role("link", name="Quy tắc ứng xử mới").click()
    admin.locator("#id_title").fill("Quy tắc ứng xử của cán bộ, công chức, viên chức tỉnh An Giang")
    admin.locator("#id_decision_number").fill("12/QĐ-UBND")
    admin.locator("#id_decision_date").fill("2026-01-05")
    admin.locator("#id_issuer").fill("Ủy ban nhân dân tỉnh An Giang")
    admin.get_by_role("button", name="Tạo quy tắc").click()

    admin.locator("#id_number").fill("1")
    admin.locator("#id_title").fill("Chuẩn mực văn hóa công vụ")
    admin.get_by_role("button", name="Thêm chương").click()
    admin.get_by_role("link", name="Thêm điều").click()
    admin.locator("#id_title").fill("Giao tiếp, ứng xử")
    admin.locator("#id_text").fill("Thực hiện \"4 xin, 4 luôn\": xin chào, xin lỗi, xin cảm ơn, xin phép.")
    admin.get_by_role("button", name="Lưu").click()
    expect(admin.get_by_test_id("version-text")).to_contain_text("Điều 1. Giao tiếp, ứng xử")
    admin.get_by_role("button", name="Ban hành phiên bản này").click()
    expect(admin.get_by_test_id("version-table")).to_contain_text("Đã ban hành")
    code = CodeOfConduct.objects.get(decision_number="12/QĐ-UBND")
    assert code.jurisdiction == an_giang and code.versions.get().text_hash

    admin.goto(f"{live_server.url}/inspections/checklists/new/")
    admin.get_by_label("Điều 1. Giao tiếp, ứng xử").check()
    admin.locator("#id_name").fill("Kiểm tra văn hóa công vụ tại xã")
    admin.locator("#id_office_items").fill("Quy tắc ứng xử được niêm yết tại trụ sở")
    admin.locator("#id_is_default").check()
    admin.get_by_role("button", name="Lưu").click()
    expect(admin.get_by_test_id("checklist-items")).to_contain_text("Điều 1. Giao tiếp, ứng xử")
    checklist = ChecklistTemplate.objects.get(name="Kiểm tra văn hóa công vụ tại xã")
    assert checklist.is_default and checklist.jurisdiction == an_giang

    planner = login("leader.angiang")
    planner.goto(f"{live_server.url}/inspections/new/")
    planner.locator("#id_team").select_option(label="Đoàn kiểm tra công vụ tỉnh")
    with planner.expect_response(lambda response: f"unit={vinh_thuan.pk}" in response.url):
        planner.locator("#id_unit").select_option(str(vinh_thuan.pk))
    # The commune chosen, the checklists offered are reloaded with the province's default preselected.
    expect(planner.locator("#id_checklist option:checked")).to_have_text(f"{checklist.name} ({an_giang.name})")
    when = timezone.localtime() + datetime.timedelta(days=3)
    planner.locator("#id_scheduled_at").fill(when.strftime("%Y-%m-%dT%H:%M"))
    planner.locator("#id_subject").fill("Kiểm tra việc thực hiện văn hóa công vụ")
    planner.get_by_role("button", name="Lên kế hoạch").click()
    expect(planner.get_by_test_id("visit-checklist")).to_have_text(checklist.name)
    assert InspectionVisit.objects.get(unit=vinh_thuan).checklist == checklist
