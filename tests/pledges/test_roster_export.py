"""The campaign roster as Excel, read back with python-calamine and checked against the database."""

import datetime
import io

from django.urls import reverse
import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from pledges import services
from pledges.selectors import campaign_expected_staff
from tests.helpers import days
from units.services import staff_deactivate

pytestmark = pytest.mark.django_db

HEADERS = ["Đơn vị", "Mã cán bộ", "Họ và tên", "Chức vụ", "Đã ký", "Ngày ký", "Hình thức", "Người ghi nhận"]


def _download(client, campaign, unit=None):
    url = reverse("pledges:campaign_export", args=[campaign.pk])
    response = client.get(url, {"unit": unit.public_code} if unit else {})
    assert response.status_code == 200, response.status_code
    return response, b"".join(response.streaming_content)


def _rows(content: bytes) -> list[list]:
    return CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()


@pytest.fixture
def district(campaign, ward_officer, district_officer, thanh_xuan_bac, thanh_xuan_trung, staff_factory):
    """Staff in two wards: some signed on paper, one online, one deactivated, one who moved."""
    bac = staff_factory.create_batch(4, unit=thanh_xuan_bac)
    trung = staff_factory.create_batch(3, unit=thanh_xuan_trung)
    services.pledge_record_paper(actor=ward_officer, campaign=campaign, staff=bac[0], signed_on=days(-10))
    services.pledge_record_paper(actor=district_officer, campaign=campaign, staff=trung[1], signed_on=days(-4))
    from tests.factories import UserFactory

    online = UserFactory(username="online.signer")
    online.staff_member = bac[1]
    online.save()
    services.pledge_sign_online(actor=online, campaign=campaign, ip_address="10.0.0.5")
    staff_deactivate(actor=ward_officer, staff=bac[3], last_day=days(-1))
    return bac + trung


def test_district_roster_matches_the_database(client, district_officer, campaign, thanh_xuan, district):
    client.force_login(district_officer)
    response, content = _download(client, campaign)
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert f'filename="danh-sach-ky-cam-ket-{campaign.year}-{thanh_xuan.public_code}.xlsx"' in response["Content-Disposition"]
    rows = _rows(content)
    assert campaign.title in rows[0][0] and "Quận Thanh Xuân" in rows[0][0]
    assert rows[1] == HEADERS
    data = rows[2:]
    expected = {staff.staff_code: staff for staff in campaign_expected_staff(campaign=campaign).select_related("unit")}
    codes = [row[1] for row in data]
    assert sorted(codes) == sorted(expected) and len(codes) == len(set(codes)) == 6  # the deactivated one is gone
    standing = campaign.pledges.filter(withdrawn_at__isnull=True).select_related("staff", "recorded_by")
    pledges = {pledge.staff.staff_code: pledge for pledge in standing}
    assert len(pledges) == 3
    for unit_name, code, name, position, signed, day, method, recorder in data:
        staff = expected[code]
        assert (unit_name, name, position) == (staff.unit.name, staff.full_name, staff.position)
        pledge = pledges.get(code)
        if pledge is None:
            assert (signed, day, method, recorder) == ("Chưa", "", "", "")
        else:
            assert signed == "Có"
            assert isinstance(day, datetime.date) and day == pledge.signed_on
            assert method == {"paper": "Bản giấy", "online": "Trực tuyến"}[pledge.method]
            assert recorder == pledge.recorded_by.get_full_name()


def test_roster_is_a_proper_spreadsheet(client, district_officer, campaign, district):
    client.force_login(district_officer)
    _response, content = _download(client, campaign)
    sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    assert sheet.freeze_panes == "A3"
    assert sheet.column_dimensions["C"].width >= 25 and sheet.column_dimensions["F"].width >= 10
    dates = [row[5] for row in sheet.iter_rows(min_row=3) if row[5].value is not None]
    assert dates and all(cell.is_date and cell.number_format == "dd/mm/yyyy" for cell in dates)
    assert sheet.title == campaign.title[:31]


def test_ward_officer_gets_their_ward_only(client, ward_officer, campaign, thanh_xuan_bac, thanh_xuan_trung, district):
    client.force_login(ward_officer)
    response, content = _download(client, campaign)
    assert thanh_xuan_bac.public_code in response["Content-Disposition"]
    assert {row[0] for row in _rows(content)[2:]} == {"Phường Thanh Xuân Bắc"}
    url = reverse("pledges:campaign_export", args=[campaign.pk])
    assert client.get(url, {"unit": thanh_xuan_trung.public_code}).status_code == 404


def test_district_office_exports_one_ward(client, district_officer, campaign, thanh_xuan_trung, district):
    client.force_login(district_officer)
    _response, content = _download(client, campaign, thanh_xuan_trung)
    data = _rows(content)[2:]
    assert len(data) == 3 and {row[0] for row in data} == {"Phường Thanh Xuân Trung"}
    assert [row[4] for row in data].count("Có") == 1


def test_export_queries_do_not_grow_with_staff(client, district_officer, campaign, thanh_xuan, staff_factory,
                                               django_assert_max_num_queries):
    client.force_login(district_officer)
    wards = list(thanh_xuan.children.all())
    staff_factory(unit=wards[0])
    with django_assert_max_num_queries(15) as few:
        _download(client, campaign)
    for ward in wards:
        for person in staff_factory.create_batch(8, unit=ward)[:3]:
            services.pledge_record_paper(actor=district_officer, campaign=campaign, staff=person, signed_on=days(-1))
    with django_assert_max_num_queries(len(few.captured_queries)):
        _response, content = _download(client, campaign)
    assert len(_rows(content)) == 2 + 1 + 8 * len(wards)
