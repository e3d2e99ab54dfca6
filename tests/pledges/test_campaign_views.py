"""Campaign pages as district offices, ward officers, inspectors and city admins use them."""

from django.urls import reverse
import pytest

from pledges import services
from pledges.choices import VersionStatus
from pledges.models import PledgeCampaign
from tests.builders import make_campaign, make_user
from tests.factories import CodeVersionFactory
from tests.helpers import days, in_page
from tests.pledges.helpers import row_numbers, total_numbers
from units.choices import Role

pytestmark = pytest.mark.django_db

ROLES = ["ward_officer", "unit_head", "district_officer", "inspector", "city_admin"]
TARGETS = ["own_ward", "sibling_ward", "other_district"]

# role → target → (coverage page, record page, print form, roster export, pledge page).
# 403: the unit is visible, but the role may not record pledges there.
EXPECTED = {
    "ward_officer": {"own_ward": (200,) * 5, "sibling_ward": (404,) * 5, "other_district": (404,) * 5},
    "unit_head": {"own_ward": (200,) * 5, "sibling_ward": (404,) * 5, "other_district": (404,) * 5},
    "district_officer": {"own_ward": (200,) * 5, "sibling_ward": (200,) * 5, "other_district": (404,) * 5},
    "inspector": {"own_ward": (200, 403, 403, 200, 200), "sibling_ward": (200, 403, 403, 200, 200),
                  "other_district": (404,) * 5},
    "city_admin": {"own_ward": (200,) * 5, "sibling_ward": (200,) * 5, "other_district": (200,) * 5},
}


def _pages(campaign, staff):
    return (
        reverse("pledges:campaign_unit", args=[campaign.pk, staff.unit.public_code]),
        reverse("pledges:pledge_record", args=[campaign.pk, staff.pk]),
        reverse("pledges:pledge_form_print", args=[campaign.pk, staff.pk]),
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("target", TARGETS)
def test_scope_matrix(request, client, city_admin, city_campaign, targets, staff_factory, role, target):
    # A city-wide campaign, so every answer below comes from the user's scope and rights, not the campaign's.
    staff = targets[target]
    signed = staff_factory(unit=staff.unit)
    pledge = services.pledge_record_paper(actor=city_admin, campaign=city_campaign, staff=signed, signed_on=days(-1))
    urls = (
        *_pages(city_campaign, staff),
        f"{reverse('pledges:campaign_export', args=[city_campaign.pk])}?unit={staff.unit.public_code}",
        reverse("pledges:pledge_detail", args=[pledge.pk]),
    )
    client.force_login(request.getfixturevalue(role))
    assert tuple(client.get(url).status_code for url in urls) == EXPECTED[role][target]


def test_a_unit_outside_the_campaign_is_404_even_for_the_city(client, city_admin, campaign, phuc_xa, staff_factory):
    outsider = staff_factory(unit=phuc_xa)
    client.force_login(city_admin)
    assert [client.get(url).status_code for url in _pages(campaign, outsider)] == [404, 404, 404]


def test_a_campaign_of_another_district_is_invisible(client, code_version, city_admin, ba_dinh, district_officer, ward_officer):
    other = make_campaign(actor=city_admin, scope_unit=ba_dinh, code_version=code_version, title="Ba Đình 2026")
    for user in (district_officer, ward_officer):
        client.force_login(user)
        assert "Ba Đình 2026" not in client.get(reverse("pledges:campaign_list")).content.decode()
        assert client.get(reverse("pledges:campaign_detail", args=[other.pk])).status_code == 404
        assert client.get(reverse("pledges:campaign_export", args=[other.pk])).status_code == 404


def test_anonymous_is_sent_to_login(client, campaign, targets):
    staff = targets["own_ward"]
    urls = [
        reverse("pledges:campaign_list"),
        reverse("pledges:campaign_create"),
        reverse("pledges:campaign_detail", args=[campaign.pk]),
        reverse("pledges:campaign_export", args=[campaign.pk]),
        reverse("pledges:my_pledges"),
        reverse("pledges:pledge_sign", args=[campaign.pk]),
        *_pages(campaign, staff),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login")), url


def test_list_shows_the_headline_coverage_and_status(client, district_officer, campaign, code_version, thanh_xuan,
                                                     thanh_xuan_bac, staff_factory, ward_officer):
    staff_factory.create_batch(3, unit=thanh_xuan_bac)
    signed = staff_factory(unit=thanh_xuan_bac)
    services.pledge_record_paper(actor=ward_officer, campaign=campaign, staff=signed, signed_on=days(-1))
    make_campaign(actor=district_officer, scope_unit=thanh_xuan, code_version=code_version, title="Năm sau",
                  opens_on=days(30), closes_on=days(90))
    client.force_login(district_officer)
    page = client.get(reverse("pledges:campaign_list")).content.decode()
    assert campaign.title in page and "Năm sau" in page and "Quận Thanh Xuân" in page
    assert "1 / 4" in page  # signed / expected over the district
    assert in_page("Open", "campaign status") in page and in_page("Upcoming", "campaign status") in page
    assert reverse("pledges:campaign_create") in page
    # The ward officer sees the same campaign with the coverage of their own ward only.
    client.force_login(ward_officer)
    page = client.get(reverse("pledges:campaign_list")).content.decode()
    assert "1 / 4" in page and reverse("pledges:campaign_create") not in page


def test_list_links_to_my_pledge_for_a_user_with_a_staff_record(client, signer, campaign):
    client.force_login(signer)
    page = client.get(reverse("pledges:campaign_list")).content.decode()
    assert reverse("pledges:my_pledges") in page


def test_district_office_creates_a_campaign_for_its_district(client, district_officer, thanh_xuan, code_version):
    client.force_login(district_officer)
    form_page = client.get(reverse("pledges:campaign_create"))
    assert form_page.status_code == 200
    choices = list(form_page.context["form"].fields["scope_unit"].queryset)
    assert choices == [thanh_xuan]
    assert form_page.context["form"].initial["scope_unit"] == thanh_xuan
    response = client.post(reverse("pledges:campaign_create"), {
        "title": "Ký cam kết năm 2027", "year": 2027, "kind": "annual", "code_version": code_version.pk,
        "scope_unit": thanh_xuan.pk, "opens_on": "2027-01-05", "closes_on": "2027-02-28", "target_percent": 100,
    })
    campaign = PledgeCampaign.objects.get(title="Ký cam kết năm 2027")
    assert (campaign.scope_unit, campaign.created_by, campaign.year) == (thanh_xuan, district_officer, 2027)
    assert response.status_code == 302
    # The campaign page goes straight to the district's coverage.
    detail = client.get(response.url)
    assert detail.status_code == 302
    assert detail.url == reverse("pledges:campaign_unit", args=[campaign.pk, thanh_xuan.public_code])


def test_create_offers_only_published_versions_and_units_the_user_manages(client, district_officer, code_version, ba_dinh):
    draft = CodeVersionFactory(code=code_version.code, number=99, status=VersionStatus.DRAFT)
    client.force_login(district_officer)
    form = client.get(reverse("pledges:campaign_create")).context["form"]
    assert draft not in form.fields["code_version"].queryset and code_version in form.fields["code_version"].queryset
    response = client.post(reverse("pledges:campaign_create"), {
        "title": "Lạc phạm vi", "year": 2027, "kind": "annual", "code_version": draft.pk, "scope_unit": ba_dinh.pk,
        "opens_on": "2027-01-05", "closes_on": "2027-02-28", "target_percent": 100,
    })
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"code_version", "scope_unit"}
    assert not PledgeCampaign.objects.filter(title="Lạc phạm vi").exists()


def test_create_refuses_a_campaign_that_closes_before_it_opens(client, district_officer, thanh_xuan, code_version):
    client.force_login(district_officer)
    response = client.post(reverse("pledges:campaign_create"), {
        "title": "Ngược", "year": 2027, "kind": "annual", "code_version": code_version.pk, "scope_unit": thanh_xuan.pk,
        "opens_on": "2027-03-01", "closes_on": "2027-02-01", "target_percent": 100,
    })
    assert response.status_code == 200
    assert in_page("The campaign cannot close before it opens.") in response.content.decode()
    assert not PledgeCampaign.objects.exists()


def test_city_admin_creates_for_the_city(client, city_admin, hanoi):
    client.force_login(city_admin)
    assert list(client.get(reverse("pledges:campaign_create")).context["form"].fields["scope_unit"].queryset) == [hanoi]


@pytest.mark.parametrize("role", ["ward_officer", "unit_head", "inspector"])
def test_only_campaign_managers_may_create(request, client, role):
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse("pledges:campaign_create")).status_code == 403


def test_detail_lists_the_units_of_a_user_with_several(client, campaign, thanh_xuan_bac, thanh_xuan_trung):
    user = make_user("two.wards", Role.WARD_OFFICER, thanh_xuan_bac)
    from units.services import role_assign

    role_assign(user=user, unit=thanh_xuan_trung, role=Role.WARD_OFFICER)
    client.force_login(user)
    response = client.get(reverse("pledges:campaign_detail", args=[campaign.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    for ward in (thanh_xuan_bac, thanh_xuan_trung):
        assert reverse("pledges:campaign_unit", args=[campaign.pk, ward.public_code]) in page


def test_ward_officer_lands_on_their_ward(client, ward_officer, campaign, thanh_xuan_bac):
    client.force_login(ward_officer)
    response = client.get(reverse("pledges:campaign_detail", args=[campaign.pk]))
    assert response.url == reverse("pledges:campaign_unit", args=[campaign.pk, thanh_xuan_bac.public_code])


def test_coverage_page_drills_down_and_colours_against_the_target(client, district_officer, ward_officer, campaign,
                                                                 thanh_xuan, thanh_xuan_bac, thanh_xuan_trung, staff_factory):
    bac = staff_factory.create_batch(2, unit=thanh_xuan_bac)
    staff_factory.create_batch(4, unit=thanh_xuan_trung)
    for person in bac:
        services.pledge_record_paper(actor=ward_officer, campaign=campaign, staff=person, signed_on=days(-2))
    client.force_login(district_officer)
    page = client.get(reverse("pledges:campaign_unit", args=[campaign.pk, thanh_xuan.public_code])).content.decode()
    assert total_numbers(page) == (2, 6)
    assert row_numbers(page, thanh_xuan_bac.public_code) == (2, 2)
    assert row_numbers(page, thanh_xuan_trung.public_code) == (0, 4)
    assert "bg-success" in page and "bg-danger" in page  # 100% reached, 33% (the district) far below
    assert "bg-secondary" in page  # a ward where nobody has signed yet: not started, grey rather than red
    assert "Phường Khương Mai" in page  # every ward of the district is listed, even without staff
    ward_url = reverse("pledges:campaign_unit", args=[campaign.pk, thanh_xuan_trung.public_code])
    assert ward_url in page
    ward_page = client.get(ward_url).content.decode()
    assert total_numbers(ward_page) == (0, 4)
    # Breadcrumbs lead back up to the district.
    assert reverse("pledges:campaign_unit", args=[campaign.pk, thanh_xuan.public_code]) in ward_page


def test_coverage_page_lists_who_has_not_signed_with_actions(client, ward_officer, inspector, campaign, thanh_xuan_bac,
                                                             staff_factory):
    waiting = staff_factory(unit=thanh_xuan_bac, full_name="Vũ Văn Chưa Ký")
    done = staff_factory(unit=thanh_xuan_bac, full_name="Hoàng Thị Đã Ký")
    services.pledge_record_paper(actor=ward_officer, campaign=campaign, staff=done, signed_on=days(-3))
    url = reverse("pledges:campaign_unit", args=[campaign.pk, thanh_xuan_bac.public_code])
    record_url = reverse("pledges:pledge_record", args=[campaign.pk, waiting.pk])
    print_url = reverse("pledges:pledge_form_print", args=[campaign.pk, waiting.pk])
    client.force_login(ward_officer)
    response = client.get(url)
    unsigned = list(response.context["page_obj"])
    assert unsigned == [waiting]
    page = response.content.decode()
    assert record_url in page and print_url in page
    # The recent pledges name the signer and link to the pledge.
    assert "Hoàng Thị Đã Ký" in page and reverse("pledges:pledge_detail", args=[done.pledges.get().pk]) in page
    assert f"{reverse('pledges:campaign_export', args=[campaign.pk])}?unit={thanh_xuan_bac.public_code}" in page
    # The inspector sees the same list, without the buttons.
    client.force_login(inspector)
    page = client.get(url).content.decode()
    assert "Vũ Văn Chưa Ký" in page and record_url not in page and print_url not in page


def test_unsigned_list_is_paginated_and_htmx_gets_only_the_list(client, ward_officer, campaign, thanh_xuan_bac, staff_factory):
    staff_factory.create_batch(105, unit=thanh_xuan_bac)
    url = reverse("pledges:campaign_unit", args=[campaign.pk, thanh_xuan_bac.public_code])
    client.force_login(ward_officer)
    first = client.get(url)
    assert len(first.context["unsigned_rows"]) == 100 and first.context["is_paginated"]
    second = client.get(url, {"page": 2}, HTTP_HX_REQUEST="true")
    body = second.content.decode()
    assert len(second.context["unsigned_rows"]) == 5
    assert 'id="unsigned-staff"' in body and "<html" not in body and "coverage-total" not in body


def test_record_button_hidden_once_the_campaign_closed(client, ward_officer, district_officer, thanh_xuan, code_version,
                                                       thanh_xuan_bac, staff_factory):
    closed = make_campaign(actor=district_officer, scope_unit=thanh_xuan, code_version=code_version,
                           opens_on=days(-90), closes_on=days(-1))
    person = staff_factory(unit=thanh_xuan_bac)
    client.force_login(ward_officer)
    page = client.get(reverse("pledges:campaign_unit", args=[closed.pk, thanh_xuan_bac.public_code])).content.decode()
    assert reverse("pledges:pledge_record", args=[closed.pk, person.pk]) not in page
    assert reverse("pledges:pledge_form_print", args=[closed.pk, person.pk]) in page
