"""The rule pages of the reports app: a province administrator lists, creates and versions the commendation rule
and the ranking weights of their province; wrong input is refused with a message and saves nothing; a rule used
by an approved list is never edited in place; the national default is read-only; another province's rule is a
404."""

import datetime

from django.urls import reverse
import pytest

from core.quarters import Quarter
from reports.choices import CommendationStatus
from reports.models import CommendationList, CommendationRule, RankingWeights
from tests.builders import make_user
from tests.factories import CommendationRuleFactory, UnitFactory
from tests.helpers import client_for
from units.choices import Role, UnitKind
from units.jurisdiction import national_q

pytestmark = pytest.mark.django_db

RULE = {
    "name": "Biểu dương hằng quý của tỉnh",
    "legal_basis": "Quyết định số 15/2026/QĐ-UBND ngày 02/02/2026 của Ủy ban nhân dân tỉnh An Giang",
    "effective_from": "2026-04-01",
    "min_grade": "B",
    "months_required": "2",
    "allow_violations": "",
    "allow_substantiated_complaints": "on",
    "quota_percent": "20",
    "quota_min": "2",
}
WEIGHTS = {"name": "Trọng số của tỉnh", "effective_from": "2026-01-01",
           "coverage": "10", "grades": "50", "satisfaction": "20", "on_time": "10", "discipline": "10"}


def post(client, name, data, *args):
    return client.post(reverse(f"reports:{name}", args=args), data)


def national_rule():
    return CommendationRule.objects.filter(national_q()).order_by("effective_from").first()


def national_weights():
    return RankingWeights.objects.filter(national_q()).order_by("effective_from").first()


def errors(response) -> str:
    return response.content.decode()


# --- Creating ---------------------------------------------------------------------------------------------------


def test_a_province_administrator_creates_the_province_commendation_rule(client, an_giang, an_giang_admin):
    client = client_for(client, an_giang_admin)
    page = client.get(reverse("reports:commendation_rule_create")).content.decode()
    assert "Tỉnh An Giang" in page and "Thành phố Hà Nội" not in page  # only their own province is offered

    response = post(client, "commendation_rule_create", {**RULE, "jurisdiction": an_giang.pk})

    rule = CommendationRule.objects.get(jurisdiction=an_giang)
    assert response.status_code == 302 and response["Location"] == reverse("reports:commendation_rule_detail", args=[rule.pk])
    assert (rule.min_grade, rule.months_required, rule.quota_percent, rule.quota_min) == ("B", 2, 20, 2)
    assert (rule.allow_violations, rule.allow_substantiated_complaints) == (False, True)
    assert rule.effective_from == datetime.date(2026, 4, 1)
    assert rule.history.get().history_user == an_giang_admin
    listed = client.get(reverse("reports:commendation_rule_list")).content.decode()
    assert "Biểu dương hằng quý của tỉnh" in listed


def test_a_rule_for_another_province_is_not_offered_and_not_saved(client, an_giang, hanoi, an_giang_admin):
    client = client_for(client, an_giang_admin)
    response = post(client, "commendation_rule_create", {**RULE, "jurisdiction": hanoi.pk})
    assert response.status_code == 400
    assert "Select a valid choice" in errors(response)
    assert not CommendationRule.objects.filter(jurisdiction__isnull=False).exists()


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"quota_percent": "0"}, "quota_percent", "greater than or equal to 1"),
        ({"quota_percent": "101"}, "quota_percent", "less than or equal to 100"),
        ({"months_required": "4"}, "months_required", "less than or equal to 3"),
        ({"months_required": "0"}, "months_required", "greater than or equal to 1"),
        ({"quota_min": "-1"}, "quota_min", "greater than or equal to 0"),
        ({"name": "   "}, "name", "This field is required"),
        ({"effective_from": "31/02/2026"}, "effective_from", "Enter a valid date"),
        ({"min_grade": "E"}, "min_grade", "Select a valid choice"),
    ],
)
def test_wrong_commendation_rule_input_is_refused_and_nothing_saved(client, an_giang, an_giang_admin, change, field, message):
    response = post(client_for(client, an_giang_admin), "commendation_rule_create", {**RULE, "jurisdiction": an_giang.pk, **change})
    assert response.status_code == 400
    assert message in errors(response)
    assert response.context["form"].errors[field]
    assert not CommendationRule.objects.filter(jurisdiction=an_giang).exists()


def test_two_rules_of_a_province_from_the_same_day_are_refused(client, an_giang, an_giang_admin):
    client = client_for(client, an_giang_admin)
    post(client, "commendation_rule_create", {**RULE, "jurisdiction": an_giang.pk})
    response = post(client, "commendation_rule_create", {**RULE, "jurisdiction": an_giang.pk, "name": "Lần hai"})
    assert response.status_code == 400
    assert "already has a rule in force from 01/04/2026" in errors(response)
    assert CommendationRule.objects.filter(jurisdiction=an_giang).count() == 1


def test_the_same_day_in_two_provinces_is_fine(client, an_giang, hanoi, an_giang_admin, city_admin):
    post(client_for(client, an_giang_admin), "commendation_rule_create", {**RULE, "jurisdiction": an_giang.pk})
    response = post(client_for(client, city_admin), "commendation_rule_create", {**RULE, "jurisdiction": hanoi.pk})
    assert response.status_code == 302
    assert CommendationRule.objects.filter(effective_from=datetime.date(2026, 4, 1)).count() == 2


# --- Ranking weights --------------------------------------------------------------------------------------------


def test_a_province_administrator_creates_and_versions_ranking_weights(client, an_giang, an_giang_admin):
    client = client_for(client, an_giang_admin)
    response = post(client, "ranking_weights_create", {**WEIGHTS, "jurisdiction": an_giang.pk})
    weights = RankingWeights.objects.get(jurisdiction=an_giang)
    assert response.status_code == 302
    assert weights.as_dict() == {"coverage": 10, "grades": 50, "satisfaction": 20, "on_time": 10, "discipline": 10}

    too_early = post(client, "ranking_weights_version", {**WEIGHTS, "effective_from": "2026-01-01"}, weights.pk)
    assert too_early.status_code == 400
    assert "starts after the version it follows (in force from 01/01/2026)" in errors(too_early)

    response = post(client, "ranking_weights_version", {**WEIGHTS, "effective_from": "2026-07-01", "grades": "0",
                                                        "satisfaction": "70"}, weights.pk)
    assert response.status_code == 302
    later = RankingWeights.objects.get(jurisdiction=an_giang, effective_from=datetime.date(2026, 7, 1))
    assert (later.grades, later.satisfaction) == (0, 70)
    weights.refresh_from_db()
    assert weights.grades == 50  # the earlier version keeps the months before


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"coverage": "0", "grades": "0", "satisfaction": "0", "on_time": "0", "discipline": "0"}, "Every weight is zero"),
        ({"grades": "101"}, "less than or equal to 100"),
        ({"satisfaction": "-5"}, "greater than or equal to 0"),
        ({"on_time": ""}, "This field is required"),
        ({"effective_from": ""}, "This field is required"),
    ],
)
def test_wrong_weights_are_refused_and_nothing_saved(client, an_giang, an_giang_admin, change, message):
    response = post(client_for(client, an_giang_admin), "ranking_weights_create", {**WEIGHTS, "jurisdiction": an_giang.pk, **change})
    assert response.status_code == 400
    assert message in errors(response)
    assert not RankingWeights.objects.filter(jurisdiction=an_giang).exists()


def test_weights_have_no_edit_in_place(client, an_giang, an_giang_admin):
    client = client_for(client, an_giang_admin)
    post(client, "ranking_weights_create", {**WEIGHTS, "jurisdiction": an_giang.pk})
    weights = RankingWeights.objects.get(jurisdiction=an_giang)
    page = client.get(reverse("reports:ranking_weights_detail", args=[weights.pk])).content.decode()
    assert reverse("reports:ranking_weights_version", args=[weights.pk]) in page
    assert "/edit/" not in page


# --- The national default and other provinces ---------------------------------------------------------------------


@pytest.mark.parametrize(("detail", "version", "national"), [
    ("commendation_rule_detail", "commendation_rule_version", national_rule),
    ("ranking_weights_detail", "ranking_weights_version", national_weights),
])
def test_the_national_default_is_read_only_for_a_province(client, an_giang_admin, detail, version, national):
    client = client_for(client, an_giang_admin)
    rule = national()
    page = client.get(reverse(f"reports:{detail}", args=[rule.pk]))
    assert page.status_code == 200
    assert 'data-testid="read-only"' in page.content.decode()
    assert reverse(f"reports:{version}", args=[rule.pk]) not in page.content.decode()
    assert client.get(reverse(f"reports:{version}", args=[rule.pk])).status_code == 403
    before = type(rule).objects.count()
    assert post(client, version, {**RULE, **WEIGHTS, "effective_from": "2030-01-01"}, rule.pk).status_code == 403
    assert type(rule).objects.count() == before


def test_the_national_default_is_versioned_by_a_superuser(client, hanoi):
    superuser = make_user("super", Role.CITY_ADMIN, hanoi, is_superuser=True, is_staff=True)
    rule = national_rule()
    response = post(client_for(client, superuser), "commendation_rule_version", {**RULE, "effective_from": "2030-01-01"}, rule.pk)
    assert response.status_code == 302
    assert CommendationRule.objects.filter(national_q(), effective_from=datetime.date(2030, 1, 1)).exists()


def test_another_provinces_rule_is_not_found_both_ways(client, an_giang, hanoi, an_giang_admin, city_admin):
    own = CommendationRuleFactory(jurisdiction=an_giang, name="Quy định của An Giang")
    foreign = CommendationRuleFactory(jurisdiction=hanoi, name="Quy định của Hà Nội")
    for user, theirs, other in ((an_giang_admin, own, foreign), (city_admin, foreign, own)):
        client = client_for(client, user)
        for name in ("commendation_rule_detail", "commendation_rule_update", "commendation_rule_version"):
            assert client.get(reverse(f"reports:{name}", args=[theirs.pk])).status_code == 200, name
            assert client.get(reverse(f"reports:{name}", args=[other.pk])).status_code == 404, name
        assert post(client, "commendation_rule_update", {**RULE, "name": "Đổi"}, other.pk).status_code == 404
        listed = client.get(reverse("reports:commendation_rule_list")).content.decode()
        assert theirs.name in listed and other.name not in listed
    assert CommendationRule.objects.filter(name="Đổi").count() == 0


@pytest.mark.parametrize("role_fixture", ["ward_officer", "unit_head", "district_officer", "inspector"])
def test_roles_that_do_not_manage_rules_are_refused(request, client, role_fixture):
    client = client_for(client, request.getfixturevalue(role_fixture))
    rule = national_rule()
    for url in (reverse("reports:commendation_rule_list"), reverse("reports:ranking_weights_list"),
                reverse("reports:commendation_rule_detail", args=[rule.pk])):
        assert client.get(url).status_code == 403


# --- Rules used by an approved list ----------------------------------------------------------------------------


@pytest.fixture
def approved_under_hanoi_rule(hanoi, thanh_xuan):
    """Hanoi's rule from 2025 decided Quận Thanh Xuân's approved list of Q2 2025."""
    rule = CommendationRuleFactory(jurisdiction=hanoi, effective_from=datetime.date(2025, 1, 1), name="Quy định của Hà Nội")
    CommendationList.objects.create(unit=thanh_xuan, year=2025, quarter=2, rule=rule, status=CommendationStatus.APPROVED)
    return rule


def test_a_rule_used_by_an_approved_list_is_never_edited_in_place(client, city_admin, approved_under_hanoi_rule):
    client = client_for(client, city_admin)
    rule = approved_under_hanoi_rule
    detail = client.get(reverse("reports:commendation_rule_detail", args=[rule.pk])).content.decode()
    assert 'data-testid="rule-edit"' not in detail and "Quận Thanh Xuân" in detail
    edit = client.get(reverse("reports:commendation_rule_update", args=[rule.pk]))
    assert edit.status_code == 302 and edit["Location"] == reverse("reports:commendation_rule_version", args=[rule.pk])

    response = post(client, "commendation_rule_update", {**RULE, "quota_percent": "50"}, rule.pk)
    assert response.status_code == 400
    assert "never changed in place" in errors(response)
    rule.refresh_from_db()
    assert rule.quota_percent == 10 and rule.name == "Quy định của Hà Nội"


def test_a_new_version_may_not_take_over_an_approved_quarter(client, city_admin, approved_under_hanoi_rule):
    client = client_for(client, city_admin)
    rule = approved_under_hanoi_rule
    response = post(client, "commendation_rule_version", {**RULE, "effective_from": "2025-04-01"}, rule.pk)
    assert response.status_code == 400
    page = errors(response)
    assert "Quận Thanh Xuân (" in page and "choose a date after 30/06/2025" in page
    assert CommendationRule.objects.filter(jurisdiction=rule.jurisdiction).count() == 1

    response = post(client, "commendation_rule_version", {**RULE, "effective_from": "2025-07-01"}, rule.pk)
    assert response.status_code == 302
    assert CommendationRule.objects.filter(jurisdiction=rule.jurisdiction).count() == 2
    approved = CommendationList.objects.get(status=CommendationStatus.APPROVED)
    assert approved.rule == rule  # the approved list keeps its rule


def test_a_rule_of_another_province_may_start_before_an_approved_quarter_elsewhere(
    client, an_giang, an_giang_admin, approved_under_hanoi_rule
):
    response = post(client_for(client, an_giang_admin), "commendation_rule_create",
                    {**RULE, "jurisdiction": an_giang.pk, "effective_from": "2025-01-01"})
    assert response.status_code == 302


def test_a_rule_only_draft_lists_used_is_edited_in_place(client, city_admin, hanoi, thanh_xuan):
    rule = CommendationRuleFactory(jurisdiction=hanoi, effective_from=datetime.date(2025, 1, 1))
    CommendationList.objects.create(unit=thanh_xuan, year=2025, quarter=2, rule=rule)
    response = post(client_for(client, city_admin), "commendation_rule_update", {**RULE, "effective_from": "2025-01-01",
                                                                                 "quota_percent": "40"}, rule.pk)
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.quota_percent == 40
    assert rule.history.first().history_user == city_admin


def test_a_national_rule_from_a_province_quarter_already_approved_is_refused(client, hanoi, thanh_xuan):
    """A new national default would take over every province's quarter it covers, unless the province has its
    own rule: a quarter approved under the national rule refuses an earlier start."""
    superuser = make_user("super", Role.CITY_ADMIN, hanoi, is_superuser=True, is_staff=True)
    quarter = Quarter(2025, 2)
    CommendationList.objects.create(unit=thanh_xuan, year=quarter.year, quarter=quarter.number, rule=national_rule(),
                                    status=CommendationStatus.APPROVED)
    response = post(client_for(client, superuser), "commendation_rule_version", {**RULE, "effective_from": "2025-05-01"},
                    national_rule().pk)
    assert response.status_code == 302  # mid-quarter: it starts deciding lists from Q3
    response = post(client_for(client, superuser), "commendation_rule_create", {**RULE, "jurisdiction": "national",
                                                                               "effective_from": "2025-04-01"})
    assert response.status_code == 400
    assert "choose a date after 30/06/2025" in errors(response)


def test_a_sub_jurisdiction_rule_is_not_taken_over(client, hanoi, thanh_xuan, city_admin):
    """A list approved under its district's own rule does not stop the province from adding a rule: the
    district's rule is nearer and keeps deciding it."""
    district_rule = CommendationRuleFactory(jurisdiction=thanh_xuan, effective_from=datetime.date(2025, 1, 1))
    CommendationList.objects.create(unit=thanh_xuan, year=2025, quarter=2, rule=district_rule,
                                    status=CommendationStatus.APPROVED)
    response = post(client_for(client, city_admin), "commendation_rule_create",
                    {**RULE, "jurisdiction": hanoi.pk, "effective_from": "2025-01-01"})
    assert response.status_code == 302


def test_a_province_made_by_hand_gets_its_own_rule(client):
    province = UnitFactory(kind=UnitKind.PROVINCE, name="Tỉnh Thử Nghiệm")
    admin = make_user("admin.thunghiem", Role.CITY_ADMIN, province)
    response = post(client_for(client, admin), "commendation_rule_create", {**RULE, "jurisdiction": province.pk})
    assert response.status_code == 302
    assert CommendationRule.objects.get(jurisdiction=province).name == RULE["name"]
