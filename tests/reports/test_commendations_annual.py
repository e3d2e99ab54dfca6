"""The year's commendation list: drawn from the annual classification approved by the level above by the annual
terms of the rule in force (lowest grade, no sanction in the year, no substantiated complaint, quota), reviewed and
approved like a quarter's list, one per unit and year beside its quarters' lists."""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation
import pytest

from core.quarters import Quarter, Year
from evaluations.choices import AnnualStatus, DisciplineStatus, Grade
from evaluations.models import AnnualList
from feedback.choices import CaseStatus, FeedbackKind
from reports.choices import CommendationStatus, EntrySource
from reports.commendations.figures import commendation_entries, commendation_list_generate, commendation_rule_for
from reports.commendations.services import (
    commendation_entry_add,
    commendation_entry_remove,
    commendation_entry_restore,
    commendation_list_approve,
)
from reports.models import CommendationList, CommendationRule
from tests.factories import (
    AnnualClassificationFactory,
    AnnualListFactory,
    CommendationListFactory,
    CommendationRuleFactory,
    DisciplinaryDecisionFactory,
)

pytestmark = pytest.mark.django_db

YEAR = Year(2025)
POINTS = {Grade.A: Decimal("93.0"), Grade.B: Decimal("80.0"), Grade.C: Decimal("60.0"), Grade.D: Decimal("40.0")}


@pytest.fixture
def generous_rule(hanoi):
    """The shipped rule with a yearly quota large enough not to matter, so a test sees the rule's filter alone."""
    CommendationRule.objects.update(annual_quota_percent=100, annual_quota_min=50)


@pytest.fixture
def classify(staff_factory, thanh_xuan_bac):
    """``classify(name, grade)``: a staff member of ``unit`` (Phường Thanh Xuân Bắc) on the unit's annual
    classification list of 2025 with that grade (``""``: not classified) and ``points`` on average. The unit's list is
    made on first use with ``status`` (approved by default: final grades set; otherwise only the computed grade)."""

    def make(name, grade, *, unit=None, points=None, status=AnnualStatus.APPROVED):
        unit = unit or thanh_xuan_bac
        annual_list = AnnualList.objects.filter(unit=unit, year=YEAR.year).first()
        annual_list = annual_list or AnnualListFactory(unit=unit, year=YEAR.year, status=status)
        staff = staff_factory(unit=unit, full_name=name)
        AnnualClassificationFactory(
            annual_list=annual_list, staff=staff, computed_grade=grade, grade_by_points=grade,
            final_grade=grade if annual_list.status == AnnualStatus.APPROVED else "",
            average_points=POINTS.get(grade) if points is None else Decimal(points),
            periods_rated=12 if grade else 4,
        )
        return staff

    return make


def generate(unit, period=YEAR, actor=None):
    return commendation_list_generate(unit=unit, period=period, actor=actor)


def names(commendation_list):
    return [entry.staff.full_name for entry in commendation_entries(commendation_list=commendation_list)]


def approve_annual(unit):
    """What the level above's approval does to the list (the workflow is tested in tests/evaluations)."""
    annual_list = AnnualList.objects.get(unit=unit, year=YEAR.year)
    for row in annual_list.rows.all():
        row.final_grade = row.reviewed_grade or row.computed_grade
        row.save(update_fields=["final_grade"])
    annual_list.status = AnnualStatus.APPROVED
    annual_list.save(update_fields=["status"])


# --- Who is in ----------------------------------------------------------------------------------------------


def test_without_an_approved_classification_list_nobody_is_on_the_years_list(
    generous_rule, thanh_xuan, thanh_xuan_bac, thanh_xuan_trung, classify
):
    classify("Nguyễn Văn An", Grade.A, status=AnnualStatus.OPEN)
    classify("Trần Thị Bình", Grade.A, unit=thanh_xuan_trung, status=AnnualStatus.SUBMITTED)
    commendation_list = generate(thanh_xuan)
    assert commendation_list.is_annual and commendation_list.period == YEAR
    assert names(commendation_list) == []

    approve_annual(thanh_xuan_trung)
    assert names(generate(thanh_xuan)) == ["Trần Thị Bình"]


def test_the_lowest_annual_grade_accepted_is_the_rules(generous_rule, thanh_xuan_bac, classify):
    classify("Nguyễn Văn An", Grade.A)
    classify("Trần Thị Bình", Grade.B)
    classify("Lê Văn Cường", Grade.C)
    classify("Phạm Văn Dũng", "")  # too few periods rated: not classified
    assert names(generate(thanh_xuan_bac)) == ["Nguyễn Văn An"]

    CommendationRule.objects.update(annual_min_grade=Grade.B)
    assert names(generate(thanh_xuan_bac)) == ["Nguyễn Văn An", "Trần Thị Bình"]


def test_a_sanction_decided_in_the_year_excludes(generous_rule, thanh_xuan_bac, classify, violation):
    in_year, next_year, cancelled, proposed = (
        classify("Nguyễn Văn An", Grade.A), classify("Trần Thị Bình", Grade.A), classify("Lê Văn Cường", Grade.A),
        classify("Phạm Văn Dũng", Grade.A),
    )
    DisciplinaryDecisionFactory(violation=violation(in_year, datetime.date(2024, 12, 20)),
                                decision_date=datetime.date(2025, 1, 10))  # a 2024 violation, decided in 2025
    DisciplinaryDecisionFactory(violation=violation(next_year, datetime.date(2025, 12, 10)),
                                decision_date=datetime.date(2026, 1, 8))  # decided the year after
    DisciplinaryDecisionFactory(violation=violation(cancelled, datetime.date(2025, 3, 1)), status=DisciplineStatus.CANCELLED,
                                decision_date=None, decision_number="")
    DisciplinaryDecisionFactory(violation=violation(proposed, datetime.date(2025, 3, 1)), status=DisciplineStatus.PROPOSED,
                                decision_date=None, decision_number="")
    assert names(generate(thanh_xuan_bac)) == ["Lê Văn Cường", "Phạm Văn Dũng", "Trần Thị Bình"]

    CommendationRule.objects.update(annual_allow_sanctions=True)
    assert "Nguyễn Văn An" in names(generate(thanh_xuan_bac))


def test_a_substantiated_complaint_in_the_year_excludes(generous_rule, thanh_xuan_bac, classify, feedback_case):
    blamed, last_year, cleared = classify("Nguyễn Văn An", Grade.A), classify("Trần Thị Bình", Grade.A), \
        classify("Lê Văn Cường", Grade.A)
    feedback_case(blamed, datetime.date(2025, 11, 3), substantiated=True)
    feedback_case(last_year, datetime.date(2024, 12, 31), substantiated=True)
    feedback_case(cleared, datetime.date(2025, 6, 1), substantiated=False)
    assert names(generate(thanh_xuan_bac)) == ["Lê Văn Cường", "Trần Thị Bình"]

    CommendationRule.objects.update(annual_allow_substantiated_complaints=True)
    assert len(names(generate(thanh_xuan_bac))) == 3


def test_ranked_by_the_years_average_then_praise_then_name(generous_rule, thanh_xuan_bac, classify, feedback_case):
    top = classify("Vũ Văn Giang", Grade.A, points="97.5")
    praised = classify("Đỗ Thị Hoa", Grade.A, points="93.0")
    classify("Bùi Văn Khánh", Grade.A, points="93.0")
    classify("Bùi Văn Khải", Grade.A, points="93.0")
    feedback_case(praised, datetime.date(2025, 2, 14), kind=FeedbackKind.PRAISE)
    feedback_case(praised, datetime.date(2025, 9, 2), kind=FeedbackKind.PRAISE, status=CaseStatus.RESOLVED)
    entries = commendation_entries(commendation_list=generate(thanh_xuan_bac))
    assert [e.staff.full_name for e in entries] == ["Vũ Văn Giang", "Đỗ Thị Hoa", "Bùi Văn Khải", "Bùi Văn Khánh"]
    assert [e.rank for e in entries] == [1, 2, 3, 4]
    first = entries[0]
    assert (first.grades, first.total_score, first.months_rated, first.praise_count) == ("A", Decimal("97.5"), 12, 0)
    assert entries[1].praise_count == 2
    assert top.pk == first.staff_id


def test_the_yearly_quota_counts_the_classified_staff_of_each_unit(
    thanh_xuan, thanh_xuan_bac, thanh_xuan_trung, classify
):
    CommendationRule.objects.update(annual_quota_percent=20, annual_quota_min=1, quota_percent=100, quota_min=50)
    # Thanh Xuân Bắc: 10 classified (and one not), 20% → 2 of the 4 rated A; Thanh Xuân Trung: 3 classified, 20% → 0,
    # at least 1.
    for i in range(10):
        classify(f"Bắc {i:02d}", Grade.A if i < 4 else Grade.B, points=str(90 + i) if i < 4 else None)
    classify("Bắc chưa xếp loại", "")
    for i in range(3):
        classify(f"Trung {i:02d}", Grade.A, unit=thanh_xuan_trung, points=str(91 + i))
    assert names(generate(thanh_xuan)) == ["Bắc 03", "Trung 02", "Bắc 02"]


# --- Which rule ---------------------------------------------------------------------------------------------


def test_the_years_list_follows_the_rule_in_force_on_1_january(generous_rule, hanoi, thanh_xuan_bac, classify):
    shipped = CommendationRule.objects.get()
    later = CommendationRuleFactory(name="Quy định 2025", effective_from=datetime.date(2025, 3, 1),
                                    annual_min_grade=Grade.B, annual_quota_percent=100, annual_quota_min=50)
    assert commendation_rule_for(unit=hanoi, period=YEAR) == shipped
    assert commendation_rule_for(unit=hanoi, period=Year(2026)) == later
    assert commendation_rule_for(unit=hanoi, period=Quarter(2025, 2)) == later
    classify("Nguyễn Văn An", Grade.A)
    classify("Trần Thị Bình", Grade.B)
    commendation_list = generate(thanh_xuan_bac)
    assert commendation_list.rule == shipped and names(commendation_list) == ["Nguyễn Văn An"]


def test_a_jurisdictions_rule_sets_its_own_annual_terms(generous_rule, thanh_xuan, thanh_xuan_bac, phuc_xa, classify):
    CommendationRuleFactory(name="Quy định của quận", jurisdiction=thanh_xuan, effective_from=datetime.date(2020, 1, 1),
                            annual_min_grade=Grade.B, annual_quota_percent=100, annual_quota_min=50)
    classify("Nguyễn Văn An", Grade.B)
    classify("Trần Thị Bình", Grade.B, unit=phuc_xa)
    assert names(generate(thanh_xuan_bac)) == ["Nguyễn Văn An"]  # the district's rule reaches its wards
    assert names(generate(phuc_xa)) == []  # Ba Đình's ward keeps the national default: A only


def test_a_year_not_started_is_refused(phuong_thanh_xuan):
    with pytest.raises(ValidationError) as error:
        generate(phuong_thanh_xuan, Year(Year.current().year + 1))
    assert error.value.code == "future"
    assert not CommendationList.objects.exists()


# --- One list per unit and year, beside the quarters' ----------------------------------------------------------


def test_a_units_year_list_is_one_and_stands_beside_its_quarter_lists(generous_rule, thanh_xuan_bac, classify, rate):
    classify("Nguyễn Văn An", Grade.A)
    year_list = generate(thanh_xuan_bac)
    quarter_list = generate(thanh_xuan_bac, Quarter(2025, 4))
    assert generate(thanh_xuan_bac).pk == year_list.pk
    assert CommendationList.objects.filter(unit=thanh_xuan_bac).count() == 2
    assert (year_list.quarter, quarter_list.quarter) == (None, 4)
    with translation.override("vi"):
        assert str(year_list.period) == "năm 2025" and year_list.period.slug == "2025"
    with pytest.raises(IntegrityError), transaction.atomic():
        CommendationListFactory(unit=thanh_xuan_bac, year=2025, quarter=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        CommendationList.objects.filter(pk=quarter_list.pk).update(quarter=5)


# --- The review, as for a quarter -----------------------------------------------------------------------------


@pytest.fixture
def year_draft(generous_rule, thanh_xuan, thanh_xuan_trung, classify):
    """Thanh Xuân's 2025 list: An (95) and Bình (93) picked; Cường, rated B, is not."""
    classify("Nguyễn Văn An", Grade.A, points="95")
    classify("Trần Thị Bình", Grade.A, unit=thanh_xuan_trung)
    classify("Lê Văn Cường", Grade.B)
    return generate(thanh_xuan)


def test_the_years_list_is_reviewed_and_approved_like_a_quarters(year_draft, district_officer, ward_officer):
    from units.models import Staff

    an = year_draft.entries.get(staff__full_name="Nguyễn Văn An")
    with pytest.raises(ValidationError):
        commendation_entry_remove(actor=district_officer, entry=an, reason=" ")
    commendation_entry_remove(actor=district_officer, entry=an, reason="Đang bị xem xét kỷ luật")
    assert names(year_draft) == ["Trần Thị Bình"]

    # Added by hand with the year's figures: the final grade and the average points of the classification.
    cuong = Staff.objects.get(full_name="Lê Văn Cường")
    added = commendation_entry_add(actor=district_officer, commendation_list=year_draft, staff=cuong,
                                   reason="Có sáng kiến cải cách thủ tục hành chính")
    assert (added.source, added.grades, added.total_score, added.months_rated) == (EntrySource.MANUAL, "B", Decimal("80.0"), 12)

    # A refresh keeps what the office decided, with its reasons.
    generate(year_draft.unit)
    assert names(year_draft) == ["Trần Thị Bình", "Lê Văn Cường"]
    commendation_entry_restore(actor=district_officer, entry=an)
    assert names(year_draft) == ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường"]

    with pytest.raises(PermissionDenied):
        commendation_list_approve(actor=ward_officer, commendation_list=year_draft)
    approved = commendation_list_approve(actor=district_officer, commendation_list=year_draft)
    assert approved.status == CommendationStatus.APPROVED and approved.approved_by == district_officer
    with pytest.raises(ValidationError):
        commendation_entry_remove(actor=district_officer, entry=year_draft.entries.get(staff=cuong), reason="…")
    assert generate(year_draft.unit).status == CommendationStatus.APPROVED
    assert len(names(year_draft)) == 3


@pytest.mark.parametrize("per_ward", [2, 12])
def test_the_years_list_takes_a_constant_number_of_queries(
    per_ward, thanh_xuan, thanh_xuan_bac, thanh_xuan_trung, classify, violation, feedback_case,
    django_assert_max_num_queries,
):
    CommendationRule.objects.update(annual_quota_percent=50, annual_quota_min=1)
    for ward in (thanh_xuan_bac, thanh_xuan_trung):
        for i in range(per_ward):
            staff = classify(f"{ward.name} {i:02d}", Grade.A if i % 3 else Grade.B, unit=ward, points=str(90 + i % 7))
            if i % 4 == 0:
                DisciplinaryDecisionFactory(violation=violation(staff, datetime.date(2025, 5, 1)),
                                            decision_date=datetime.date(2025, 6, 1))
            if i % 5 == 0:
                feedback_case(staff, datetime.date(2025, 8, 1), kind=FeedbackKind.PRAISE)
    with django_assert_max_num_queries(20):
        generate(thanh_xuan)
    with django_assert_max_num_queries(20):
        generate(thanh_xuan)
