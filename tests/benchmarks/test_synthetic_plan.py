"""The synthetic data's plan: before the 2025 reform each chosen ward's work goes to a legacy ward of its own."""

import pytest

from seed.synthetic.plan import predecessors_of
from tests.factories import UnitFactory
from units.choices import Structure

pytestmark = pytest.mark.django_db


def test_a_legacy_ward_split_between_two_new_wards_is_the_predecessor_of_one_only(hanoi):
    split = UnitFactory(name="Phường Cũ Chia Đôi", structure=Structure.LEGACY)
    other = UnitFactory(name="Phường Cũ Khác", structure=Structure.LEGACY)
    first = UnitFactory(name="Phường Mới Một")
    second = UnitFactory(name="Phường Mới Hai")
    first.merged_from.add(split)
    second.merged_from.add(split, other)
    found = predecessors_of([first, second])
    # Each new ward has a legacy ward of its own: the first, formed from the split ward alone, keeps it.
    assert found == {first.pk: split.pk, second.pk: other.pk}
