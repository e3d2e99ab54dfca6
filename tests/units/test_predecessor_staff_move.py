"""Moving staff across the reform in bulk: the officer of Phường Thanh Xuân of today moves the people still active in
the wards it was formed from (Thanh Xuân Bắc, Thanh Xuân Trung, … under the dissolved Quận Thanh Xuân, where the
officer has no scope) into it, all of them or those ticked, each with a transfer record. Their ratings, pledges,
violations and feedback stay with the former wards and remain on each person's page."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation
import pytest

from evaluations.choices import Grade
from evaluations.models import Rating, Violation
from feedback.choices import FeedbackKind
from feedback.models import FeedbackCase
from pledges.models import Pledge
from tests.builders import make_user
from tests.factories import (
    FeedbackCaseFactory,
    PledgeCampaignFactory,
    PledgeFactory,
    RatingFactory,
    RatingSheetFactory,
    ViolationFactory,
)
from tests.helpers import client_for, last_month
from units.choices import REFORM_DATE, Role
from units.models import Staff, StaffTransfer, Unit
from units.services import staff_move_from_predecessors

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(phuong_thanh_xuan):
    return make_user("ward.thanhxuan", Role.WARD_OFFICER, phuong_thanh_xuan, full_name="Đỗ Minh Tuấn")


@pytest.fixture
def page_url(phuong_thanh_xuan):
    return reverse("units:staff_from_predecessors", args=[phuong_thanh_xuan.public_code])


@pytest.fixture
def former_staff(thanh_xuan_bac, thanh_xuan_trung, phuc_xa, staff_factory):
    """Three people active in Thanh Xuân Bắc and two in Thanh Xuân Trung; one who left Thanh Xuân Bắc and one of
    Phúc Xá (which did not become Phường Thanh Xuân) stay where they are."""
    people = {
        "lan": staff_factory(unit=thanh_xuan_bac, full_name="Nguyễn Thị Lan", staff_code="TXB-001"),
        "binh": staff_factory(unit=thanh_xuan_bac, full_name="Trần Văn Bình", staff_code="TXB-002"),
        "cuong": staff_factory(unit=thanh_xuan_bac, full_name="Lê Quốc Cường", staff_code="TXB-003"),
        "dung": staff_factory(unit=thanh_xuan_trung, full_name="Phạm Thị Dung", staff_code="TXT-001"),
        "giang": staff_factory(unit=thanh_xuan_trung, full_name="Hoàng Văn Giang", staff_code="TXT-002"),
    }
    people["retired"] = staff_factory(unit=thanh_xuan_bac, full_name="Vũ Văn Hưu", staff_code="TXB-099",
                                      active_to=datetime.date(2025, 3, 31))
    people["elsewhere"] = staff_factory(unit=phuc_xa, full_name="Đặng Thị Xa", staff_code="PXA-001")
    return people


@pytest.fixture
def lan_history(former_staff, thanh_xuan_bac, thanh_xuan):
    """Lan's record in Thanh Xuân Bắc: last month's rating, a violation, a pledge and a citizen's praise."""
    lan = former_staff["lan"]
    sheet = RatingSheetFactory(unit=thanh_xuan_bac, month=last_month())
    rating = RatingFactory(sheet=sheet, staff=lan, grade=Grade.B)
    violation = ViolationFactory(staff=lan, occurred_on=last_month() + datetime.timedelta(days=3),
                                 description="Không đeo thẻ công chức")
    campaign = PledgeCampaignFactory(scope_unit=thanh_xuan, title="Ký cam kết năm 2026 (Quận Thanh Xuân)")
    pledge = PledgeFactory(campaign=campaign, staff=lan)
    case = FeedbackCaseFactory(unit=thanh_xuan_bac, staff=lan, kind=FeedbackKind.PRAISE)
    return {"rating": rating, "violation": violation, "pledge": pledge, "case": case}


def post(client, url, *, move="all", staff=(), effective_date="2025-07-01", reason="Sắp xếp đơn vị hành chính"):
    return client.post(url, {"move": move, "staff": [p.pk for p in staff], "effective_date": effective_date,
                             "reason": reason})


def test_the_officer_sees_the_active_staff_of_the_former_wards(client, officer, page_url, former_staff, phuong_thanh_xuan):
    response = client_for(client, officer).get(page_url)
    content = response.content.decode()
    assert response.status_code == 200
    for name in ("lan", "binh", "cuong", "dung", "giang"):
        assert former_staff[name].full_name in content
    assert "Vũ Văn Hưu" not in content and "Đặng Thị Xa" not in content
    assert "Phường Thanh Xuân Bắc" in content and "Phường Thanh Xuân Trung" in content
    assert response.context["form"].initial["effective_date"] == REFORM_DATE == phuong_thanh_xuan.valid_from
    assert "Move all 5 staff members" in content


def test_nothing_else_of_the_former_wards_becomes_visible(client, officer, former_staff, thanh_xuan_bac):
    client_for(client, officer)
    assert client.get(former_staff["lan"].get_absolute_url()).status_code == 404
    assert client.get(thanh_xuan_bac.get_absolute_url()).status_code == 404
    assert client.get(reverse("units:staff_move", args=[former_staff["lan"].pk])).status_code == 404


def test_moving_all_moves_every_active_person_with_a_transfer_each(client, officer, page_url, former_staff, phuong_thanh_xuan,
                                                                   thanh_xuan_bac, thanh_xuan_trung):
    response = post(client_for(client, officer), page_url, effective_date="2025-07-01")
    assert response.status_code == 302 and response["Location"] == phuong_thanh_xuan.get_absolute_url()
    moved = {name: Staff.objects.get(pk=former_staff[name].pk) for name in ("lan", "binh", "cuong", "dung", "giang")}
    assert all(person.unit == phuong_thanh_xuan for person in moved.values())
    assert Staff.objects.get(pk=former_staff["retired"].pk).unit == thanh_xuan_bac
    transfers = {t.staff_id: t for t in StaffTransfer.objects.all()}
    assert len(transfers) == 5
    assert transfers[moved["lan"].pk].from_unit == thanh_xuan_bac and transfers[moved["dung"].pk].from_unit == thanh_xuan_trung
    assert {(t.to_unit_id, t.effective_date, t.created_by_id, t.reason) for t in transfers.values()} == {
        (phuong_thanh_xuan.pk, REFORM_DATE, officer.pk, "Sắp xếp đơn vị hành chính")
    }
    page = client.get(response["Location"]).content.decode()
    assert "Moved 5 staff members to Phường Thanh Xuân." in page and "Nguyễn Thị Lan" in page


def test_moving_the_ticked_ones_leaves_the_others(client, officer, page_url, former_staff, phuong_thanh_xuan, thanh_xuan_bac):
    ticked = [former_staff["binh"], former_staff["giang"]]
    response = post(client_for(client, officer), page_url, move="ticked", staff=ticked, effective_date="2026-01-02")
    assert response.status_code == 302
    assert set(Staff.objects.filter(unit=phuong_thanh_xuan).values_list("full_name", flat=True)) == {
        "Trần Văn Bình", "Hoàng Văn Giang"
    }
    assert Staff.objects.get(pk=former_staff["lan"].pk).unit == thanh_xuan_bac
    assert set(StaffTransfer.objects.values_list("effective_date", flat=True)) == {datetime.date(2026, 1, 2)}
    remaining = client.get(page_url).content.decode()
    assert "Nguyễn Thị Lan" in remaining and "Trần Văn Bình" not in remaining and "Move all 3 staff members" in remaining


@pytest.mark.parametrize(("data", "message"), [
    ({"move": "ticked", "staff": []}, "Tick at least one staff member to move."),
    ({"effective_date": "2025-06-30"}, "Phường Thanh Xuân exists only since 01/07/2025: the move cannot take effect before."),
    ({"effective_date": "2099-01-01"}, "The effective date cannot be in the future."),
    ({"effective_date": "31/02/2026"}, "Enter a valid date."),
])
def test_a_wrong_request_moves_nobody_and_says_why(client, officer, page_url, former_staff, data, message):
    response = post(client_for(client, officer), page_url, **data)
    assert response.status_code == 200 and message in response.content.decode()
    assert not StaffTransfer.objects.exists() and not Staff.objects.filter(unit__structure="current").exists()


def test_someone_not_from_the_former_wards_cannot_be_slipped_in(client, officer, page_url, former_staff, phuc_xa):
    response = post(client_for(client, officer), page_url, move="ticked", staff=[former_staff["lan"], former_staff["elsewhere"]])
    assert response.status_code == 200 and "Select a valid choice." in response.content.decode()
    assert not StaffTransfer.objects.exists()
    assert Staff.objects.get(pk=former_staff["elsewhere"].pk).unit == phuc_xa


def test_the_service_refuses_ids_outside_the_former_wards_and_moves_nobody(officer, former_staff, phuong_thanh_xuan):
    """What the page ticked may have changed since it was loaded (someone left, or moved the person already)."""
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        staff_move_from_predecessors(actor=officer, unit=phuong_thanh_xuan, effective_date=REFORM_DATE,
                                     staff_ids=[former_staff["lan"].pk, former_staff["retired"].pk])
    assert "Some of the ticked staff are no longer active in the former units" in refused.value.message_dict["staff"][0]
    assert not StaffTransfer.objects.exists()


def test_the_service_checks_the_right_on_the_unit_moved_into(former_staff, phuong_thanh_xuan, ward_officer, thanh_xuan):
    district_office = make_user("district.office", Role.DISTRICT_OFFICE, thanh_xuan)  # manages the former wards only
    for actor in (ward_officer, district_office):
        with pytest.raises(PermissionDenied):
            staff_move_from_predecessors(actor=actor, unit=phuong_thanh_xuan, effective_date=REFORM_DATE)
    assert not StaffTransfer.objects.exists()


def test_history_stays_with_the_former_ward_and_shows_on_the_persons_page(
    client, officer, page_url, former_staff, lan_history, thanh_xuan_bac
):
    post(client_for(client, officer), page_url)
    lan = former_staff["lan"]
    assert Rating.objects.get(pk=lan_history["rating"].pk).sheet.unit == thanh_xuan_bac
    assert Violation.objects.get(pk=lan_history["violation"].pk).unit == thanh_xuan_bac
    assert Pledge.objects.get(pk=lan_history["pledge"].pk).unit == thanh_xuan_bac
    assert FeedbackCase.objects.get(pk=lan_history["case"].pk).unit == thanh_xuan_bac

    page = client.get(lan.get_absolute_url())
    content = page.content.decode()
    assert page.status_code == 200  # now in the officer's ward
    assert "Phường Thanh Xuân Bắc → Phường Thanh Xuân (Sắp xếp đơn vị hành chính)" in content  # the transfer
    month_row = content.split(f'data-month="{last_month():%Y-%m}"', 1)[1].split("</tr>", 1)[0]
    assert 'text-bg-primary">B</span>' in month_row and "Không đeo thẻ công chức" in month_row  # rating, violation
    assert "Ký cam kết năm 2026 (Quận Thanh Xuân)" in content  # the pledge, signed in Thanh Xuân Bắc
    feedback = content.split('data-testid="staff-feedback"', 1)[1].split("</table>", 1)[0]
    assert "Phường Thanh Xuân Bắc" in feedback and "Praise" in feedback
    history = content.split('data-testid="staff-history"', 1)[1]
    assert "Phường Thanh Xuân Bắc" in history and "Đỗ Minh Tuấn" in history


def test_the_move_takes_the_same_queries_for_3_or_12_people(client, officer, page_url, thanh_xuan_bac, thanh_xuan_trung,
                                                             staff_factory, django_assert_max_num_queries):
    client_for(client, officer)
    counts = []
    for batch in (3, 12):
        staff_factory.create_batch(batch // 2, unit=thanh_xuan_bac)
        staff_factory.create_batch(batch - batch // 2, unit=thanh_xuan_trung)
        with django_assert_max_num_queries(40) as page:
            assert client.get(page_url).status_code == 200
        with django_assert_max_num_queries(40) as move:
            assert post(client, page_url).status_code == 302
        counts.append((len(page.captured_queries), len(move.captured_queries)))
    assert counts[0] == counts[1]
    assert StaffTransfer.objects.count() == 15


def test_scope_an_officer_of_another_ward_gets_404_and_a_role_without_the_right_403(
    client, page_url, former_staff, phuong_thanh_xuan, ward_officer, city_admin
):
    thanh_liet = Unit.objects.get(structure="current", name="Phường Thanh Liệt")
    other = make_user("ward.thanhliet", Role.WARD_OFFICER, thanh_liet)
    inspector = make_user("inspector.thanhxuan", Role.INSPECTOR, phuong_thanh_xuan)
    for user, status in ((other, 404), (ward_officer, 404), (inspector, 403), (city_admin, 200)):
        client_for(client, user)
        assert client.get(page_url).status_code == status, user
        assert post(client, page_url).status_code == (302 if status == 200 else status), user
        if status != 200:
            assert not StaffTransfer.objects.exists()


def test_the_unit_page_and_the_staff_list_link_to_the_move_while_someone_is_left(
    client, officer, page_url, former_staff, phuong_thanh_xuan
):
    client_for(client, officer)
    for url in (phuong_thanh_xuan.get_absolute_url(), reverse("units:staff_list")):
        content = client.get(url).content.decode()
        assert "5 staff members are still active in the units" in content and page_url in content
    post(client, page_url)
    for url in (phuong_thanh_xuan.get_absolute_url(), reverse("units:staff_list")):
        assert page_url not in client.get(url).content.decode()
    assert "No active staff member is left in the units Phường Thanh Xuân was formed from." in client.get(page_url).content.decode()


def test_a_unit_not_formed_from_others_says_so(client, city_admin, hanoi):
    response = client_for(client, city_admin).get(reverse("units:staff_from_predecessors", args=[hanoi.public_code]))
    assert response.status_code == 200 and "was not formed from other units" in response.content.decode()
