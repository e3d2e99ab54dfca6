"""Importing Hanoi's real units from the vietnam-provinces package."""

import dataclasses

from django.core.management import call_command
import pytest

from units.choices import REFORM_DATE, Structure, UnitKind
from units.models import Unit
from units.unit_import import legacy, units_import

pytestmark = pytest.mark.django_db

DISTRICT_KINDS = [UnitKind.URBAN_DISTRICT, UnitKind.RURAL_DISTRICT, UnitKind.TOWN, UnitKind.PROVINCIAL_CITY]
GRASSROOTS = [UnitKind.WARD, UnitKind.COMMUNE, UnitKind.TOWNSHIP, UnitKind.SPECIAL_ZONE]


def test_hanoi_has_30_legacy_districts_and_126_current_units(hanoi):
    assert hanoi.name == "Thành phố Hà Nội"
    legacy_districts = Unit.objects.filter(structure=Structure.LEGACY, kind__in=DISTRICT_KINDS, parent=hanoi)
    assert legacy_districts.count() == 30
    current_units = Unit.objects.filter(structure=Structure.CURRENT, parent=hanoi)
    assert current_units.count() == 126
    assert set(current_units.values_list("kind", flat=True)) <= set(GRASSROOTS)
    assert all(unit.valid_from == REFORM_DATE and unit.valid_to is None for unit in current_units)
    thanh_xuan = legacy_districts.get(official_code="009")
    assert thanh_xuan.name == "Quận Thanh Xuân"
    # The package's legacy list is the last one before the reform: 9 wards by then (11 in 2017).
    assert thanh_xuan.children.count() == 9


def test_reused_official_code_is_two_units_with_distinct_public_codes(hanoi):
    old = Unit.objects.get(structure=Structure.LEGACY, official_code="00367")
    new = Unit.objects.get(structure=Structure.CURRENT, official_code="00367")
    assert old.name == "Phường Thanh Xuân Bắc"
    assert new.name == "Phường Thanh Xuân"
    assert old.public_code != new.public_code
    assert old.parent.name == "Quận Thanh Xuân" and new.parent == hanoi
    assert not old.is_current and new.is_current


def test_current_unit_records_the_legacy_units_merged_into_it(hanoi):
    new = Unit.objects.get(structure=Structure.CURRENT, official_code="00367")
    merged = set(new.merged_from.values_list("name", flat=True))
    assert {"Phường Thanh Xuân Bắc", "Phường Thanh Xuân Trung", "Phường Nhân Chính"} <= merged
    old = Unit.objects.get(structure=Structure.LEGACY, official_code="00367")
    assert new in old.merged_into.all()


def test_tree_paths_make_a_subtree_one_query(hanoi):
    thanh_xuan = Unit.objects.get(structure=Structure.LEGACY, official_code="009")
    subtree = Unit.objects.within(thanh_xuan)
    assert subtree.count() == 10  # the district and its 9 wards
    assert all(unit.path.startswith(hanoi.path) for unit in subtree)


def test_second_run_changes_nothing(hanoi):
    before = {u.pk: (u.name, u.public_code, u.path) for u in Unit.objects.all()}
    summary = units_import(province=1, structure="both")
    assert summary.total_created == 0 and summary.total_updated == 0
    assert summary.unchanged == len(before)
    assert {u.pk: (u.name, u.public_code, u.path) for u in Unit.objects.all()} == before


def test_renamed_unit_in_the_source_is_renamed_not_duplicated(hanoi, monkeypatch):
    real_wards = legacy.Ward.iter_by_province

    def renamed(code):
        for ward in real_wards(code):
            if int(ward.code) == 367:
                ward = dataclasses.replace(ward, name="Phường Thanh Xuân Bắc Mới")
            yield ward

    monkeypatch.setattr(legacy.Ward, "iter_by_province", staticmethod(renamed))
    unit = Unit.objects.get(structure=Structure.LEGACY, official_code="00367")
    count = Unit.objects.count()

    summary = units_import(province=1, structure="legacy")

    unit_after = Unit.objects.get(pk=unit.pk)
    assert summary.total_updated == 1
    assert Unit.objects.count() == count
    assert unit_after.name == "Phường Thanh Xuân Bắc Mới"
    assert unit_after.public_code == unit.public_code  # printed on posters: never changes
    assert unit_after.search_name == "phuong thanh xuan bac moi"
    assert unit_after.history.first().name == "Phường Thanh Xuân Bắc Mới"


def test_command_imports_one_structure_and_says_what_it_did(db, capsys):
    call_command("import_units", "--province", "4", "--structure", "current")
    out = capsys.readouterr().out
    assert "created" in out
    cao_bang = Unit.objects.get(official_code="04", structure__in=[Structure.SHARED, Structure.CURRENT])
    assert cao_bang.name == "Tỉnh Cao Bằng"
    assert Unit.objects.filter(parent=cao_bang, structure=Structure.CURRENT).count() > 50
    assert not Unit.objects.filter(parent=cao_bang, structure=Structure.LEGACY).exists()
    call_command("import_units", "--province", "4", "--structure", "current")
    assert "0 created, 0 updated" in capsys.readouterr().out


def test_command_rejects_a_bad_province(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("import_units", "--province", "hanoi")
    with pytest.raises(CommandError):
        call_command("import_units", "--province", "99")
