"""The demo's second province (``seed.demo_angiang``): Tỉnh An Giang on today's structure, Xã Vĩnh Thuận rated under
Decree 335/2025 and bound by the province's own code (demo data), its 2026; and Hanoi's rules untouched beside it."""

from collections import Counter
import datetime
from decimal import Decimal
import random

from django.urls import reverse
from django.utils import timezone
import pytest

from evaluations.annual.rules import a_excess
from evaluations.choices import CapKind, Grade, SheetStatus
from evaluations.models import RatingSheet, ScoringScheme, Violation
from evaluations.ratings import scoring
from evaluations.ratings.services import rating_sheet_open, scheme_for
from evaluations.schemes.services import SchemeValues, scheme_create
from evaluations.violations.selectors import code_articles, recordable_articles
from feedback.models import FeedbackCase, KioskVote
from pledges.choices import VersionStatus
from pledges.code_texts import text_fingerprint
from pledges.models import CodeOfConduct, Pledge, PledgeCampaign
from pledges.selectors import code_in_force, code_version_text, code_version_with_text
from seed.demo import DemoSummary, demo_seed, seed_province
from seed.demo_activity.common import UnitPlan
from seed.demo_activity.ratings import _Layout, _row_values, _target_grades, a_cap
from seed.demo_angiang import AN_GIANG, VINH_THUAN
from tests.builders import make_user
from tests.factories import StaffFactory
from units.choices import Leadership, Role, StaffCategory, Structure
from units.models import RoleAssignment, Staff, Unit, User

PASSWORD = "demo-password-2026"
TODAY = datetime.date(2026, 12, 5)  # the present: the demo rates January to November
MONTHS = [datetime.date(2026, month, 1) for month in range(1, 12)]


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    real_now = timezone.now
    shift = datetime.datetime(2026, 12, 5, 10, tzinfo=datetime.UTC) - real_now()
    monkeypatch.setattr(timezone, "now", lambda: real_now() + shift)


def _seed_an_giang() -> DemoSummary:
    summary = DemoSummary()
    seed_province(AN_GIANG, password=PASSWORD, rng_seed=2026, with_activity=True, summary=summary)
    return summary


@pytest.fixture
def seeded(db):
    """An Giang alone (Hanoi's units are there, imported once per session; its demo is not seeded here)."""
    return _seed_an_giang()


@pytest.fixture
def an_giang(seeded):
    return Unit.objects.get(official_code="91", parent__isnull=True)


@pytest.fixture
def vinh_thuan(seeded):
    return Unit.objects.get(structure=Structure.CURRENT, official_code=VINH_THUAN)


@pytest.fixture
def own_code(seeded):
    return CodeOfConduct.objects.get(slug=AN_GIANG.conduct_code["slug"])


# --- Units, staff, logins ---------------------------------------------------------------------------------------


def test_an_giang_is_imported_on_todays_structure_only(an_giang, vinh_thuan):
    assert an_giang.name == "Tỉnh An Giang" and an_giang.structure == Structure.CURRENT
    assert vinh_thuan.name == "Xã Vĩnh Thuận" and vinh_thuan.parent == an_giang
    assert not Unit.objects.filter(path__startswith=an_giang.path, structure=Structure.LEGACY).exists()


def test_vinh_thuan_has_a_communes_staff(vinh_thuan):
    staff = list(vinh_thuan.staff.order_by("staff_code"))
    assert len(staff) == 12
    assert [s.position for s in staff if s.leadership == Leadership.HEAD] == ["Chủ tịch UBND xã"]
    assert [s.position for s in staff if s.leadership == Leadership.DEPUTY] == ["Phó Chủ tịch UBND xã"] * 2
    positions = {s.position for s in staff}
    for post in ("Văn phòng - Thống kê", "Tư pháp - Hộ tịch", "Địa chính", "Văn hóa - Xã hội", "Tài chính - Kế toán",
                 "Bộ phận Một cửa"):
        assert any(post in position for position in positions), post
    assert Counter(s.category for s in staff).most_common(1)[0][0] == StaffCategory.CIVIL_SERVANT
    assert all(not s.full_name.isascii() and s.staff_code.startswith(f"{VINH_THUAN}-") for s in staff)
    assert all(s.active_to is None and s.active_from < MONTHS[0] for s in staff)


def test_logins_of_the_province_and_the_commune(seeded, an_giang, vinh_thuan, client):
    assignments = set(RoleAssignment.objects.filter(user__username__in=AN_GIANG.usernames)
                      .values_list("user__username", "role", "unit"))
    assert assignments == {
        ("province.angiang", Role.CITY_ADMIN, an_giang.pk),
        ("officer.vinhthuan", Role.WARD_OFFICER, vinh_thuan.pk),
        ("head.vinhthuan", Role.UNIT_HEAD, vinh_thuan.pk),
    }
    users = {u.username: u for u in User.objects.filter(username__in=AN_GIANG.usernames)}
    assert all(u.check_password(PASSWORD) and not u.is_staff for u in users.values())
    officer, head = users["officer.vinhthuan"], users["head.vinhthuan"]
    assert officer.staff_member.unit == vinh_thuan and officer.staff_member.position == "Công chức Văn phòng - Thống kê"
    assert head.staff_member.position == "Chủ tịch UBND xã" and head.full_name == head.staff_member.full_name
    assert not users["province.angiang"].full_name.isascii()
    # Confined to their province and commune: Hanoi's staff are none of theirs.
    for user in users.values():
        visible = Staff.objects.visible_to(user)
        assert visible.filter(unit=vinh_thuan).count() == 12 and not visible.exclude(unit__path__startswith=an_giang.path).exists()
    response = client.post(reverse("login"), {"username": "officer.vinhthuan", "password": PASSWORD})
    assert response.status_code == 302


# --- The province's own code --------------------------------------------------------------------------------------


def test_the_provinces_code_is_published_attached_and_marked_as_demo_data(own_code, an_giang, vinh_thuan, phuong_thanh_xuan):
    assert own_code.jurisdiction == an_giang and own_code.shipped_for == ""
    assert own_code.issuer == "Ủy ban nhân dân tỉnh An Giang" and "dữ liệu mẫu" in own_code.decision_number
    assert own_code.legal_basis.startswith("Quyết định số …/QĐ-UBND (dữ liệu mẫu) ngày 15/09/2025")
    version = own_code.versions.get()
    assert version.status == VersionStatus.PUBLISHED and version.published_at is not None
    # The fingerprint a pledge keeps is the one of the text the pages show.
    assert version.text_hash == text_fingerprint(code_version_text(code_version_with_text(version_id=version.pk)))
    articles = {a.number: a for a in code_articles(unit=vinh_thuan, day=MONTHS[0])}
    assert sorted(articles) == list(range(1, 10))
    assert "1847/QĐ-TTg" in articles[1].text
    assert "4 xin, 4 luôn" in articles[5].text and articles[5].title == "Giao tiếp, ứng xử"
    assert "giờ nghỉ trưa" in articles[6].text and "ngoài nơi quy định" in articles[6].text and "mạng xã hội" in articles[6].text
    assert "quai hậu" in articles[7].text and "đeo thẻ" in articles[7].text
    # It binds the province's units, never Hanoi's.
    assert code_in_force(unit=vinh_thuan, day=TODAY) == own_code
    assert code_in_force(unit=phuong_thanh_xuan, day=TODAY).decision_number == "522/QĐ-UBND"


def test_the_code_is_public_like_the_others(own_code, client):
    response = client.get(own_code.get_absolute_url())
    page = response.content.decode()
    assert response.status_code == 200
    assert own_code.title in page and "dữ liệu mẫu" in page and "4 xin, 4 luôn" in page


# --- Its 2026 --------------------------------------------------------------------------------------------------------


def test_the_provinces_campaign_is_on_its_code_and_most_have_signed(own_code, an_giang, vinh_thuan):
    campaign = PledgeCampaign.objects.get(scope_unit=an_giang)
    assert campaign.year == 2026 and campaign.code_version.code == own_code
    signed = Pledge.objects.filter(campaign=campaign, withdrawn_at__isnull=True)
    assert vinh_thuan.staff.count() / 2 < signed.count() < vinh_thuan.staff.count()
    assert all(p.text_hash == campaign.code_version.text_hash for p in signed)
    # The demo users' own records are left for them to sign online.
    with_login = User.objects.filter(username__in=AN_GIANG.usernames, staff_member__isnull=False)
    assert with_login.count() == 2 and not signed.filter(staff__in=[u.staff_member for u in with_login]).exists()


def test_monthly_sheets_from_january_under_decree_335_within_its_cap(vinh_thuan):
    sheets = {s.month: s for s in RatingSheet.objects.filter(unit=vinh_thuan).select_related("scheme", "submitted_by", "approved_by")}
    assert sorted(sheets) == MONTHS  # this month is left to the officer
    national = ScoringScheme.objects.get(jurisdiction__isnull=True, shipped_for="", effective_from=MONTHS[0])
    grades = Counter()
    for month, sheet in sheets.items():
        assert sheet.scheme == national and national.cap_kind == CapKind.SHARE_OF_GOOD, month
        assert sheet.status == (SheetStatus.APPROVED if month == MONTHS[-1] else SheetStatus.LOCKED), month
        assert (sheet.submitted_by.username, sheet.approved_by.username) == ("officer.vinhthuan", "head.vinhthuan")
        rows = list(sheet.ratings.all())
        assert len(rows) == 12
        month_grades = [r.grade for r in rows]
        assert a_excess(month_grades, cap_kind=national.cap_kind, cap_percent=national.a_share_cap_percent) == 0, month
        assert 5 * month_grades.count(Grade.A) <= month_grades.count(Grade.B), month  # A ≤ 20 % of those rated B
        for row in rows:
            assert set(row.points) == {"general", "tasks"} and Decimal(row.points["general"]) <= 30
            assert scoring.grade_by_points(row.total, a_min=national.a_min, b_min=national.b_min, c_min=national.c_min) == row.grade_by_points
            assert row.remark or not scoring.needs_remark(row.grade)
        grades.update(month_grades)
    assert grades[Grade.A] >= len(MONTHS) and grades[Grade.B] > sum(grades.values()) * 0.7
    assert grades[Grade.D] == 1 and 1 <= grades[Grade.C] <= 8


def test_violations_cite_the_provinces_code_and_cap_the_month(vinh_thuan, own_code):
    violations = list(Violation.objects.filter(unit=vinh_thuan).select_related("article__chapter__version__code"))
    assert len(violations) >= 3
    assert {v.article.chapter.version.code for v in violations} == {own_code}
    assert {v.source for v in violations} == {"supervisor", "citizen_feedback"}
    assert any(v.article.number == 6 and "giờ nghỉ trưa" in v.description for v in violations)
    assert any(v.article.number == 7 and "thẻ" in v.description for v in violations)
    for violation in violations:
        rating = violation.staff.ratings.get(sheet__month=violation.occurred_on.replace(day=1))
        assert rating.grade != Grade.A and violation.description in rating.remark


def test_citizens_give_feedback_to_the_commune(vinh_thuan):
    cases = FeedbackCase.objects.filter(unit=vinh_thuan)
    assert cases.count() >= 8 and len({c.received_at.month for c in cases}) >= 6
    assert all(c.received_at.year == 2026 for c in cases)
    assert cases.filter(substantiated=True).count() == 1
    replies = [c.public_reply for c in cases if c.public_reply]
    assert replies and not any("phường" in text for text in replies + [c.text for c in cases])
    assert KioskVote.objects.filter(unit=vinh_thuan).count() > 100


def test_a_second_run_creates_and_changes_nothing(seeded, vinh_thuan):
    assert seeded.codes and seeded.campaigns and seeded.activity and seeded.users_created
    models = (Staff, User, RatingSheet, Violation, FeedbackCase, KioskVote, Pledge, PledgeCampaign, CodeOfConduct)
    before = [list(m.objects.order_by("pk").values_list("pk", flat=True)) for m in models]
    ratings = list(vinh_thuan.rating_sheets.order_by("month").values_list("ratings__pk", "ratings__grade", "ratings__points"))

    again = _seed_an_giang()

    assert not again.created_anything and again.units_created == 0
    assert [list(m.objects.order_by("pk").values_list("pk", flat=True)) for m in models] == before
    assert list(vinh_thuan.rating_sheets.order_by("month").values_list("ratings__pk", "ratings__grade", "ratings__points")) == ratings


# --- The demo's rows under either scheme ----------------------------------------------------------------------------


def _sample_unit(size: int, seed: int) -> UnitPlan:
    staff = [StaffFactory.build(pk=pk) for pk in range(1, size + 1)]
    rng = random.Random(seed)
    merit = {s.pk: rng.random() for s in staff}
    stars = sorted(staff, key=lambda s: merit[s.pk], reverse=True)[: max(1, round(size / 12))]
    return UnitPlan(unit=Unit(official_code="x"), staff=staff, merit=merit, stars=stars, rng=rng)


@pytest.mark.parametrize("hanoi_scheme", [True, False], ids=["hanoi-3814", "decree-335"])
def test_rows_get_the_grade_drawn_and_keep_within_the_cap(hanoi, hanoi_scheme):
    scheme = scheme_for(unit=Unit.objects.get(structure=Structure.CURRENT, official_code="00367"), month=MONTHS[0]) if hanoi_scheme \
        else ScoringScheme.objects.get(jurisdiction__isnull=True, shipped_for="", effective_from=MONTHS[0])
    assert scheme.cap_kind == (CapKind.SHARE_OF_STAFF if hanoi_scheme else CapKind.SHARE_OF_GOOD)
    layout = _Layout.of(scheme)
    for seed in range(60):
        size = 5 + seed % 30
        unit_plan = _sample_unit(size, seed)
        grade_d_at = (("x", 1),) if seed % 3 == 0 else ()
        targets = _target_grades(unit_plan, MONTHS[0], capped=set(), grade_d_at=grade_d_at, scheme=scheme)
        assert a_excess(targets.values(), cap_kind=scheme.cap_kind, cap_percent=scheme.a_share_cap_percent) == 0
        assert Counter(targets.values())[Grade.A] <= a_cap(scheme, size)
        for member in unit_plan.staff:
            points, remark = _row_values(unit_plan, member, targets[member.pk], layout)
            total = scoring.total_of({code: Decimal(value) for code, value in points.items()})
            assert set(points) == {g.code for g in layout.groups}
            assert all(Decimal(points[g.code]) <= g.max_points for g in layout.groups)
            assert scoring.final_grade(total, scheme=scheme)[1] == targets[member.pk], (seed, points)
            assert remark or not scoring.needs_remark(targets[member.pk])


def test_the_caps_for_a_unit_of_twelve(hanoi):
    hanoi_scheme = scheme_for(unit=Unit.objects.get(structure=Structure.CURRENT, official_code="00367"), month=MONTHS[0])
    decree_335 = ScoringScheme.objects.get(jurisdiction__isnull=True, shipped_for="", effective_from=MONTHS[0])
    assert a_cap(hanoi_scheme, 12) == 3  # 30 % of the staff
    assert a_cap(decree_335, 12) == 2  # 2 A ≤ 20 % of 10 B; 3 A > 20 % of 9 B
    assert a_cap(decree_335, 5) == 0 and a_cap(decree_335, 6) == 1


# --- Hanoi beside An Giang ------------------------------------------------------------------------------------------


def test_hanoi_keeps_its_rules_when_an_giang_has_its_own(hanoi, phuong_thanh_xuan, seeded, an_giang, vinh_thuan, own_code):
    """Hanoi's sheets get Hanoi's 3814 and cite 522 while An Giang's commune gets Decree 335 and An Giang's code;
    a scheme An Giang publishes for itself changes nothing in Hanoi."""
    month = TODAY.replace(day=1)
    admin, officer = User.objects.get(username="province.angiang"), User.objects.get(username="officer.vinhthuan")
    ward_officer = make_user("ward.test", Role.WARD_OFFICER, phuong_thanh_xuan)
    StaffFactory(unit=phuong_thanh_xuan)

    hanoi_sheet = rating_sheet_open(actor=ward_officer, unit=phuong_thanh_xuan, month=month)
    assert hanoi_sheet.scheme.legal_basis.startswith("Quyết định 3814") and hanoi_sheet.scheme.jurisdiction == hanoi
    assert {a.chapter.version.code.decision_number for a in recordable_articles(ward_officer, TODAY)} == {"522/QĐ-UBND"}
    assert {a.chapter.version.code for a in recordable_articles(officer, TODAY)} == {own_code}

    national = ScoringScheme.objects.get(jurisdiction__isnull=True, shipped_for="", effective_from=MONTHS[0])
    assert scheme_for(unit=vinh_thuan, month=month) == national
    values = SchemeValues.of(national)
    own = scheme_create(
        actor=admin, jurisdiction=an_giang,
        values=SchemeValues(**{**values.__dict__, "name": "Đánh giá công chức tỉnh An Giang", "effective_from": month}),
    ).scheme
    assert scheme_for(unit=vinh_thuan, month=month) == own
    assert scheme_for(unit=vinh_thuan, month=MONTHS[-1]) == national  # November's approved sheet keeps Decree 335
    assert RatingSheet.objects.get(unit=vinh_thuan, month=MONTHS[-1]).scheme == national
    hanoi_sheet.refresh_from_db()
    assert hanoi_sheet.scheme.jurisdiction == hanoi and scheme_for(unit=phuong_thanh_xuan, month=month) == hanoi_sheet.scheme
    assert hanoi_sheet.ratings.get().points.keys() == {"discipline", "tasks", "bonus"}
    commune_sheet = rating_sheet_open(actor=officer, unit=vinh_thuan, month=month)
    assert commune_sheet.scheme == own


def test_the_whole_demo_keeps_hanoi_on_its_rules_and_an_giang_on_its_own(hanoi, thanh_xuan, client):
    demo_seed(password=PASSWORD)
    hanoi_sheets = RatingSheet.objects.filter(unit__path__startswith=hanoi.path, month__gte=MONTHS[0])
    assert hanoi_sheets.count() == 3 * len(MONTHS)
    assert {s.scheme.legal_basis[:20] for s in hanoi_sheets.select_related("scheme")} == {"Quyết định 3814-QĐ/TU"[:20]}
    hanoi_violations = Violation.objects.filter(unit__path__startswith=hanoi.path, occurred_on__gte=MONTHS[0])
    assert hanoi_violations.exists()
    assert set(hanoi_violations.values_list("article__chapter__version__code__decision_number", flat=True)) == {"522/QĐ-UBND"}
    vinh_thuan = Unit.objects.get(structure=Structure.CURRENT, official_code=VINH_THUAN)
    commune_sheets = RatingSheet.objects.filter(unit=vinh_thuan).select_related("scheme")
    assert {s.scheme.legal_basis for s in commune_sheets} == {"Nghị định số 335/2025/NĐ-CP ngày 21/12/2025 của Chính phủ"}
    assert set(Violation.objects.filter(unit=vinh_thuan).values_list("article__chapter__version__code__slug", flat=True)) == {
        AN_GIANG.conduct_code["slug"]
    }
    # The pages say so, and neither side sees the other's sheets.
    hanoi_sheet = hanoi_sheets.get(unit__official_code="00367", month=MONTHS[-1])
    commune_sheet = commune_sheets.get(month=MONTHS[-1])
    client.force_login(User.objects.get(username="dept.hanoi"))
    assert "3814" in client.get(reverse("evaluations:sheet_detail", args=[hanoi_sheet.pk])).content.decode()
    assert client.get(reverse("evaluations:sheet_detail", args=[commune_sheet.pk])).status_code == 404
    client.force_login(User.objects.get(username="province.angiang"))
    page = client.get(reverse("evaluations:sheet_detail", args=[commune_sheet.pk])).content.decode()
    assert "335/2025/NĐ-CP" in page and "3814" not in page
    assert client.get(reverse("evaluations:sheet_detail", args=[hanoi_sheet.pk])).status_code == 404
