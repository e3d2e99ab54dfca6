"""A province's rules reach its own units only, both ways: An Giang's commendation rule never changes Hanoi's
list (nor Hanoi's An Giang's), a province's ranking weights change its own dashboard ranking only, and a
ratings export shows only the criterion groups of the schemes of the sheets it exports."""

import datetime
import re

import pytest

from evaluations.models import CriterionGroup
from evaluations.ratings.services import scheme_for
from feedback.choices import CaseStatus, FeedbackKind
from reports.choices import ExportKind
from reports.commendations.figures import commendation_entries, commendation_list_generate
from reports.exports.kinds import export_write
from reports.exports.writer import ExportRequest
from reports.rules.services import commendation_rule_create, ranking_weights_create
from tests.factories import FeedbackCaseFactory
from tests.helpers import client_for, local_at, today
from tests.reports.dashboard_helpers import cell, ranking_row
from tests.reports.export_helpers import rated_sheets, read_sheets
from tests.reports.quarterly_helpers import QUARTER

pytestmark = pytest.mark.django_db

LENIENT = {  # B or better in 2 of 3 months, every rated person may be picked
    "name": "Biểu dương rộng", "legal_basis": "", "effective_from": datetime.date(2025, 1, 1), "min_grade": "B",
    "months_required": 2, "allow_violations": True, "allow_substantiated_complaints": True, "quota_percent": 100,
    "quota_min": 10,
}
STRICT = {**LENIENT, "name": "Biểu dương chặt", "min_grade": "A", "months_required": 3, "quota_percent": 1, "quota_min": 0}


def names(commendation_list) -> list[str]:
    return [entry.staff.full_name for entry in commendation_entries(commendation_list=commendation_list)]


@pytest.fixture
def both_rated(rate, staff_factory, thanh_xuan_bac, vinh_thuan):
    """In each province, one person rated A, A, A and one rated A, B, B in the quarter."""
    for unit, place in ((thanh_xuan_bac, "Hà Nội"), (vinh_thuan, "An Giang")):
        rate(staff_factory(unit=unit, full_name=f"Nguyễn Văn {place} Giỏi"), "AAA")
        rate(staff_factory(unit=unit, full_name=f"Trần Thị {place} Khá"), "ABB")


def lists(thanh_xuan_bac, vinh_thuan):
    return (commendation_list_generate(unit=thanh_xuan_bac, quarter=QUARTER),
            commendation_list_generate(unit=vinh_thuan, quarter=QUARTER))


def test_an_giangs_commendation_rule_never_changes_hanois_list(both_rated, an_giang, thanh_xuan_bac, vinh_thuan, an_giang_admin):
    hanoi_before, an_giang_before = lists(thanh_xuan_bac, vinh_thuan)
    assert names(hanoi_before) == ["Nguyễn Văn Hà Nội Giỏi"] and names(an_giang_before) == ["Nguyễn Văn An Giang Giỏi"]
    national = hanoi_before.rule

    rule = commendation_rule_create(actor=an_giang_admin, jurisdiction=an_giang, **LENIENT)
    hanoi_after, an_giang_after = lists(thanh_xuan_bac, vinh_thuan)

    assert an_giang_after.rule == rule
    assert names(an_giang_after) == ["Nguyễn Văn An Giang Giỏi", "Trần Thị An Giang Khá"]
    assert hanoi_after.rule == national
    assert names(hanoi_after) == ["Nguyễn Văn Hà Nội Giỏi"]


def test_hanois_commendation_rule_never_changes_an_giangs_list(both_rated, hanoi, thanh_xuan_bac, vinh_thuan, city_admin):
    rule = commendation_rule_create(actor=city_admin, jurisdiction=hanoi, **STRICT)
    hanoi_list, an_giang_list = lists(thanh_xuan_bac, vinh_thuan)

    assert hanoi_list.rule == rule
    assert names(hanoi_list) == []  # 1% of two people, and no minimum: nobody
    assert an_giang_list.rule.jurisdiction is None
    assert names(an_giang_list) == ["Nguyễn Văn An Giang Giỏi"]


# --- Ranking weights ------------------------------------------------------------------------------------------------


def pleased_but_late(unit):
    """A case answered after its due date by a satisfied citizen: satisfaction 100%, on time 0%."""
    now = local_at(today())
    FeedbackCaseFactory(unit=unit, kind=FeedbackKind.PRAISE, satisfaction=5, received_at=now, status=CaseStatus.RESOLVED,
                        public_reply="Cảm ơn", closed_at=now, due_on=today() - datetime.timedelta(days=1))


def displeased_but_on_time(unit):
    """A case answered in time to an unhappy citizen: satisfaction 0%, on time 100%."""
    now = local_at(today())
    FeedbackCaseFactory(unit=unit, satisfaction=1, received_at=now, status=CaseStatus.RESOLVED, public_reply="Đã xử lý",
                        closed_at=now, due_on=today() + datetime.timedelta(days=5))


def ranking(client, unit) -> tuple[list[str], str]:
    html = client.get(f"/dashboard/{unit.public_code}/").content.decode()
    assert 'data-testid="ranking"' in html
    return re.findall(r'<tr data-unit="([^"]+)">', html), html


@pytest.fixture
def two_boards(thanh_xuan_bac, thanh_xuan_trung, vinh_thuan, an_giang):
    """In each province a unit with pleased citizens answered late, and one with unhappy citizens answered on
    time. The national weights (satisfaction 20, on time 15) put the pleased one first."""
    second = an_giang.children.exclude(pk=vinh_thuan.pk).order_by("path").first()
    pleased_but_late(thanh_xuan_bac)
    displeased_but_on_time(thanh_xuan_trung)
    pleased_but_late(vinh_thuan)
    displeased_but_on_time(second)
    return {"hanoi": (thanh_xuan_bac, thanh_xuan_trung), "an_giang": (vinh_thuan, second)}


ON_TIME_FIRST = {"name": "Đúng hạn trước hết", "effective_from": datetime.date(2017, 1, 1), "coverage": 0, "grades": 0,
                 "satisfaction": 10, "on_time": 90, "discipline": 0}


def test_a_provinces_weights_change_its_own_ranking_only(client, two_boards, thanh_xuan, an_giang, an_giang_admin, city_admin):
    hanoi_client = client_for(client, city_admin)
    (hanoi_pleased, hanoi_on_time), (ag_pleased, ag_on_time) = two_boards["hanoi"], two_boards["an_giang"]
    order, _ = ranking(hanoi_client, thanh_xuan)
    assert order[:2] == [hanoi_pleased.public_code, hanoi_on_time.public_code]

    ranking_weights_create(actor=an_giang_admin, jurisdiction=an_giang, **ON_TIME_FIRST)

    ag_order, ag_html = ranking(client_for(client, an_giang_admin), an_giang)
    assert ag_order[:2] == [ag_on_time.public_code, ag_pleased.public_code]
    assert "satisfaction index 10%, on-time rate 90%" in ag_html
    assert cell(ranking_row(ag_html, ag_on_time.public_code), "score") == "90.0"  # (10 × 0 + 90 × 100) / 100
    order, html = ranking(client_for(client, city_admin), thanh_xuan)
    assert order[:2] == [hanoi_pleased.public_code, hanoi_on_time.public_code]
    assert "satisfaction index 20%, on-time rate 15%" in html


def test_hanois_weights_never_reach_an_giangs_dashboard(client, two_boards, hanoi, thanh_xuan, an_giang, an_giang_admin, city_admin):
    (hanoi_pleased, hanoi_on_time), (ag_pleased, ag_on_time) = two_boards["hanoi"], two_boards["an_giang"]
    ranking_weights_create(actor=city_admin, jurisdiction=hanoi, **ON_TIME_FIRST)

    order, _ = ranking(client_for(client, city_admin), thanh_xuan)
    assert order[:2] == [hanoi_on_time.public_code, hanoi_pleased.public_code]
    ag_order, ag_html = ranking(client_for(client, an_giang_admin), an_giang)
    assert ag_order[:2] == [ag_pleased.public_code, ag_on_time.public_code]
    assert "satisfaction index 20%, on-time rate 15%" in ag_html


# --- Exports ------------------------------------------------------------------------------------------------------


MONTH = datetime.date(2026, 2, 1)


def group_names(unit) -> list[str]:
    return list(CriterionGroup.objects.filter(scheme=scheme_for(unit=unit, month=MONTH)).order_by("order")
                .values_list("name", flat=True))


def exported_groups(unit, user, tmp_path) -> list[str]:
    request = ExportRequest(kind=ExportKind.RATINGS, unit=unit, start=MONTH, end=MONTH)
    target = tmp_path / f"{unit.pk}.xlsx"
    export_write(request=request, user=user, target=target)
    (rows,) = read_sheets(target.read_bytes()).values()
    header = rows[0]
    return [name.split(" (tối đa")[0] for name in header[6:header.index("Tổng điểm")]]


def test_a_ratings_export_shows_only_the_groups_of_its_own_schemes(hanoi, an_giang, thanh_xuan_bac, vinh_thuan, city_admin,
                                                                   an_giang_admin, tmp_path):
    rated_sheets(unit=thanh_xuan_bac, actor=city_admin, months=[MONTH], staff_count=2)
    rated_sheets(unit=vinh_thuan, actor=an_giang_admin, months=[MONTH], staff_count=2)
    hanoi_groups, decree_groups = group_names(thanh_xuan_bac), group_names(vinh_thuan)
    assert set(hanoi_groups).isdisjoint(decree_groups[:1])  # Hanoi's 3814 and Decree 335 differ

    assert exported_groups(hanoi, city_admin, tmp_path) == hanoi_groups
    assert exported_groups(an_giang, an_giang_admin, tmp_path) == decree_groups
