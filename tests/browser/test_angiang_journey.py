"""Issue 15's "done when" on the demo's second province, in a real browser: ``province.angiang`` publishes An Giang's
own scoring scheme through the scheme pages; ``officer.vinhthuan`` opens this month's sheet of Xã Vĩnh Thuận, fills
it within the cap of Decree 335 (A at most 20 % of those rated B) and submits it, graded by An Giang's scheme; and the
commune works under the province's own code of conduct.

Each step is a function of its own (``publish_scheme``, ``fill_and_submit_sheet``, ``read_the_code``), so that
another step, such as the province publishing a code through the code pages, slots in beside them.
"""

from django.utils import timezone
from playwright.sync_api import expect
import pytest

from evaluations.choices import Grade, SheetStatus
from evaluations.models import RatingSheet, ScoringScheme
from pledges.models import CodeOfConduct
from seed.demo_angiang import AN_GIANG
from units.models import Unit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCHEME_NAME = "Đánh giá, xếp loại công chức tỉnh An Giang"
NATIONAL_SCHEME = "Đánh giá, xếp loại chất lượng công chức theo Nghị định 335/2025/NĐ-CP"


def publish_scheme(page, *, base_url: str, province: Unit, month) -> ScoringScheme:
    """The province administrator starts An Giang's own scheme from the national default (30 + 70 points, A at most
    20 % of those rated B), in force from the first day of ``month``, monthly, and saves it."""
    page.goto(f"{base_url}/rules/schemes/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Cách tính điểm xếp loại")
    expect(page.get_by_test_id("in-force")).to_contain_text(NATIONAL_SCHEME)
    page.get_by_role("link", name=NATIONAL_SCHEME).first.click()
    page.get_by_role("link", name="Tạo cách tính điểm riêng từ cách tính điểm này").click()
    expect(page.locator('input[name="g0-code"]')).to_have_value("general")
    expect(page.locator('input[name="g0-max_points"]')).to_have_value("30")
    expect(page.locator('input[name="g1-code"]')).to_have_value("tasks")
    expect(page.locator('input[name="g1-max_points"]')).to_have_value("70")
    page.locator('input[name="name"]').fill(SCHEME_NAME)
    page.locator('input[name="legal_basis"]').fill("Nghị định 335/2025/NĐ-CP; hướng dẫn của tỉnh (dữ liệu mẫu)")
    page.locator('input[name="effective_from"]').fill(f"{month:%Y-%m-%d}")
    page.locator('input[name="period"][value="monthly"]').check()
    page.get_by_role("button", name="Tạo", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(SCHEME_NAME)
    scheme = ScoringScheme.objects.get(jurisdiction=province)
    assert scheme.effective_from == month and not scheme.is_quarterly
    assert [(g.code, int(g.max_points)) for g in scheme.groups.order_by("order")] == [("general", 30), ("tasks", 70)]
    expect(page.get_by_test_id("preview")).to_contain_text("20 % số người xếp loại B")
    return scheme


def fill_and_submit_sheet(page, *, commune: Unit, month, scheme: ScoringScheme) -> RatingSheet:
    """The commune's officer opens this month's sheet from the ratings page, brings all but two rows down to B by
    their task points (every row starts at full marks, 100 points, A), so that the two left at A keep within the
    cap, and submits."""
    page.get_by_role("link", name="Đánh giá", exact=True).first.click()
    row = page.get_by_test_id("rateable-unit").filter(has_text=commune.name)
    row.get_by_test_id("open-this-month").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(commune.name)
    expect(page.get_by_text(f"Cách tính điểm: {SCHEME_NAME}")).to_be_visible()
    sheet = RatingSheet.objects.get(unit=commune, month=month)
    assert sheet.scheme == scheme
    ratings = list(sheet.ratings.select_related("staff").order_by("staff__full_name", "staff_id"))
    assert len(ratings) == 12
    lowered = ratings[:10]
    page.locator(f"#id_r{lowered[0].pk}-p_tasks").focus()
    for number, _rating in enumerate(lowered):
        page.keyboard.type(str(55 + number % 5))  # 85 to 89 points: B
        page.keyboard.press("Enter")
    # Totals follow the typing before the saves: wait for every row's save to be answered.
    expect(page.locator("tr.sheet-row.is-pending, tr.sheet-row.is-dirty")).to_have_count(0, timeout=30_000)
    expect(page.locator(f"#row-{lowered[-1].pk}").get_by_test_id("row-total")).to_have_text("89")
    expect(page.locator(f"#row-{lowered[-1].pk}").get_by_test_id("row-grade")).to_have_attribute("data-grade", "B")
    page.get_by_test_id("action-submit").click()
    expect(page.get_by_test_id("sheet-status")).to_contain_text("Đã nộp")
    sheet.refresh_from_db()
    assert sheet.status == SheetStatus.SUBMITTED and sheet.scheme == scheme
    grades = sorted(sheet.ratings.values_list("grade", flat=True))
    assert grades == [Grade.A] * 2 + [Grade.B] * 10  # 2 A ≤ 20 % of 10 B
    expect(page.get_by_text(f"Cách tính điểm: {SCHEME_NAME}")).to_be_visible()
    return sheet


def read_the_code(page, *, base_url: str, code: CodeOfConduct) -> None:
    """The commune's officer reads the code binding the commune (the province's own) and, recording a violation,
    is offered its articles only."""
    page.get_by_role("link", name="Bộ quy tắc ứng xử").first.click()
    page.get_by_test_id("code-list").get_by_role("link").filter(has_text=code.title).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(code.title)
    expect(page.locator("main")).to_contain_text("4 xin, 4 luôn")
    expect(page.locator("main")).to_contain_text("dữ liệu mẫu")
    page.goto(f"{base_url}/violations/new/")
    offered = {value for value in page.locator('select[name="article"] option').evaluate_all("options => options.map(o => o.value)") if value}
    articles = code.versions.get().chapters.values_list("articles__pk", flat=True)
    assert offered == {str(pk) for pk in articles}


def test_the_province_publishes_its_scheme_and_the_commune_is_graded_by_it(angiang_demo, login, live_server):
    commune = angiang_demo
    month = timezone.localdate().replace(day=1)
    november = RatingSheet.objects.filter(unit=commune).order_by("-month").first()

    scheme = publish_scheme(login("province.angiang"), base_url=live_server.url, province=commune.parent, month=month)
    fill_and_submit_sheet(login("officer.vinhthuan"), commune=commune, month=month, scheme=scheme)

    november.refresh_from_db()
    assert november.scheme.jurisdiction is None  # last month's approved sheet keeps Decree 335


def test_the_commune_works_under_the_provinces_code(angiang_demo, login, live_server):
    code = CodeOfConduct.objects.get(slug=AN_GIANG.conduct_code["slug"], jurisdiction=angiang_demo.parent)
    read_the_code(login("officer.vinhthuan"), base_url=live_server.url, code=code)
