"""Fixtures of the public feedback tests: a ward's form, a client address of its own, a kiosk device.

Rate limits live in the cache, shared by the whole run (and by other runs on the same Redis, kept apart by
the test settings' KEY_PREFIX): every test posts from addresses of its own (``address``), never clears the cache.
"""

import itertools
import uuid

import pytest

from tests.factories import KioskDeviceFactory
from tests.feedback.helpers import form_token

_addresses = itertools.count(1)
_RUN = uuid.uuid4().int % 200 + 20  # a second octet of this run's own, so parallel runs on one Redis differ


def _new_address() -> str:
    n = next(_addresses)
    return f"10.{_RUN}.{n // 250}.{n % 250 + 1}"


@pytest.fixture
def address():
    """A client address no other test uses: pass as ``REMOTE_ADDR=address``."""
    return _new_address()


@pytest.fixture
def new_address():
    """Draws more addresses no other test uses (a proxy and the citizens behind it)."""
    return _new_address


@pytest.fixture
def unit(thanh_xuan_bac):
    return thanh_xuan_bac


@pytest.fixture
def form_url(unit):
    return f"/feedback/{unit.public_code}/"


@pytest.fixture
def fresh_form(client, form_url, address):
    """GET the form (as a citizen's browser does) and return the POST data a valid anonymous submission sends."""

    def make(**overrides):
        response = client.get(form_url, REMOTE_ADDR=address)
        assert response.status_code == 200
        data = {"kind": "attitude", "text": "Cán bộ tiếp dân thiếu nhiệt tình.", "staff_mentioned": "Bàn số 3",
                "satisfaction": "2", "contact_name": "", "contact_phone": "", "contact_email": "", "website": "",
                "submission_token": form_token(response)}
        data.update(overrides)
        return data

    return make


@pytest.fixture
def kiosk_device(unit):
    return KioskDeviceFactory(unit=unit, name="Máy tính bảng bộ phận một cửa")


@pytest.fixture
def officer_ptx(phuong_thanh_xuan):
    """The ward officer of today's Phường Thanh Xuân."""
    from tests.builders import make_user
    from units.choices import Role

    return make_user("officer.ptx", Role.WARD_OFFICER, phuong_thanh_xuan)
