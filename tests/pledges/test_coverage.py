"""Coverage as the district office and the ward officers read it on the coverage pages, while people join,
move and leave during the campaign; and the page's cost, which must not grow with the district."""

from django.urls import reverse
import pytest

from pledges import services
from pledges.models import Pledge
from tests.builders import make_campaign
from tests.helpers import days
from tests.pledges.helpers import row_numbers, total_numbers
from units.choices import StaffCategory, UnitKind
from units.services import staff_create, staff_deactivate, staff_move, unit_create

pytestmark = pytest.mark.django_db


def _page(client, campaign, unit) -> str:
    response = client.get(reverse("pledges:campaign_unit", args=[campaign.pk, unit.public_code]))
    assert response.status_code == 200
    return response.content.decode()


def _unsigned(client, campaign, unit) -> list:
    return list(client.get(reverse("pledges:campaign_unit", args=[campaign.pk, unit.public_code])).context["page_obj"])


@pytest.fixture
def bac_and_trung(campaign, ward_officer, thanh_xuan_bac, thanh_xuan_trung, staff_factory):
    """Three staff in Thanh Xuân Bắc (one signed), two in Thanh Xuân Trung (none signed)."""
    bac = staff_factory.create_batch(3, unit=thanh_xuan_bac)
    trung = staff_factory.create_batch(2, unit=thanh_xuan_trung)
    services.pledge_record_paper(actor=ward_officer, campaign=campaign, staff=bac[0], signed_on=days(-5))
    return bac, trung


def test_district_totals_roll_up_the_wards(client, district_officer, campaign, thanh_xuan, thanh_xuan_bac,
                                           thanh_xuan_trung, bac_and_trung):
    client.force_login(district_officer)
    page = _page(client, campaign, thanh_xuan)
    assert total_numbers(page) == (1, 5)
    assert row_numbers(page, thanh_xuan_bac.public_code) == (1, 3)
    assert row_numbers(page, thanh_xuan_trung.public_code) == (0, 2)
    assert "33,3%" in page  # 1 of 3, written the Vietnamese way


def test_a_person_who_moves_keeps_their_pledge_and_counts_in_the_new_ward(
    client, district_officer, campaign, thanh_xuan, thanh_xuan_bac, thanh_xuan_trung, bac_and_trung
):
    bac, _trung = bac_and_trung
    mover = bac[0]  # signed while in Thanh Xuân Bắc
    staff_move(actor=district_officer, staff=mover, to_unit=thanh_xuan_trung, effective_date=days(-1), reason="Điều động")
    client.force_login(district_officer)
    page = _page(client, campaign, thanh_xuan)
    assert total_numbers(page) == (1, 5)
    assert row_numbers(page, thanh_xuan_bac.public_code) == (0, 2)
    assert row_numbers(page, thanh_xuan_trung.public_code) == (1, 3)
    pledge = Pledge.objects.get(staff=mover)
    assert not pledge.is_withdrawn and pledge.unit == thanh_xuan_bac  # the unit when signed is kept
    assert mover not in _unsigned(client, campaign, thanh_xuan_trung)


def test_a_person_who_joins_mid_campaign_is_expected(client, ward_officer, campaign, thanh_xuan_bac, bac_and_trung):
    newcomer = staff_create(actor=ward_officer, unit=thanh_xuan_bac, staff_code="TXB-NEW", full_name="Đinh Thị Mới",
                            category=StaffCategory.CIVIL_SERVANT, active_from=days(-2))
    client.force_login(ward_officer)
    assert total_numbers(_page(client, campaign, thanh_xuan_bac)) == (1, 4)
    assert newcomer in _unsigned(client, campaign, thanh_xuan_bac)


def test_a_deactivated_person_drops_out_signed_or_not(client, ward_officer, campaign, thanh_xuan_bac, bac_and_trung):
    bac, _trung = bac_and_trung
    staff_deactivate(actor=ward_officer, staff=bac[0], last_day=days(-1), reason="Nghỉ hưu")  # had signed
    staff_deactivate(actor=ward_officer, staff=bac[1], last_day=days(-1), reason="Chuyển công tác")  # had not
    client.force_login(ward_officer)
    assert total_numbers(_page(client, campaign, thanh_xuan_bac)) == (0, 1)
    assert _unsigned(client, campaign, thanh_xuan_bac) == [bac[2]]


def test_a_closed_campaign_counts_the_staff_of_its_last_day(client, district_officer, thanh_xuan, code_version,
                                                           thanh_xuan_bac, staff_factory):
    closed = make_campaign(actor=district_officer, scope_unit=thanh_xuan, code_version=code_version,
                           opens_on=days(-60), closes_on=days(-10))
    staff_factory(unit=thanh_xuan_bac)
    staff_factory(unit=thanh_xuan_bac, active_from=days(-5))  # joined after it closed
    client.force_login(district_officer)
    assert total_numbers(_page(client, closed, thanh_xuan_bac)) == (0, 1)


def test_a_ward_officer_sees_only_their_ward_of_a_district_campaign(client, ward_officer, campaign, thanh_xuan,
                                                                   thanh_xuan_bac, thanh_xuan_trung, bac_and_trung):
    client.force_login(ward_officer)
    page = _page(client, campaign, thanh_xuan_bac)
    assert total_numbers(page) == (1, 3)
    assert client.get(reverse("pledges:campaign_unit", args=[campaign.pk, thanh_xuan.public_code])).status_code == 404
    assert client.get(reverse("pledges:campaign_unit", args=[campaign.pk, thanh_xuan_trung.public_code])).status_code == 404
    # No breadcrumb link to the district they cannot open.
    assert reverse("pledges:campaign_unit", args=[campaign.pk, thanh_xuan.public_code]) not in page


def test_coverage_page_queries_do_not_grow_with_wards_and_staff(client, district_officer, campaign, thanh_xuan,
                                                               thanh_xuan_bac, thanh_xuan_trung, staff_factory,
                                                               django_assert_max_num_queries):
    url = reverse("pledges:campaign_unit", args=[campaign.pk, thanh_xuan.public_code])
    staff_factory(unit=thanh_xuan_bac)
    staff_factory(unit=thanh_xuan_trung)
    client.force_login(district_officer)
    with django_assert_max_num_queries(20) as few:
        assert client.get(url).status_code == 200
    # Five more wards, and six staff in every ward of the district, one of them signed.
    for n in range(5):
        unit_create(name=f"Phường Thử Nghiệm {n}", kind=UnitKind.WARD, parent=thanh_xuan)
    wards = list(thanh_xuan.children.all())
    for ward in wards:
        people = staff_factory.create_batch(6, unit=ward)
        services.pledge_record_paper(actor=district_officer, campaign=campaign, staff=people[0], signed_on=days(-1))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    page = response.content.decode()
    assert total_numbers(page) == (len(wards), 2 + 6 * len(wards))
    assert page.count('data-unit="') == len(wards)


def test_campaign_list_queries_do_not_grow_with_wards_and_staff(client, district_officer, campaign, thanh_xuan,
                                                               staff_factory, django_assert_max_num_queries):
    client.force_login(district_officer)
    with django_assert_max_num_queries(20) as few:
        assert client.get(reverse("pledges:campaign_list")).status_code == 200
    for ward in thanh_xuan.children.all():
        staff_factory.create_batch(5, unit=ward)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse("pledges:campaign_list")).status_code == 200
