"""Opening a month: a GET never writes (the empty state offers a POST button to those who rate), those who do not
rate a unit are told who does, and a new sheet's rows start from the period before, else the scheme's starting
points — and move with a self-assessment until a rater saves them."""

from decimal import Decimal
import re

from django.urls import reverse
from django.utils import translation
import pytest

from evaluations.models import Rating, RatingSheet, ScoringScheme
from evaluations.ratings import services
from tests.builders import make_user, open_sheet
from tests.factories import UserFactory
from units.choices import Role

pytestmark = [pytest.mark.django_db, pytest.mark.shipped_baseline]


def vi(message: str, **values) -> str:
    with translation.override("vi"):
        text = translation.gettext(message)
    return text % values if values else text


@pytest.fixture
def officer(phuong_thanh_xuan):
    return make_user("officer.start", Role.WARD_OFFICER, phuong_thanh_xuan)


def month_url(unit, month):
    return reverse("evaluations:sheet_for_month", args=[unit.public_code, month])


def test_a_months_link_shows_the_empty_state_and_only_the_post_button_creates_the_sheet(
    client, officer, phuong_thanh_xuan, staff_factory, last_month
):
    staff_factory.create_batch(3, unit=phuong_thanh_xuan)
    client.force_login(officer)
    response = client.get(month_url(phuong_thanh_xuan, last_month))
    body = response.content.decode()
    assert response.status_code == 200 and 'data-testid="sheet-empty-state"' in body
    assert vi("Create this month's sheet") in body and 'data-testid="create-sheet"' in body
    assert not RatingSheet.objects.exists()  # browsing wrote nothing
    created = client.post(reverse("evaluations:sheet_open"), {"unit": phuong_thanh_xuan.public_code,
                                                               "month": f"{last_month:%Y-%m}"})
    sheet = RatingSheet.objects.get()
    assert created.status_code == 302 and sheet.ratings.count() == 3
    again = client.get(month_url(phuong_thanh_xuan, last_month))
    assert again.status_code == 302 and again.url == reverse("evaluations:sheet_detail", args=[sheet.pk])


def test_a_future_month_says_so_without_a_button(client, officer, phuong_thanh_xuan, this_month):
    client.force_login(officer)
    future = (this_month.replace(day=28) + __import__("datetime").timedelta(days=10)).replace(day=1)
    body = client.get(month_url(phuong_thanh_xuan, future)).content.decode()
    assert vi("A month cannot be rated before it starts.") in body and 'data-testid="create-sheet"' not in body
    assert not RatingSheet.objects.exists()


def test_the_oversight_office_is_told_who_rates_its_own_staff(client, hanoi, staff_factory, last_month):
    office = make_user("so.noi.vu", Role.DISTRICT_OFFICE, hanoi)
    head = make_user("giam.doc", Role.UNIT_HEAD, hanoi, full_name="Trần Văn Giám")
    staff_factory.create_batch(2, unit=hanoi)
    client.force_login(office)
    response = client.get(month_url(hanoi, last_month))
    body = response.content.decode()
    assert response.status_code == 200  # no bare 403
    assert 'data-testid="sheet-raters"' in body and head.full_name in body and 'data-testid="create-sheet"' not in body
    listing = client.get(reverse("evaluations:sheet_list")).content.decode()
    assert 'data-testid="rated-elsewhere"' in listing and head.full_name in listing
    # The head rates it: offered on /ratings/, and the sheet they create is readable by the office, naming them.
    client.force_login(head)
    assert f'data-unit="{hanoi.public_code}"' in client.get(reverse("evaluations:sheet_list")).content.decode()
    sheet = open_sheet(hanoi, head, last_month)
    client.force_login(office)
    detail = client.get(reverse("evaluations:sheet_detail", args=[sheet.pk])).content.decode()
    assert head.full_name in detail and 'data-testid="sheet-raters"' in detail


def test_rows_start_from_the_schemes_baseline_not_full_marks(officer, phuong_thanh_xuan, staff_factory, last_month):
    staff_factory.create_batch(5, unit=phuong_thanh_xuan)
    sheet = open_sheet(phuong_thanh_xuan, officer, last_month)
    assert sheet.scheme.baseline_percent == 80  # the shipped schemes' value
    groups = {g.code: g for g in sheet.scheme.groups.all()}
    expected = {code: (Decimal(0) if g.is_bonus else g.max_points * Decimal("0.8")) for code, g in groups.items()}
    for row in sheet.ratings.all():
        assert {k: Decimal(v) for k, v in row.points.items()} == expected and row.points_source == "baseline"
        assert row.grade == "B"  # nobody starts at A: the sheet is within its cap from the start
    summary = services.scoring.sheet_cap_check(sheet.ratings.values_list("grade", flat=True), scheme=sheet.scheme)
    assert not summary.exceeded


def test_rows_start_from_last_months_points(officer, phuong_thanh_xuan, staff_factory, last_month):
    kept, newcomer = staff_factory.create_batch(2, unit=phuong_thanh_xuan)
    before = (last_month.replace(day=1) - __import__("datetime").timedelta(days=1)).replace(day=1)
    previous = open_sheet(phuong_thanh_xuan, officer, before)
    row = previous.ratings.get(staff=kept)
    services.rating_save(actor=officer, rating=row, points={"discipline": "19", "tasks": "68", "bonus": "3"},
                         remark="", expected_version=row.version)
    previous.ratings.filter(staff=newcomer).delete()  # joined after that month's sheet
    sheet = open_sheet(phuong_thanh_xuan, officer, last_month)
    carried = sheet.ratings.get(staff=kept)
    assert (carried.points, carried.total, carried.grade, carried.points_source) == (
        {"discipline": "19.0", "tasks": "68.0", "bonus": "3.0"}, Decimal("90.0"), "A", "last_period")
    assert sheet.ratings.get(staff=newcomer).points_source == "baseline"


def test_the_baseline_is_edited_on_the_scheme_page(client, hanoi):
    admin = make_user("admin.baseline", Role.CITY_ADMIN, hanoi)
    scheme = ScoringScheme.objects.filter(jurisdiction=hanoi).first() or ScoringScheme.objects.first()
    client.force_login(admin)
    body = client.get(reverse("evaluations:scheme_detail", args=[scheme.pk])).content.decode()
    assert 'data-testid="baseline"' in body and vi("Starting points of a new sheet") in body


def test_the_sheet_page_names_every_input_and_takes_the_same_queries_for_more_staff(
    client, django_assert_max_num_queries, officer, phuong_thanh_xuan, staff_factory, last_month
):
    staff_factory.create_batch(3, unit=phuong_thanh_xuan)
    sheet = open_sheet(phuong_thanh_xuan, officer, last_month)
    client.force_login(officer)
    url = reverse("evaluations:sheet_detail", args=[sheet.pk])
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        body = client.get(url).content.decode()
    row = sheet.ratings.select_related("staff").first()
    assert f'aria-label="{row.staff.full_name}' not in body  # the criterion comes first, then the person
    assert body.count('class="form-control form-control-sm sheet-input') == 4 * 3  # three groups and the remark
    assert body.count(f"— {row.staff.full_name}\"") == 4  # every input of the row names the person
    staff_factory.create_batch(20, unit=phuong_thanh_xuan)
    open_sheet(phuong_thanh_xuan, officer, last_month)  # the newcomers join the draft
    with django_assert_max_num_queries(len(small)):
        client.get(url)


def test_a_self_assessment_moves_a_row_still_at_its_start(client, officer, phuong_thanh_xuan, staff_factory, last_month):
    person = staff_factory(unit=phuong_thanh_xuan)
    member = UserFactory(username="member.start", staff_member=person)
    sheet = open_sheet(phuong_thanh_xuan, officer, last_month)
    row = sheet.ratings.get()
    services.rating_self_assess(actor=member, rating=row, points={"discipline": "20", "tasks": "70", "bonus": "0"})
    row = Rating.objects.get(pk=row.pk)
    assert (row.total, row.grade, row.points_source, row.version) == (Decimal("90.0"), "A", "self", 2)


def _normalised(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r">\s+<", "><", html)).replace(" >", ">").strip()


@pytest.mark.parametrize("editable", [True, False])
def test_the_page_writes_the_rows_as_the_row_template_does(
    rf, officer, phuong_thanh_xuan, staff_factory, last_month, article, editable
):
    """The page's rows are written in Python for speed; the htmx answers use the template: the two agree."""
    from django.template.loader import render_to_string

    from evaluations.choices import Grade, Severity, ViolationSource
    from evaluations.ratings import selectors
    from evaluations.ratings.sheet_rows import SheetRowWriter
    from evaluations.ratings.views import _decorate_row
    from evaluations.violations.services import violation_record

    people = staff_factory.create_batch(3, unit=phuong_thanh_xuan, position="Công chức <Tư pháp> & \"Hộ tịch\"")
    sheet = open_sheet(phuong_thanh_xuan, officer, last_month)
    member = UserFactory(username="member.writer", staff_member=people[1])
    row = sheet.ratings.get(staff=people[1])
    services.rating_self_assess(actor=member, rating=row, points={"discipline": "12", "tasks": "30", "bonus": "0"},
                                remark="Tôi <đã> cố gắng")
    violation_record(actor=officer, staff=people[0], occurred_on=last_month, article=article,
                     severity=Severity.SERIOUS, source=ViolationSource.SUPERVISOR, description="Uống rượu <trong> giờ")
    groups = list(sheet.scheme.groups.all())
    rows = [_decorate_row(r, groups=groups, editable=editable) for r in selectors.rating_sheet_rows(sheet=sheet)]
    labels = dict(Grade.choices)
    fast = SheetRowWriter(groups=groups, grade_labels=labels, can_record_violations=True).rows(rows)
    slow = "".join(render_to_string("evaluations/partials/sheet_row.html",
                                    {"row": r, "groups": groups, "can_record_violations": True, "grade_labels": labels})
                   for r in rows)
    assert _normalised(fast) == _normalised(slow)
    assert "&lt;Tư pháp&gt;" in fast and "<Tư pháp>" not in fast
