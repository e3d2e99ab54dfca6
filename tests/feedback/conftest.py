"""Fixtures of the public feedback tests: a ward's form, a kiosk device, images, and helpers to read pages.

Rate limits live in the cache, shared by the whole run (and by other runs on the same Redis, kept apart by
the test settings' KEY_PREFIX): every test posts from addresses of its own (``address``), never clears the cache.
"""

import io
import itertools
import re
import secrets
import uuid

from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext
from PIL import Image
import pytest

from feedback.models import KioskDevice
from tests.factories import UserFactory

_addresses = itertools.count(1)
_RUN = uuid.uuid4().int % 200 + 20  # a second octet of this run's own, so parallel runs on one Redis differ


def png_bytes(size=(40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (30, 120, 200)).save(buffer, "PNG")
    return buffer.getvalue()


def in_page(msgid: str, **params) -> str:
    """A message as the Vietnamese page shows it (the English msgid while the catalogue lacks it), escaped."""
    with translation.override("vi"):
        text = gettext(msgid)
    return escape(text % params if params else text)


def form_token(response) -> str:
    match = re.search(r'name="submission_token" value="([0-9a-f]{32})"', response.content.decode())
    assert match, "no submission token in the form"
    return match[1]


@pytest.fixture
def address():
    """A client address no other test uses: pass as ``REMOTE_ADDR=address``."""
    n = next(_addresses)
    return f"10.{_RUN}.{n // 250}.{n % 250 + 1}"


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
    officer = UserFactory(username=f"kiosk.officer.{secrets.token_hex(3)}")
    return KioskDevice.objects.create(unit=unit, name="Máy tính bảng bộ phận một cửa", token=secrets.token_urlsafe(32),
                                      created_by=officer)
