"""A province administrator configures their province's scoring scheme in a real browser, without JavaScript doing
any of the work: starts from the national default, adds rows, is told what does not add up, saves, and previews
how a sample row grades."""

from playwright.sync_api import expect
import pytest

from evaluations.models import ScoringScheme
from tests.builders import make_user
from tests.factories import UnitFactory
from units.choices import Role, UnitKind

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_province_admin_makes_a_scheme_from_the_national_default_and_previews_it(login, hanoi):
    province = UnitFactory(name="Tỉnh Thử Nghiệm", kind=UnitKind.PROVINCE, public_code="tinh-thu-nghiem")
    make_user("province.test", Role.CITY_ADMIN, province)
    page = login("province.test")

    page.goto(page.url.rstrip("/") + "/rules/schemes/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Cách tính điểm xếp loại")
    expect(page.get_by_test_id("in-force")).to_contain_text("Nghị định 335/2025/NĐ-CP")
    page.get_by_role("link", name="Đánh giá, xếp loại chất lượng công chức theo Nghị định 335/2025/NĐ-CP").first.click()
    page.get_by_role("link", name="Tạo cách tính điểm riêng từ cách tính điểm này").click()

    # The national groups are there (general 30, tasks 70); add a 10-point bonus on top.
    expect(page.locator('input[name="g0-code"]')).to_have_value("general")
    page.get_by_role("button", name="Thêm dòng").click()
    expect(page.get_by_test_id("group-row")).to_have_count(4)
    page.locator('input[name="name"]').fill("Đánh giá công chức của Tỉnh Thử Nghiệm")
    page.locator('input[name="effective_from"]').fill("2027-01-01")
    page.locator('input[name="g2-code"]').fill("thuong")
    page.locator('input[name="g2-name"]').fill("Điểm thưởng")
    page.locator('input[name="g2-max_points"]').fill("10")
    page.locator('input[name="g2-is_bonus"]').check()
    page.locator('input[name="g1-max_points"]').fill("65")  # a slip: 95 points, 105 with the bonus
    page.get_by_role("button", name="Tạo", exact=True).click()

    expect(page.get_by_test_id("scheme-form").locator(".alert-danger")).to_contain_text("Nhóm “Kết quả thực hiện nhiệm vụ (số lượng, chất lượng, tiến độ)”")
    expect(page.get_by_test_id("scheme-form").locator(".alert-danger")).to_contain_text("tính cả điểm thưởng là 105")
    assert not ScoringScheme.objects.filter(jurisdiction=province).exists()

    page.locator('input[name="g1-max_points"]').fill("70")
    page.get_by_role("button", name="Tạo", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Đánh giá công chức của Tỉnh Thử Nghiệm")
    scheme = ScoringScheme.objects.get(jurisdiction=province)
    assert [(g.code, int(g.max_points), g.is_bonus) for g in scheme.groups.order_by("order")] == [
        ("general", 30, False), ("tasks", 70, False), ("thuong", 10, True),
    ]

    page.locator('input[name="p_tasks"]').fill("55")
    page.locator('select[name="severity"]').select_option("minor")
    page.get_by_role("button", name="Chấm thử dòng này").click()
    expect(page.get_by_test_id("preview-total")).to_have_text("85")
    expect(page.get_by_test_id("preview-grade")).to_contain_text("B")
    expect(page.get_by_test_id("preview")).to_contain_text("Loại A ≤ 20 % số người xếp loại B")
