"""No pledge campaign is opened for a unit dissolved by the 2025 reform before the campaign opens (Quận Thanh Xuân
and its wards ended on 30/06/2025); the campaigns they ran stay readable."""

import datetime

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
import pytest

from pledges.models import PledgeCampaign
from tests.builders import make_campaign, make_user
from tests.factories import PledgeFactory
from tests.helpers import client_for
from units.choices import Role


def test_a_campaign_of_a_dissolved_district_is_refused_naming_the_units_of_today(district_officer, thanh_xuan, code_version):
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        make_campaign(actor=district_officer, scope_unit=thanh_xuan, code_version=code_version,
                      opens_on=datetime.date(2027, 1, 5), closes_on=datetime.date(2027, 2, 28))
    message = refused.value.message_dict["scope_unit"][0]
    assert message.startswith("Quận Thanh Xuân (former) ceased to exist on 30/06/2025; it was replaced by ")
    assert "Phường Thanh Xuân" in message and "Phường Khương Đình" in message
    assert not PledgeCampaign.objects.exists()


def test_a_campaign_of_a_dissolved_ward_names_the_wards_it_was_divided_between(city_admin, thanh_xuan_bac, code_version):
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        make_campaign(actor=city_admin, scope_unit=thanh_xuan_bac, code_version=code_version)
    assert "it was replaced by Phường Thanh Liệt, Phường Thanh Xuân" in refused.value.message_dict["scope_unit"][0]


def test_the_form_shows_the_refusal_and_offers_no_dissolved_unit(client, district_officer, thanh_xuan, code_version):
    client = client_for(client, district_officer)
    form = client.get(reverse("pledges:campaign_create")).context["form"]
    assert list(form.fields["scope_unit"].queryset) == []
    response = client.post(reverse("pledges:campaign_create"), {
        "title": "Ký cam kết năm 2027", "year": 2027, "kind": "annual", "code_version": code_version.pk,
        "scope_unit": thanh_xuan.pk, "opens_on": "2027-01-05", "closes_on": "2027-02-28", "target_percent": 100,
    })
    assert response.status_code == 200 and not PledgeCampaign.objects.exists()


def test_the_current_ward_opens_its_campaign(client, phuong_thanh_xuan, code_version):
    office = make_user("city.department", Role.DISTRICT_OFFICE, phuong_thanh_xuan)
    client = client_for(client, office)
    assert list(client.get(reverse("pledges:campaign_create")).context["form"].fields["scope_unit"].queryset) == [phuong_thanh_xuan]
    response = client.post(reverse("pledges:campaign_create"), {
        "title": "Ký cam kết năm 2027", "year": 2027, "kind": "annual", "code_version": code_version.pk,
        "scope_unit": phuong_thanh_xuan.pk, "opens_on": "2027-01-05", "closes_on": "2027-02-28", "target_percent": 100,
    })
    assert response.status_code == 302
    assert PledgeCampaign.objects.get().scope_unit == phuong_thanh_xuan


def test_a_campaign_of_before_the_reform_is_still_recorded_and_read(
    client, district_officer, thanh_xuan, thanh_xuan_bac, code_version, staff_factory
):
    person = staff_factory(unit=thanh_xuan_bac, full_name="Phạm Thị Hồng Nhung")
    campaign = make_campaign(actor=district_officer, scope_unit=thanh_xuan, code_version=code_version, year=2025,
                             opens_on=datetime.date(2025, 1, 6), closes_on=datetime.date(2025, 3, 31))
    PledgeFactory(campaign=campaign, staff=person, signed_on=datetime.date(2025, 2, 10), recorded_by=district_officer)
    page = client_for(client, district_officer).get(
        reverse("pledges:campaign_unit", args=[campaign.pk, thanh_xuan_bac.public_code])
    )
    assert page.status_code == 200 and "Phạm Thị Hồng Nhung" in page.content.decode()
