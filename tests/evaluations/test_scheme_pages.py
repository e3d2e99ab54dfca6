"""The scheme pages as a province administrator uses them: the list, a scheme with its preview, creating (with
"add rows"), editing in place or being told why not, a new version, deleting; and who gets 403 or 404."""

import datetime
from decimal import Decimal

from django.urls import reverse
import pytest

from evaluations.choices import DisciplineForm, Grade, SheetStatus
from evaluations.models import ScoringScheme
from evaluations.schemes import services
from tests.evaluations.scheme_helpers import TASKS, form_post, group, scheme_values, table_counts
from tests.factories import RatingSheetFactory
from tests.helpers import client_for, in_page

pytestmark = pytest.mark.django_db


def national_scheme():
    return ScoringScheme.objects.get(jurisdiction__isnull=True, shipped_for="", effective_from=datetime.date(2026, 1, 1))


def url(name, scheme=None, **query):
    path = reverse(f"evaluations:{name}", kwargs={"pk": scheme.pk} if scheme else {})
    return path + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


@pytest.fixture
def own_scheme(province, province_admin):
    return services.scheme_create(actor=province_admin, jurisdiction=province, values=scheme_values()).scheme


@pytest.fixture
def hanoi_scheme(hanoi):
    return ScoringScheme.objects.get(jurisdiction=hanoi)


# --- Who gets what -------------------------------------------------------------------------------------------------


def test_the_list_shows_own_and_national_schemes_never_another_provinces(client, province_admin, own_scheme, hanoi_scheme):
    page = client_for(client, province_admin).get(url("scheme_list"))
    assert page.status_code == 200
    text = page.content.decode()
    assert own_scheme.name in text and national_scheme().name in text
    assert hanoi_scheme.name not in text
    own_table, inherited_table = text.split('data-testid="own-schemes"')[1], text.split('data-testid="inherited-schemes"')[1]
    assert own_scheme.name in own_table.split("</table>")[0]
    assert national_scheme().name in inherited_table.split("</table>")[0]
    # Until 2027 the province works under Decree 335, the national default.
    in_force = text.split('data-testid="in-force"')[1].split('data-testid="own-schemes"')[0]
    assert "Tỉnh Thử Nghiệm" in in_force and national_scheme().name in in_force and "national default" in in_force


def test_hanois_administrator_never_sees_the_other_provinces_scheme(client, hanoi_admin, own_scheme, hanoi_scheme):
    client_for(client, hanoi_admin)
    text = client.get(url("scheme_list")).content.decode()
    assert hanoi_scheme.name in text and own_scheme.name not in text
    for name in ("scheme_detail", "scheme_update", "scheme_new_version", "scheme_delete"):
        assert client.get(url(name, own_scheme)).status_code == 404, name
    assert client.post(url("scheme_update", own_scheme), form_post(scheme_values(name="Đổi"))).status_code == 404


def test_a_province_administrator_never_reaches_hanois_scheme(client, province_admin, hanoi_scheme):
    client_for(client, province_admin)
    for name in ("scheme_detail", "scheme_update", "scheme_new_version", "scheme_delete"):
        assert client.get(url(name, hanoi_scheme)).status_code == 404, name
    assert client.get(url("scheme_create", **{"from": hanoi_scheme.pk})).status_code == 404


def test_the_national_default_is_read_only_for_a_province_administrator(client, province_admin):
    client_for(client, province_admin)
    page = client.get(url("scheme_detail", national_scheme()))
    assert page.status_code == 200 and 'data-testid="read-only"' in page.content.decode()
    assert url("scheme_update", national_scheme()) not in page.content.decode()
    for name in ("scheme_update", "scheme_new_version", "scheme_delete"):
        assert client.get(url(name, national_scheme())).status_code == 403, name
    before = table_counts()
    assert client.post(url("scheme_delete", national_scheme())).status_code == 403
    assert client.post(url("scheme_new_version", national_scheme()), {"effective_from": "2027-01-01"}).status_code == 403
    assert table_counts() == before


@pytest.mark.parametrize("role", ["ward_officer", "unit_head", "district_officer", "inspector"])
def test_without_the_right_to_manage_rules_every_page_is_refused(request, client, role, hanoi_scheme):
    client_for(client, request.getfixturevalue(role))
    for name in ("scheme_list", "scheme_create"):
        assert client.get(url(name)).status_code == 403, name
    for name in ("scheme_detail", "scheme_update", "scheme_new_version", "scheme_delete"):
        assert client.get(url(name, hanoi_scheme)).status_code == 403, name


# --- Creating ---------------------------------------------------------------------------------------------------


def test_a_scheme_is_created_from_the_page(client, province, province_admin):
    response = client_for(client, province_admin).post(url("scheme_create"), form_post(scheme_values(), jurisdiction=province))
    scheme = ScoringScheme.objects.get(jurisdiction=province)
    assert response.status_code == 302 and response["Location"] == url("scheme_detail", scheme)
    assert [(g.code, g.max_points, g.criteria.count()) for g in scheme.groups.order_by("order")] == [
        ("chung", 30, 3), ("nhiem-vu", 70, 2), ("thuong", 5, 0),
    ]
    assert scheme.history.get().history_user == province_admin


def test_the_annual_rule_is_set_on_the_scheme_page(client, province, province_admin):
    values = scheme_values(annual_min_rated_percent=75, annual_d_period_cap=Grade.C,
                           annual_sanction_trigger=DisciplineForm.REPRIMAND, annual_a_cap_percent=15)
    client.force_login(province_admin)  # Vietnamese, the default
    client.post(url("scheme_create"), form_post(values, jurisdiction=province))
    scheme = ScoringScheme.objects.get(jurisdiction=province)
    assert (scheme.annual_min_rated_percent, scheme.annual_d_period_cap, scheme.annual_sanction_trigger,
            scheme.annual_cap_percent) == (75, Grade.C, DisciplineForm.REPRIMAND, 15)
    page = client.get(url("scheme_detail", scheme)).content.decode()
    assert in_page("A sanction of %(sanction)s or heavier in the year forces D.",
                   sanction=DisciplineForm.REPRIMAND.label) in page


def test_an_annual_share_above_100_is_refused_and_saves_nothing(client, province, province_admin):
    client.force_login(province_admin)
    before = table_counts()
    page = client.post(url("scheme_create"), form_post(scheme_values(annual_min_rated_percent=120), jurisdiction=province))
    assert page.status_code == 200
    assert in_page("A share is a percentage between 0 and 100.") in page.content.decode()
    assert table_counts() == before


def test_wrong_input_on_the_page_says_why_in_vietnamese_and_saves_nothing(client, province, province_admin):
    client.force_login(province_admin)  # Vietnamese, the default
    before = table_counts()
    values = scheme_values(b_min=Decimal(95), groups=(group(TASKS, max_points=Decimal(60), criteria=()),))
    page = client.post(url("scheme_create"), form_post(values, jurisdiction=province))
    assert page.status_code == 200
    text = page.content.decode()
    assert in_page("The minimum for B (%(b)s) must be below the minimum for A (%(a)s).", a="90", b="95") in text
    assert in_page("The groups add up to %(sum)s points: they must add up to %(total)s.", sum="60", total="100") in text
    assert table_counts() == before
    assert 'value="Kết quả thực hiện nhiệm vụ"' in text  # what was typed is still there


def test_add_rows_gives_more_blank_rows_and_saves_nothing(client, province, province_admin):
    client_for(client, province_admin)
    data = form_post(scheme_values(name=""), jurisdiction=province)
    data["add_rows"] = "1"
    before = table_counts()
    page = client.post(url("scheme_create"), data)
    assert page.status_code == 200 and table_counts() == before
    text = page.content.decode()
    assert text.count('data-testid="group-row"') == 5  # three groups and one blank row posted, one more added
    assert 'name="g4-code"' in text and 'name="g0-c5-name"' in text  # two more criteria under each group
    assert "This field is required" not in text  # adding rows checks nothing yet
    assert 'value="Văn hóa công vụ: 4 xin, 4 luôn"' in text


def test_a_scheme_starts_from_the_national_default(client, province_admin):
    page = client_for(client, province_admin).get(url("scheme_create", **{"from": national_scheme().pk}))
    text = page.content.decode()
    assert page.status_code == 200
    assert 'name="g0-code" value="general"' in text and 'name="g1-code" value="tasks"' in text
    assert 'name="effective_from"' in text and 'name="effective_from" value=' not in text  # the date is the user's


# --- Editing, new version, delete ---------------------------------------------------------------------------------


def test_an_unused_scheme_is_edited_in_place(client, province_admin, own_scheme):
    client_for(client, province_admin)
    page = client.get(url("scheme_update", own_scheme))
    assert page.status_code == 200 and 'value="nhiem-vu"' in page.content.decode()
    response = client.post(url("scheme_update", own_scheme), form_post(scheme_values(a_min=Decimal("92.5")),
                                                                       reason="Nâng ngưỡng A"))
    assert response.status_code == 302
    own_scheme.refresh_from_db()
    assert own_scheme.a_min == Decimal("92.5")
    assert own_scheme.history.latest().history_change_reason == "Nâng ngưỡng A"


def test_a_used_scheme_says_why_it_cannot_change_and_offers_a_new_version(client, province_admin, own_scheme, commune):
    RatingSheetFactory(unit=commune, month=own_scheme.effective_from, scheme=own_scheme, status=SheetStatus.LOCKED)
    client_for(client, province_admin)
    page = client.get(url("scheme_update", own_scheme))
    text = page.content.decode()
    assert page.status_code == 200 and 'data-testid="in-use"' in text and "can no longer change in place" in text
    assert f'action="{url("scheme_new_version", own_scheme)}"' in text
    before = table_counts()
    page = client.post(url("scheme_update", own_scheme), form_post(scheme_values(a_min=Decimal(95))))
    assert page.status_code == 200 and "can no longer change in place" in page.content.decode()
    assert table_counts() == before
    response = client.post(url("scheme_new_version", own_scheme), {"effective_from": "2027-07-01", "name": ""})
    copy = ScoringScheme.objects.get(jurisdiction=own_scheme.jurisdiction, effective_from=datetime.date(2027, 7, 1))
    assert response.status_code == 302 and response["Location"] == url("scheme_update", copy)
    assert copy.groups.count() == 3


def test_a_new_version_before_the_original_is_refused_on_the_page(client, province_admin, own_scheme):
    client_for(client, province_admin)
    before = table_counts()
    page = client.post(url("scheme_new_version", own_scheme), {"effective_from": "2026-06-01"})
    assert page.status_code == 200 and "starts after the scheme it copies" in page.content.decode()
    assert table_counts() == before


def test_an_unused_scheme_is_deleted_after_a_confirmation(client, province_admin, own_scheme):
    client_for(client, province_admin)
    assert client.get(url("scheme_delete", own_scheme)).status_code == 200
    response = client.post(url("scheme_delete", own_scheme), {"reason": "Nhập nhầm"})
    assert response.status_code == 302 and not ScoringScheme.objects.filter(pk=own_scheme.pk).exists()


# --- The preview --------------------------------------------------------------------------------------------------


def test_the_preview_grades_a_sample_row(client, province_admin):
    client_for(client, province_admin)
    scheme = national_scheme()  # Decree 335: ≥ 90 A, ≥ 70 B; a serious violation: D; A ≤ 20 % of those rated B
    page = client.get(url("scheme_detail", scheme, p_general="25", p_tasks="60,5", good="12"))
    text = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="preview-total">85.5<' in text or 'data-testid="preview-total">85,5<' in text
    assert 'data-testid="preview-by-points">B<' in text and "<strong>B</strong>" in text
    assert "A ≤ 20 % of those rated B (30 % for a unit marked exceptional for the period)" in text
    assert "With 12 staff rated B, at most 2 may be graded A. An exceptional unit: at most 3." in text
    capped = client.get(url("scheme_detail", scheme, p_general="30", p_tasks="70", severity="serious")).content.decode()
    assert 'data-testid="preview-by-points">A<' in capped and "<strong>D</strong>" in capped
    assert "capped by the violation" in capped


def test_the_preview_of_a_share_of_staff_cap(client, hanoi_admin, hanoi_scheme):
    text = client_for(client, hanoi_admin).get(url("scheme_detail", hanoi_scheme, staff="20")).content.decode()
    assert "A ≤ 30 % of the staff rated" in text
    assert "In a unit of 20 staff rated, at most 6 may be graded A." in text
    # Untouched rows start at full marks (20 + 70, a bonus 0): 90, an A.
    assert 'data-testid="preview-total">90<' in text


def test_wrong_points_in_the_preview_are_explained(client, province_admin):
    text = client_for(client, province_admin).get(url("scheme_detail", national_scheme(), p_tasks="75")).content.decode()
    assert "at most 70 points" in text and 'data-testid="preview"' not in text


def test_the_list_reads_a_constant_number_of_queries(client, province, province_admin, django_assert_max_num_queries):
    client_for(client, province_admin)
    for month in range(1, 4):
        services.scheme_create(actor=province_admin, jurisdiction=province,
                               values=scheme_values(effective_from=datetime.date(2027, month, 1)))
    with django_assert_max_num_queries(12) as few:
        client.get(url("scheme_list"))
    for month in range(4, 12):
        services.scheme_create(actor=province_admin, jurisdiction=province,
                               values=scheme_values(effective_from=datetime.date(2027, month, 1)))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url("scheme_list"))
