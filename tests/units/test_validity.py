"""The one check before new work is opened for a unit (units.validity): a dissolved unit is refused with the units
that replaced it, on Hanoi's real merge map (Phường Phúc Xá went wholly to Phường Hồng Hà; Phường Thanh Xuân Bắc
was divided between Phường Thanh Xuân and Phường Thanh Liệt)."""

import datetime

from django.core.exceptions import ValidationError
from django.utils import translation
import pytest

from tests.factories import UnitFactory
from units.choices import LEGACY_LAST_DAY, REFORM_DATE, Structure
from units.validity import unit_replaced, unit_require_open, unit_successors

DECEMBER = datetime.date(2026, 12, 1)


def refusal(unit, day, **kwargs) -> str:
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        unit_require_open(unit, day, **kwargs)
    assert refused.value.error_list[0].code == "unit_closed"
    return " ".join(refused.value.messages)


def test_a_ward_merged_whole_names_its_successor(phuc_xa):
    assert refusal(phuc_xa, DECEMBER) == (
        "Phường Phúc Xá (former) ceased to exist on 30/06/2025; it was replaced by Phường Hồng Hà. "
        "Open this in Phường Hồng Hà."
    )


def test_a_divided_ward_names_every_successor(thanh_xuan_bac):
    assert refusal(thanh_xuan_bac, DECEMBER) == (
        "Phường Thanh Xuân Bắc (former) ceased to exist on 30/06/2025; it was replaced by Phường Thanh Liệt, "
        "Phường Thanh Xuân. Open this in one of them."
    )


def test_the_refusal_is_in_vietnamese_by_default(thanh_xuan_bac):
    with translation.override("vi"), pytest.raises(ValidationError) as refused:
        unit_require_open(thanh_xuan_bac, DECEMBER)
    message = refused.value.messages[0]
    assert message.startswith("Phường Thanh Xuân Bắc (cũ) đã kết thúc hoạt động vào ngày 30/06/2025")
    assert "Phường Thanh Liệt, Phường Thanh Xuân" in message


def test_a_dissolved_district_is_replaced_by_the_wards_formed_from_its_wards(thanh_xuan, phuong_thanh_xuan):
    successors = unit_successors(unit=thanh_xuan)
    assert phuong_thanh_xuan in successors
    assert all(unit.structure == Structure.CURRENT for unit in successors)
    assert "Phường Thanh Xuân" in refusal(thanh_xuan, DECEMBER)


def test_the_error_can_name_the_form_field(phuc_xa):
    with pytest.raises(ValidationError) as refused:
        unit_require_open(phuc_xa, DECEMBER, field="unit")
    assert list(refused.value.message_dict) == ["unit"]


def test_the_last_day_and_any_period_starting_before_it_are_open(thanh_xuan_bac):
    unit_require_open(thanh_xuan_bac, LEGACY_LAST_DAY)
    unit_require_open(thanh_xuan_bac, datetime.date(2025, 6, 1), until=datetime.date(2025, 6, 30))
    assert "30/06/2025" in refusal(thanh_xuan_bac, REFORM_DATE)


def test_a_current_unit_before_it_was_formed_points_to_the_units_it_was_formed_from(phuong_thanh_xuan):
    message = refusal(phuong_thanh_xuan, datetime.date(2025, 6, 1), until=datetime.date(2025, 6, 30))
    assert message.startswith("Phường Thanh Xuân exists only since 01/07/2025; before that day, this belongs to")
    assert "Phường Thanh Xuân Bắc" in message and "Phường Nhân Chính" in message
    unit_require_open(phuong_thanh_xuan, datetime.date(2025, 6, 1), until=datetime.date(2025, 7, 31))  # overlaps July


def test_a_unit_in_force_costs_no_query(phuong_thanh_xuan, hanoi, django_assert_num_queries):
    with django_assert_num_queries(0):
        unit_require_open(phuong_thanh_xuan, DECEMBER)
        unit_require_open(hanoi, DECEMBER)
        assert unit_replaced(unit=phuong_thanh_xuan, day=DECEMBER) is None


def test_unit_replaced_answers_the_successors_once_dissolved(phuc_xa):
    assert unit_replaced(unit=phuc_xa, day=LEGACY_LAST_DAY) is None
    assert [unit.name for unit in unit_replaced(unit=phuc_xa, day=DECEMBER)] == ["Phường Hồng Hà"]


def test_a_unit_dissolved_without_known_successors_says_so(db):
    lone = UnitFactory(structure=Structure.LEGACY, valid_to=LEGACY_LAST_DAY, name="Phường Thử Nghiệm")
    assert refusal(lone, DECEMBER) == (
        "Phường Thử Nghiệm (former) ceased to exist on 30/06/2025. Open this in a unit that exists now."
    )
