"""The cap on grade A, enforced: both kinds of cap on edge cases, submit and approve refused above the cap with a
message naming the cap and the rows to change, and exceptional units decided by the level above (audited)."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation
from hypothesis import given, strategies as st
import pytest

from evaluations.choices import CapKind, Grade, SheetStatus
from evaluations.models import CapException, RatingSheet, ScoringScheme
from evaluations.ratings import scoring, services
from evaluations.ratings.services import scheme_for
from tests.builders import make_user, open_sheet, set_grades
from tests.helpers import client_for, in_page
from units.choices import Role

STAFF, GOOD = CapKind.SHARE_OF_STAFF, CapKind.SHARE_OF_GOOD
MARCH_2026 = datetime.date(2026, 3, 1)


# --- The cap functions -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind, cap, a, b, rows, expected",
    [
        (STAFF, 30, 0, 0, 0, 0),  # an empty sheet
        (STAFF, 30, 2, 5, 7, 0),  # 7 staff at 30 %: 2 A allowed (2.1 is not a person)
        (STAFF, 30, 3, 4, 7, 1),
        (STAFF, 30, 3, 7, 10, 0),  # exactly at the cap
        (STAFF, 30, 4, 6, 10, 1),
        (STAFF, 30, 5, 0, 5, 4),  # a sheet as opened under Hanoi's scheme: everyone at full marks
        (STAFF, 40, 4, 6, 10, 0),  # Hanoi's exceptional unit
        (STAFF, 0, 2, 0, 2, 2),
        (STAFF, 100, 9, 0, 9, 0),
        (GOOD, 20, 0, 0, 0, 0),
        (GOOD, 20, 1, 0, 1, 1),  # no B: no A allowed
        (GOOD, 20, 2, 0, 2, 2),  # lowering one A adds a B, but 100 > 20: both go
        (GOOD, 20, 6, 0, 6, 5),  # 1 A for 5 B is exactly 20 %
        (GOOD, 20, 1, 5, 6, 0),  # exactly at the cap
        (GOOD, 20, 2, 5, 7, 1),
        (GOOD, 20, 1, 4, 5, 1),  # 25 % of B
        (GOOD, 20, 5, 10, 15, 3),  # 2 A for 13 B; 3 A for 12 B would still be 25 %
        (GOOD, 30, 4, 10, 14, 1),  # the exceptional cap of Decree 335's scheme
        (GOOD, 30, 3, 10, 13, 0),
        (GOOD, 20, 0, 3, 8, 0),  # C and D rows count for nothing
    ],
)
def test_rows_to_lower(kind, cap, a, b, rows, expected):
    assert scoring.rows_to_lower(kind=kind, cap_percent=cap, a=a, b=b, rows=rows) == expected
    check = scoring.cap_check(["A"] * a + ["B"] * b + ["C"] * (rows - a - b), kind=kind, cap_percent=cap)
    assert (check.a, check.b, check.rows, check.rows_to_lower, check.exceeded) == (a, b, rows, expected, expected > 0)


def test_seven_staff_at_thirty_percent_allow_two_a():
    assert scoring.a_allowed(kind=STAFF, cap_percent=30, rows=7, b=0) == 2
    assert scoring.a_allowed(kind=GOOD, cap_percent=20, rows=99, b=14) == 2  # 2.8: two
    assert scoring.a_allowed(kind=GOOD, cap_percent=20, rows=3, b=0) == 0


@given(kind=st.sampled_from([STAFF, GOOD]), cap=st.integers(0, 100), a=st.integers(0, 60), b=st.integers(0, 60),
       others=st.integers(0, 20))
def test_the_rows_to_lower_are_the_fewest_that_make_the_cap_hold(kind, cap, a, b, others):
    rows = a + b + others

    def holds(k):  # k rows lowered from A to B
        base = b + k if kind == GOOD else rows
        return 100 * (a - k) <= cap * base

    k = scoring.rows_to_lower(kind=kind, cap_percent=cap, a=a, b=b, rows=rows)
    assert 0 <= k <= a and holds(k)
    assert k == 0 or not holds(k - 1)


def test_the_exceptional_cap_applies_only_when_the_scheme_has_one():
    decree = ScoringScheme(name="Nghị định 335", cap_kind=GOOD, a_share_cap_percent=20, exceptional_cap_percent=30)
    hanoi = ScoringScheme(name="Hà Nội", cap_kind=STAFF, a_share_cap_percent=30, exceptional_cap_percent=None)
    grades = ["A"] * 3 + ["B"] * 10
    assert scoring.sheet_cap_check(grades, scheme=decree).rows_to_lower == 1
    excepted = scoring.sheet_cap_check(grades, scheme=decree, exceptional=True)
    assert (excepted.percent, excepted.exceptional, excepted.exceeded) == (30, True, False)
    assert scoring.sheet_cap_check(grades, scheme=hanoi, exceptional=True).percent == 30
    assert scoring.sheet_cap_check(grades, scheme=hanoi, exceptional=True).exceptional is False


def test_the_message_names_the_cap_where_the_sheet_stands_and_the_rows_to_change():
    decree = ScoringScheme(name="x", legal_basis="Decree 335", cap_kind=GOOD, a_share_cap_percent=20)
    hanoi = ScoringScheme(name="Hà Nội", legal_basis="", cap_kind=STAFF, a_share_cap_percent=30)
    with translation.override("en"):
        good = scoring.cap_message(scoring.sheet_cap_check(["A"] * 5 + ["B"] * 10, scheme=decree), scheme=decree)
        staff = scoring.cap_message(scoring.sheet_cap_check(["A"] * 3 + ["B"] * 4, scheme=hanoi), scheme=hanoi)
    assert good == "Decree 335: grade A at most 20% of those rated B — 5 A for 10 B; lower 3 of the A rows to B."
    assert staff == "Hà Nội: grade A at most 30% of the staff rated — 3 A of 7 staff, at most 2; lower 1 of the A rows to B."


# --- Submit and approve refused above the cap ----------------------------------------------------------------

def _refusal(actor, sheet, action) -> ValidationError:
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.rating_sheet_transition(actor=actor, sheet=sheet, action=action)
    assert refused.value.code == "cap"
    sheet.refresh_from_db()
    return refused.value


@pytest.fixture
def decree_sheet(commune, commune_officer, staff_factory):
    """March 2026 in a commune under Decree 335 (no rule of its own province): 15 staff, all A as opened."""
    staff_factory.create_batch(15, unit=commune)
    return open_sheet(commune, commune_officer, MARCH_2026)


@pytest.mark.django_db
def test_a_decree_335_sheet_above_its_cap_is_refused_on_submit_and_approve(decree_sheet, commune_officer, commune_head):
    assert decree_sheet.scheme.cap_kind == GOOD and decree_sheet.scheme.legal_basis.startswith("Nghị định số 335/2025")
    set_grades(decree_sheet, commune_officer, "AAAAA" + "B" * 10)

    refused = _refusal(commune_officer, decree_sheet, "submit")
    assert refused.messages == [
        f"Submit: refused. {decree_sheet.scheme.legal_basis}: grade A at most 20% of those rated B — 5 A for 10 B; "
        "lower 3 of the A rows to B."
    ]
    assert decree_sheet.status == SheetStatus.DRAFT and decree_sheet.history.count() == 1

    rows = set_grades(decree_sheet, commune_officer, "AABBB")  # 2 A for 13 B
    services.rating_sheet_transition(actor=commune_officer, sheet=decree_sheet, action="submit")
    # Before approval the sheet can still be corrected; a third A breaks the cap again.
    set_grades(decree_sheet, commune_head, "AAA")
    refused = _refusal(commune_head, decree_sheet, "approve")
    assert "3 A for 12 B; lower 1 of the A rows to B." in refused.messages[0]
    assert decree_sheet.status == SheetStatus.SUBMITTED and decree_sheet.approved_by is None
    set_grades(decree_sheet, commune_head, "AAB")
    approved = services.rating_sheet_transition(actor=commune_head, sheet=decree_sheet, action="approve")
    assert approved.status == SheetStatus.APPROVED and rows[0].grade == Grade.A


@pytest.mark.django_db
def test_a_hanoi_sheet_above_its_cap_is_refused_on_submit_and_approve(make_sheet, thanh_xuan_bac, ward_officer, unit_head):
    sheet = make_sheet(unit=thanh_xuan_bac, actor=ward_officer, staff_count=7)
    assert sheet.scheme.cap_kind == STAFF and sheet.scheme.legal_basis.startswith("Quyết định 3814")
    refused = _refusal(ward_officer, sheet, "submit")  # everyone at full marks, as opened
    assert refused.messages[0].endswith("grade A at most 30% of the staff rated — 7 A of 7 staff, at most 2; lower 5 of the A rows to B.")
    set_grades(sheet, ward_officer, "AABBBBB")
    services.rating_sheet_transition(actor=ward_officer, sheet=sheet, action="submit")
    set_grades(sheet, ward_officer, "AAA")
    assert "3 A of 7 staff, at most 2; lower 1 of the A rows to B." in _refusal(unit_head, sheet, "approve").messages[0]
    set_grades(sheet, ward_officer, "AAB")
    assert services.rating_sheet_transition(actor=unit_head, sheet=sheet, action="approve").status == SheetStatus.APPROVED


@pytest.mark.django_db
def test_the_same_grades_pass_hanois_cap_and_fail_decree_335s(make_sheet, thanh_xuan_bac, ward_officer, commune, commune_officer,
                                                               staff_factory):
    """Side by side: 3 A and 7 B of 10 is exactly Hanoi's 30 % of the staff, but 43 % of those rated B."""
    hanoi_sheet = make_sheet(unit=thanh_xuan_bac, actor=ward_officer, staff_count=10, month=MARCH_2026)
    staff_factory.create_batch(10, unit=commune)
    decree_sheet = open_sheet(commune, commune_officer, MARCH_2026)
    set_grades(hanoi_sheet, ward_officer, "AAA" + "B" * 7)
    set_grades(decree_sheet, commune_officer, "AAA" + "B" * 7)

    assert services.rating_sheet_transition(actor=ward_officer, sheet=hanoi_sheet, action="submit").status == SheetStatus.SUBMITTED
    assert "3 A for 7 B; lower 2 of the A rows to B." in _refusal(commune_officer, decree_sheet, "submit").messages[0]


@pytest.mark.django_db
def test_the_sheet_page_shows_the_cap_before_anyone_tries(client, decree_sheet, commune_officer):
    set_grades(decree_sheet, commune_officer, "AAAAA" + "B" * 10)
    page = client_for(client, commune_officer).get(reverse("evaluations:sheet_detail", args=[decree_sheet.pk])).content.decode()
    warning = page[page.index('data-testid="a-share-warning"'):]
    assert "5 A for 10 B; lower 3 of the A rows to B." in warning[:800]
    assert "The sheet cannot be submitted or approved until then." in warning[:800]
    assert "15 staff · 5 A for 10 B (A at most 20% of B)" in page

    response = client.post(reverse("evaluations:sheet_transition", args=[decree_sheet.pk]), {"action": "submit"}, follow=True)
    assert "lower 3 of the A rows to B." in response.content.decode()
    set_grades(decree_sheet, commune_officer, "AABBB")
    page = client.get(reverse("evaluations:sheet_detail", args=[decree_sheet.pk])).content.decode()
    assert 'data-testid="a-share-warning"' not in page


@pytest.mark.django_db
def test_a_row_save_updates_the_warning_out_of_band(client, decree_sheet, commune_officer, row_post):
    set_grades(decree_sheet, commune_officer, "AAB" + "B" * 12)  # 2 A for 13 B: within
    row = decree_sheet.ratings.select_related("staff").order_by("staff__full_name", "staff_id")[2]
    client_for(client, commune_officer)
    body = client.post(reverse("evaluations:rating_row_save", args=[row.pk]), row_post(row, points={"tasks": "70"}),
                       HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-swap-oob="true"' in body and "3 A for 12 B; lower 1 of the A rows to B." in body


# --- Exceptional units ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_exception_lets_the_sheet_through_under_the_exceptional_cap_and_is_audited(
    decree_sheet, commune, commune_officer, commune_head, province_admin
):
    set_grades(decree_sheet, commune_officer, "AAAA" + "B" * 11)  # 4 A for 11 B: 36 %, above even 30 %
    _refusal(commune_officer, decree_sheet, "submit")
    exception = services.cap_exception_decide(
        actor=province_admin, unit=commune, month=MARCH_2026 + datetime.timedelta(days=14), reason="Hoàn thành xuất sắc chuyển đổi số"
    )
    assert (exception.month, exception.decided_by) == (MARCH_2026, province_admin)
    created = exception.history.get()
    assert (created.history_type, created.history_user, created.history_change_reason) == (
        "+", province_admin, "Hoàn thành xuất sắc chuyển đổi số"
    )
    refused = _refusal(commune_officer, decree_sheet, "submit")
    assert "(exceptional unit): grade A at most 30% of those rated B — 4 A for 11 B; lower 1 of the A rows to B." in refused.messages[0]
    set_grades(decree_sheet, commune_officer, "AAAB")  # 3 A for 12 B: 25 %, within 30 %
    services.rating_sheet_transition(actor=commune_officer, sheet=decree_sheet, action="submit")

    services.cap_exception_revoke(actor=province_admin, exception=exception, reason="Quyết định nhầm đơn vị")
    assert not CapException.objects.exists()
    deleted = CapException.history.filter(history_type="-").get()
    assert (deleted.history_user, deleted.history_change_reason, deleted.unit_id) == (province_admin, "Quyết định nhầm đơn vị", commune.pk)
    assert "3 A for 12 B; lower 1 of the A rows to B." in _refusal(commune_head, decree_sheet, "approve").messages[0]

    services.cap_exception_decide(actor=province_admin, unit=commune, month=MARCH_2026, reason="Xem xét lại")
    assert services.rating_sheet_transition(actor=commune_head, sheet=decree_sheet, action="approve").status == SheetStatus.APPROVED
    with pytest.raises(ValidationError) as refused:  # the approved sheet was checked under the exception
        services.cap_exception_revoke(actor=province_admin, exception=CapException.objects.get(), reason="Thu hồi")
    assert refused.value.code == "read_only"


@pytest.mark.django_db
def test_the_units_own_people_cannot_decide_its_exception(decree_sheet, commune, commune_officer, commune_head, province,
                                                          province_admin, staff_factory):
    commune_office = make_user("commune.office", Role.DISTRICT_OFFICE, commune)  # the right, but on the unit itself
    for actor in (commune_officer, commune_head, commune_office):
        with pytest.raises(PermissionDenied):
            services.cap_exception_decide(actor=actor, unit=commune, month=MARCH_2026, reason="Tự đề nghị")
    # The province administrator who is also on the commune's staff does not decide for it either.
    province_admin.staff_member = staff_factory(unit=commune)
    province_admin.save()
    with pytest.raises(PermissionDenied):
        services.cap_exception_decide(actor=province_admin, unit=commune, month=MARCH_2026, reason="Tự đề nghị")
    # Nor for the province itself, from its own assignment.
    province_admin.staff_member = None
    province_admin.save()
    with pytest.raises(PermissionDenied):
        services.cap_exception_decide(actor=province_admin, unit=province, month=MARCH_2026, reason="Cả tỉnh")
    assert not CapException.objects.exists()


@pytest.mark.django_db
def test_hanois_scheme_ships_its_exceptional_cap(thanh_xuan_bac, district_officer):
    scheme = scheme_for(unit=thanh_xuan_bac, month=MARCH_2026)
    assert (scheme.a_share_cap_percent, scheme.exceptional_cap_percent) == (30, 40)
    services.cap_exception_decide(actor=district_officer, unit=thanh_xuan_bac, month=MARCH_2026, reason="Đơn vị tiêu biểu")
    assert CapException.objects.get().unit == thanh_xuan_bac


@pytest.mark.django_db
def test_an_exception_is_refused_when_the_scheme_has_no_exceptional_cap(thanh_xuan_bac, district_officer):
    ScoringScheme.objects.filter(legal_basis__startswith="Quyết định 3814").update(exceptional_cap_percent=None)
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.cap_exception_decide(actor=district_officer, unit=thanh_xuan_bac, month=MARCH_2026, reason="Đơn vị tiêu biểu")
    assert refused.value.code == "no_exceptional_cap"
    assert refused.value.messages == [
        "Quyết định 3814-QĐ/TU ngày 16/05/2018 của Thành ủy Hà Nội allows no exceptional units: "
        "its cap on grade A (30%) applies to every unit."
    ]
    assert not CapException.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("reason", ["", "   "])
def test_an_exception_needs_a_reason(commune, province_admin, reason):
    with pytest.raises(ValidationError) as refused:
        services.cap_exception_decide(actor=province_admin, unit=commune, month=MARCH_2026, reason=reason)
    assert "reason" in refused.value.message_dict and not CapException.objects.exists()


@pytest.mark.django_db
def test_an_exception_is_decided_once_and_not_for_a_period_to_come(commune, province_admin, this_month):
    services.cap_exception_decide(actor=province_admin, unit=commune, month=MARCH_2026, reason="Đơn vị tiêu biểu")
    with pytest.raises(ValidationError) as twice:
        services.cap_exception_decide(actor=province_admin, unit=commune, month=MARCH_2026, reason="Lần nữa")
    assert twice.value.code == "exists"
    next_month = (this_month + datetime.timedelta(days=32)).replace(day=1)
    with pytest.raises(ValidationError) as future:
        services.cap_exception_decide(actor=province_admin, unit=commune, month=next_month, reason="Trước")
    assert future.value.code == "future" and CapException.objects.count() == 1


# --- The exception form on the sheet page ---------------------------------------------------------------------


def _exception_url(sheet):
    return reverse("evaluations:sheet_cap_exception", args=[sheet.pk])


@pytest.mark.django_db
def test_the_level_above_marks_the_unit_exceptional_from_the_sheet_page(client, decree_sheet, province_admin, commune_officer):
    detail = reverse("evaluations:sheet_detail", args=[decree_sheet.pk])
    admin = client_for(client, province_admin)
    page = admin.get(detail).content.decode()
    assert 'data-testid="cap-exception-decide"' in page and _exception_url(decree_sheet) in page

    refused = admin.post(_exception_url(decree_sheet), {"action": "decide", "reason": " "}, follow=True).content.decode()
    assert "Give a reason." in refused and not CapException.objects.exists()
    page = admin.post(_exception_url(decree_sheet), {"action": "decide", "reason": "Đơn vị dẫn đầu phong trào thi đua"},
                      follow=True).content.decode()
    assert "Xã Thử Nghiệm is an exceptional unit for Month 03/2026: grade A may reach 30%." in page
    assert 'data-testid="exceptional-badge"' in page and "Đơn vị dẫn đầu phong trào thi đua" in page
    assert 'data-testid="cap-exception-revoke"' in page

    officer_page = client_for(client, commune_officer).get(detail).content.decode()
    assert "Đơn vị dẫn đầu phong trào thi đua" in officer_page and 'data-testid="cap-exception-revoke"' not in officer_page
    assert client.post(_exception_url(decree_sheet), {"action": "revoke", "reason": "Tự thu hồi"}).status_code == 403

    admin = client_for(client, province_admin)
    admin.post(_exception_url(decree_sheet), {"action": "revoke", "reason": "Đánh giá lại"})
    assert not CapException.objects.exists()


@pytest.mark.django_db
def test_the_exception_form_answers_in_vietnamese_when_the_scheme_allows_none(client, make_sheet, thanh_xuan_bac, ward_officer,
                                                                            district_officer):
    ScoringScheme.objects.filter(legal_basis__startswith="Quyết định 3814").update(exceptional_cap_percent=None)
    sheet = make_sheet(unit=thanh_xuan_bac, actor=ward_officer, staff_count=3)
    client.force_login(district_officer)
    page = client.get(reverse("evaluations:sheet_detail", args=[sheet.pk])).content.decode()
    assert 'data-testid="no-exceptional-cap"' in page and 'data-testid="cap-exception-decide"' not in page
    response = client.post(_exception_url(sheet), {"action": "decide", "reason": "Đơn vị tiêu biểu"}, follow=True)
    assert in_page("%(scheme)s allows no exceptional units: its cap on grade A (%(cap)s%%) applies to every unit.",
                   scheme=sheet.scheme.legal_basis, cap=30) in response.content.decode()
    assert not CapException.objects.exists()


@pytest.mark.django_db
def test_the_exception_form_is_for_the_level_above_only(client, decree_sheet, commune_officer, commune_head, make_sheet,
                                                        thanh_xuan_bac, ward_officer, district_officer):
    for user in (commune_officer, commune_head):
        client.force_login(user)
        page = client.get(reverse("evaluations:sheet_detail", args=[decree_sheet.pk])).content.decode()
        assert 'data-testid="cap-exception"' not in page
        assert client.post(_exception_url(decree_sheet), {"action": "decide", "reason": "Tự đề nghị"}).status_code == 403
    client.force_login(district_officer)  # Hanoi's district office: the commune lies outside its scope
    assert client.post(_exception_url(decree_sheet), {"action": "decide", "reason": "Ngoài phạm vi"}).status_code == 404
    assert not CapException.objects.exists()
    assert RatingSheet.objects.get(pk=decree_sheet.pk).status == SheetStatus.DRAFT
