"""Feedback for a unit dissolved by the 2025 reform. Posters of the old wards still hang on walls: their link leads
the citizen to the form of the ward that replaced it, saying why (Phường Phúc Xá went wholly to Phường Hồng Hà), or
lets them choose when the ward was divided (Phường Thanh Xuân Bắc: Phường Thanh Liệt and Phường Thanh Xuân). No
case is opened for the dissolved unit itself, by the public form or by staff."""

import datetime
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
import pytest

from feedback.models import FeedbackCase, KioskDevice
from feedback.public.services import feedback_submit
from feedback.staff import services as staff_services
from tests.feedback.helpers import form_token
from tests.helpers import client_for, local_at
from units.models import Unit

pytestmark = pytest.mark.django_db

NOTICE = "Phường Phúc Xá no longer exists since 01/07/2025; your feedback goes to Phường Hồng Hà, which replaced it."


@pytest.fixture
def citizen(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def hong_ha(phuc_xa):
    return phuc_xa.merged_into.get()


def form_of(unit) -> str:
    return reverse("feedback:public_form", args=[unit.public_code])


def poster_of(unit) -> str:
    return reverse("feedback:poster", args=[unit.public_code])


def writes(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]


def submission(token, text="Cán bộ một cửa hướng dẫn rất tận tình.") -> dict:
    return {"kind": "praise", "text": text, "staff_mentioned": "", "satisfaction": "5", "contact_name": "",
            "contact_phone": "", "contact_email": "", "website": "", "submission_token": token}


def test_the_link_of_a_merged_wards_poster_lands_on_its_successors_form_with_the_reason(citizen, phuc_xa, hong_ha, address):
    with CaptureQueriesContext(connection) as queries:
        response = citizen.get(form_of(phuc_xa), REMOTE_ADDR=address)
    assert response.status_code == 302
    assert response["Location"] == f"{form_of(hong_ha)}?from={phuc_xa.public_code}"
    page = citizen.get(response["Location"], REMOTE_ADDR=address)
    content = page.content.decode()
    assert page.status_code == 200 and escape(NOTICE) in content
    assert 'data-testid="unit-name">Phường Hồng Hà' in content
    assert form_token(page)
    assert not writes(queries) and not FeedbackCase.objects.exists()


def test_feedback_sent_from_there_goes_to_the_successor(citizen, phuc_xa, hong_ha, address):
    page = citizen.get(form_of(phuc_xa), REMOTE_ADDR=address, follow=True)
    response = citizen.post(form_of(hong_ha), submission(form_token(page)), REMOTE_ADDR=address)
    case = FeedbackCase.objects.get()
    assert response.status_code == 302 and case.unit == hong_ha


def test_a_divided_wards_poster_lets_the_citizen_choose(citizen, thanh_xuan_bac, phuong_thanh_xuan, address):
    with CaptureQueriesContext(connection) as queries:
        response = citizen.get(form_of(thanh_xuan_bac), REMOTE_ADDR=address)
    content = response.content.decode()
    assert response.status_code == 200
    assert "Phường Thanh Xuân Bắc no longer exists" in content
    assert "Since 01/07/2025, Phường Thanh Xuân Bắc has been divided between the units below." in content
    links = re.findall(r'href="(/feedback/[^"]+)"', content)
    successors = [link for link in links if "?from=" in link]
    thanh_lie = Unit.objects.get(name="Phường Thanh Liệt")
    assert successors == [f"{form_of(thanh_lie)}?from={thanh_xuan_bac.public_code}",
                          f"{form_of(phuong_thanh_xuan)}?from={thanh_xuan_bac.public_code}"]
    chosen = citizen.get(successors[1], REMOTE_ADDR=address).content.decode()
    assert escape("Phường Thanh Xuân Bắc no longer exists since 01/07/2025; your feedback goes to Phường Thanh Xuân, "
                  "which replaced it.") in chosen
    assert not writes(queries)


def test_the_poster_page_of_a_dissolved_ward_prints_its_successors(citizen, phuc_xa, hong_ha, thanh_xuan_bac, address):
    response = citizen.get(poster_of(phuc_xa), REMOTE_ADDR=address)
    assert response.status_code == 302 and response["Location"].startswith(poster_of(hong_ha))
    poster = citizen.get(response["Location"], REMOTE_ADDR=address).content.decode()
    assert "Phường Hồng Hà" in poster and form_of(hong_ha) in poster
    choice = citizen.get(poster_of(thanh_xuan_bac), REMOTE_ADDR=address).content.decode()
    assert poster_of(Unit.objects.get(name="Phường Thanh Liệt")) in choice and "Its poster" in choice


def test_the_notice_needs_a_real_predecessor(citizen, hong_ha, thanh_xuan_bac, phuong_thanh_xuan, address):
    # Phường Thanh Xuân Bắc did not become Phường Hồng Hà; Phường Thanh Xuân of today is not dissolved.
    for came_from in (thanh_xuan_bac, phuong_thanh_xuan, hong_ha):
        page = citizen.get(f"{form_of(hong_ha)}?from={came_from.public_code}", REMOTE_ADDR=address)
        assert page.status_code == 200 and 'data-testid="successor-notice"' not in page.content.decode()


def test_a_form_sent_to_the_old_address_comes_back_on_the_successors_form_unsent(citizen, phuc_xa, hong_ha, address):
    """A page opened before the reform (or kept in a browser) is sent: nothing is saved for the dissolved ward; the
    text comes back on the successor's form, addressed to it, with the same one-time token."""
    data = submission("a" * 32, text="Phản ánh gửi từ trang cũ")
    response = citizen.post(form_of(phuc_xa), data, REMOTE_ADDR=address)
    content = response.content.decode()
    assert response.status_code == 200 and not FeedbackCase.objects.exists()
    assert escape(NOTICE) in content and "Your feedback has not been sent yet: check it and send it again." in content
    assert f'action="{form_of(hong_ha)}"' in content and "Phản ánh gửi từ trang cũ" in content
    assert form_token(response) == "a" * 32

    sent = citizen.post(form_of(hong_ha), data, REMOTE_ADDR=address)
    case = FeedbackCase.objects.get()
    assert sent.status_code == 302 and case.unit == hong_ha
    # The same form sent again to the old address (a double click, a resend) is the same case, not a new one.
    again = citizen.post(form_of(phuc_xa), data, REMOTE_ADDR=address)
    assert again.status_code == 302 and again["Location"] == f"/feedback/done/{case.tracking_code}/"
    assert FeedbackCase.objects.count() == 1


def test_a_form_sent_to_a_divided_wards_old_address_asks_where_it_goes(citizen, thanh_xuan_bac, address):
    response = citizen.post(form_of(thanh_xuan_bac), submission("b" * 32), REMOTE_ADDR=address)
    content = response.content.decode()
    assert response.status_code == 200 and "Your feedback has not been sent yet." in content
    assert "Phường Thanh Liệt" in content and "Phường Thanh Xuân" in content
    assert not FeedbackCase.objects.exists()


def test_the_unit_finder_tells_what_an_old_ward_became(citizen, phuc_xa):
    content = citizen.get(reverse("feedback:unit_finder"), {"q": "phuc xa"}).content.decode()
    assert "before 1 July 2025" in content and "Now: Phường Hồng Hà" in content


def test_the_public_service_refuses_a_dissolved_unit(phuc_xa):
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        feedback_submit(unit=phuc_xa, kind="praise", text="Tốt", submission_token="c" * 32)
    assert "it was replaced by Phường Hồng Hà. Open this in Phường Hồng Hà." in refused.value.messages[0]
    assert not FeedbackCase.objects.exists()


def test_a_hotline_call_for_a_dissolved_ward_is_refused_naming_its_successors(city_admin, thanh_xuan_bac):
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        staff_services.feedback_record(actor=city_admin, unit=thanh_xuan_bac, channel="hotline", kind="complaint",
                                       text="Gọi đường dây nóng phản ánh", received_at=timezone.now())
    assert "it was replaced by Phường Thanh Liệt, Phường Thanh Xuân" in refused.value.message_dict["unit"][0]
    assert not FeedbackCase.objects.exists()


def test_a_slip_received_before_the_reform_is_still_recorded_there(city_admin, thanh_xuan_bac):
    case = staff_services.feedback_record(actor=city_admin, unit=thanh_xuan_bac, channel="mailbox", kind="praise",
                                          text="Phiếu góp ý tháng 6/2025", received_at=local_at(datetime.date(2025, 6, 27)))
    assert case.unit == thanh_xuan_bac


def test_the_staff_forms_offer_no_dissolved_unit(client, ward_officer, city_admin, thanh_xuan_bac, phuong_thanh_xuan):
    client_for(client, city_admin)
    record_units = client.get(reverse("feedback:case_record")).context["form"].fields["unit"].queryset
    kiosk_units = client.get(reverse("feedback:kiosk_devices")).context["form"].fields["unit"].queryset
    for units in (record_units, kiosk_units):
        assert units.filter(pk=phuong_thanh_xuan.pk).exists() and not units.filter(pk=thanh_xuan_bac.pk).exists()
    # The officer of the dissolved ward has nowhere to record a new case.
    client_for(client, ward_officer)
    response = client.post(reverse("feedback:case_record"), {
        "unit": thanh_xuan_bac.pk, "channel": "hotline", "kind": "complaint", "text": "Gọi điện phản ánh",
        "received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
    })
    assert response.status_code == 200 and not FeedbackCase.objects.exists()


def test_no_kiosk_is_bound_to_a_dissolved_ward(city_admin, thanh_xuan_bac):
    with pytest.raises(ValidationError):
        staff_services.kiosk_device_create(actor=city_admin, unit=thanh_xuan_bac, name="Máy tính bảng")
    assert not KioskDevice.objects.exists()
