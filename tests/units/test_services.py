"""Unit and staff services: the tree stays consistent, rights are enforced, every write is audited."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
import pytest

from units import services
from units.choices import StaffCategory, Structure, UnitKind
from units.models import Staff, Unit

pytestmark = pytest.mark.django_db


def test_moving_a_unit_rewrites_the_paths_of_its_subtree(city_admin, thanh_xuan, ba_dinh):
    department = services.unit_create_sub_body(actor=city_admin, parent=thanh_xuan, name="Phòng Nội vụ", kind=UnitKind.DEPARTMENT)
    team = services.unit_create(name="Tổ một cửa", kind=UnitKind.OTHER, parent=department)
    services.unit_update(unit=department, parent=ba_dinh, actor=city_admin)
    team.refresh_from_db()
    assert team.path.startswith(ba_dinh.path) and team.depth == ba_dinh.depth + 2
    assert Unit.objects.within(ba_dinh).filter(pk=team.pk).exists()


def test_a_unit_cannot_move_under_its_own_subtree(thanh_xuan, thanh_xuan_bac):
    with pytest.raises(ValidationError):
        services.unit_update(unit=thanh_xuan, parent=thanh_xuan_bac)


def test_a_department_gets_a_unique_url_safe_public_code(city_admin, thanh_xuan, thanh_xuan_bac):
    first = services.unit_create_sub_body(actor=city_admin, parent=thanh_xuan, name="Phòng Văn hóa và Thông tin", kind=UnitKind.DEPARTMENT)
    second = services.unit_create_sub_body(actor=city_admin, parent=thanh_xuan_bac, name="Phòng Văn hóa và Thông tin", kind=UnitKind.DEPARTMENT)
    assert first.public_code != second.public_code
    assert first.public_code.startswith("phong-van-hoa-va-thong-tin-") and first.public_code.isascii()
    assert first.structure == Structure.LEGACY


def test_only_city_admins_add_bodies(district_officer, thanh_xuan):
    with pytest.raises(PermissionDenied):
        services.unit_create_sub_body(actor=district_officer, parent=thanh_xuan, name="Phòng Y tế", kind=UnitKind.DEPARTMENT)


def test_wards_cannot_be_added_by_hand(city_admin, thanh_xuan):
    with pytest.raises(ValidationError):
        services.unit_create_sub_body(actor=city_admin, parent=thanh_xuan, name="Phường Mới", kind=UnitKind.WARD)


def test_staff_create_enforces_scope(ward_officer, thanh_xuan_trung):
    with pytest.raises(PermissionDenied):
        services.staff_create(actor=ward_officer, unit=thanh_xuan_trung, staff_code="A1", full_name="Ngô Thị Mai",
                              category=StaffCategory.CIVIL_SERVANT)
    assert not Staff.objects.filter(staff_code="A1").exists()


def test_staff_update_keeps_old_and_new_values_in_history(ward_officer, thanh_xuan_bac):
    person = services.staff_create(actor=ward_officer, unit=thanh_xuan_bac, staff_code="a2", full_name="Bùi Văn Toàn",
                                   category=StaffCategory.WORKER)
    services.staff_update(actor=ward_officer, staff=person, category=StaffCategory.PUBLIC_EMPLOYEE)
    newest, oldest = person.history.order_by("-history_id")[:2]
    change = newest.diff_against(oldest).changes
    assert [(c.field, c.old, c.new) for c in change] == [("category", "worker", "public_employee")]
    assert newest.history_user == ward_officer
    assert person.staff_code == "A2"


def test_staff_update_refuses_an_invalid_value_and_saves_nothing(ward_officer, thanh_xuan_bac):
    person = services.staff_create(actor=ward_officer, unit=thanh_xuan_bac, staff_code="A3", full_name="Lý Thị Hoa",
                                   category=StaffCategory.WORKER)
    with pytest.raises(ValidationError):
        services.staff_update(actor=ward_officer, staff=person, category="minister")
    assert Staff.objects.get(pk=person.pk).category == StaffCategory.WORKER
    assert person.history.count() == 1


def test_deactivation_keeps_the_record(ward_officer, thanh_xuan_bac):
    person = services.staff_create(actor=ward_officer, unit=thanh_xuan_bac, staff_code="A4", full_name="Đỗ Văn Hải",
                                   category=StaffCategory.OFFICIAL, active_from=datetime.date(2020, 1, 1))
    services.staff_deactivate(actor=ward_officer, staff=person, last_day=datetime.date(2025, 12, 31), reason="Nghỉ hưu")
    assert not Staff.objects.active().filter(pk=person.pk).exists()
    assert Staff.objects.active_on(datetime.date(2025, 6, 1)).filter(pk=person.pk).exists()
    assert person.history.first().history_change_reason == "Nghỉ hưu"
