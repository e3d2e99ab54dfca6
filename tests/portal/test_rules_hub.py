"""The rules hub (/rules/) and the legal bases printed on pages: each cites the rules in force for its own
unit, never a fixed city's, both ways between Hanoi and An Giang — the footer (the user's unit; the national
default for anonymous visitors), the public feedback form and the QR poster (their unit) and the inspection
report's place line. The draft commendation decision: tests/reports/test_decision_legal_basis.py."""

import datetime

from django.urls import reverse
import pytest

from portal.context_processors import legal_basis
from reports.rules.services import commendation_rule_create
from tests.factories import InspectionTeamFactory, InspectionVisitFactory
from tests.helpers import client_for
from units.scope import scope_for

pytestmark = pytest.mark.django_db

HANOI_STAFF, HANOI_PUBLIC, NATIONAL = "522/QĐ-UBND", "1665/QĐ-UBND", "1847/QĐ-TTg"


def hub(client, user) -> str:
    response = client_for(client, user).get(reverse("portal:rules"))
    assert response.status_code == 200
    return response.content.decode()


def rule_set(html: str, unit) -> str:
    start = html.index(f'data-unit="{unit.public_code}"')
    end = html.find('data-testid="rule-set"', start)
    return html[start:end if end > 0 else len(html)]


def row(section: str, kind: str) -> str:
    start = section.index(f'data-testid="rule-{kind}"')
    return section[start:section.index("</tr>", start)]


def footer(html: str) -> str:
    return html[html.index('data-testid="legal-basis"'):html.index("</footer>")]


# --- The hub ------------------------------------------------------------------------------------------------------


def test_hanois_administrator_sees_hanois_rule_set_and_manages_it(client, hanoi, city_admin):
    html = hub(client, city_admin)
    section = rule_set(html, hanoi)
    assert HANOI_STAFF in row(section, "staff_code") and 'data-origin="own"' in row(section, "staff_code")
    assert HANOI_PUBLIC in row(section, "public_code")
    assert "3814" in row(section, "scheme") and 'data-origin="own"' in row(section, "scheme")
    assert 'data-origin="national"' in row(section, "commendation_rule")
    assert 'data-origin="national"' in row(section, "ranking_weights")
    assert 'data-origin="own"' in row(section, "checklist")
    assert reverse("reports:commendation_rule_list") in row(section, "commendation_rule")
    assert reverse("reports:ranking_weights_list") in row(section, "ranking_weights")
    assert 'data-testid="nav-rules"' in html


def test_an_giangs_rules_are_national_until_it_sets_its_own_and_never_reach_hanoi(
    client, hanoi, an_giang, an_giang_admin, city_admin, an_giang_code
):
    html = hub(client, an_giang_admin)
    section = rule_set(html, an_giang)
    assert "Thành phố Hà Nội" not in html
    assert "99/QĐ-UBND" in row(section, "staff_code") and 'data-origin="own"' in row(section, "staff_code")
    assert "rule-public_code" not in section  # no code for public places: none is shown, Hanoi's least of all
    assert "335" in row(section, "scheme") and 'data-origin="national"' in row(section, "scheme")
    assert 'data-origin="national"' in row(section, "commendation_rule")

    commendation_rule_create(actor=an_giang_admin, jurisdiction=an_giang, name="Biểu dương của An Giang", legal_basis="",
                             effective_from=datetime.date(2026, 1, 1), min_grade="A", months_required=3,
                             allow_violations=False, allow_substantiated_complaints=False, quota_percent=15, quota_min=1)
    assert "Biểu dương của An Giang" in row(rule_set(hub(client, an_giang_admin), an_giang), "commendation_rule")
    hanoi_section = rule_set(hub(client, city_admin), hanoi)
    assert "Biểu dương của An Giang" not in hanoi_section and "99/QĐ-UBND" not in hanoi_section
    assert 'data-origin="national"' in row(hanoi_section, "commendation_rule")


def test_a_ward_officer_reads_the_rules_inherited_from_the_city(client, thanh_xuan_bac, ward_officer):
    html = hub(client, ward_officer)
    section = rule_set(html, thanh_xuan_bac)
    assert "inherited from Thành phố Hà Nội" in row(section, "staff_code")
    assert "read-only" in section
    assert reverse("reports:commendation_rule_list") not in html
    assert 'data-testid="nav-rules"' not in html  # the menu entry is for those who manage rules


def test_the_hub_needs_a_login(client):
    response = client.get(reverse("portal:rules"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_hub_takes_a_bounded_number_of_queries(client, city_admin, django_assert_max_num_queries):
    client_for(client, city_admin)
    with django_assert_max_num_queries(25):
        assert client.get(reverse("portal:rules")).status_code == 200


# --- The footer ---------------------------------------------------------------------------------------------------


def test_the_footer_cites_the_codes_of_the_users_unit(client, ward_officer, an_giang_admin):
    hanoi_footer = footer(client_for(client, ward_officer).get(reverse("home")).content.decode())
    assert HANOI_STAFF in hanoi_footer and HANOI_PUBLIC in hanoi_footer and NATIONAL not in hanoi_footer
    an_giang_footer = footer(client_for(client, an_giang_admin).get(reverse("home")).content.decode())
    assert NATIONAL in an_giang_footer and HANOI_STAFF not in an_giang_footer and HANOI_PUBLIC not in an_giang_footer


def test_an_anonymous_visitor_sees_the_national_default(client, hanoi):
    page = client.get(reverse("pledges:code_list")).content.decode()
    assert NATIONAL in footer(page) and HANOI_STAFF not in footer(page)
    assert "Hanoi" not in page and "Hà Nội, do" not in page


def test_the_footer_follows_a_provinces_own_code(client, an_giang_admin, an_giang_code):
    client_for(client, an_giang_admin)
    page = client.get(reverse("home")).content.decode()
    assert "99/QĐ-UBND" in footer(page) and NATIONAL not in footer(page)


def test_the_footer_codes_are_read_once_per_request_and_only_when_shown(rf, ward_officer, django_assert_num_queries):
    request = rf.get("/")
    request.user = type(ward_officer).objects.get(pk=ward_officer.pk)
    context = legal_basis(request)
    scope_for(request.user)  # the navigation loads the scope anyway
    with django_assert_num_queries(0):
        legal_basis(request)  # nothing is read until a template shows the codes
    with django_assert_num_queries(2):  # one per audience: staff, public places
        codes = list(context["legal_codes"])
    with django_assert_num_queries(0):
        assert list(legal_basis(request)["legal_codes"]) == codes
    assert [code.decision_number for code in codes] == [HANOI_STAFF, HANOI_PUBLIC]


# --- The public form and the poster -------------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["feedback:public_form", "feedback:poster"])
def test_the_public_form_and_poster_cite_their_units_code(client, thanh_xuan_bac, vinh_thuan, page):
    hanoi = client.get(reverse(page, args=[thanh_xuan_bac.public_code])).content.decode()
    assert HANOI_STAFF in hanoi and HANOI_STAFF in footer(hanoi) and NATIONAL not in hanoi
    an_giang = client.get(reverse(page, args=[vinh_thuan.public_code])).content.decode()
    assert NATIONAL in an_giang and NATIONAL in footer(an_giang)
    assert HANOI_STAFF not in an_giang and HANOI_PUBLIC not in an_giang


def test_the_poster_cites_a_provinces_own_code_once_published(client, vinh_thuan, an_giang_code):
    page = client.get(reverse("feedback:poster", args=[vinh_thuan.public_code])).content.decode()
    poster = page[page.index('data-testid="poster"'):page.index("</article>")]
    assert "99/QĐ-UBND" in poster and "Quy tắc ứng xử của cán bộ, công chức tỉnh An Giang" in poster
    assert NATIONAL not in poster


# --- The inspection report --------------------------------------------------------------------------------------------


def test_the_inspection_report_is_dated_at_the_teams_place(client, thanh_xuan, thanh_xuan_bac, district_officer, an_giang,
                                                          vinh_thuan, an_giang_admin):
    team = InspectionTeamFactory(owner_unit=thanh_xuan)
    visit = InspectionVisitFactory(team=team, unit=thanh_xuan_bac)
    page = client_for(client, district_officer).get(reverse("evaluations:visit_report", args=[visit.pk])).content.decode()
    assert "Thanh Xuân, date … month … year …" in page

    team = InspectionTeamFactory(owner_unit=an_giang)
    visit = InspectionVisitFactory(team=team, unit=vinh_thuan)
    page = client_for(client, an_giang_admin).get(reverse("evaluations:visit_report", args=[visit.pk])).content.decode()
    assert "An Giang, date … month … year …" in page and "Hanoi" not in page
