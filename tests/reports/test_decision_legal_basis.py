"""The draft commendation decision cites the legal bases in force for the list's unit, never a fixed city's:
the staff code of conduct in force there and the legal basis of the rule that drew up the list, both ways between
Hanoi and An Giang."""

import datetime

from django.urls import reverse
import pytest

from reports.commendations.figures import commendation_list_generate
from reports.rules.services import commendation_rule_create
from tests.helpers import client_for
from tests.reports.quarterly_helpers import QUARTER

pytestmark = pytest.mark.django_db

HANOI_STAFF, NATIONAL = "522/QĐ-UBND", "1847/QĐ-TTg"


@pytest.fixture
def decisions(rate, staff_factory, thanh_xuan, thanh_xuan_bac, vinh_thuan, an_giang, an_giang_admin):
    """A list in each province, An Giang's under a rule of its own with its legal basis."""
    commendation_rule_create(
        actor=an_giang_admin, jurisdiction=an_giang, name="Biểu dương của An Giang",
        legal_basis="Quyết định số 12/2024/QĐ-UBND ngày 03/04/2024 của Ủy ban nhân dân tỉnh An Giang",
        effective_from=datetime.date(2024, 1, 1), min_grade="A", months_required=3, allow_violations=False,
        allow_substantiated_complaints=False, quota_percent=50, quota_min=1,
    )
    rate(staff_factory(unit=thanh_xuan_bac, full_name="Nguyễn Văn Hà"), "AAA")
    rate(staff_factory(unit=vinh_thuan, full_name="Trần Văn Thuận"), "AAA")
    return {"hanoi": commendation_list_generate(unit=thanh_xuan, quarter=QUARTER),
            "an_giang": commendation_list_generate(unit=vinh_thuan, quarter=QUARTER)}


def decision(client, user, commendation_list) -> str:
    response = client_for(client, user).get(reverse("reports:commendation_decision", args=[commendation_list.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    return page[page.index('data-testid="decision"'):page.index("</article>")]


def test_the_decision_cites_the_code_and_rule_of_its_own_province(client, decisions, district_officer, an_giang_admin):
    hanoi = decision(client, district_officer, decisions["hanoi"])
    assert f"Căn cứ Quyết định số {HANOI_STAFF} ngày 25/01/2017" in hanoi
    assert "Luật Thi đua, khen thưởng" in hanoi
    assert "An Giang" not in hanoi and NATIONAL not in hanoi

    an_giang = decision(client, an_giang_admin, decisions["an_giang"])
    assert f"Căn cứ Quyết định số {NATIONAL}" in an_giang
    assert "Căn cứ Quyết định số 12/2024/QĐ-UBND ngày 03/04/2024 của Ủy ban nhân dân tỉnh An Giang;" in an_giang
    assert HANOI_STAFF not in an_giang and "Hà Nội" not in an_giang
    assert "Vĩnh Thuận, ngày" in an_giang and "XÃ VĨNH THUẬN" in an_giang


def test_the_national_rule_names_the_emulation_law_once(client, decisions, district_officer):
    hanoi = decision(client, district_officer, decisions["hanoi"])
    assert hanoi.count("Luật Thi đua, khen thưởng") == 1


def test_a_provinces_own_code_replaces_the_national_one(client, decisions, an_giang_admin, an_giang_code):
    an_giang = decision(client, an_giang_admin, decisions["an_giang"])
    assert "Căn cứ Quyết định số 99/QĐ-UBND ngày 05/01/2026 của Ủy ban nhân dân tỉnh An Giang ban hành" in an_giang
    assert NATIONAL not in an_giang
