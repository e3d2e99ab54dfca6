"""A surprise visit not yet started never shows to the inspected unit: not in the plan list, the calendar,
counts, the visit page or its photos. The team, the district office and the city see it; once the team
starts it the ward sees it too. An announced (scheduled) visit is visible to the ward from the start."""

from django.urls import reverse
from django.utils import timezone
import pytest

from evaluations.choices import VisitKind
from evaluations.inspections import services
from evaluations.inspections.selectors import visits_visible_to
from evaluations.models import InspectionPhoto
from tests.builders import make_team, plan_visit
from tests.evaluations.inspection_helpers import png_upload

pytestmark = pytest.mark.django_db

SUBJECT = "Kiểm tra bí mật TXB"


@pytest.fixture
def team(district_officer, inspector, thanh_xuan):
    return make_team(actor=district_officer, owner_unit=thanh_xuan, leader=inspector, members=[inspector])


@pytest.fixture
def surprise(district_officer, team, thanh_xuan_bac):
    return plan_visit(actor=district_officer, team=team, unit=thanh_xuan_bac, kind=VisitKind.SURPRISE, subject=SUBJECT)


def _pages(client, user, visit):
    client.force_login(user)
    month = timezone.localtime(visit.scheduled_at).strftime("%Y-%m")
    return {
        "list": client.get(reverse("evaluations:visit_list")),
        "list_month": client.get(reverse("evaluations:visit_list"), {"month": month}),
        "calendar": client.get(f"/inspections/calendar/{month}/"),
        "detail": client.get(reverse("evaluations:visit_detail", args=[visit.pk])),
    }


@pytest.mark.parametrize("role", ["ward_officer", "unit_head"])
def test_planned_surprise_visit_is_invisible_to_the_inspected_ward(request, client, surprise, role):
    user = request.getfixturevalue(role)
    pages = _pages(client, user, surprise)
    for name in ("list", "list_month", "calendar"):
        assert pages[name].status_code == 200
        assert SUBJECT not in pages[name].content.decode(), name
        assert reverse("evaluations:visit_detail", args=[surprise.pk]) not in pages[name].content.decode(), name
    assert "0 visits this month" in pages["calendar"].content.decode() or "0 cuộc" in pages["calendar"].content.decode()
    assert pages["detail"].status_code == 404
    assert visits_visible_to(user).count() == 0
    # Nor can the ward act on it by guessing its id.
    assert client.post(reverse("evaluations:visit_start", args=[surprise.pk])).status_code == 404


@pytest.mark.parametrize("role", ["inspector", "district_officer", "city_admin"])
def test_planned_surprise_visit_is_visible_to_those_who_make_it(request, client, surprise, role):
    user = request.getfixturevalue(role)
    pages = _pages(client, user, surprise)
    for name in ("list_month", "calendar", "detail"):
        assert pages[name].status_code == 200
        assert SUBJECT in pages[name].content.decode(), name
    assert visits_visible_to(user).filter(pk=surprise.pk).count() == 1


def test_started_surprise_visit_becomes_visible_to_the_ward(client, surprise, inspector, ward_officer, unit_head):
    services.visit_start(actor=inspector, visit=surprise)
    for user in (ward_officer, unit_head):
        pages = _pages(client, user, surprise)
        assert pages["detail"].status_code == 200
        assert SUBJECT in pages["list_month"].content.decode()
        assert SUBJECT in pages["calendar"].content.decode()
        assert visits_visible_to(user).count() == 1


def test_scheduled_visit_is_visible_to_the_ward_from_the_start(client, district_officer, team, thanh_xuan_bac, ward_officer):
    visit = plan_visit(actor=district_officer, team=team, unit=thanh_xuan_bac, kind=VisitKind.SCHEDULED, subject="Kiểm tra định kỳ")
    pages = _pages(client, ward_officer, visit)
    assert pages["detail"].status_code == 200
    assert "Kiểm tra định kỳ" in pages["list"].content.decode()
    assert "Kiểm tra định kỳ" in pages["calendar"].content.decode()
    assert visits_visible_to(ward_officer).count() == 1


def test_photo_of_a_hidden_visit_is_a_404_for_the_ward(client, surprise, inspector, ward_officer, district_officer):
    """A photo is taken once the visit started; if the visit is hidden again (a bad start undone in the
    database), its photos are hidden with it — the photo view asks the same selector."""
    services.visit_start(actor=inspector, visit=surprise)
    row = surprise.results.first()
    services.result_record(actor=inspector, visit=surprise, item_id=row.item_id, result="fail", note="", photos=[png_upload()])
    photo = InspectionPhoto.objects.get()
    url = reverse("evaluations:visit_photo", args=[photo.pk])
    client.force_login(district_officer)
    answer = client.get(url)
    assert answer.status_code == 200
    assert answer["X-Content-Type-Options"] == "nosniff"
    assert answer["Content-Type"] == "image/png"
    # Back to planned: the ward must not reach the photo.
    type(surprise).objects.filter(pk=surprise.pk).update(status="planned", started_at=None)
    client.force_login(ward_officer)
    assert client.get(url).status_code == 404
    assert client.get(reverse("evaluations:visit_detail", args=[surprise.pk])).status_code == 404
