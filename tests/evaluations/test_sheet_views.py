"""The sheet pages as officers use them: autosave per row, inline errors, scope, query counts, Vietnamese."""

import datetime
from decimal import Decimal
import re

from django.urls import reverse
from django.utils import translation
import pytest

from evaluations.choices import Severity, SheetStatus, ViolationSource
from evaluations.models import Rating, RatingSheet
from evaluations.ratings import services
from evaluations.violations.services import violation_record
from tests.builders import lower_to_cap
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def vi(message: str, **values) -> str:
    """A message as the Vietnamese page shows it (whether or not the catalogue translates it yet)."""
    with translation.override("vi"):
        text = translation.gettext(message)
    return text % values if values else text


def save_row(client, rating, data):
    return client.post(reverse("evaluations:rating_row_save", args=[rating.pk]), data, **HTMX)


def detail_url(sheet):
    return reverse("evaluations:sheet_detail", args=[sheet.pk])


# --- Autosave of a row -------------------------------------------------------------------------------------


def test_a_row_save_answers_the_row_with_its_new_total_and_grade(client, sheet, rows, groups, ward_officer, row_post):
    client.force_login(ward_officer)
    response = save_row(client, rows[0], row_post(rows[0], points={"discipline": "15,5", "tasks": "60"}))
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith("<tr") and "<html" not in body
    assert re.search(r'data-testid="row-total">75,5<', body) and 'data-grade="B"' in body
    assert f'name="r{rows[0].pk}-version" value="2"' in body
    assert 'id="sheet-summary"' in body and 'hx-swap-oob="true"' in body  # the counts follow, out of band
    assert re.search(r'data-testid="count-B">1<', body) and re.search(r'data-testid="count-A">4<', body)
    rows[0].refresh_from_db()
    assert (rows[0].total, rows[0].grade, rows[0].version, rows[0].updated_by) == (Decimal("75.5"), "B", 2, ward_officer)
    assert rows[0].history.first().history_user == ward_officer


@pytest.mark.parametrize(
    "typed, message",
    [
        ("-1", "%(label)s: points cannot be negative."),
        ("abc", "%(label)s: “%(value)s” is not a number."),
        ("25", "%(label)s: at most %(max)s points."),
        ("18,25", "%(label)s: use at most one decimal."),
        ("", "%(label)s: enter a number of points."),
    ],
)
def test_bad_points_come_back_inline_and_nothing_is_saved(client, sheet, rows, groups, ward_officer, row_post, typed, message):
    discipline = groups[0]
    client.force_login(ward_officer)
    body = save_row(client, rows[0], row_post(rows[0], points={"discipline": typed, "tasks": "65"})).content.decode()
    expected = vi(message, label=discipline.name, value=typed, max="20")
    errors = re.findall(r'data-testid="field-error">([^<]*)<', body)
    assert errors == [expected.replace("“", "&quot;").replace("”", "&quot;")] or errors == [expected]
    assert 'data-state="error"' in body and "is-invalid" in body
    assert f'value="{typed}"' in body and 'value="65"' in body  # what was typed stays, to be corrected
    row = Rating.objects.get(pk=rows[0].pk)
    assert (row.total, row.version, Decimal(row.points["tasks"])) == (Decimal(90), 1, Decimal(70))


def test_a_c_without_a_remark_is_refused_and_with_one_saved(client, sheet, rows, ward_officer, row_post):
    client.force_login(ward_officer)
    body = save_row(client, rows[0], row_post(rows[0], points={"tasks": "40"})).content.decode()
    assert vi("A remark is required for a grade below B (grade %(grade)s).", grade="C") in body
    assert Rating.objects.get(pk=rows[0].pk).version == 1
    body = save_row(client, rows[0], row_post(rows[0], points={"tasks": "40"}, remark="Chậm tiến độ hồ sơ")).content.decode()
    assert 'data-grade="C"' in body and "required" in body  # the remark stays marked as required below B
    row = Rating.objects.get(pk=rows[0].pk)
    assert (row.grade, row.remark, row.total) == ("C", "Chậm tiến độ hồ sơ", Decimal(60))


def test_without_htmx_a_row_save_goes_back_to_the_sheet(client, sheet, rows, ward_officer, row_post):
    client.force_login(ward_officer)
    response = client.post(reverse("evaluations:rating_row_save", args=[rows[0].pk]), row_post(rows[0], points={"bonus": "5"}))
    assert response.status_code == 302 and response.url == detail_url(sheet)
    assert Rating.objects.get(pk=rows[0].pk).total == Decimal(95)


def test_a_row_of_an_approved_sheet_is_not_saved(client, sheet, rows, ward_officer, unit_head, row_post):
    lower_to_cap(sheet, ward_officer, keep=[rows[0].staff])
    services.rating_sheet_transition(actor=ward_officer, sheet=sheet, action="submit")
    services.rating_sheet_transition(actor=unit_head, sheet=sheet, action="approve")
    client.force_login(ward_officer)
    body = save_row(client, rows[0], row_post(rows[0], points={"discipline": "10"})).content.decode()
    assert 'data-state="error"' in body and "sheet-input" not in body  # read-only row, with the reason
    assert Rating.objects.get(pk=rows[0].pk).version == 1


# --- The sheet page ----------------------------------------------------------------------------------------


def test_the_sheet_shows_inputs_prefilled_with_full_marks(client, sheet, rows, ward_officer):
    client.force_login(ward_officer)
    body = client.get(detail_url(sheet)).content.decode()
    assert body.count('data-testid="sheet-row"') == 5
    row = rows[0]
    for code, value in (("discipline", "20"), ("tasks", "70"), ("bonus", "0")):
        assert f'name="r{row.pk}-p_{code}" id="id_r{row.pk}-p_{code}" value="{value}"' in body
    assert 'inputmode="decimal"' in body and f'hx-post="{reverse("evaluations:rating_row_save", args=[row.pk])}"' in body
    assert 'hx-target="closest tr"' in body and 'hx-swap="outerHTML"' in body
    assert "js/sheet.js" in body and "<script>" not in body  # no inline script: a strict CSP can forbid them
    assert reverse("evaluations:sheet_xlsx", args=[sheet.pk]) in body and reverse("evaluations:sheet_upload", args=[sheet.pk]) in body
    assert f'{reverse("evaluations:violation_create")}?staff={row.staff_id}' in body
    assert 'data-testid="action-submit"' in body and 'data-testid="action-approve"' not in body


def test_pages_are_in_vietnamese(client, sheet, ward_officer):
    client.force_login(ward_officer)
    for url in (detail_url(sheet), reverse("evaluations:sheet_list"), reverse("home")):
        body = client.get(url).content.decode()
        assert 'lang="vi"' in body and "Phường Thanh Xuân Bắc" in body
    body = client.get(detail_url(sheet)).content.decode()
    assert "Quận Thanh Xuân" in body and "Mã cán bộ" in body and "Họ và tên" in body
    assert "Ý thức tổ chức kỷ luật, đạo đức, lối sống, thực hiện Quy tắc ứng xử" in body  # the scheme's groups
    assert vi("Monthly ratings") in body and vi("Total") in body and vi("Self-assessment") in body


def test_the_a_share_warning_appears_above_the_cap(client, make_sheet, thanh_xuan_bac, ward_officer):
    sheet = make_sheet(unit=thanh_xuan_bac, actor=ward_officer, staff_count=10)
    client.force_login(ward_officer)
    assert 'data-testid="a-share-warning"' in client.get(detail_url(sheet)).content.decode()  # all at full marks: 100% A
    rows = list(sheet.ratings.order_by("pk"))
    for row in rows[:6]:
        services.rating_save(actor=ward_officer, rating=row, points={"discipline": "18", "tasks": "70", "bonus": "0"},
                             remark="", expected_version=row.version)
    body = client.get(detail_url(sheet)).content.decode()
    assert 'data-testid="a-share-warning"' in body and re.search(r'data-testid="count-A">4<', body)  # 40% > 30%
    services.rating_save(actor=ward_officer, rating=rows[6], points={"discipline": "18", "tasks": "70", "bonus": "0"},
                         remark="", expected_version=1)
    assert 'data-testid="a-share-warning"' not in client.get(detail_url(sheet)).content.decode()  # 30%: at the cap


def test_violations_and_self_assessment_appear_beside_the_row(client, sheet, rows, ward_officer, inspector, article, last_month):
    row = rows[1]
    violation_record(actor=inspector, staff=row.staff, occurred_on=last_month, article=article, severity=Severity.MINOR,
                              source=ViolationSource.CITIZEN_FEEDBACK, description="Thái độ thiếu lịch sự với người dân")
    member = UserFactory(username="staff.member", staff_member=row.staff)
    services.rating_self_assess(actor=member, rating=row, points={"discipline": "19,5", "tasks": "68", "bonus": "1"},
                                remark="Tôi đã hoàn thành hồ sơ đúng hạn")
    client.force_login(ward_officer)
    body = client.get(detail_url(sheet)).content.decode()
    line = body[body.index(f'id="row-{row.pk}"'):]
    line = line[: line.index("</tr>")]
    assert vi("Art. %(number)s", number=article.number) in line and vi("Minor") in line
    assert 'data-grade="B"' in line  # Hanoi: a minor violation caps at B
    assert "19,5 · 68 · 1" in line and "Tôi đã hoàn thành hồ sơ đúng hạn" in line


@pytest.mark.parametrize("who, status", [("ward_officer", SheetStatus.APPROVED), ("district_officer", SheetStatus.DRAFT)])
def test_read_only_without_inputs(request, client, sheet, who, status):
    RatingSheet.objects.filter(pk=sheet.pk).update(status=status)
    client.force_login(request.getfixturevalue(who))
    body = client.get(detail_url(sheet)).content.decode()
    assert body.count('data-testid="sheet-row"') == 5
    assert "sheet-input" not in body and "hx-post" not in body
    assert 'data-testid="action-submit"' not in body


def test_the_sheet_and_a_row_save_take_the_same_queries_for_5_or_80_staff(
    client, make_sheet, thanh_xuan_bac, ward_officer, last_month, row_post, django_assert_max_num_queries
):
    small = make_sheet(unit=thanh_xuan_bac, actor=ward_officer, staff_count=5)
    big = make_sheet(unit=thanh_xuan_bac, actor=ward_officer, staff_count=75, month=last_month - datetime.timedelta(days=1))
    assert (small.ratings.count(), big.ratings.count()) == (5, 80)
    client.force_login(ward_officer)
    client.get(detail_url(small))  # warm up the session and the template cache
    with django_assert_max_num_queries(20) as page_small:
        assert client.get(detail_url(small)).status_code == 200
    with django_assert_max_num_queries(len(page_small.captured_queries)):
        body = client.get(detail_url(big)).content.decode()
    assert body.count('data-testid="sheet-row"') == 80

    small_row, big_row = small.ratings.first(), big.ratings.last()
    with django_assert_max_num_queries(25) as save_small:
        assert 'data-state="saved"' in save_row(client, small_row, row_post(small_row, points={"bonus": "2"})).content.decode()
    with django_assert_max_num_queries(len(save_small.captured_queries)):
        assert 'data-state="saved"' in save_row(client, big_row, row_post(big_row, points={"bonus": "2"})).content.decode()


@pytest.mark.parametrize("page", ["sheet_list", "home"])
def test_lists_take_the_same_queries_whatever_the_number_of_sheets(
    client, page, make_sheet, thanh_xuan_bac, thanh_xuan_trung, city_admin, district_officer, last_month,
    django_assert_max_num_queries,
):
    url = reverse("evaluations:sheet_list") if page == "sheet_list" else reverse("home")
    make_sheet(unit=thanh_xuan_bac, actor=city_admin, staff_count=3)
    client.force_login(district_officer)
    client.get(url)
    with django_assert_max_num_queries(25) as few:
        assert client.get(url).status_code == 200
    make_sheet(unit=thanh_xuan_trung, actor=city_admin, staff_count=30)
    make_sheet(unit=thanh_xuan_bac, actor=city_admin, staff_count=2, month=last_month - datetime.timedelta(days=1))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


# --- Scope ------------------------------------------------------------------------------------------------

ROLES = ["ward_officer", "unit_head", "district_officer", "inspector", "city_admin"]
# (role, where) → (sheet page, row save, submit)
EXPECTED = {
    "ward_officer": {"own": (200, 200, 302), "sibling": (404, 404, 404), "other_district": (404, 404, 404)},
    "unit_head": {"own": (200, 200, 302), "sibling": (404, 404, 404), "other_district": (404, 404, 404)},
    "district_officer": {"own": (200, 403, 403), "sibling": (200, 403, 403), "other_district": (404, 404, 404)},
    "inspector": {"own": (200, 403, 403), "sibling": (200, 403, 403), "other_district": (404, 404, 404)},
    "city_admin": {"own": (200, 200, 302), "sibling": (200, 200, 302), "other_district": (200, 200, 302)},
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("where", ["own", "sibling", "other_district"])
def test_scope_matrix(request, client, role, where, make_sheet, city_admin, row_post, thanh_xuan_bac, thanh_xuan_trung, phuc_xa):
    unit = {"own": thanh_xuan_bac, "sibling": thanh_xuan_trung, "other_district": phuc_xa}[where]
    sheet = make_sheet(unit=unit, actor=city_admin, staff_count=4)
    row = sheet.ratings.first()
    lower_to_cap(sheet, city_admin, keep=[row.staff])  # 1 A of 4 within Hanoi's 30 %: the row tried stays A
    client.force_login(request.getfixturevalue(role))
    page = client.get(detail_url(sheet)).status_code
    saved = save_row(client, row, row_post(row, points={"discipline": "19"})).status_code
    submitted = client.post(reverse("evaluations:sheet_transition", args=[sheet.pk]), {"action": "submit"}).status_code
    assert (page, saved, submitted) == EXPECTED[role][where]
    row.refresh_from_db()
    sheet.refresh_from_db()
    assert (row.version == 2) == (saved == 200)
    assert (sheet.status == SheetStatus.SUBMITTED) == (submitted == 302)


def test_another_wards_sheet_is_a_404_for_every_page(client, make_sheet, thanh_xuan_trung, city_admin, ward_officer):
    sheet = make_sheet(unit=thanh_xuan_trung, actor=city_admin, staff_count=1)
    row = sheet.ratings.get()
    client.force_login(ward_officer)
    for url in (detail_url(sheet), reverse("evaluations:sheet_for_month", args=[thanh_xuan_trung.public_code, sheet.month])):
        assert client.get(url).status_code == 404
    assert client.post(reverse("evaluations:sheet_open"), {"unit": thanh_xuan_trung.public_code, "month": f"{sheet.month:%Y-%m}"}).status_code == 404
    assert client.get(reverse("evaluations:rating_self_assess", args=[row.pk])).status_code == 404


# --- Opening a month ---------------------------------------------------------------------------------------


def test_opening_last_months_sheet_creates_it_once(client, ward_officer, thanh_xuan_bac, staff_factory, last_month):
    staff_factory.create_batch(3, unit=thanh_xuan_bac)
    client.force_login(ward_officer)
    data = {"unit": thanh_xuan_bac.public_code, "month": f"{last_month:%Y-%m}"}
    first = client.post(reverse("evaluations:sheet_open"), data)
    sheet = RatingSheet.objects.get(unit=thanh_xuan_bac, month=last_month)
    assert first.status_code == 302 and first.url == detail_url(sheet) and sheet.ratings.count() == 3
    again = client.get(reverse("evaluations:sheet_for_month", args=[thanh_xuan_bac.public_code, last_month]))
    assert again.status_code == 302 and again.url == detail_url(sheet)
    assert RatingSheet.objects.count() == 1


def test_a_future_month_is_refused_with_a_message(client, ward_officer, thanh_xuan_bac, this_month):
    client.force_login(ward_officer)
    future = (this_month + datetime.timedelta(days=40)).replace(day=1)
    response = client.post(reverse("evaluations:sheet_open"), {"unit": thanh_xuan_bac.public_code, "month": f"{future:%Y-%m}"}, follow=True)
    assert vi("A month cannot be rated before it starts.") in response.content.decode()
    assert not RatingSheet.objects.exists()


@pytest.mark.parametrize("month", ["2026-13", "26-01", "tháng 10"])
def test_a_malformed_month_is_refused(client, ward_officer, thanh_xuan_bac, month):
    client.force_login(ward_officer)
    response = client.post(reverse("evaluations:sheet_open"), {"unit": thanh_xuan_bac.public_code, "month": month}, follow=True)
    assert vi("Enter a month as YYYY-MM.") in response.content.decode()
    assert client.get(f"/ratings/{thanh_xuan_bac.public_code}/2026-13/").status_code == 404
    assert not RatingSheet.objects.exists()


def test_the_district_office_cannot_open_a_sheet_nobody_opened(client, district_officer, thanh_xuan_bac, last_month):
    client.force_login(district_officer)
    response = client.post(reverse("evaluations:sheet_open"), {"unit": thanh_xuan_bac.public_code, "month": f"{last_month:%Y-%m}"})
    assert response.status_code == 403 and not RatingSheet.objects.exists()


# --- Workflow buttons --------------------------------------------------------------------------------------


def test_submit_approve_and_return_through_the_page(client, sheet, ward_officer, unit_head):
    lower_to_cap(sheet, ward_officer)
    url = reverse("evaluations:sheet_transition", args=[sheet.pk])
    client.force_login(ward_officer)
    client.post(url, {"action": "submit"})
    sheet.refresh_from_db()
    assert sheet.status == SheetStatus.SUBMITTED and sheet.submitted_by == ward_officer
    client.force_login(unit_head)
    refused = client.post(url, {"action": "return", "reason": ""}, follow=True).content.decode()
    assert vi("Give a reason.") in refused
    sheet.refresh_from_db()
    assert sheet.status == SheetStatus.SUBMITTED
    page = client.post(url, {"action": "approve"}, follow=True).content.decode()
    sheet.refresh_from_db()
    assert sheet.status == SheetStatus.APPROVED and sheet.approved_by == unit_head
    assert unit_head.get_full_name() in page and "sheet-input" not in page


def test_an_unknown_action_is_a_message(client, sheet, ward_officer):
    client.force_login(ward_officer)
    page = client.post(reverse("evaluations:sheet_transition", args=[sheet.pk]), {"action": "delete"}, follow=True)
    assert vi("Unknown action.") in page.content.decode()


# --- Lists, landing page, staff history ---------------------------------------------------------------------


def test_the_list_offers_this_and_last_month_and_filters_by_month(client, sheet, make_sheet, thanh_xuan_bac, ward_officer, last_month):
    older = make_sheet(unit=thanh_xuan_bac, actor=ward_officer, staff_count=0, month=last_month - datetime.timedelta(days=1))
    client.force_login(ward_officer)
    body = client.get(reverse("evaluations:sheet_list")).content.decode()
    assert 'data-testid="open-this-month"' in body and 'data-testid="open-last-month"' in body
    assert detail_url(sheet) in body and detail_url(older) in body
    filtered = client.get(reverse("evaluations:sheet_list"), {"month": f"{last_month:%Y-%m}"}).content.decode()
    table = filtered[filtered.index('data-testid="sheet-list"'):]
    assert detail_url(sheet) in table and detail_url(older) not in table


def test_the_district_office_sees_which_wards_submitted(client, make_sheet, thanh_xuan_bac, thanh_xuan_trung, city_admin,
                                                        district_officer, unit_head):
    submitted = make_sheet(unit=thanh_xuan_bac, actor=city_admin, staff_count=2)
    make_sheet(unit=thanh_xuan_trung, actor=city_admin, staff_count=2)
    lower_to_cap(submitted, city_admin)
    services.rating_sheet_transition(actor=city_admin, sheet=submitted, action="submit")
    services.rating_sheet_transition(actor=unit_head, sheet=submitted, action="approve")
    client.force_login(district_officer)
    wards = thanh_xuan_bac.parent.children.count()
    for url in (reverse("evaluations:sheet_list"), reverse("home")):
        body = client.get(url).content.decode()
        counts = re.search(r'data-testid="ward-status-counts">([^<]*)<', body).group(1)
        assert counts == vi("%(submitted)s of %(total)s submitted, %(approved)s approved.", submitted=1, total=wards, approved=1)
        assert "Phường Thanh Xuân Trung" in body


def test_the_landing_page_says_what_is_left_to_do(client, sheet, rows, ward_officer, inspector, article, last_month):
    violation_record(actor=inspector, staff=rows[0].staff, occurred_on=last_month, article=article,
                              severity=Severity.VERY_SERIOUS, source=ViolationSource.INSPECTION, description="Uống rượu trong giờ làm việc")
    client.force_login(ward_officer)
    body = client.get(reverse("home")).content.decode()
    assert 'data-testid="tile-ratings"' in body and vi("Draft") in body
    lines = re.findall(r'data-testid="home-rating-line" data-month="([0-9-]+)"', body)
    assert lines == [f"{last_month:%Y-%m}", f"{(last_month + datetime.timedelta(days=32)).replace(day=1):%Y-%m}"]
    with translation.override("vi"):
        missing = translation.ngettext("%(n)s row below B still needs a remark", "%(n)s rows below B still need a remark", 1) % {"n": 1}
    assert missing in body


def test_the_staff_page_shows_twelve_months_and_the_changes(client, sheet, rows, ward_officer, row_post, last_month):
    row = rows[0]
    client.force_login(ward_officer)
    save_row(client, row, row_post(row, points={"tasks": "40"}, remark="Chậm trả hồ sơ"))
    body = client.get(row.staff.get_absolute_url()).content.decode()
    history = body[body.index('data-testid="staff-ratings"'):]
    assert history[: history.index("</table>")].count("<tr data-month=") == 12
    assert f'data-month="{last_month:%Y-%m}"' in history
    changes = body[body.index('data-testid="rating-changes"'):]
    changes = changes[: changes.index("</table>")]
    assert ward_officer.get_full_name() in changes and "<del>90</del>" in changes and "<ins>60</ins>" in changes
    assert "A → C" in changes and "Chậm trả hồ sơ" in changes


def test_the_staff_page_takes_the_same_queries_with_more_history(client, sheet, rows, ward_officer, row_post,
                                                                django_assert_max_num_queries):
    row = rows[0]
    client.force_login(ward_officer)
    client.get(row.staff.get_absolute_url())
    with django_assert_max_num_queries(30) as few:
        client.get(row.staff.get_absolute_url())
    baseline = len(few)  # read now: every request empties the connection's query log
    for tasks in ("69", "68", "67", "66"):
        save_row(client, row, row_post(Rating.objects.get(pk=row.pk), points={"tasks": tasks}))
    with django_assert_max_num_queries(baseline):
        assert "<ins>86</ins>" in client.get(row.staff.get_absolute_url()).content.decode()


# --- Self-assessment ----------------------------------------------------------------------------------------


@pytest.fixture
def member(rows):
    """The first row's staff member, with an account and no role."""
    return UserFactory(username="staff.member", staff_member=rows[0].staff)


def test_a_staff_member_assesses_themselves_and_the_officer_sees_it(client, sheet, rows, member, ward_officer):
    client.force_login(member)
    mine = client.get(reverse("evaluations:my_ratings")).content.decode()
    url = reverse("evaluations:rating_self_assess", args=[rows[0].pk])
    assert url in mine
    assert client.get(url).status_code == 200
    response = client.post(url, {"p_discipline": "19,5", "p_tasks": "70", "p_bonus": "2", "remark": "Có sáng kiến số hóa hồ sơ"})
    assert response.status_code == 302 and response.url == reverse("evaluations:my_ratings")
    row = Rating.objects.get(pk=rows[0].pk)
    assert row.self_points == {"discipline": "19.5", "tasks": "70.0", "bonus": "2.0"}
    # No rater has saved the row yet: it starts from the self-assessment (a new version, so no page overwrites it
    # unseen); the rater still decides.
    assert (row.points, row.total, row.version, row.points_source) == (row.self_points, Decimal("91.5"), 2, "self")
    assert row.history.first().history_user == member
    client.force_login(ward_officer)
    body = client.get(detail_url(sheet)).content.decode()
    assert "19,5 · 70 · 2" in body and vi("from the self-assessment") in body


def test_a_self_assessment_leaves_a_row_the_rater_saved(client, sheet, rows, member, ward_officer, row_post):
    client.force_login(ward_officer)
    assert save_row(client, rows[0], row_post(rows[0], points={"discipline": "18", "tasks": "60"})).status_code == 200
    client.force_login(member)
    client.post(reverse("evaluations:rating_self_assess", args=[rows[0].pk]), {"p_discipline": "20", "p_tasks": "70", "p_bonus": "5"})
    row = Rating.objects.get(pk=rows[0].pk)
    assert row.self_points == {"discipline": "20.0", "tasks": "70.0", "bonus": "5.0"}
    assert (row.points["discipline"], row.points["tasks"], row.version, row.points_source) == ("18.0", "60.0", 2, "rater")


def test_self_assessment_errors_and_closing(client, sheet, rows, member, ward_officer, groups):
    client.force_login(member)
    url = reverse("evaluations:rating_self_assess", args=[rows[0].pk])
    body = client.post(url, {"p_discipline": "30", "p_tasks": "70", "p_bonus": "0"}).content.decode()
    assert vi("%(label)s: at most %(max)s points.", label=groups[0].name, max="20") in body
    assert Rating.objects.get(pk=rows[0].pk).self_points is None
    assert client.get(reverse("evaluations:rating_self_assess", args=[rows[1].pk])).status_code == 404  # a colleague's row
    lower_to_cap(sheet, ward_officer, keep=[rows[0].staff])
    services.rating_sheet_transition(actor=ward_officer, sheet=sheet, action="submit")
    body = client.post(url, {"p_discipline": "20", "p_tasks": "70", "p_bonus": "0"}).content.decode()
    assert vi("Self-assessment is closed: the sheet was already submitted.") in body
    assert Rating.objects.get(pk=rows[0].pk).self_points is None
