"""What a user notices when the portal refuses, when there is too much to list, and on the printed poster: a 403 says
which action needs which roles and where to go; a 404 is the same for a missing page and for one outside the user's
scope; an administrator's landing page counts the units beneath by level; the poster prints the hotline and address
the unit holds as data; the favicon is served."""

from django.contrib.staticfiles import finders
from django.urls import reverse
from django.utils import translation
import pytest

from units import services
from units.choices import Role

pytestmark = pytest.mark.django_db


def test_a_refusal_names_the_action_the_roles_that_take_it_and_a_way_back(client, ward_officer):
    client.force_login(ward_officer)
    response = client.get(reverse("reports:export_list"), HTTP_REFERER="http://testserver/staff/")
    page = response.content.decode()
    assert response.status_code == 403
    assert "Vai trò của bạn không có quyền xuất dữ liệu ra Excel." in page
    with translation.override("vi"):
        assert str(Role.DISTRICT_OFFICE.label) in page and str(Role.CITY_ADMIN.label) in page  # who does it
        assert str(Role.WARD_OFFICER.label) in page and "Phường Thanh Xuân Bắc" in page  # the user's own roles
    assert 'href="http://testserver/staff/"' in page and "Quay lại trang trước" in page


def test_a_refusal_on_a_unit_names_the_unit(client, ward_officer, thanh_xuan_bac):
    client.force_login(ward_officer)
    response = client.get(reverse("units:subunit_create", args=[thanh_xuan_bac.public_code]))
    assert response.status_code == 403
    assert "Vai trò của bạn không có quyền quản lý đơn vị tại Phường Thanh Xuân Bắc." in response.content.decode()


def test_a_refusal_never_leaks_an_outside_address(client, ward_officer):
    client.force_login(ward_officer)
    page = client.get(reverse("reports:export_list"), HTTP_REFERER="https://evil.example/").content.decode()
    assert "evil.example" not in page


def test_not_found_is_the_same_for_a_missing_unit_and_one_outside_the_scope(client, ward_officer, thanh_xuan_trung):
    client.force_login(ward_officer)
    outside = client.get(thanh_xuan_trung.get_absolute_url())
    missing = client.get(reverse("units:unit_detail", args=["no-such-unit-00000"]))
    assert outside.status_code == missing.status_code == 404
    for response in (outside, missing):
        page = response.content.decode()
        assert "Trang này không tồn tại" in page and "Các đơn vị bạn được xem" in page
        assert "Phường Thanh Xuân Trung" not in page.split("<footer")[0]


def test_the_city_administrators_landing_page_counts_units_by_level(client, city_admin, hanoi):
    client.force_login(city_admin)
    page = client.get(reverse("home")).content.decode()
    assert 'data-testid="child-summary"' in page
    assert "Chưa có cán bộ đang làm việc" in page
    assert f'href="{reverse("units:unit_list")}?kind=ward&amp;structure=current"' in page
    assert "Phường Phương Liệt" not in page  # no longer one line per ward


def test_a_ward_officers_landing_page_still_lists_their_units(client, ward_officer):
    client.force_login(ward_officer)
    page = client.get(reverse("home")).content.decode()
    assert 'data-testid="child-summary"' not in page and "Phường Thanh Xuân Bắc" in page


def test_the_poster_prints_the_units_address_and_the_nearest_hotline(client, hanoi, phuong_thanh_xuan):
    poster = reverse("feedback:poster", args=[phuong_thanh_xuan.public_code])
    page = client.get(poster).content.decode()
    assert 'data-testid="poster-hotline"' not in page and "____" not in page
    assert 'data-testid="poster-missing"' in page  # told on screen, never printed

    services.unit_update(unit=hanoi, hotline="1022")
    services.unit_update(unit=phuong_thanh_xuan, address="Số 9 Khương Đình, Thanh Xuân, Hà Nội")
    page = client.get(poster).content.decode()
    assert "Đường dây nóng" in page and "1022 (Thành phố Hà Nội)" in page
    assert "Số 9 Khương Đình, Thanh Xuân, Hà Nội" in page

    services.unit_update(unit=phuong_thanh_xuan, hotline="024 3858 1234")
    page = client.get(poster).content.decode()
    assert "024 3858 1234" in page and "1022" not in page


def test_the_favicon_is_served(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("favicon.ico")
    assert finders.find("favicon.ico") and finders.find("img/favicon.svg")
    assert 'rel="icon"' in client.get(reverse("login")).content.decode()
