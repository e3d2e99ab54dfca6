"""Sheets and visits are not opened for a unit dissolved by the 2025 reform (Phường Thanh Xuân Bắc ended on
30/06/2025 and was divided between Phường Thanh Xuân and Phường Thanh Liệt); its history stays readable and a
pre-reform sheet still works."""

import datetime

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation
import pytest

from evaluations.choices import SheetStatus, VisitKind
from evaluations.inspections.services import visit_plan
from evaluations.models import InspectionVisit, RatingSheet
from tests.builders import lower_to_cap, make_user, move_sheet, open_sheet
from tests.factories import InspectionTeamFactory, RatingFactory, RatingSheetFactory
from tests.helpers import client_for, local_at
from units.choices import Role

JUNE_2025 = datetime.date(2025, 6, 1)
REPLACED = "it was replaced by Phường Thanh Liệt, Phường Thanh Xuân"


@pytest.fixture
def city_team(hanoi, city_admin):
    leader = make_user("city.inspector", Role.INSPECTOR, hanoi, full_name="Trần Văn Kiểm")
    return InspectionTeamFactory(name="Tổ kiểm tra của Sở Nội vụ", owner_unit=hanoi, leader=leader)


def test_this_months_sheet_of_a_dissolved_ward_is_refused_naming_its_successors(
    client, ward_officer, thanh_xuan_bac, staff_factory, this_month
):
    staff_factory.create_batch(2, unit=thanh_xuan_bac)
    response = client_for(client, ward_officer).post(
        reverse("evaluations:sheet_open"), {"unit": thanh_xuan_bac.public_code, "month": f"{this_month:%Y-%m}"}, follow=True
    )
    page = response.content.decode()
    assert "Phường Thanh Xuân Bắc (former) ceased to exist on 30/06/2025" in page and REPLACED in page
    assert not RatingSheet.objects.exists()


def test_the_service_refuses_too_for_every_month_after_the_last_day(city_admin, thanh_xuan_bac):
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        open_sheet(thanh_xuan_bac, city_admin, datetime.date(2025, 7, 1))
    assert refused.value.error_list[0].code == "unit_closed" and REPLACED in refused.value.messages[0]


def test_a_pre_reform_month_of_the_dissolved_ward_still_opens(ward_officer, thanh_xuan_bac, staff_factory):
    staff_factory.create_batch(3, unit=thanh_xuan_bac, active_from=datetime.date(2020, 1, 1))
    sheet = open_sheet(thanh_xuan_bac, ward_officer, JUNE_2025)
    assert sheet.month == JUNE_2025 and sheet.ratings.count() == 3


def test_an_existing_pre_reform_sheet_still_opens_moves_on_and_reads(client, ward_officer, unit_head, thanh_xuan_bac):
    sheet = RatingSheetFactory(unit=thanh_xuan_bac, month=datetime.date(2025, 5, 1))
    rating = RatingFactory(sheet=sheet)
    assert open_sheet(thanh_xuan_bac, ward_officer, datetime.date(2025, 5, 1)) == sheet
    lower_to_cap(sheet, ward_officer)  # Hanoi's 30 % cap holds on the sheet as on any other
    move_sheet(sheet, ward_officer, "submit")
    move_sheet(sheet, unit_head, "approve")
    sheet.refresh_from_db()
    assert sheet.status == SheetStatus.APPROVED
    page = client_for(client, ward_officer).get(reverse("evaluations:sheet_detail", args=[sheet.pk])).content.decode()
    assert rating.staff.full_name in page


def test_the_current_ward_opens_this_months_sheet(phuong_thanh_xuan, staff_factory, this_month):
    officer = make_user("ward.thanhxuan", Role.WARD_OFFICER, phuong_thanh_xuan)
    staff_factory.create_batch(2, unit=phuong_thanh_xuan)
    assert open_sheet(phuong_thanh_xuan, officer, this_month).ratings.count() == 2


def test_the_sheet_list_offers_no_sheet_to_open_for_a_dissolved_ward(client, ward_officer, thanh_xuan_bac, staff_factory):
    staff_factory(unit=thanh_xuan_bac)
    page = client_for(client, ward_officer).get(reverse("evaluations:sheet_list")).content.decode()
    assert f'data-unit="{thanh_xuan_bac.public_code}"' not in page
    assert 'data-testid="open-this-month"' not in page


def test_a_visit_to_a_dissolved_ward_is_refused_naming_its_successors(city_admin, city_team, thanh_xuan_bac):
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        visit_plan(actor=city_admin, team=city_team, unit=thanh_xuan_bac, kind=VisitKind.SCHEDULED,
                   scheduled_at=tomorrow, subject="Kiểm tra việc thực hiện Quy tắc ứng xử")
    assert REPLACED in refused.value.message_dict["unit"][0]
    assert not InspectionVisit.objects.exists()


def test_a_visit_recorded_for_a_day_before_the_reform_is_accepted(city_admin, city_team, thanh_xuan_bac):
    visit = visit_plan(actor=city_admin, team=city_team, unit=thanh_xuan_bac, kind=VisitKind.SCHEDULED,
                       scheduled_at=local_at(datetime.date(2025, 6, 20)), subject="Kiểm tra định kỳ quý II")
    assert visit.unit == thanh_xuan_bac


def test_the_visit_form_offers_the_current_wards_only(client, city_admin, city_team, thanh_xuan_bac, phuong_thanh_xuan):
    page = client_for(client, city_admin).get(reverse("evaluations:visit_create")).content.decode()
    assert f'value="{phuong_thanh_xuan.pk}"' in page
    assert f'value="{thanh_xuan_bac.pk}"' not in page
