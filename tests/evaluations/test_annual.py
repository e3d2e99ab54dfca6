"""The annual classification through its services: the rule read from the scheme in force in December, the
edge cases on real rows (a missing month, a month rated D, a sanction in the year under Decree 335 and under
Hanoi's 3814, quarterly schemes, staff who moved), recomputing (idempotent, keeping what people wrote, refused
once locked), the workflow with its rights and the cap on the year of either kind."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation
import pytest

from evaluations.annual import rules, services
from evaluations.choices import (
    AnnualStatus,
    CapKind,
    DisciplineForm,
    DisciplineStatus,
    Grade,
    RatingPeriod,
    SheetStatus,
)
from evaluations.models import AnnualClassification, ScoringScheme
from tests.builders import compute_annual, discipline, make_user, move_annual
from tests.evaluations.annual_helpers import YEAR, rate, rate_year
from tests.factories import (
    DisciplinaryDecisionFactory,
    ScoringSchemeFactory,
    StaffFactory,
    StaffTransferFactory,
    UnitFactory,
    UserFactory,
    ViolationFactory,
)
from units.choices import Role
from units.services import staff_move

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """The services' messages in English, so that the tests can read what they say."""
    with translation.override("en"):
        yield


def row_of(annual_list, staff) -> AnnualClassification:
    return annual_list.rows.get(staff=staff)


def scheme_for_unit(unit, **fields) -> ScoringScheme:
    """A scheme of the unit's own from 1 January of the test year."""
    return ScoringSchemeFactory(jurisdiction=unit, effective_from=datetime.date(YEAR, 1, 1), **fields)


# --- The rule as shipped --------------------------------------------------------------------------------------


def test_decree_335_ships_the_reprimand_trigger_and_hanoi_3814_none(hanoi):
    national = ScoringScheme.objects.get(jurisdiction__isnull=True, shipped_for="", effective_from=datetime.date(2026, 1, 1))
    assert national.annual_sanction_trigger == DisciplineForm.REPRIMAND
    hanoi_scheme = ScoringScheme.objects.get(jurisdiction=hanoi, legal_basis__startswith="Quyết định 3814")
    assert hanoi_scheme.annual_sanction_trigger == ""


def test_a_reprimand_in_the_year_forces_d_under_decree_335(commune, commune_officer):
    punished, spared = StaffFactory(unit=commune), StaffFactory(unit=commune)
    for person in (punished, spared):
        rate_year(person, "A" * 11)
    violation = ViolationFactory(staff=punished, occurred_on=datetime.date(YEAR, 3, 2))
    discipline(actor=commune_officer, violation=violation, decided_on=datetime.date(YEAR, 4, 15))

    annual_list = compute_annual(commune, commune_officer, YEAR)

    assert annual_list.scheme.legal_basis.startswith("Nghị định số 335/2025")
    row = row_of(annual_list, punished)
    assert (row.grade_by_points, row.computed_grade, row.ceiling) == (Grade.A, Grade.D, Grade.D)
    assert row.triggers == [rules.SANCTION]
    assert row_of(annual_list, spared).computed_grade == Grade.A


def test_the_same_reprimand_does_not_force_d_under_hanoi_3814(thanh_xuan_bac, ward_officer):
    punished = StaffFactory(unit=thanh_xuan_bac)
    rate_year(punished, "A" * 11)
    discipline(actor=ward_officer, violation=ViolationFactory(staff=punished, occurred_on=datetime.date(YEAR, 3, 2)),
               decided_on=datetime.date(YEAR, 4, 15))

    annual_list = compute_annual(thanh_xuan_bac, ward_officer, YEAR)

    assert annual_list.scheme.legal_basis.startswith("Quyết định 3814")
    assert row_of(annual_list, punished).computed_grade == Grade.A


@pytest.mark.parametrize(
    ("status", "decided_on", "forced"),
    [
        (DisciplineStatus.PROPOSED, None, False),  # not decided yet
        (DisciplineStatus.CANCELLED, None, False),
        (DisciplineStatus.APPEALED, datetime.date(YEAR, 5, 1), True),  # an appeal does not suspend the decision
        (DisciplineStatus.CLOSED, datetime.date(YEAR, 5, 1), True),
        (DisciplineStatus.DECIDED, datetime.date(YEAR - 1, 12, 20), False),  # decided the year before
    ],
)
def test_only_a_sanction_that_stands_and_is_dated_in_the_year_counts(commune, commune_officer, status, decided_on, forced):
    person = StaffFactory(unit=commune)
    rate_year(person, "A" * 11)
    violation = ViolationFactory(staff=person, occurred_on=datetime.date(YEAR - 1, 12, 1))
    DisciplinaryDecisionFactory(violation=violation, status=status, decision_date=decided_on,
                                decision_number="" if decided_on is None else "7/QĐ-UBND")

    row = row_of(compute_annual(commune, commune_officer, YEAR), person)

    assert (row.computed_grade == Grade.D) is forced


def test_a_missing_month_a_month_rated_d_and_a_draft_month(commune, commune_officer):
    scheme_for_unit(commune, annual_d_period_cap=Grade.C)
    missing, one_d, late = StaffFactory(unit=commune), StaffFactory(unit=commune), StaffFactory(unit=commune)
    rate_year(missing, "AAAA-AAAAAAA")
    rate_year(one_d, "AAAAAAAAAAAD")
    rate_year(late, "BBBBB")  # five months: under half the year
    rate(late, datetime.date(YEAR, 6, 1), "B", unit=UnitFactory(), status=SheetStatus.DRAFT)  # not approved: not counted

    annual_list = compute_annual(commune, commune_officer, YEAR)

    row = row_of(annual_list, missing)
    assert (row.periods_rated, row.periods_expected, row.computed_grade) == (11, 12, Grade.A)
    assert [p["start"][5:7] for p in row.periods] == ["01", "02", "03", "04", "06", "07", "08", "09", "10", "11", "12"]
    row = row_of(annual_list, one_d)
    assert (row.grade_by_points, row.computed_grade, row.triggers) == (Grade.A, Grade.C, [rules.D_PERIOD])
    row = row_of(annual_list, late)
    assert (row.periods_rated, row.computed_grade, row.triggers) == (5, "", [rules.TOO_FEW_PERIODS])


def test_a_quarterly_scheme_classifies_four_quarters(commune, commune_officer):
    scheme_for_unit(commune, period=RatingPeriod.QUARTERLY)
    full, half = StaffFactory(unit=commune), StaffFactory(unit=commune)
    rate_year(full, "ABAB", step=3)
    rate_year(half, "A-A-", step=3)

    annual_list = compute_annual(commune, commune_officer, YEAR)

    row = row_of(annual_list, full)
    assert (row.periods_rated, row.periods_expected) == (4, 4)
    assert row.average_points == 87.5 and row.computed_grade == Grade.B
    assert [p["start"] for p in row.periods] == [f"{YEAR}-01-01", f"{YEAR}-04-01", f"{YEAR}-07-01", f"{YEAR}-10-01"]
    assert row_of(annual_list, half).periods_rated == 2  # 50 %: classified
    assert row_of(annual_list, half).computed_grade == Grade.A


def test_the_scheme_in_force_in_december_gives_the_rule(commune, commune_officer):
    """A scheme that starts in July is the year's rule, for every month of the year."""
    scheme_for_unit(commune, annual_min_rated_percent=100)
    later = ScoringSchemeFactory(jurisdiction=commune, effective_from=datetime.date(YEAR, 7, 1), annual_min_rated_percent=50)
    person = StaffFactory(unit=commune)
    rate_year(person, "BBBBBB")

    annual_list = compute_annual(commune, commune_officer, YEAR)

    assert annual_list.scheme == later
    assert row_of(annual_list, person).computed_grade == Grade.B


# --- Staff who moved ------------------------------------------------------------------------------------------


def test_staff_who_moved_in_the_year_are_classified_where_they_ended_it_with_all_their_ratings(commune, commune_officer,
                                                                                              province):
    other = UnitFactory(name="Xã Cũ", parent=province)
    officer_there = make_user("other.officer", Role.WARD_OFFICER, other)
    mover = StaffFactory(unit=other, full_name="Người Chuyển Công Tác")
    rate_year(mover, "AAAAAA")  # January to June, rated by the old commune
    StaffTransferFactory(staff=mover, from_unit=other, to_unit=commune, effective_date=datetime.date(YEAR, 7, 1))
    mover.unit = commune
    mover.save()
    rate_year(mover, "BBBBBB", first_month=7)

    row = row_of(compute_annual(commune, commune_officer, YEAR), mover)
    assert row.periods_rated == 12
    assert row.average_points == 87.5
    assert {tuple(p["units"]) for p in row.periods} == {(other.name,), (commune.name,)}
    assert not compute_annual(other, officer_there, YEAR).rows.exists()


def test_a_move_after_the_year_end_leaves_the_person_on_the_old_unit_list(commune, commune_officer, province):
    newer = UnitFactory(parent=province)
    person = StaffFactory(unit=commune)
    rate_year(person, "BBBBBBBBBBBB", year=YEAR - 1)
    StaffTransferFactory(staff=person, from_unit=commune, to_unit=newer, effective_date=datetime.date(YEAR, 1, 5))
    person.unit = newer
    person.save()

    assert compute_annual(commune, commune_officer, YEAR - 1).rows.get().staff == person
    assert not compute_annual(newer, None, YEAR - 1).rows.exists()


def test_a_row_follows_its_staff_member_with_what_was_written_on_it(commune, commune_officer, province, commune_head):
    other = UnitFactory(parent=province)
    office = make_user("mover.office", Role.DISTRICT_OFFICE, province)
    officer_there = make_user("other.officer", Role.WARD_OFFICER, other)
    person = StaffFactory(unit=other)
    rate_year(person, "BBBBBBBBB")
    old_list = compute_annual(other, None, YEAR)
    services.annual_self_assess(actor=officer_there, row=row_of(old_list, person), grade="B", comment="Hoàn thành tốt.")
    staff_move(actor=office, staff=person, to_unit=commune, effective_date=datetime.date(YEAR, 10, 1))

    new_list = compute_annual(commune, commune_officer, YEAR)

    row = row_of(new_list, person)
    assert (row.self_grade, row.self_comment) == ("B", "Hoàn thành tốt.")
    assert not old_list.rows.exists()
    assert new_list.result.kept_elsewhere == []


def test_a_row_on_an_approved_list_stays_there(commune, commune_officer, province):
    other = UnitFactory(parent=province)
    office = make_user("mover.office", Role.DISTRICT_OFFICE, province)
    head = make_user("other.head", Role.UNIT_HEAD, other)
    person = StaffFactory(unit=other, full_name="Trần Văn Đã Duyệt")
    rate_year(person, "BBBBBBBBB")
    old_list = move_annual(compute_annual(other, None, YEAR), head, "submit")
    move_annual(old_list, office, "approve")
    staff_move(actor=office, staff=person, to_unit=commune, effective_date=datetime.date(YEAR, 10, 1))

    new_list = compute_annual(commune, commune_officer, YEAR)

    assert not new_list.rows.exists()
    assert new_list.result.kept_elsewhere == ["Trần Văn Đã Duyệt"]
    assert old_list.rows.get().final_grade == Grade.B


# --- Recomputing ------------------------------------------------------------------------------------------------


def test_recomputing_is_idempotent_and_keeps_what_people_wrote(commune, commune_officer, commune_head):
    person, joined = StaffFactory(unit=commune), StaffFactory(unit=commune)
    person_user = UserFactory(staff_member=person)
    rate_year(person, "AAAAAAAAAA")
    annual_list = compute_annual(commune, commune_officer, YEAR)
    assert annual_list.result.added == 2
    row = row_of(annual_list, person)
    services.annual_self_assess(actor=person_user, row=row, grade="A", comment="Hoàn thành xuất sắc.")
    services.annual_review(actor=commune_head, row=row, grade="B", comment="Còn chậm tiến độ quý IV.")

    again = compute_annual(commune, commune_officer, YEAR)
    assert (again.result.added, again.result.changed, again.result.removed) == (0, 0, 0)

    rate(person, datetime.date(YEAR, 11, 1), "D", total=40)
    rate_year(joined, "BBBBBBBBBBB")
    third = compute_annual(commune, commune_officer, YEAR)
    assert (third.result.added, third.result.changed) == (0, 2)
    row.refresh_from_db()
    assert (row.periods_rated, row.average_points) == (11, 90)  # (10 × 95 + 40) / 11
    assert (row.self_grade, row.self_comment, row.reviewed_grade, row.review_comment) == (
        "A", "Hoàn thành xuất sắc.", "B", "Còn chậm tiến độ quý IV."
    )
    # Computed, self-assessed, reviewed, recomputed: the idempotent run left no trace.
    assert row.history.count() == 4


def test_computing_is_refused_once_the_list_is_submitted_or_locked(thanh_xuan_bac, ward_officer, unit_head, district_officer):
    rate_year(StaffFactory(unit=thanh_xuan_bac), "BBBBBBBBBBBB")
    annual_list = move_annual(compute_annual(thanh_xuan_bac, ward_officer, YEAR), unit_head, "submit")
    with pytest.raises(ValidationError, match="submitted"):
        services.annual_list_compute(actor=ward_officer, unit=thanh_xuan_bac, year=YEAR)
    move_annual(annual_list, district_officer, "approve")
    with pytest.raises(ValidationError, match="locked"):
        services.annual_list_compute(actor=ward_officer, unit=thanh_xuan_bac, year=YEAR)


def test_rows_of_people_no_longer_at_the_unit_go_unless_someone_wrote_on_them(commune, commune_officer, commune_head):
    stays, leaves_blank, leaves_reviewed = (StaffFactory(unit=commune) for _ in range(3))
    for person in (stays, leaves_blank, leaves_reviewed):
        rate_year(person, "BBBBBBBBB")
    annual_list = compute_annual(commune, commune_officer, YEAR)
    services.annual_review(actor=commune_head, row=row_of(annual_list, leaves_reviewed), grade="", comment="Đã nhận xét.")
    StaffFactory._meta.model.objects.filter(pk__in=[leaves_blank.pk, leaves_reviewed.pk]).update(
        active_to=datetime.date(YEAR - 1, 12, 31), active_from=datetime.date(2020, 1, 1)
    )

    again = compute_annual(commune, commune_officer, YEAR)

    assert again.result.removed == 1
    assert set(again.rows.values_list("staff_id", flat=True)) == {stays.pk, leaves_reviewed.pk}


def test_a_future_year_cannot_be_computed(commune, commune_officer):
    with pytest.raises(ValidationError):
        services.annual_list_compute(actor=commune_officer, unit=commune, year=datetime.date.today().year + 1)


# --- Self-assessment, review and the workflow -----------------------------------------------------------------


def test_who_writes_what(thanh_xuan_bac, ward_officer, unit_head, district_officer, targets):
    person = StaffFactory(unit=thanh_xuan_bac)
    rate_year(person, "BBBBBBBBBBBB")
    row = row_of(compute_annual(thanh_xuan_bac, ward_officer, YEAR), person)
    stranger = UserFactory(staff_member=targets["other_district"])

    with pytest.raises(PermissionDenied):
        services.annual_self_assess(actor=stranger, row=row, grade="B", comment="…")
    with pytest.raises(PermissionDenied):
        services.annual_list_compute(actor=district_officer, unit=thanh_xuan_bac, year=YEAR)
    for not_the_head in (ward_officer, district_officer):
        with pytest.raises(PermissionDenied):
            services.annual_review(actor=not_the_head, row=row, grade="B", comment="")
    # The officer records the paper self-assessment; the head reviews.
    services.annual_self_assess(actor=ward_officer, row=row, grade="B", comment="Theo phiếu giấy.")
    services.annual_review(actor=unit_head, row=row, grade="", comment="Đồng ý.")
    row.refresh_from_db()
    assert row.self_assessed_by == ward_officer and row.reviewed_by == unit_head


def test_wrong_input_is_refused_and_nothing_saved(commune, commune_officer, commune_head):
    punished, short, plain = StaffFactory(unit=commune), StaffFactory(unit=commune), StaffFactory(unit=commune)
    rate_year(punished, "A" * 12)
    rate_year(short, "AA")
    rate_year(plain, "B" * 12)
    discipline(actor=commune_officer, violation=ViolationFactory(staff=punished, occurred_on=datetime.date(YEAR, 2, 1)),
               decided_on=datetime.date(YEAR, 2, 20))
    annual_list = compute_annual(commune, commune_officer, YEAR)

    cases = [
        (row_of(annual_list, punished), "B", "Đã khắc phục.", "at best D"),
        (row_of(annual_list, short), "B", "…", "not classified"),
        (row_of(annual_list, plain), "A", "", "differs from the computed B"),
        (row_of(annual_list, plain), "E", "…", "grade from A to D"),
    ]
    for row, grade, comment, message in cases:
        with pytest.raises(ValidationError, match=message):
            services.annual_review(actor=commune_head, row=row, grade=grade, comment=comment)
        row.refresh_from_db()
        assert (row.reviewed_grade, row.reviewed_at) == ("", None)
    with pytest.raises(ValidationError, match="Propose a grade"):
        services.annual_self_assess(actor=commune_officer, row=row_of(annual_list, plain), grade="", comment="…")
    with pytest.raises(ValidationError):
        services.annual_self_assess(actor=commune_officer, row=row_of(annual_list, plain), grade="B", comment="  ")


def test_the_workflow_open_submitted_approved_and_back(thanh_xuan_bac, ward_officer, unit_head, district_officer):
    people = [StaffFactory(unit=thanh_xuan_bac) for _ in range(4)]
    for person, grades in zip(people, ["A" * 12, "B" * 12, "B" * 12, "BB"], strict=True):
        rate_year(person, grades)
    for _ in range(2):  # one A in five classified: within Hanoi's 30 %
        rate_year(StaffFactory(unit=thanh_xuan_bac), "B" * 12)
    annual_list = compute_annual(thanh_xuan_bac, ward_officer, YEAR)
    services.annual_review(actor=unit_head, row=row_of(annual_list, people[1]), grade="C", comment="Chưa đạt chỉ tiêu.")

    assert services.allowed_actions(user=ward_officer, annual_list=annual_list) == []
    assert services.allowed_actions(user=unit_head, annual_list=annual_list) == ["submit"]
    with pytest.raises(PermissionDenied):
        move_annual(annual_list, ward_officer, "submit")
    annual_list = move_annual(annual_list, unit_head, "submit")
    assert services.allowed_actions(user=unit_head, annual_list=annual_list) == []
    assert services.allowed_actions(user=district_officer, annual_list=annual_list) == ["return", "approve"]
    with pytest.raises(PermissionDenied):
        move_annual(annual_list, unit_head, "approve")  # the head does not approve their own unit's year
    with pytest.raises(ValidationError, match="reason"):
        move_annual(annual_list, district_officer, "return")
    annual_list = move_annual(annual_list, district_officer, "return", reason="Bổ sung nhận xét")
    assert annual_list.status == AnnualStatus.OPEN
    annual_list = move_annual(annual_list, unit_head, "submit")
    annual_list = move_annual(annual_list, district_officer, "approve")

    assert annual_list.status == AnnualStatus.APPROVED and annual_list.approved_by == district_officer
    assert [row_of(annual_list, p).final_grade for p in people] == [Grade.A, Grade.C, Grade.B, ""]
    with pytest.raises(ValidationError, match="locked"):
        services.annual_review(actor=unit_head, row=row_of(annual_list, people[2]), grade="C", comment="…")
    with pytest.raises(ValidationError, match="locked"):
        services.annual_self_assess(actor=ward_officer, row=row_of(annual_list, people[2]), grade="C", comment="…")

    annual_list = move_annual(annual_list, district_officer, "reopen", reason="Sai sót")
    assert annual_list.status == AnnualStatus.OPEN
    assert set(annual_list.rows.values_list("final_grade", flat=True)) == {""}
    reasons = list(annual_list.history.values_list("history_change_reason", flat=True))
    assert "Sai sót" in reasons and "Bổ sung nhận xét" in reasons


def test_a_province_approves_its_communes_lists(commune, commune_officer, commune_head, province_office):
    rate_year(StaffFactory(unit=commune), "B" * 12)
    annual_list = move_annual(compute_annual(commune, commune_officer, YEAR), commune_head, "submit")
    assert move_annual(annual_list, province_office, "approve").is_locked


# --- The cap on the year ---------------------------------------------------------------------------------------


def test_the_cap_as_a_share_of_staff_refuses_the_list_naming_how_many_must_change(thanh_xuan_bac, ward_officer, unit_head):
    people = [StaffFactory(unit=thanh_xuan_bac) for _ in range(4)]
    for person in people:
        rate_year(person, "A" * 12)
    annual_list = compute_annual(thanh_xuan_bac, ward_officer, YEAR)
    assert annual_list.scheme.cap_kind == CapKind.SHARE_OF_STAFF and annual_list.scheme.annual_cap_percent == 30

    with pytest.raises(ValidationError, match="30% of the staff classified: 3 of the 4"):
        move_annual(annual_list, unit_head, "submit")
    for person in people[:3]:
        services.annual_review(actor=unit_head, row=row_of(annual_list, person), grade="B", comment="Theo tỷ lệ.")
    assert move_annual(annual_list, unit_head, "submit").status == AnnualStatus.SUBMITTED


def test_the_cap_as_a_share_of_good_under_decree_335(commune, commune_officer, commune_head, province_office):
    excellent = [StaffFactory(unit=commune) for _ in range(2)]
    for person in excellent:
        rate_year(person, "A" * 12)
    for _ in range(5):
        rate_year(StaffFactory(unit=commune), "B" * 12)
    annual_list = compute_annual(commune, commune_officer, YEAR)

    with pytest.raises(ValidationError, match="20% of those rated B: 1 of the 2"):
        move_annual(annual_list, commune_head, "submit")
    services.annual_review(actor=commune_head, row=row_of(annual_list, excellent[0]), grade="B", comment="Theo tỷ lệ.")
    annual_list = move_annual(annual_list, commune_head, "submit")
    # Approving checks again: a list changed behind the workflow's back does not slip past the cap.
    AnnualClassification.objects.filter(annual_list=annual_list, staff=excellent[0]).update(reviewed_grade="A")
    with pytest.raises(ValidationError, match="1 of the 2"):
        move_annual(annual_list, province_office, "approve")


def test_the_year_may_have_a_cap_of_its_own(commune, commune_officer, commune_head):
    scheme_for_unit(commune, cap_kind=CapKind.SHARE_OF_STAFF, a_share_cap_percent=30, annual_a_cap_percent=50)
    for _ in range(4):
        rate_year(StaffFactory(unit=commune), "A" * 12)
    annual_list = compute_annual(commune, commune_officer, YEAR)
    with pytest.raises(ValidationError, match="50% of the staff classified: 2 of the 4"):
        move_annual(annual_list, commune_head, "submit")


def test_an_empty_list_cannot_be_submitted(commune, commune_officer, commune_head):
    annual_list = compute_annual(commune, commune_officer, YEAR)
    with pytest.raises(ValidationError, match="nobody"):
        move_annual(annual_list, commune_head, "submit")
