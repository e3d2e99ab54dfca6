"""Fixtures of the pledges tests: campaigns over Quận Thanh Xuân and over Hà Nội (of the published 522 code, the
root conftest's ``code_version``), and a staff member with an account of their own.

Campaign dates are relative to today, so the suite gives the same answers whatever day it runs.
"""

import pytest

from tests.builders import make_campaign
from tests.factories import UserFactory


@pytest.fixture
def campaign(district_officer, thanh_xuan, code_version):
    """Open: the district office of Quận Thanh Xuân asks every staff member of the district to sign."""
    return make_campaign(actor=district_officer, scope_unit=thanh_xuan, code_version=code_version)


@pytest.fixture
def city_campaign(city_admin, hanoi, code_version):
    """Open, over the whole city: every ward in every district takes part."""
    return make_campaign(actor=city_admin, scope_unit=hanoi, code_version=code_version, title="Ký cam kết toàn thành phố")


@pytest.fixture
def signer(thanh_xuan_bac, staff_factory):
    """A staff member of Phường Thanh Xuân Bắc with an account of their own (no role: they only sign)."""
    staff = staff_factory(unit=thanh_xuan_bac, full_name="Nguyễn Thị Lan Anh", position="Công chức Tư pháp - Hộ tịch")
    user = UserFactory(username="lan.anh", full_name=staff.full_name)
    user.staff_member = staff
    user.save()
    return user
