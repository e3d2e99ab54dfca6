"""Scope is security: each role sees its own subtree; anything else answers 404, like a missing page."""

from django.urls import reverse
import pytest

from units.models import Staff, Unit
from units.scope import scope_for

pytestmark = pytest.mark.django_db

ROLES = ["ward_officer", "unit_head", "district_officer", "inspector", "city_admin"]
TARGETS = ["own_ward", "sibling_ward", "other_district"]

# role → target → (list page, detail page, edit page). 403: visible, but the role may not edit.
EXPECTED = {
    "ward_officer": {"own_ward": (200, 200, 200), "sibling_ward": (404, 404, 404), "other_district": (404, 404, 404)},
    "unit_head": {"own_ward": (200, 200, 200), "sibling_ward": (404, 404, 404), "other_district": (404, 404, 404)},
    "district_officer": {"own_ward": (200, 200, 200), "sibling_ward": (200, 200, 200), "other_district": (404, 404, 404)},
    "inspector": {"own_ward": (200, 200, 403), "sibling_ward": (200, 200, 403), "other_district": (404, 404, 404)},
    "city_admin": {"own_ward": (200, 200, 200), "sibling_ward": (200, 200, 200), "other_district": (200, 200, 200)},
}


def _pages(staff: Staff):
    return (
        reverse("units:unit_detail", args=[staff.unit.public_code]),
        reverse("units:staff_detail", args=[staff.pk]),
        reverse("units:staff_update", args=[staff.pk]),
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("target", TARGETS)
def test_scope_matrix(request, client, targets, role, target):
    client.force_login(request.getfixturevalue(role))
    statuses = tuple(client.get(url).status_code for url in _pages(targets[target]))
    assert statuses == EXPECTED[role][target]


@pytest.mark.parametrize("role", ROLES)
def test_staff_list_shows_only_staff_in_scope(request, client, targets, role):
    client.force_login(request.getfixturevalue(role))
    page = client.get(reverse("units:staff_list")).content.decode()
    for target, staff in targets.items():
        visible = EXPECTED[role][target][0] == 200
        assert (staff.staff_code in page) is visible, (role, target)


def test_foreign_staff_cannot_be_moved_or_deactivated(client, ward_officer, targets):
    client.force_login(ward_officer)
    foreign = targets["sibling_ward"]
    for name in ("units:staff_move", "units:staff_deactivate"):
        assert client.post(reverse(name, args=[foreign.pk]), {"last_day": "2026-01-01"}).status_code == 404
    foreign.refresh_from_db()
    assert foreign.active_to is None and foreign.unit.official_code == "00355"


def test_ward_officer_cannot_add_staff_to_a_sibling_ward(client, ward_officer, thanh_xuan_trung):
    client.force_login(ward_officer)
    url = reverse("units:staff_create", args=[thanh_xuan_trung.public_code])
    response = client.post(url, {"staff_code": "X1", "full_name": "Nguyễn Văn A", "category": "civil_servant", "active_from": "2026-01-01"})
    assert response.status_code == 404
    assert not Staff.objects.filter(staff_code="X1").exists()


def test_unit_list_search_is_scoped(client, ward_officer):
    client.force_login(ward_officer)
    page = client.get(reverse("units:unit_list"), {"q": "thanh xuan"}).content.decode()
    assert "Phường Thanh Xuân Bắc" in page
    assert "Phường Thanh Xuân Trung" not in page


def test_anonymous_is_sent_to_login(client, targets):
    for url in _pages(targets["own_ward"]) + (reverse("units:staff_list"), reverse("home")):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_a_user_without_role_sees_nothing(client, db, targets):
    from tests.factories import UserFactory

    nobody = UserFactory(username="nobody")
    assert not Unit.objects.visible_to(nobody).exists()
    client.force_login(nobody)
    assert client.get(_pages(targets["own_ward"])[0]).status_code == 404


def test_scope_is_computed_once_per_request(django_assert_num_queries, district_officer, thanh_xuan_bac):
    district_officer = type(district_officer).objects.get(pk=district_officer.pk)
    with django_assert_num_queries(1):
        scope_for(district_officer)
        scope_for(district_officer).covers(thanh_xuan_bac)
        scope_for(district_officer).can("manage_staff", thanh_xuan_bac)


def test_nested_assignments_do_not_widen_the_scope(district_officer, thanh_xuan_bac, ba_dinh):
    from units.choices import Role
    from units.services import role_assign

    role_assign(user=district_officer, unit=thanh_xuan_bac, role=Role.INSPECTOR)
    user = type(district_officer).objects.get(pk=district_officer.pk)
    assert list(Unit.objects.scope_tops(user)) == [thanh_xuan_bac.parent]
    assert not scope_for(user).covers(ba_dinh)
