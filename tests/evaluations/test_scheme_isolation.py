"""A scheme made for one province never reaches another: neither the scheme ``scheme_for`` gives a unit, nor the
sheets opened there, nor what its administrators see. Both ways, with a province made for the test and with the
real Tỉnh An Giang (Xã Vĩnh Thuận, 31069) beside Hanoi."""

import datetime

import pytest

from evaluations.models import ScoringScheme
from evaluations.ratings.services import scheme_for
from evaluations.schemes import selectors, services
from tests.builders import make_user, open_sheet
from tests.evaluations.scheme_helpers import scheme_values
from tests.factories import StaffFactory
from tests.helpers import this_month
from units.choices import Role, Structure
from units.models import Unit

pytestmark = pytest.mark.django_db

DECREE_335_FROM = datetime.date(2026, 1, 1)


def hanoi_scheme(hanoi) -> ScoringScheme:
    return ScoringScheme.objects.get(jurisdiction=hanoi)  # Decision 3814-QĐ/TU, shipped


def national_scheme() -> ScoringScheme:
    return ScoringScheme.objects.get(jurisdiction__isnull=True, shipped_for="", effective_from=DECREE_335_FROM)


@pytest.fixture
def thanh_xuan_now(hanoi):
    """Phường Thanh Xuân of the current structure, where Hanoi's December sheets are rated."""
    return Unit.objects.get(structure=Structure.CURRENT, official_code="00367")


def test_a_new_provinces_scheme_never_changes_which_scheme_hanois_december_sheets_get(
    hanoi, thanh_xuan_now, province, commune, province_admin, hanoi_admin
):
    december = this_month()
    assert scheme_for(unit=thanh_xuan_now, month=december) == hanoi_scheme(hanoi)
    assert scheme_for(unit=commune, month=december) == national_scheme()
    # Made for the province from the day Decree 335 took effect: the province's own from then on.
    own = services.scheme_create(actor=province_admin, jurisdiction=province,
                                 values=scheme_values(effective_from=DECREE_335_FROM)).scheme
    assert scheme_for(unit=commune, month=december) == own
    assert scheme_for(unit=thanh_xuan_now, month=december) == hanoi_scheme(hanoi)
    StaffFactory(unit=thanh_xuan_now)
    assert open_sheet(thanh_xuan_now, hanoi_admin, december).scheme == hanoi_scheme(hanoi)


def test_hanois_new_scheme_never_applies_to_another_province(hanoi, thanh_xuan_now, hanoi_admin, commune, province_admin):
    december = this_month()
    new_version = services.scheme_new_version(actor=hanoi_admin, scheme=hanoi_scheme(hanoi), effective_from=december).scheme
    assert scheme_for(unit=thanh_xuan_now, month=december) == new_version
    assert scheme_for(unit=commune, month=december) == national_scheme()
    StaffFactory(unit=commune)
    assert open_sheet(commune, province_admin, december).scheme == national_scheme()


def test_an_giang_and_hanoi_keep_to_their_own_schemes(hanoi, an_giang, vinh_thuan, thanh_xuan_now, hanoi_admin):
    december = this_month()
    assert vinh_thuan.name == "Xã Vĩnh Thuận" and vinh_thuan.path.startswith(an_giang.path)
    assert scheme_for(unit=vinh_thuan, month=december) == national_scheme()  # Decree 335 until An Giang has its own
    an_giang_admin = make_user("province.angiang", Role.CITY_ADMIN, an_giang)
    an_giang_scheme = services.scheme_create(actor=an_giang_admin, jurisdiction=an_giang,
                                             values=scheme_values(effective_from=datetime.date(2026, 12, 1))).scheme
    hanoi_3814 = hanoi_scheme(hanoi)
    hanoi_version = services.scheme_new_version(actor=hanoi_admin, scheme=hanoi_3814,
                                                effective_from=datetime.date(2026, 12, 2)).scheme
    StaffFactory(unit=vinh_thuan)
    StaffFactory(unit=thanh_xuan_now)
    assert open_sheet(vinh_thuan, an_giang_admin, december).scheme == an_giang_scheme
    assert open_sheet(thanh_xuan_now, hanoi_admin, december).scheme == hanoi_version
    # What each administrator sees: their own, the national default, never the other province's.
    seen_by_an_giang = set(selectors.schemes_visible_to(an_giang_admin))
    seen_by_hanoi = set(selectors.schemes_visible_to(hanoi_admin))
    assert an_giang_scheme in seen_by_an_giang and national_scheme() in seen_by_an_giang
    assert not {hanoi_version, hanoi_3814} & seen_by_an_giang
    assert {hanoi_version, hanoi_3814, national_scheme()} <= seen_by_hanoi
    assert an_giang_scheme not in seen_by_hanoi
