"""A unit's hotline and address, edited in the portal by its head, the office above or an administrator: printed on
the poster at once, recorded in the unit's history; a bad number is refused with nothing saved."""

from django.urls import reverse
import pytest

from tests.builders import make_user
from tests.helpers import client_for
from units.choices import Role
from units.models import Unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def head(phuong_thanh_xuan):
    return make_user("contact.head", Role.UNIT_HEAD, phuong_thanh_xuan)


def test_the_head_edits_the_contact_details_and_the_poster_prints_them(client, head, phuong_thanh_xuan):
    client_for(client, head)
    detail = client.get(phuong_thanh_xuan.get_absolute_url()).content.decode()
    url = reverse("units:unit_contact", args=[phuong_thanh_xuan.public_code])
    assert f'href="{url}"' in detail
    response = client.post(url, {"hotline": " 024  3858 1234 ", "address": "Số 9 Khuất Duy Tiến, Thanh Xuân"})
    assert response.status_code == 302
    unit = Unit.objects.get(pk=phuong_thanh_xuan.pk)
    assert (unit.hotline, unit.address) == ("024 3858 1234", "Số 9 Khuất Duy Tiến, Thanh Xuân")
    change = unit.history.first()
    assert change.history_user == head and change.history_change_reason
    poster = client.get(reverse("feedback:poster", args=[unit.public_code])).content.decode()
    assert "024 3858 1234" in poster and "Số 9 Khuất Duy Tiến" in poster


@pytest.mark.parametrize("hotline", ["gọi tôi", "=HYPERLINK(1)", "12345678901234567890123456789012345678901234567890x"])
def test_a_bad_number_is_refused_and_nothing_saved(client, head, phuong_thanh_xuan, hotline):
    before = (phuong_thanh_xuan.hotline, phuong_thanh_xuan.address)
    client_for(client, head)
    response = client.post(reverse("units:unit_contact", args=[phuong_thanh_xuan.public_code]),
                           {"hotline": hotline, "address": "Địa chỉ mới"})
    assert response.status_code == 200 and 'class="invalid-feedback' in response.content.decode()
    unit = Unit.objects.get(pk=phuong_thanh_xuan.pk)
    assert (unit.hotline, unit.address) == before


def test_a_ward_officer_may_not_and_another_wards_head_gets_404(client, phuong_thanh_xuan, hanoi):
    officer = make_user("contact.officer", Role.WARD_OFFICER, phuong_thanh_xuan)
    client_for(client, officer)
    url = reverse("units:unit_contact", args=[phuong_thanh_xuan.public_code])
    assert client.get(url).status_code == 403
    other = Unit.objects.filter(parent=phuong_thanh_xuan.parent).exclude(pk=phuong_thanh_xuan.pk).first()
    other_head = make_user("contact.other", Role.UNIT_HEAD, other)
    client_for(client, other_head)
    assert client.post(url, {"hotline": "1022", "address": ""}).status_code == 404
