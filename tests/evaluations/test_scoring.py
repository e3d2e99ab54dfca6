"""The scoring rules as properties (hypothesis): caps, bounds, monotony and what counts as a number of points."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from hypothesis import assume, example, given, settings, strategies as st
import pytest

from evaluations.choices import GRADE_ORDER, Grade, Severity
from evaluations.models import CriterionGroup, ScoringScheme
from evaluations.ratings import scoring
from evaluations.ratings.services import parse_group_points

rank = GRADE_ORDER.index  # 0 for A (best) … 3 for D

tenths = st.integers(min_value=0, max_value=1100).map(lambda n: Decimal(n) / 10)  # 0.0 … 110.0
grades = st.sampled_from(list(Grade.values))
severities = st.sampled_from(list(Severity.values))


@st.composite
def schemes(draw):
    """Any valid scheme: thresholds strictly ordered (a > b > c ≥ 0), any cap per severity."""
    c_min = draw(st.integers(min_value=0, max_value=1000))
    b_min = draw(st.integers(min_value=c_min + 1, max_value=1050))
    a_min = draw(st.integers(min_value=b_min + 1, max_value=1100))
    return ScoringScheme(
        name="generated",
        a_min=Decimal(a_min) / 10,
        b_min=Decimal(b_min) / 10,
        c_min=Decimal(c_min) / 10,
        cap_minor=draw(grades),
        cap_serious=draw(grades),
        cap_very_serious=draw(grades),
    )


HANOI = ScoringScheme(name="Hà Nội", a_min=Decimal(90), b_min=Decimal(70), c_min=Decimal(50))
HANOI_GROUPS = [
    CriterionGroup(code="discipline", name="Ý thức tổ chức kỷ luật", max_points=Decimal(20)),
    CriterionGroup(code="tasks", name="Kết quả thực hiện nhiệm vụ", max_points=Decimal(70)),
    CriterionGroup(code="bonus", name="Điểm thưởng", max_points=Decimal(10), is_bonus=True),
]


@settings(max_examples=300, deadline=None)
@given(total=tenths, scheme=schemes(), found=st.lists(severities, min_size=1, max_size=4))
def test_a_violation_caps_the_grade_whatever_the_points(total, scheme, found):
    by_points, grade = scoring.final_grade(total, scheme=scheme, violation_severities=found)
    for severity in found:
        assert rank(grade) >= rank(scheme.cap_for(severity)), "never better than any violation's cap"
    assert rank(grade) >= rank(by_points), "a violation never improves the grade"
    assert grade in {by_points, *(scheme.cap_for(s) for s in found)}


@settings(max_examples=200, deadline=None)
@given(total=tenths, scheme=schemes())
def test_without_a_violation_the_grade_is_the_grade_by_points(total, scheme):
    by_points, grade = scoring.final_grade(total, scheme=scheme)
    assert grade == by_points


@settings(max_examples=300, deadline=None)
@given(points=st.dictionaries(st.text(min_size=1, max_size=8), tenths, max_size=6))
def test_totals_stay_within_0_and_110(points):
    total = scoring.total_of(points)
    assert Decimal(0) <= total <= Decimal(110)
    assert total == min(sum(points.values(), Decimal(0)), Decimal(110))


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_valid_points_of_hanoi_groups_add_up_within_the_scheme(data):
    raw = {
        group.code: str(data.draw(st.integers(0, int(group.max_points * 10)).map(lambda n: Decimal(n) / 10))).replace(".", ",")
        for group in HANOI_GROUPS
    }
    points = parse_group_points(HANOI, raw, HANOI_GROUPS)
    total = scoring.total_of(points)
    assert Decimal(0) <= total <= Decimal(100)  # 20 + 70 + 10 bonus: the 110 cap is never needed here
    assert total == sum(Decimal(value.replace(",", ".")) for value in raw.values())


@settings(max_examples=300, deadline=None)
@given(first=tenths, second=tenths, scheme=schemes())
def test_grade_by_points_never_worsens_as_the_total_grows(first, second, scheme):
    low, high = sorted((first, second))
    thresholds = {"a_min": scheme.a_min, "b_min": scheme.b_min, "c_min": scheme.c_min}
    assert rank(scoring.grade_by_points(high, **thresholds)) <= rank(scoring.grade_by_points(low, **thresholds))


def test_hanoi_thresholds():
    def grade(total):
        return scoring.grade_by_points(Decimal(total), a_min=HANOI.a_min, b_min=HANOI.b_min, c_min=HANOI.c_min)

    assert [grade(t) for t in ("90", "89.9", "70", "69.9", "50", "49.9", "0")] == ["A", "B", "B", "C", "C", "D", "D"]


# --- parse_points ---------------------------------------------------------------------------------------

MAXIMUM = Decimal(20)


def parse(raw, maximum=MAXIMUM):
    return scoring.parse_points(raw, maximum=maximum, label="Kỷ luật")


def refused_with(raw, maximum=MAXIMUM) -> str:
    with pytest.raises(ValidationError) as refused:
        parse(raw, maximum)
    return refused.value.code


@settings(max_examples=300, deadline=None)
@given(value=st.integers(min_value=0, max_value=200).map(lambda n: Decimal(n) / 10), comma=st.booleans())
def test_one_decimal_within_the_maximum_is_accepted_with_a_comma_or_a_dot(value, comma):
    text = f"{value:f}".replace(".", "," if comma else ".")
    assert parse(text) == value
    assert parse(f"  {text} ") == value


@settings(max_examples=200, deadline=None)
@given(value=st.decimals(max_value=Decimal("-0.1"), allow_nan=False, allow_infinity=False, places=1))
def test_negative_points_are_refused(value):
    assert refused_with(f"{value:f}") == "negative"


@settings(max_examples=200, deadline=None)
@given(maximum=st.integers(1, 100), excess=st.integers(1, 10_000))
def test_points_over_the_maximum_are_refused(maximum, excess):
    assert refused_with(str(Decimal(maximum) + Decimal(excess) / 10), Decimal(maximum)) == "above_max"


def _is_a_number(text: str) -> bool:
    try:
        Decimal(text.strip().replace(",", "."))
    except InvalidOperation:
        return False
    return True


@settings(max_examples=300, deadline=None)
@given(text=st.text(min_size=1, max_size=12).filter(lambda t: t.strip() and not _is_a_number(t)))
@example(text="mười tám")
@example(text="18đ")
@example(text="18,5,1")
@example(text="1 8")
def test_text_is_refused(text):
    assert refused_with(text) == "not_number"


@pytest.mark.parametrize("raw", ["NaN", "nan", "sNaN", "inf", "Infinity", "-Infinity", float("nan"), float("inf")])
def test_nan_and_infinity_are_refused(raw):
    assert refused_with(raw) == "not_number"


@settings(max_examples=200, deadline=None)
@given(hundredths=st.integers(min_value=0, max_value=2000).filter(lambda n: n % 10))
def test_more_than_one_decimal_is_refused(hundredths):
    text = f"{Decimal(hundredths) / 100:f}"
    assume(Decimal(text) <= MAXIMUM)
    assert refused_with(text) == "decimals"
    assert refused_with(text.replace(".", ",")) == "decimals"


@pytest.mark.parametrize("raw", ["", "   ", None])
def test_an_empty_field_is_refused(raw):
    assert refused_with(raw) == "required"


def test_a_comma_decimal_is_read_as_vietnamese_officers_type_it():
    assert parse("18,5") == Decimal("18.5")
    assert parse("0") == Decimal("0.0")
    assert parse(20) == Decimal(20)
    assert parse("20,0") == Decimal(20)


def test_the_error_names_the_group():
    with pytest.raises(ValidationError) as refused:
        parse("-1")
    assert "Kỷ luật" in refused.value.messages[0]


@pytest.mark.parametrize(
    "grade, needed", [(Grade.A, False), (Grade.B, False), (Grade.C, True), (Grade.D, True)]
)
def test_a_remark_is_needed_below_b(grade, needed):
    assert scoring.needs_remark(grade) is needed


@pytest.mark.parametrize(
    "grades, cap, exceeded",
    [(["A", "A", "B", "B", "B", "B", "B", "B", "B", "B"], 30, False),
     (["A", "A", "A", "B", "B", "B", "B", "B", "B", "B"], 30, False),
     (["A", "A", "A", "A", "B", "B", "B", "B", "B", "B"], 30, True),
     ([], 30, False)],
)
def test_a_share_cap_is_exceeded_only_above_the_cap(grades, cap, exceeded):
    assert scoring.a_share_exceeded(grades, cap_percent=cap) is exceeded
