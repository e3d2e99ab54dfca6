"""The district dashboard: the numbers on the page are the database's, the charts draw them, scope and month."""

from __future__ import annotations

import datetime

import pytest

from evaluations.choices import Grade, SheetStatus, VisitKind, VisitStatus
from evaluations.models import Rating
from feedback.choices import CaseStatus, FeedbackKind
from tests.builders import (
    lower_to_cap,
    make_campaign,
    make_user,
    move_sheet,
    open_sheet,
    record_violation,
    set_grade,
    sign,
)
from tests.factories import (
    FeedbackCaseFactory,
    InspectionTeamFactory,
    KioskVoteFactory,
    RatingFactory,
    RatingSheetFactory,
)
from tests.helpers import local_at, months_back, this_month, today
from tests.reports.dashboard_helpers import action_on, cell, ranking_row, shown, svg
from units.choices import Role
from units.models import Unit

pytestmark = pytest.mark.django_db


def url(unit, **params):
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return f"/dashboard/{unit.public_code}/" + (f"?{query}" if query else "")


@pytest.fixture
def district_data(thanh_xuan, thanh_xuan_bac, thanh_xuan_trung, district_officer, city_admin, ward_officer, staff_factory):
    """Three staff in Thanh Xuân Bắc, two in Thanh Xuân Trung; this month's sheets (Bắc submitted: one B after a
    violation, one B and one C, since Hanoi's cap of 30 % of the staff allows no A for three; Trung a draft); two pledges; feedback and kiosk votes; an overdue corrective action, and one on a
    surprise visit not started yet (never counted)."""
    bac = staff_factory.create_batch(3, unit=thanh_xuan_bac)
    trung = staff_factory.create_batch(2, unit=thanh_xuan_trung)
    year = today().year
    campaign = make_campaign(actor=district_officer, scope_unit=thanh_xuan, title="Ký cam kết",
                             opens_on=datetime.date(year, 1, 1), closes_on=datetime.date(year, 12, 31))
    sign(campaign, bac[0], district_officer)
    sign(campaign, trung[0], district_officer)
    sheet = open_sheet(thanh_xuan_bac, ward_officer, this_month())
    record_violation(actor=district_officer, staff=bac[1], description="Không đeo thẻ công chức")
    set_grade(sheet, ward_officer, bac[0], Grade.B)
    set_grade(sheet, ward_officer, bac[2], Grade.C)
    move_sheet(sheet, ward_officer, "submit")
    open_sheet(thanh_xuan_trung, city_admin, this_month())
    yesterday = today() - datetime.timedelta(days=1)
    now = local_at(today())
    FeedbackCaseFactory(unit=thanh_xuan_bac, due_on=yesterday)  # open, overdue
    FeedbackCaseFactory(unit=thanh_xuan_trung, kind=FeedbackKind.DELAY)  # open
    FeedbackCaseFactory(unit=thanh_xuan_bac, kind=FeedbackKind.PRAISE, satisfaction=5, received_at=now, status=CaseStatus.RESOLVED,
                        public_reply="Cảm ơn", closed_at=now)
    FeedbackCaseFactory(unit=thanh_xuan_bac, satisfaction=2, received_at=now, status=CaseStatus.IN_PROGRESS)
    KioskVoteFactory(unit=thanh_xuan_trung, score=4, created_at=now, device=None)
    team = InspectionTeamFactory(name="Tổ kiểm tra số 1", owner_unit=thanh_xuan,
                                 leader=make_user("dash.leader", Role.INSPECTOR, thanh_xuan, full_name="Lê Văn Trưởng"))
    action_on(team, thanh_xuan_bac, due_on=yesterday)
    action_on(team, thanh_xuan_trung, kind=VisitKind.SURPRISE, status=VisitStatus.PLANNED, due_on=yesterday)
    return {"sheet": sheet}


def test_tiles_and_ranking_equal_the_database(en_client, district_officer, thanh_xuan, thanh_xuan_bac, thanh_xuan_trung, district_data):
    html = en_client(district_officer).get(url(thanh_xuan)).content.decode()

    assert shown(html, "tile-coverage") == "40%"  # 2 of 5 staff signed
    assert shown(html, "tile-sheets") == "1 / 2"  # Bắc submitted; two units have staff to rate
    assert shown(html, "tile-feedback") == "3"
    assert shown(html, "tile-feedback-overdue") == "1 overdue"
    # Satisfaction: cases rated 5 and 2, a kiosk vote of 4 → 2 of 3.
    assert shown(html, "tile-satisfaction") == "66.7%"
    # The planned surprise visit's action is not counted, even for the district.
    assert shown(html, "tile-actions") == "1"
    assert shown(html, "tile-actions-overdue") == "1 overdue"

    bac = ranking_row(html, thanh_xuan_bac.public_code)
    grades = sorted(Rating.objects.filter(sheet=district_data["sheet"]).values_list("grade", flat=True))
    assert grades == ["B", "B", "C"]
    assert cell(bac, "violations") == "1"
    assert cell(bac, "satisfaction") == "50%"
    assert cell(bac, "feedback") == "2 / 1"
    assert cell(bac, "actions") == "1 / 1"
    assert "66.7%" in bac and "33.3%" in bac  # two B, one C
    trung = ranking_row(html, thanh_xuan_trung.public_code)
    assert cell(trung, "actions") == "0 / 0"
    assert cell(trung, "satisfaction") == "100%"
    assert f'href="/dashboard/{thanh_xuan_bac.public_code}/?month=' in html  # drill-down
    assert 'data-testid="ranking-formula"' in html


def test_charts_draw_one_bar_per_unit_and_one_point_per_month_with_data(en_client, district_officer, thanh_xuan, district_data):
    html = en_client(district_officer).get(url(thanh_xuan)).content.decode()

    grades = svg(html, "grades")
    # In the legacy world (the district's wards still in force) every ward of the district has a row and a bar.
    wards = thanh_xuan.children.count()
    assert grades.count('class="bar-row"') == wards
    assert html.count("<tr data-unit=") == wards
    assert grades.count('class="bar seg-') == 2  # Bắc: B and C; Trung's draft is not counted
    assert "<title" in grades and "<desc" in grades and 'role="img"' in grades

    trend = svg(html, "trend")
    assert trend.count('class="point"') == 1  # only this month has ratings: the other eleven are gaps
    assert trend.count("<polyline") == 1

    kinds = svg(html, "kinds")
    assert kinds.count('<rect class="bar"') == len(FeedbackKind.values)
    assert 'data-testid="kinds-table"' in html and 'data-testid="trend-table"' in html


def test_svg_coordinates_use_a_dot_in_vietnamese(client, district_officer, thanh_xuan, district_data):
    client.force_login(district_officer)
    html = client.get(url(thanh_xuan)).content.decode()
    for name in ("grades", "trend", "kinds"):
        chart = svg(html, name)
        assert ' x="' in chart
        assert not any("," in value for value in __import__("re").findall(r' (?:x|y|width|cx|cy)="([^"]*)"', chart))


def test_trend_has_gaps_for_months_without_ratings(en_client, district_officer, thanh_xuan, thanh_xuan_bac):
    for back, score in ((0, 5), (1, 1), (3, 4)):
        month = months_back(back)
        FeedbackCaseFactory(unit=thanh_xuan_bac, satisfaction=score, received_at=local_at(month.replace(day=2)), status=CaseStatus.IN_PROGRESS)
    html = en_client(district_officer).get(url(thanh_xuan)).content.decode()
    trend = svg(html, "trend")
    assert trend.count('class="point"') == 3
    assert trend.count("<polyline") == 2  # months -1 and 0 joined; month -3 alone; -2 a gap


def test_a_surprise_visit_counts_for_the_ward_only_once_started(en_client, ward_officer, thanh_xuan, thanh_xuan_bac):
    team = InspectionTeamFactory(name="Tổ kiểm tra số 1", owner_unit=thanh_xuan,
                                 leader=make_user("dash.leader", Role.INSPECTOR, thanh_xuan, full_name="Lê Văn Trưởng"))
    action = action_on(team, thanh_xuan_bac, kind=VisitKind.SURPRISE, status=VisitStatus.PLANNED)
    page = en_client(ward_officer)
    assert shown(page.get(url(thanh_xuan_bac)).content.decode(), "tile-actions") == "0"
    visit = action.finding.visit
    visit.status = VisitStatus.IN_PROGRESS
    visit.save()
    assert shown(page.get(url(thanh_xuan_bac)).content.decode(), "tile-actions") == "1"


@pytest.mark.parametrize(
    "role_fixture, unit_fixture, status",
    [
        ("district_officer", "thanh_xuan", 200),
        ("district_officer", "thanh_xuan_bac", 200),
        ("district_officer", "ba_dinh", 404),
        ("district_officer", "phuc_xa", 404),
        ("ward_officer", "thanh_xuan_bac", 200),
        ("ward_officer", "thanh_xuan_trung", 404),
        ("ward_officer", "thanh_xuan", 404),
        ("unit_head", "thanh_xuan_bac", 200),
        ("unit_head", "ba_dinh", 404),
        ("inspector", "thanh_xuan", 200),
        ("inspector", "ba_dinh", 404),
        ("city_admin", "hanoi", 200),
        ("city_admin", "ba_dinh", 200),
    ],
)
def test_scope_matrix(client, request, role_fixture, unit_fixture, status):
    client.force_login(request.getfixturevalue(role_fixture))
    assert client.get(url(request.getfixturevalue(unit_fixture))).status_code == status


def test_anonymous_users_log_in_first(client, thanh_xuan):
    response = client.get(url(thanh_xuan))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_dashboard_goes_to_the_users_highest_unit(client, district_officer, city_admin, ward_officer, thanh_xuan, hanoi, thanh_xuan_bac):
    for user, unit in ((district_officer, thanh_xuan), (city_admin, hanoi), (ward_officer, thanh_xuan_bac)):
        client.force_login(user)
        response = client.get("/dashboard/")
        assert response.status_code == 302 and response["Location"] == url(unit)


def test_a_user_with_several_units_chooses(en_client, thanh_xuan, ba_dinh):
    user = make_user("two.districts", Role.DISTRICT_OFFICE, thanh_xuan)
    from units.services import role_assign

    role_assign(user=user, unit=ba_dinh, role=Role.DISTRICT_OFFICE)
    response = en_client(user).get("/dashboard/")
    html = response.content.decode()
    assert response.status_code == 200
    assert url(thanh_xuan) in html and url(ba_dinh) in html


def test_city_admin_sees_todays_wards_and_a_former_district_only_with_figures(
    en_client, city_admin, hanoi, thanh_xuan, thanh_xuan_bac, ward_officer, staff_factory
):
    # A former ward holding figures of this month (recorded before the rule closing dissolved units existed).
    sheet = RatingSheetFactory(unit=thanh_xuan_bac, month=this_month(), status=SheetStatus.SUBMITTED)
    RatingFactory.create_batch(2, sheet=sheet, grade=Grade.B)
    current_wards = Unit.objects.filter(parent=hanoi, structure="current").count()
    page = en_client(city_admin)
    html = page.get(url(hanoi)).content.decode()
    assert 'data-testid="structure-choice"' in html
    # Today's 126 wards and communes, and of the 30 former districts only Thanh Xuân, which holds this month's sheet.
    assert f'<tr data-unit="{thanh_xuan.public_code}">' in html
    assert html.count("<tr data-unit=") == current_wards + 1
    assert svg(html, "grades").count('class="bar-row"') == current_wards + 1
    current = page.get(url(hanoi, structure="current")).content.decode()
    assert f'<tr data-unit="{thanh_xuan.public_code}">' not in current
    assert current.count("<tr data-unit=") == current_wards
    legacy = page.get(url(hanoi, structure="legacy")).content.decode()
    assert legacy.count("<tr data-unit=") == 1 and f'<tr data-unit="{thanh_xuan.public_code}">' in legacy


def test_a_past_month_lists_the_former_units_holding_its_figures(en_client, city_admin, hanoi, thanh_xuan, thanh_xuan_bac,
                                                                   ward_officer, staff_factory):
    """March 2025, before the reform: the district holding that month's sheet, not today's wards (not formed yet)."""
    staff_factory.create_batch(2, unit=thanh_xuan_bac, active_from=datetime.date(2020, 1, 1))
    march = open_sheet(thanh_xuan_bac, ward_officer, datetime.date(2025, 3, 1))
    lower_to_cap(march, ward_officer)  # two staff: Hanoi's 30 % allows no A
    move_sheet(march, ward_officer, "submit")
    html = en_client(city_admin).get(url(hanoi, month="2025-03")).content.decode()
    assert __import__("re").findall(r'<tr data-unit="([^"]+)">', html) == [thanh_xuan.public_code]
    assert "03/2025" in shown(html, "dashboard-month")


def test_dashboard_link_keeps_its_parameters_through_the_redirect(client, city_admin, hanoi):
    client.force_login(city_admin)
    response = client.get("/dashboard/?structure=current&month=2026-01")
    assert response.status_code == 302
    assert response["Location"] == url(hanoi) + "?structure=current&month=2026-01"


@pytest.mark.parametrize("given", ["garbage", "2026-13", "2026-1", "", "9999-01", "0001-01", "2026-00", "2026-05-01"])
def test_a_bad_or_future_month_falls_back_to_this_month(en_client, district_officer, thanh_xuan, given):
    response = en_client(district_officer).get(url(thanh_xuan, month=given))
    assert response.status_code == 200
    assert this_month().strftime("%m/%Y") in shown(response.content.decode(), "dashboard-month")


def test_a_past_month_is_shown(en_client, district_officer, thanh_xuan):
    month = months_back(5)
    response = en_client(district_officer).get(url(thanh_xuan, month=month.strftime("%Y-%m")))
    assert month.strftime("%m/%Y") in shown(response.content.decode(), "dashboard-month")


def test_grades_fall_back_to_the_last_month_with_sheets(en_client, district_officer, thanh_xuan, thanh_xuan_bac, ward_officer, staff_factory):
    staff_factory.create_batch(2, unit=thanh_xuan_bac)
    last = months_back(1)
    sheet = open_sheet(thanh_xuan_bac, ward_officer, last)
    lower_to_cap(sheet, ward_officer)  # two staff: Hanoi's 30 % allows no A
    move_sheet(sheet, ward_officer, "submit")
    html = en_client(district_officer).get(url(thanh_xuan)).content.decode()
    assert "last month with submitted sheets" in html
    assert svg(html, "grades").count('class="bar seg-B"') == 1


def test_the_ranking_puts_the_best_score_first(en_client, district_officer, thanh_xuan, thanh_xuan_bac, thanh_xuan_trung, district_data):
    html = en_client(district_officer).get(url(thanh_xuan)).content.decode()
    order = __import__("re").findall(r'<tr data-unit="([^"]+)">', html)
    # Trung: 50% coverage, 100% satisfaction, no grade yet (draft); Bắc: 33% coverage, 50% satisfaction, two B and a C.
    assert order[:2] == [thanh_xuan_trung.public_code, thanh_xuan_bac.public_code]
    assert cell(ranking_row(html, thanh_xuan_trung.public_code), "score") != "—"
