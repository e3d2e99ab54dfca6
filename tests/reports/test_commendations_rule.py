"""The commendation rule: who is in, who is out, the ranking, the quota, which rule applies, and the query
count of computing a list."""

import datetime

import pytest

from core.quarters import Quarter
from evaluations.choices import SheetStatus
from feedback.choices import CaseStatus, FeedbackKind
from reports.choices import CommendationStatus
from reports.commendations.figures import commendation_entries, commendation_list_generate, commendation_rule_for
from reports.models import CommendationList, CommendationRule
from tests.factories import CommendationRuleFactory
from tests.reports.quarterly_helpers import QUARTER

pytestmark = pytest.mark.django_db


def names(commendation_list):
    return [entry.staff.full_name for entry in commendation_entries(commendation_list=commendation_list)]


@pytest.fixture
def generous_rule(hanoi):
    """The shipped rule with a quota large enough not to matter, so a test sees the rule's filter alone."""
    CommendationRule.objects.update(quota_percent=100, quota_min=50)


@pytest.fixture
def person(staff_factory, thanh_xuan_bac):
    def make(name, unit=None):
        return staff_factory(unit=unit or thanh_xuan_bac, full_name=name)

    return make


def generate(unit, quarter=None):
    return commendation_list_generate(unit=unit, quarter=quarter or QUARTER)


def test_grade_a_in_all_three_months_is_in_and_a_b_month_is_out(generous_rule, thanh_xuan, person, rate):
    rate(person("Nguyễn Văn An"), "AAA")
    rate(person("Trần Thị Bình"), "AAB")
    rate(person("Lê Văn Cường"), "BAA")
    assert names(generate(thanh_xuan)) == ["Nguyễn Văn An"]


def test_a_month_without_a_rating_does_not_count_as_a(generous_rule, thanh_xuan, person, rate):
    rate(person("Nguyễn Văn An"), "AAA")
    rate(person("Phạm Văn Dũng"), "AA-")
    commendation_list = generate(thanh_xuan)
    assert names(commendation_list) == ["Nguyễn Văn An"]


def test_a_draft_sheet_is_not_a_rating_yet(generous_rule, thanh_xuan, thanh_xuan_trung, person, rate):
    rate(person("Nguyễn Văn An"), "AAA")
    rate(person("Hoàng Văn Em", thanh_xuan_trung), "AAA", status=SheetStatus.DRAFT)
    assert names(generate(thanh_xuan)) == ["Nguyễn Văn An"]


def test_a_violation_on_the_last_day_of_the_quarter_excludes_but_the_day_after_does_not(
    generous_rule, thanh_xuan, person, rate, violation, quarter
):
    late, next_day = person("Nguyễn Văn An"), person("Trần Thị Bình")
    rate(late, "AAA")
    rate(next_day, "AAA")
    violation(late, quarter.last_day)
    violation(next_day, quarter.last_day + datetime.timedelta(days=1))
    assert names(generate(thanh_xuan)) == ["Trần Thị Bình"]


def test_a_violation_before_the_quarter_does_not_exclude(generous_rule, thanh_xuan, person, rate, violation, quarter):
    staff = person("Nguyễn Văn An")
    rate(staff, "AAA")
    violation(staff, quarter.first_day - datetime.timedelta(days=1))
    assert names(generate(thanh_xuan)) == ["Nguyễn Văn An"]


def test_a_substantiated_complaint_excludes_an_unsubstantiated_one_does_not(
    generous_rule, thanh_xuan, person, rate, feedback_case, quarter
):
    blamed, cleared, rejected = person("Nguyễn Văn An"), person("Trần Thị Bình"), person("Lê Văn Cường")
    for staff in (blamed, cleared, rejected):
        rate(staff, "AAA")
    feedback_case(blamed, quarter.first_day, substantiated=True)
    feedback_case(cleared, quarter.first_day, substantiated=False)
    # A rejected case (spam, duplicate) is not a complaint at all, even if marked substantiated.
    feedback_case(rejected, quarter.first_day, substantiated=True, status=CaseStatus.REJECTED)
    assert sorted(names(generate(thanh_xuan))) == ["Lê Văn Cường", "Trần Thị Bình"]


def test_ranked_by_total_score_then_praise_then_name(generous_rule, thanh_xuan, person, rate, feedback_case, quarter):
    top, praised, plain, alphabetical = (
        person("Vũ Văn Giang"), person("Đỗ Thị Hoa"), person("Bùi Văn Khánh"), person("Bùi Văn Khải"),
    )
    rate(top, "AAA", points=[100, 100, 100])
    for staff in (praised, plain, alphabetical):
        rate(staff, "AAA", points=[95, 95, 95])
    feedback_case(praised, quarter.months[1], kind=FeedbackKind.PRAISE)
    feedback_case(praised, quarter.months[2], kind=FeedbackKind.PRAISE)
    feedback_case(plain, quarter.months[2], kind=FeedbackKind.PRAISE, status=CaseStatus.REJECTED)  # does not count
    commendation_list = generate(thanh_xuan)
    entries = commendation_entries(commendation_list=commendation_list)
    assert [e.staff.full_name for e in entries] == ["Vũ Văn Giang", "Đỗ Thị Hoa", "Bùi Văn Khải", "Bùi Văn Khánh"]
    assert [e.rank for e in entries] == [1, 2, 3, 4]
    assert [e.praise_count for e in entries] == [0, 2, 0, 0]
    assert entries[0].total_score == 300 and entries[0].grades == "AAA" and entries[0].months_rated == 3


def test_quota_per_unit_with_its_minimum(thanh_xuan, thanh_xuan_bac, thanh_xuan_trung, person, rate):
    CommendationRule.objects.update(quota_percent=20, quota_min=1)
    # Thanh Xuân Bắc: 10 rated, 20% → 2 picked of 4 who qualify; Thanh Xuân Trung: 3 rated, 20% → 0, minimum 1.
    for i in range(10):
        rate(person(f"Bắc {i:02d}"), "AAA" if i < 4 else "BBB", points=[95 + i % 4] * 3 if i < 4 else None)
    for i in range(3):
        rate(person(f"Trung {i:02d}", thanh_xuan_trung), "AAA", points=[90 + i] * 3)
    result = names(generate(thanh_xuan))
    assert sorted(result) == ["Bắc 02", "Bắc 03", "Trung 02"]
    assert result == ["Bắc 03", "Bắc 02", "Trung 02"]


def test_the_quota_counts_where_the_staff_member_was_rated(thanh_xuan, thanh_xuan_bac, thanh_xuan_trung, person, rate):
    """A staff member moved to Thanh Xuân Trung but rated in Thanh Xuân Bắc counts in Bắc's quota."""
    CommendationRule.objects.update(quota_percent=10, quota_min=1)
    moved = person("Nguyễn Văn An", thanh_xuan_trung)
    rate(moved, "AAA", unit=thanh_xuan_bac, points=[99] * 3)
    rate(person("Trần Thị Bình"), "AAA", points=[95] * 3)
    rate(person("Lê Văn Cường", thanh_xuan_trung), "AAA", points=[90] * 3)
    commendation_list = generate(thanh_xuan)
    entries = commendation_entries(commendation_list=commendation_list)
    assert [(e.staff.full_name, e.staff_unit) for e in entries] == [
        ("Nguyễn Văn An", thanh_xuan_bac), ("Lê Văn Cường", thanh_xuan_trung)
    ]


def test_a_ward_list_holds_only_the_ward(generous_rule, thanh_xuan_bac, thanh_xuan_trung, person, rate):
    rate(person("Nguyễn Văn An"), "AAA")
    rate(person("Lê Văn Cường", thanh_xuan_trung), "AAA")
    assert names(generate(thanh_xuan_bac)) == ["Nguyễn Văn An"]


def test_months_required_two_variant(thanh_xuan, person, rate):
    CommendationRule.objects.update(months_required=2, quota_percent=100, quota_min=50)
    rate(person("Nguyễn Văn An"), "AAB")
    rate(person("Trần Thị Bình"), "A-A")
    rate(person("Lê Văn Cường"), "ABB")
    rate(person("Phạm Văn Dũng"), "AA-")
    assert sorted(names(generate(thanh_xuan))) == ["Nguyễn Văn An", "Phạm Văn Dũng", "Trần Thị Bình"]


def test_min_grade_b_accepts_a_and_b(thanh_xuan, person, rate):
    CommendationRule.objects.update(min_grade="B", quota_percent=100, quota_min=50)
    rate(person("Nguyễn Văn An"), "ABB")
    rate(person("Trần Thị Bình"), "ABC")
    assert names(generate(thanh_xuan)) == ["Nguyễn Văn An"]


def test_a_rule_with_a_later_effective_date_applies_to_later_quarters_only(hanoi):
    shipped = CommendationRule.objects.get()
    later = CommendationRuleFactory(name="Quy định 2025", effective_from=datetime.date(2025, 7, 1), months_required=2)
    assert commendation_rule_for(unit=hanoi, quarter=Quarter(2025, 2)) == shipped
    assert commendation_rule_for(unit=hanoi, quarter=Quarter(2025, 3)) == later
    assert commendation_rule_for(unit=hanoi, quarter=Quarter(2026, 1)) == later
    # A quarter before every rule is judged by the oldest one.
    assert commendation_rule_for(unit=hanoi, quarter=Quarter(2016, 4)) == shipped


def test_the_list_records_the_rule_in_force(thanh_xuan, person, rate):
    later = CommendationRuleFactory(name="Quy định 2025", effective_from=datetime.date(2025, 4, 2), months_required=2)
    rate(person("Nguyễn Văn An"), "AAB")
    assert names(generate(thanh_xuan)) == []  # Q2 2025 starts 1 April: the new rule is not yet in force
    assert generate(thanh_xuan, Quarter(2025, 2)).rule != later
    assert generate(thanh_xuan, Quarter(2025, 3)).rule == later


def test_generate_is_idempotent_and_refreshes_the_draft(generous_rule, thanh_xuan, person, rate, violation, quarter):
    first, second = person("Nguyễn Văn An"), person("Trần Thị Bình")
    rate(first, "AAA")
    rate(second, "AAA")
    commendation_list = generate(thanh_xuan)
    assert sorted(names(commendation_list)) == ["Nguyễn Văn An", "Trần Thị Bình"]
    violation(second, quarter.months[1])
    again = generate(thanh_xuan)
    assert again.pk == commendation_list.pk
    assert CommendationList.objects.count() == 1
    assert names(again) == ["Nguyễn Văn An"]
    assert again.entries.count() == 1  # a rule entry no longer picked is dropped, not kept as removed


def test_a_future_quarter_is_refused(thanh_xuan):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        commendation_list_generate(unit=thanh_xuan, quarter=Quarter.current().next())


def test_an_approved_list_is_returned_unchanged(generous_rule, thanh_xuan, person, rate):
    rate(person("Nguyễn Văn An"), "AAA")
    commendation_list = generate(thanh_xuan)
    CommendationList.objects.filter(pk=commendation_list.pk).update(status=CommendationStatus.APPROVED)
    rate(person("Trần Thị Bình"), "AAA")
    again = generate(thanh_xuan)
    assert again.status == CommendationStatus.APPROVED
    assert names(again) == ["Nguyễn Văn An"]


@pytest.mark.parametrize("per_ward", [2, 12])
def test_generate_takes_a_constant_number_of_queries(
    per_ward, thanh_xuan, thanh_xuan_bac, thanh_xuan_trung, person, rate, violation, feedback_case, quarter,
    django_assert_max_num_queries,
):
    CommendationRule.objects.update(quota_percent=50, quota_min=1)
    for ward in (thanh_xuan_bac, thanh_xuan_trung):
        for i in range(per_ward):
            staff = person(f"{ward.name} {i:02d}", ward)
            rate(staff, "AAA" if i % 3 else "ABA", points=[90 + i % 7] * 3)
            if i % 4 == 0:
                violation(staff, quarter.months[1])
            if i % 5 == 0:
                feedback_case(staff, quarter.months[2], kind=FeedbackKind.PRAISE)
    # The same ceiling for 4 and 24 staff: creating the list, then refreshing it.
    with django_assert_max_num_queries(20):
        generate(thanh_xuan)
    with django_assert_max_num_queries(20):
        generate(thanh_xuan)
