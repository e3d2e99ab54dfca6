"""The annual rule on its edge cases, as pure functions: a missing month, too few months, a month rated D, a
sanction in the year (with and without a trigger), quarterly schemes, a month rated by two units, and the cap on a
year list of either kind."""

import datetime
from decimal import Decimal

import pytest

from evaluations.annual import rules
from evaluations.annual.rules import RatedMonth, a_excess, classify_year
from evaluations.choices import AnnualMethod, CapKind, DisciplineForm, Grade

YEAR = 2026


def rule(**changes) -> rules.AnnualRule:
    values = {
        "method": AnnualMethod.AVERAGE_POINTS, "periods_per_year": 12, "min_rated_percent": 50, "d_period_cap": "",
        "sanction_trigger": "", "a_min": Decimal(90), "b_min": Decimal(70), "c_min": Decimal(50),
    }
    return rules.AnnualRule(**{**values, **changes})


def months(*totals_and_grades, start=1) -> list[RatedMonth]:
    return [
        RatedMonth(month=datetime.date(YEAR, start + index, 1), total=Decimal(total), grade=grade)
        for index, (total, grade) in enumerate(totals_and_grades)
    ]


def test_a_full_year_is_graded_by_the_average_of_its_months():
    year = classify_year(months(*[(95, "A")] * 6, *[(85, "B")] * 6), rule=rule())
    assert (year.periods_rated, year.periods_expected) == (12, 12)
    assert year.average_points == Decimal("90.0")
    assert year.grade == year.grade_by_points == Grade.A
    assert year.triggers == []


def test_a_missing_month_leaves_the_average_to_the_other_months():
    ratings = [r for r in months(*[(92, "A")] * 12) if r.month.month != 5]
    ratings[0] = RatedMonth(month=ratings[0].month, total=Decimal(83), grade=Grade.B)
    year = classify_year(ratings, rule=rule())
    assert year.periods_rated == 11
    assert [p.start.month for p in year.periods] == [1, 2, 3, 4, 6, 7, 8, 9, 10, 11, 12]
    assert year.average_points == Decimal("91.2")  # (83 + 10 × 92) / 11 = 91.18…
    assert year.grade == Grade.A


@pytest.mark.parametrize(("rated", "classified"), [(5, False), (6, True)])
def test_fewer_months_rated_than_the_rule_asks_leave_the_year_unclassified(rated, classified):
    year = classify_year(months(*[(80, "B")] * rated), rule=rule(min_rated_percent=50))
    assert bool(year.grade) is classified
    assert (rules.TOO_FEW_PERIODS in year.triggers) is not classified
    if not classified:
        assert year.average_points is None


def test_a_month_rated_d_caps_the_year_when_the_rule_says_so():
    ratings = months(*[(95, "A")] * 11, (45, "D"))
    assert classify_year(ratings, rule=rule()).grade == Grade.A  # 91.25 → A: no such rule
    capped = classify_year(ratings, rule=rule(d_period_cap=Grade.C))
    assert capped.grade_by_points == Grade.A
    assert (capped.ceiling, capped.grade) == (Grade.C, Grade.C)
    assert capped.triggers == [rules.D_PERIOD]


def test_a_capped_month_counts_as_d_whatever_its_points():
    """A violation capped the month at D although its points were high: the month is D for the year's rule."""
    year = classify_year(months(*[(95, "A")] * 11, (95, "D")), rule=rule(d_period_cap=Grade.C))
    assert year.grade == Grade.C


@pytest.mark.parametrize(
    ("trigger", "sanctions", "grade"),
    [
        (DisciplineForm.REPRIMAND, [DisciplineForm.REPRIMAND], Grade.D),  # Decree 335
        (DisciplineForm.REPRIMAND, [DisciplineForm.DISMISSAL], Grade.D),
        ("", [DisciplineForm.FORCED_TERMINATION], Grade.A),  # Hanoi 3814: no trigger
        (DisciplineForm.WARNING, [DisciplineForm.REPRIMAND], Grade.A),  # lighter than the trigger
        (DisciplineForm.WARNING, [DisciplineForm.REPRIMAND, DisciplineForm.SALARY_STEP_REDUCTION], Grade.D),
        (DisciplineForm.REPRIMAND, [], Grade.A),
    ],
)
def test_a_sanction_of_the_trigger_or_heavier_forces_d(trigger, sanctions, grade):
    year = classify_year(months(*[(96, "A")] * 12), rule=rule(sanction_trigger=trigger), sanctions=sanctions)
    assert year.grade == grade
    assert (rules.SANCTION in year.triggers) is (grade == Grade.D)


def test_the_forms_of_discipline_are_ordered_by_severity():
    assert list(rules.DISCIPLINE_ORDER) == [
        DisciplineForm.REPRIMAND, DisciplineForm.WARNING, DisciplineForm.SALARY_STEP_REDUCTION,
        DisciplineForm.DEMOTION, DisciplineForm.DISMISSAL, DisciplineForm.FORCED_TERMINATION,
    ]


def test_a_quarterly_year_has_four_periods():
    quarterly = rule(periods_per_year=4)
    ratings = [RatedMonth(month=datetime.date(YEAR, m, 1), total=Decimal(t), grade=g)
               for m, t, g in [(1, 92, "A"), (4, 88, "B"), (7, 90, "A"), (10, 78, "B")]]
    year = classify_year(ratings, rule=quarterly)
    assert (year.periods_rated, year.periods_expected) == (4, 4)
    assert year.average_points == Decimal("87.0")
    assert year.grade == Grade.B


def test_under_a_quarterly_scheme_monthly_ratings_fill_their_quarter():
    ratings = months((90, "A"), (84, "B"), (90, "A"), start=1) + months((80, "B"), start=11)
    year = classify_year(ratings, rule=rule(periods_per_year=4))
    assert [(p.start.month, p.points, p.grade) for p in year.periods] == [
        (1, Decimal("88.0"), Grade.B), (10, Decimal("80.0"), Grade.B),
    ]
    assert year.grade == Grade.B  # 2 of 4 quarters: 50 %, classified


def test_one_quarter_of_four_is_not_enough():
    year = classify_year(months((95, "A")), rule=rule(periods_per_year=4))
    assert year.grade == ""
    assert year.periods_expected == 4


def test_a_month_rated_by_two_units_takes_the_average_points_and_the_worse_grade():
    """A staff member moved mid-month and both units rated them."""
    ratings = [RatedMonth(datetime.date(YEAR, 7, 1), Decimal(92), Grade.A, "Phường A"),
               RatedMonth(datetime.date(YEAR, 7, 1), Decimal(75), Grade.B, "Phường B")]
    (july,) = rules.period_results(ratings, rule())
    assert (july.points, july.grade, july.units) == (Decimal("83.5"), Grade.B, ("Phường A", "Phường B"))


@pytest.mark.parametrize(
    ("grades", "kind", "cap", "excess"),
    [
        # Hanoi 3814: A at most 30 % of the staff classified.
        ("AAAB" + "B" * 6, CapKind.SHARE_OF_STAFF, 30, 0),
        ("AAAAB" + "B" * 5, CapKind.SHARE_OF_STAFF, 30, 1),
        ("AAAA", CapKind.SHARE_OF_STAFF, 30, 3),  # 30 % of 4 = 1.2: one A
        ("AAA", CapKind.SHARE_OF_STAFF, 100, 0),
        # Decree 335: A at most 20 % of those rated B; each A moved down is one more B.
        ("A" + "B" * 5, CapKind.SHARE_OF_GOOD, 20, 0),
        ("AA" + "B" * 5, CapKind.SHARE_OF_GOOD, 20, 1),  # 2 A / 5 B → 1 A / 6 B
        ("A", CapKind.SHARE_OF_GOOD, 20, 1),  # nobody good: no A at all
        ("AAAAA", CapKind.SHARE_OF_GOOD, 20, 5),
        ("AACCD", CapKind.SHARE_OF_GOOD, 20, 2),
        ("BBCD", CapKind.SHARE_OF_GOOD, 20, 0),
    ],
)
def test_the_cap_on_a_year_list_says_how_many_a_must_change(grades, kind, cap, excess):
    assert a_excess([*grades, ""], cap_kind=kind, cap_percent=cap) == excess  # "": not classified, not counted
