"""Fixtures of the pledges tests: the published 522 code, campaigns over Quận Thanh Xuân and over Hà Nội,
staff in the wards, and small helpers to read what the pages show.

Campaign dates are relative to today, so the suite gives the same answers whatever day it runs.
"""

import datetime
import importlib
import io
import re

from django.apps import apps as django_apps
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext, pgettext
from PIL import Image
import pytest

from pledges import services
from pledges.models import CodeVersion
from tests.factories import UserFactory

PDF_BYTES = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"This program cannot be run in DOS mode." * 20


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (12, 8), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def days(n: int) -> datetime.date:
    """Today plus ``n`` days (negative: in the past)."""
    return timezone.localdate() + datetime.timedelta(days=n)


def in_page(msgid: str, context: str = "", **params) -> str:
    """A message as the Vietnamese page shows it (the English msgid while the catalogue lacks it), escaped."""
    with translation.override("vi"):
        text = pgettext(context, msgid) if context else gettext(msgid)
    return escape(text % params if params else text)


def row_numbers(html: str, public_code: str) -> tuple[int, int]:
    """(signed, expected) of one unit's row in the coverage table."""
    match = re.search(rf'data-unit="{re.escape(public_code)}" data-signed="(\d+)" data-expected="(\d+)"', html)
    assert match, f"no coverage row for {public_code}"
    return int(match[1]), int(match[2])


def total_numbers(html: str) -> tuple[int, int]:
    match = re.search(r'data-testid="coverage-total" data-signed="(\d+)" data-expected="(\d+)"', html)
    assert match, "no coverage total"
    return int(match[1]), int(match[2])


@pytest.fixture
def code_version(db):
    """The published 522 code. Transactional tests (PostgreSQL) empty the tables, so re-add it when it is gone."""
    if not CodeVersion.objects.filter(code__slug="qd-522-2017").exists():
        importlib.import_module("pledges.migrations.0002_hanoi_codes").add_hanoi_codes(django_apps, None)
    return CodeVersion.objects.get(code__slug="qd-522-2017", status="published")


def make_campaign(*, actor, scope_unit, code_version, opens_on=None, closes_on=None,
                  title="Ký cam kết thực hiện Quy tắc ứng xử", **extra):
    """A campaign made through the service, open from 60 days ago to 40 days ahead unless told otherwise."""
    opens_on = opens_on or days(-60)
    return services.campaign_create(
        actor=actor,
        title=title,
        year=opens_on.year,
        code_version=code_version,
        scope_unit=scope_unit,
        opens_on=opens_on,
        closes_on=closes_on or days(40),
        **extra,
    )


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
