"""The dashboard costs the same number of queries for 2 wards or 10, for one month of data or six."""

from __future__ import annotations

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
import pytest

from evaluations.choices import VisitStatus
from feedback.choices import CaseStatus, FeedbackKind
from tests.builders import lower_to_cap, make_campaign, make_user, move_sheet, open_sheet, record_violation, sign
from tests.factories import FeedbackCaseFactory, InspectionTeamFactory, KioskVoteFactory
from tests.helpers import local_at, months_back, today
from tests.reports.dashboard_helpers import action_on, svg
from units.choices import Role, UnitKind
from units.models import Unit
from units.services import unit_create_sub_body

pytestmark = pytest.mark.django_db

# The district dashboard, measured: session, user and scope (3), the unit (1), then the dashboard's own reads
# (rollup, staff, campaigns, expected, signed, sheets, violations, cases, votes, actions, grade month, ratings).
# Ranking weights of the jurisdiction: one more; the footer's codes of conduct in force (one per audience): two.
QUERY_BOUND = 21  # with the notification bell's unread count (issue 18)


def units_beneath(district, city_admin, count: int) -> list[Unit]:
    """``count`` units directly under the district: its wards (nine in Thanh Xuân), then departments added."""
    units = list(Unit.objects.filter(parent=district).order_by("pk")[:count])
    for number in range(count - len(units)):
        units.append(unit_create_sub_body(actor=city_admin, parent=district, name=f"Phòng Nội vụ {number + 1}",
                                          kind=UnitKind.DEPARTMENT))
    return units


def fill(*, district, wards, months, city_admin, district_officer, staff_factory):
    """For each ward: two staff, a submitted sheet, a violation, cases and a kiosk vote in each month; an
    overdue corrective action; one pledge."""
    year = today().year
    campaign = make_campaign(actor=district_officer, scope_unit=district, title="Ký cam kết",
                             opens_on=datetime.date(year, 1, 1), closes_on=datetime.date(year, 12, 31))
    team = InspectionTeamFactory(name="Tổ kiểm tra số 1", owner_unit=district,
                                 leader=make_user("dash.leader", Role.INSPECTOR, district, full_name="Lê Văn Trưởng"))
    for ward in wards:
        staff = staff_factory.create_batch(2, unit=ward)
        sign(campaign, staff[0], district_officer)
        for back in range(months):
            month = months_back(back)
            sheet = open_sheet(ward, city_admin, month)
            lower_to_cap(sheet, city_admin)  # two staff: Hanoi's 30 % allows no A
            move_sheet(sheet, city_admin, "submit", "approve")
            day = month.replace(day=3) if back else today()
            record_violation(actor=city_admin, staff=staff[1], day=day, description="Không đeo thẻ công chức")
            FeedbackCaseFactory(unit=ward, kind=FeedbackKind.DELAY, satisfaction=4, received_at=local_at(day), status=CaseStatus.IN_PROGRESS)
            FeedbackCaseFactory(unit=ward, satisfaction=2, received_at=local_at(day), status=CaseStatus.RESOLVED, public_reply="Đã xử lý",
                                closed_at=local_at(day), due_on=day + datetime.timedelta(days=5))
            KioskVoteFactory(unit=ward, score=5, created_at=local_at(day), device=None)
        action_on(team, ward, status=VisitStatus.CLOSED, due_on=today() - datetime.timedelta(days=1))


@pytest.mark.parametrize("ward_count, months", [(2, 1), (10, 6)])
def test_query_count_does_not_grow(client, district_officer, city_admin, thanh_xuan, staff_factory, django_assert_max_num_queries,
                                   ward_count, months):
    wards = units_beneath(thanh_xuan, city_admin, ward_count)
    fill(district=thanh_xuan, wards=wards, months=months, city_admin=city_admin, district_officer=district_officer,
         staff_factory=staff_factory)
    client.force_login(district_officer)
    with django_assert_max_num_queries(QUERY_BOUND):
        response = client.get(f"/dashboard/{thanh_xuan.public_code}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert svg(html, "grades").count('class="bar seg-A"') + svg(html, "grades").count('class="bar seg-B"') >= ward_count
    assert svg(html, "trend").count('class="point"') == months


def test_the_same_number_of_queries_for_2_and_10_wards(client, district_officer, city_admin, thanh_xuan, staff_factory):
    """Exactly equal, not only under the bound: nothing is read per ward or per month."""
    wards = units_beneath(thanh_xuan, city_admin, 10)
    client.force_login(district_officer)

    def measure() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/dashboard/{thanh_xuan.public_code}/").status_code == 200
        return len(captured)

    fill(district=thanh_xuan, wards=wards[:2], months=1, city_admin=city_admin, district_officer=district_officer,
         staff_factory=staff_factory)
    few = measure()
    _more(wards[2:], 3, city_admin, district_officer, staff_factory, thanh_xuan)
    assert measure() == few


def _more(wards, months, city_admin, district_officer, staff_factory, district):
    """More wards and months on top of the first fill (the campaign and team exist already)."""
    from evaluations.models import InspectionTeam
    from pledges.models import PledgeCampaign

    campaign = PledgeCampaign.objects.get(scope_unit=district)
    team = InspectionTeam.objects.get(owner_unit=district)
    for ward in wards:
        staff = staff_factory.create_batch(2, unit=ward)
        sign(campaign, staff[0], district_officer)
        for back in range(months):
            month = months_back(back)
            sheet = open_sheet(ward, city_admin, month)
            lower_to_cap(sheet, city_admin)
            move_sheet(sheet, city_admin, "submit")
            FeedbackCaseFactory(unit=ward, satisfaction=5, received_at=local_at(month.replace(day=2)), status=CaseStatus.NEW)
        action_on(team, ward)
