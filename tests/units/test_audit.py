"""The audit trail page: who changed what and when, before and after, scoped to the units one may audit."""

import datetime

from django.urls import reverse
from django.utils import timezone
import pytest

from evaluations.ratings import services
from tests.builders import make_user, open_sheet
from tests.factories import FeedbackCaseFactory, StaffFactory
from tests.helpers import last_month
from units.choices import Role

URL = reverse("portal:audit_trail")


@pytest.fixture
def ward_sheet(thanh_xuan_bac, ward_officer):
    StaffFactory.create_batch(3, unit=thanh_xuan_bac)
    return open_sheet(thanh_xuan_bac, ward_officer, last_month())


def _lower_discipline(rating, actor, points="15"):
    rating.refresh_from_db()
    values = {**rating.points, "discipline": points}
    return services.rating_save(actor=actor, rating=rating, points=values, remark="Đi muộn", expected_version=rating.version)


def test_district_office_sees_who_changed_a_rating_from_what_to_what(client, district_officer, ward_officer, ward_sheet):
    rating = ward_sheet.ratings.select_related("staff").first()
    _lower_discipline(rating, ward_officer)

    client.force_login(district_officer)
    page = client.get(URL, {"source": "ratings"}).content.decode()

    assert ward_officer.get_full_name() in page
    assert rating.staff.full_name in page
    assert "<del>90,0</del> → 85,0" in page  # the total, before and after (Vietnamese decimal comma)
    assert "Đi muộn" in page


def test_changes_outside_the_auditors_district_are_not_shown(client, district_officer, ba_dinh, phuc_xa):
    other_officer = make_user("ward.phucxa", Role.WARD_OFFICER, phuc_xa)
    StaffFactory(unit=phuc_xa, full_name="Người Ba Đình")
    open_sheet(phuc_xa, other_officer, last_month())

    client.force_login(district_officer)
    page = client.get(URL, {"source": "ratings"}).content.decode()
    assert "Người Ba Đình" not in page
    # Asking for the foreign unit explicitly is not a way in: it is not among the choices, so the filter is ignored.
    page = client.get(URL, {"source": "ratings", "unit": phuc_xa.public_code}).content.decode()
    assert "Người Ba Đình" not in page


def test_filters_by_user_and_date(client, district_officer, ward_officer, unit_head, ward_sheet):
    first, second = list(ward_sheet.ratings.select_related("staff").order_by("pk")[:2])
    _lower_discipline(first, ward_officer)
    _lower_discipline(second, unit_head, points="10")

    client.force_login(district_officer)
    by_head = client.get(URL, {"source": "ratings", "actor": unit_head.pk}).context["entries"]
    assert [e.record.id for e in by_head] == [second.pk]

    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    assert not client.get(URL, {"source": "ratings", "since": tomorrow.isoformat()}).context["entries"]
    reversed_dates = client.get(URL, {"since": tomorrow.isoformat(), "until": timezone.localdate().isoformat()})
    assert reversed_dates.context["form"].errors["until"]


def test_citizen_contact_details_are_masked(client, city_admin, thanh_xuan_bac):
    case = FeedbackCaseFactory(
        unit=thanh_xuan_bac, tracking_code="AUDIT123", kind="attitude", text="Thái độ chưa tốt", due_on="2026-12-10",
        contact_consent=True, contact_phone="0912345678",
    )
    case.contact_phone = "0987654321"
    case.save()

    client.force_login(city_admin)
    page = client.get(URL, {"source": "feedback"}).content.decode()
    assert "0912345678" not in page and "0987654321" not in page
    assert "•••" in page


@pytest.mark.parametrize("role_fixture", ["ward_officer", "unit_head", "inspector"])
def test_roles_without_audit_rights_are_refused(client, request, role_fixture):
    client.force_login(request.getfixturevalue(role_fixture))
    assert client.get(URL).status_code == 403


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_query_count_does_not_grow_with_changes(client, district_officer, ward_officer, ward_sheet, django_assert_max_num_queries):
    client.force_login(district_officer)
    ratings = list(ward_sheet.ratings.all())
    _lower_discipline(ratings[0], ward_officer)
    with django_assert_max_num_queries(12) as few:
        client.get(URL, {"source": "ratings"})
    for rating in ratings:
        for points in ("18", "16", "14"):
            _lower_discipline(rating, ward_officer, points=points)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(URL, {"source": "ratings"})
    assert len(response.context["entries"]) == 3 + 1 + 3 * 3  # three rows created, then ten changes
