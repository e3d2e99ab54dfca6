"""Quarterly sheets (Decree 335/2025 lets a province rate each quarter): any month of a quarter leads to the quarter's
sheet, violations anywhere in the quarter cap its grade, the sheet works like a monthly one (workflow, Excel,
self-assessment) and is labelled "Quý 1/2026"; and a sheet keeps the scheme it was opened with."""

import datetime
import io

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
import openpyxl
import pytest

from core.dates import add_months
from evaluations.choices import CapKind, Grade, RatingPeriod, Severity, SheetStatus
from evaluations.models import Rating, RatingSheet, ScoringScheme
from evaluations.ratings import periods, services
from evaluations.ratings.sheet_format import SHEET_TITLE
from evaluations.violations.selectors import code_articles
from tests.builders import make_user, open_sheet, record_violation, set_grades
from tests.factories import ScoringSchemeFactory, UnitFactory, UserFactory
from tests.helpers import client_for, this_month
from units.choices import Role, UnitKind

pytestmark = pytest.mark.django_db

JAN, FEB, MAR, APR = (datetime.date(2026, m, 1) for m in (1, 2, 3, 4))
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def quarterly(province):
    """The province's own scheme from 2026: rated each quarter, Decree 335's cap (A ≤ 20 % of B, 30 % if exceptional)."""
    return ScoringSchemeFactory(
        jurisdiction=province, effective_from=JAN, period=RatingPeriod.QUARTERLY, cap_kind=CapKind.SHARE_OF_GOOD,
        a_share_cap_percent=20, exceptional_cap_percent=30, name="Đánh giá hằng quý của Tỉnh Thử Nghiệm",
        legal_basis="Quyết định số 01/2026/QĐ-UBND của Tỉnh Thử Nghiệm",
    )


@pytest.fixture
def staff(quarterly, commune, staff_factory):
    return staff_factory.create_batch(6, unit=commune)


@pytest.fixture
def q1(staff, commune, commune_officer):
    return open_sheet(commune, commune_officer, FEB)


def _article(unit, day):
    return code_articles(unit=unit, day=day).first()


def _row(sheet, staff) -> Rating:
    return Rating.objects.get(sheet=sheet, staff=staff)


# --- Opening ----------------------------------------------------------------------------------------------------


def test_any_month_of_the_quarter_leads_to_the_quarters_sheet(client, q1, commune, commune_officer, quarterly):
    assert (q1.month, q1.scheme, q1.is_quarterly, q1.period_end) == (JAN, quarterly, True, datetime.date(2026, 3, 31))
    assert q1.ratings.count() == 6
    for month in (JAN, MAR, datetime.date(2026, 3, 31)):
        assert open_sheet(commune, commune_officer, month).pk == q1.pk
    assert RatingSheet.objects.count() == 1

    client_for(client, commune_officer)
    response = client.get(reverse("evaluations:sheet_for_month", args=[commune.public_code, MAR]))
    assert response.status_code == 302 and response.url == reverse("evaluations:sheet_detail", args=[q1.pk])
    opened = client.post(reverse("evaluations:sheet_open"), {"unit": commune.public_code, "month": "2026-02"})
    assert opened.url == reverse("evaluations:sheet_detail", args=[q1.pk])
    assert open_sheet(commune, commune_officer, APR).month == APR  # the next quarter: a sheet of its own


def test_the_quarter_is_labelled_as_a_quarter_on_its_page_and_list(client, q1, commune_officer):
    client.force_login(commune_officer)  # Vietnamese
    page = client.get(reverse("evaluations:sheet_detail", args=[q1.pk])).content.decode()
    assert "Xã Thử Nghiệm — đánh giá, xếp loại: Quý 1/2026" in page and "Vi phạm trong quý" in page
    listing = client.get(reverse("evaluations:sheet_list"), {"month": "2026-03"}).content.decode()
    table = listing[listing.index('data-testid="sheet-list"'):]
    assert "Quý 1/2026" in table and reverse("evaluations:sheet_detail", args=[q1.pk]) in table
    with translation.override("en"):
        assert q1.period_label == "Quarter 1/2026"
        assert RatingSheet(month=MAR, scheme=ScoringScheme(period=RatingPeriod.MONTHLY)).period_label == "Month 03/2026"


def test_a_quarter_cannot_be_rated_before_it_starts(quarterly, commune, commune_officer, staff):
    current = periods.quarter_start(this_month())
    assert open_sheet(commune, commune_officer, this_month()).month == current
    next_quarter = add_months(current, 3)
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        open_sheet(commune, commune_officer, next_quarter + datetime.timedelta(days=40))
    assert refused.value.messages == ["A quarter cannot be rated before it starts."]
    assert not RatingSheet.objects.filter(month=next_quarter).exists()


def test_staff_active_on_any_day_of_the_quarter_get_a_row(quarterly, commune, commune_officer, staff_factory):
    joined_in_march = staff_factory(unit=commune, active_from=datetime.date(2026, 3, 20))
    left_in_january = staff_factory(unit=commune, active_from=datetime.date(2020, 1, 1), active_to=datetime.date(2026, 1, 10))
    left_before = staff_factory(unit=commune, active_from=datetime.date(2020, 1, 1), active_to=datetime.date(2025, 12, 31))
    joins_in_april = staff_factory(unit=commune, active_from=APR)
    sheet = open_sheet(commune, commune_officer, JAN)
    assert set(sheet.ratings.values_list("staff_id", flat=True)) == {joined_in_march.pk, left_in_january.pk}
    assert left_before.pk and joins_in_april.pk


def test_a_quarter_that_began_with_monthly_sheets_is_refused(province, commune, commune_officer, staff_factory):
    """The province rates quarterly from February, but January was already rated on a monthly sheet under Decree
    335: a sheet for the first quarter would rate January twice, so it is refused; January stays monthly."""
    staff_factory.create_batch(2, unit=commune)
    january = open_sheet(commune, commune_officer, JAN)
    assert january.scheme.period == RatingPeriod.MONTHLY and january.scheme.jurisdiction is None
    ScoringSchemeFactory(jurisdiction=province, effective_from=FEB, period=RatingPeriod.QUARTERLY)
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        open_sheet(commune, commune_officer, MAR)
    assert refused.value.code == "period_taken" and "Quarter 1/2026 cannot be opened" in refused.value.messages[0]
    assert open_sheet(commune, commune_officer, JAN).pk == january.pk  # January stays a monthly sheet
    assert RatingSheet.objects.count() == 1


# --- Violations over the quarter ---------------------------------------------------------------------------------


def test_a_violation_in_march_caps_the_first_quarters_grade(client, q1, staff, commune, commune_officer):
    late, other = staff[0], staff[1]
    record_violation(actor=commune_officer, staff=late, day=datetime.date(2026, 3, 20), severity=Severity.SERIOUS,
                     article=_article(commune, MAR), description="Tự ý bỏ vị trí làm việc")
    record_violation(actor=commune_officer, staff=other, day=datetime.date(2026, 4, 2), severity=Severity.VERY_SERIOUS,
                     article=_article(commune, APR), description="Gây phiền hà cho công dân")
    capped = _row(q1, late)
    assert (capped.grade_by_points, capped.grade, capped.version) == (Grade.A, Grade.C, 2)
    assert _row(q1, other).grade == Grade.A  # April belongs to the second quarter
    page = client_for(client, commune_officer).get(reverse("evaluations:sheet_detail", args=[q1.pk])).content.decode()
    assert "20/03/2026: Tự ý bỏ vị trí làm việc" in page  # the row shows the March violation
    # Saving the row again keeps the cap: the whole quarter's violations count.
    saved = services.rating_save(actor=commune_officer, rating=capped, points={"discipline": "20", "tasks": "70", "bonus": "5"},
                                 remark="Vi phạm tháng 3", expected_version=2)
    assert (saved.total, saved.grade) == (95, Grade.C)


def test_a_violation_recorded_before_the_quarter_is_opened_caps_its_new_row(quarterly, staff, commune, commune_officer):
    record_violation(actor=commune_officer, staff=staff[2], day=datetime.date(2026, 2, 27), severity=Severity.MINOR,
                     article=_article(commune, FEB))
    sheet = open_sheet(commune, commune_officer, MAR)
    assert _row(sheet, staff[2]).grade == Grade.B and _row(sheet, staff[3]).grade == Grade.A


# --- Works like a monthly sheet ----------------------------------------------------------------------------------


def test_a_quarterly_sheet_is_submitted_and_approved_within_its_cap(q1, staff, commune, commune_officer, commune_head):
    with pytest.raises(ValidationError) as refused:  # as opened: 6 A for 0 B
        services.rating_sheet_transition(actor=commune_officer, sheet=q1, action="submit")
    assert refused.value.code == "cap"
    best = set_grades(q1, commune_officer, "ABBBBB")[0].staff  # 1 A for 5 B: exactly 20 %
    submitted = services.rating_sheet_transition(actor=commune_officer, sheet=q1, action="submit")
    approved = services.rating_sheet_transition(actor=commune_head, sheet=submitted, action="approve")
    assert approved.status == SheetStatus.APPROVED
    record_violation(actor=commune_officer, staff=best, day=datetime.date(2026, 3, 2), article=_article(commune, MAR))
    assert _row(q1, best).grade == Grade.A  # an approved quarter keeps its grades


def test_an_exception_covers_the_whole_quarter(q1, commune, province_admin, commune_officer):
    exception = services.cap_exception_decide(actor=province_admin, unit=commune, month=MAR, reason="Đơn vị dẫn đầu")
    assert exception.month == JAN
    set_grades(q1, commune_officer, "AABBBB")  # 2 A for 4 B: 50 %, above even 30 %
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.rating_sheet_transition(actor=commune_officer, sheet=q1, action="submit")
    assert "(exceptional unit): grade A at most 30% of those rated B — 2 A for 4 B; lower 1 of the A rows to B." in refused.value.messages[0]


def test_the_quarter_is_downloaded_and_uploaded_like_a_month(client, q1, staff, commune, commune_officer):
    officer = client_for(client, commune_officer)
    response = officer.get(reverse("evaluations:sheet_xlsx", args=[q1.pk]))
    assert response["Content-Disposition"] == 'attachment; filename="phieu-danh-gia-xa-thu-nghiem-2026-q1.xlsx"'
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    main = workbook[SHEET_TITLE]
    assert main["A1"].value.startswith("Phiếu đánh giá, xếp loại quý 1/2026 — Xã Thử Nghiệm")
    assert "phiếu quý 1/2026 của Xã Thử Nghiệm" in " ".join(str(c.value) for c in workbook["Hướng dẫn"]["A"])
    first = min(staff, key=lambda s: (s.full_name, s.pk))
    row = next(r for r in range(3, main.max_row + 1) if main[f"A{r}"].value == first.staff_code)
    main[f"E{row}"] = 60  # tasks: 20 + 60 = 80, a B
    buffer = io.BytesIO()
    workbook.save(buffer)
    upload = SimpleUploadedFile("quy-1.xlsx", buffer.getvalue(), content_type=XLSX)
    answer = officer.post(reverse("evaluations:sheet_upload", args=[q1.pk]), {"file": upload})
    assert answer.status_code == 302
    saved = _row(q1, first)
    assert (saved.total, saved.grade, saved.version) == (80, Grade.B, 2)


def test_a_staff_member_assesses_themselves_on_the_quarters_sheet(client, q1, staff):
    member = UserFactory(username="member", staff_member=staff[0])
    rating = _row(q1, staff[0])
    client_for(client, member)
    mine = client.get(reverse("evaluations:my_ratings")).content.decode()
    assert "Quarter 1/2026" in mine
    url = reverse("evaluations:rating_self_assess", args=[rating.pk])
    assert "Self-assessment: Quarter 1/2026" in client.get(url).content.decode()
    response = client.post(url, {"p_discipline": "19", "p_tasks": "70", "p_bonus": "0", "remark": "Hoàn thành tốt"})
    assert response.status_code == 302
    assert _row(q1, staff[0]).self_points == {"discipline": "19.0", "tasks": "70.0", "bonus": "0.0"}


def test_the_quarters_pages_take_the_same_queries_for_6_or_40_staff(client, q1, commune, commune_officer, staff_factory,
                                                                   row_post, django_assert_max_num_queries):
    staff_factory.create_batch(34, unit=commune)
    big = open_sheet(commune, commune_officer, APR)
    assert (q1.ratings.count(), big.ratings.count()) == (6, 40)
    client.force_login(commune_officer)
    client.get(reverse("evaluations:sheet_detail", args=[q1.pk]))
    with django_assert_max_num_queries(25) as small:
        assert client.get(reverse("evaluations:sheet_detail", args=[q1.pk])).status_code == 200
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(reverse("evaluations:sheet_detail", args=[big.pk])).content.decode().count('data-testid="sheet-row"') == 40
    with django_assert_max_num_queries(15) as small_download:
        client.get(reverse("evaluations:sheet_xlsx", args=[q1.pk]))
    with django_assert_max_num_queries(len(small_download.captured_queries)):
        client.get(reverse("evaluations:sheet_xlsx", args=[big.pk]))


# --- A sheet keeps its scheme ------------------------------------------------------------------------------------


def test_a_new_scheme_reaches_only_sheets_opened_after_it_and_only_its_province(
    province, commune, commune_officer, thanh_xuan_bac, ward_officer, staff_factory
):
    other_province = UnitFactory(name="Tỉnh Bên Cạnh", kind=UnitKind.PROVINCE)
    other_commune = UnitFactory(name="Xã Bên Cạnh", kind=UnitKind.COMMUNE, parent=other_province)
    other_officer = make_user("other.officer", Role.WARD_OFFICER, other_commune)
    for unit in (commune, other_commune, thanh_xuan_bac):
        staff_factory.create_batch(2, unit=unit)
    may, june = datetime.date(2026, 5, 1), datetime.date(2026, 6, 1)
    may_sheet = open_sheet(commune, commune_officer, may)
    hanoi_may = open_sheet(thanh_xuan_bac, ward_officer, may)
    decree, hanoi_scheme = may_sheet.scheme, hanoi_may.scheme
    assert decree.jurisdiction is None and decree.cap_kind == CapKind.SHARE_OF_GOOD
    assert hanoi_scheme.legal_basis.startswith("Quyết định 3814")

    own = ScoringSchemeFactory(jurisdiction=province, effective_from=may, cap_kind=CapKind.SHARE_OF_STAFF, a_share_cap_percent=25)

    assert open_sheet(commune, commune_officer, may).scheme == decree  # opened before: keeps Decree 335
    assert RatingSheet.objects.get(pk=may_sheet.pk).scheme == decree
    assert open_sheet(commune, commune_officer, june).scheme == own
    assert open_sheet(other_commune, other_officer, june).scheme == decree  # the other province: still the national rule
    assert open_sheet(thanh_xuan_bac, ward_officer, june).scheme == hanoi_scheme  # Hanoi: its own 3814
    assert RatingSheet.objects.get(pk=hanoi_may.pk).scheme == hanoi_scheme
