"""Shared fixtures: Hanoi's real units (imported once), one user per role and the published staff code.

Every fixture reaches the tests through a ``conftest.py`` (this one, or the one of the tests' folder); test
modules import helpers and factories (``tests/factories.py``, ``tests/builders.py``, ``tests/helpers.py``),
never fixtures.

Units used across the suite (legacy structure, as in the demo):
- ``thanh_xuan``: Quận Thanh Xuân (district 009), ``thanh_xuan_bac``: Phường Thanh Xuân Bắc (00367),
  ``thanh_xuan_trung``: its sibling ward Phường Thanh Xuân Trung (00355);
- ``ba_dinh``: another district, Quận Ba Đình (001), ``phuc_xa``: its ward Phường Phúc Xá (00001).

And of the current structure (since 1 July 2025, the demo's working units): ``phuong_thanh_xuan``, Phường Thanh
Xuân (00367), formed from Thanh Xuân Bắc, Thanh Xuân Trung, Nhân Chính and others.
A second province: ``an_giang`` (Tỉnh An Giang, 91, current structure, imported on demand), ``vinh_thuan`` (Xã
Vĩnh Thuận, 31069), ``an_giang_admin`` (its province administrator), ``an_giang_code`` (a published code of its own). ``province_admin`` is An Giang's
administrator (``province.angiang``).
"""


import datetime

import pytest

from pledges.choices import Audience, VersionStatus
from tests.builders import make_user
from tests.factories import (
    CodeOfConductFactory,
    CodeVersionFactory,
    StaffFactory,
    restore_shipped_rules,
    shipped_code_version,
)
from units.choices import Role, Structure
from units.models import Unit
from units.unit_import import units_import

# The legacy units end on 30/06/2025, and nothing new can be opened for them after that day (units.validity). The
# modules (or single tests) listed here were written when the legacy units were the suite's working units: they do
# this month's work in Phường Thanh Xuân Bắc. They run in a world where the reform has not dissolved the legacy units
# yet (``valid_to`` cleared for the test, ``_legacy_world``); everything else, and any new module, runs on the real
# dates. Move a module to the current units (``phuong_thanh_xuan``) and take it off this list.
LEGACY_WORLD = frozenset({
    "tests/evaluations/test_admin.py",
    "tests/evaluations/test_caps.py",
    "tests/evaluations/test_quarterly.py::test_a_new_scheme_reaches_only_sheets_opened_after_it_and_only_its_province",
    "tests/evaluations/test_excel.py",
    "tests/evaluations/test_inspection_secrecy.py",
    "tests/evaluations/test_inspections.py",
    "tests/evaluations/test_sheet_views.py",
    "tests/evaluations/test_violations.py",
    "tests/evaluations/test_workflow.py",
    "tests/feedback/test_behind_a_proxy.py",
    "tests/feedback/test_cache_down.py",
    "tests/feedback/test_kiosk_and_poster.py",
    "tests/feedback/test_concurrent_submissions.py",
    "tests/feedback/test_public_form.py",
    "tests/feedback/test_public_form_hostile_input.py",
    "tests/feedback/test_tracking.py",
    "tests/feedback/test_triage.py",
    "tests/pledges/test_campaign_views.py",
    "tests/pledges/test_codes.py",
    "tests/pledges/test_concurrency.py",
    "tests/pledges/test_coverage.py",
    "tests/pledges/test_reminders.py",
    "tests/pledges/test_roster_export.py",
    "tests/pledges/test_signing.py",
    "tests/portal/test_fuzz_feedback_form.py",
    "tests/portal/test_fuzz_uploads.py",
    "tests/portal/test_hostile_workbooks.py",
    "tests/portal/test_permission_matrix.py",
    "tests/portal/test_rules_hub.py",
    "tests/reports/test_dashboard.py::test_charts_draw_one_bar_per_unit_and_one_point_per_month_with_data",
    "tests/reports/test_dashboard.py::test_city_admin_sees_districts_and_both_structures",
    "tests/reports/test_dashboard.py::test_grades_fall_back_to_the_last_month_with_sheets",
    "tests/reports/test_dashboard.py::test_svg_coordinates_use_a_dot_in_vietnamese",
    "tests/reports/test_dashboard.py::test_the_ranking_puts_the_best_score_first",
    "tests/reports/test_dashboard.py::test_tiles_and_ranking_equal_the_database",
    "tests/reports/test_dashboard_queries.py",
    "tests/reports/test_exports.py",
    "tests/reports/test_exports_background.py",
    "tests/reports/test_job_recovery.py",
    "tests/reports/test_rules_isolation.py",
    "tests/units/test_audit.py",
})


def pytest_collection_modifyitems(items):
    for item in items:
        test = item.nodeid.split("[", 1)[0]  # a parametrized test is listed once, without its parameters
        if test in LEGACY_WORLD or test.split("::", 1)[0] in LEGACY_WORLD:
            item.add_marker(pytest.mark.legacy_world)


@pytest.fixture(autouse=True)
def _legacy_world(request):
    """For the tests marked ``legacy_world``: the legacy units are still in force (the reform has not dissolved
    them), so this month's sheets, campaigns, visits and feedback can be opened for them."""
    if request.node.get_closest_marker("legacy_world") is None:
        return
    request.getfixturevalue("hanoi")
    Unit.objects.filter(structure=Structure.LEGACY).update(valid_to=None)


@pytest.fixture(autouse=True)
def _full_marks_start(request, monkeypatch):
    """The tests written before sheets had starting points expect a new sheet's rows at full marks: for them every
    scheme's baseline (``ScoringScheme.baseline_percent``) is 100 %, whenever and however the scheme was made
    (shipped, restored, built by a factory or on the scheme page), and no row carries last period's points over.
    Tests marked ``shipped_baseline`` see the real starting points."""
    if request.node.get_closest_marker("shipped_baseline") is not None:
        return
    from evaluations.ratings import scoring

    baseline_points = scoring.baseline_points
    monkeypatch.setattr(scoring, "baseline_points", lambda groups, *, percent: baseline_points(groups, percent=100))
    monkeypatch.setattr(scoring, "starting_points", lambda groups, *, previous: None)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        units_import(province=1, structure="both")


@pytest.fixture
def hanoi(db):
    """Hanoi's units (and the data the portal ships). Transactional tests empty the tables afterwards, so
    re-import when they are gone."""
    if not Unit.objects.filter(official_code="01").exists():
        units_import(province=1, structure="both")
        restore_shipped_rules()
    return Unit.objects.get(official_code="01", structure=Structure.SHARED)


def _legacy(code):
    return Unit.objects.get(structure=Structure.LEGACY, official_code=code)


@pytest.fixture
def thanh_xuan(hanoi):
    return _legacy("009")


@pytest.fixture
def thanh_xuan_bac(hanoi):
    return _legacy("00367")


@pytest.fixture
def thanh_xuan_trung(hanoi):
    return _legacy("00355")


@pytest.fixture
def ba_dinh(hanoi):
    return _legacy("001")


@pytest.fixture
def phuc_xa(hanoi):
    return _legacy("00001")


@pytest.fixture
def phuong_thanh_xuan(hanoi):
    return Unit.objects.get(structure=Structure.CURRENT, official_code="00367")


@pytest.fixture
def province_admin(an_giang):
    """An Giang's province administrator (the CITY_ADMIN role over the province)."""
    return make_user("province.angiang", Role.CITY_ADMIN, an_giang)


@pytest.fixture
def ward_officer(thanh_xuan_bac):
    return make_user("ward.officer", Role.WARD_OFFICER, thanh_xuan_bac)


@pytest.fixture
def unit_head(thanh_xuan_bac):
    return make_user("unit.head", Role.UNIT_HEAD, thanh_xuan_bac)


@pytest.fixture
def district_officer(thanh_xuan):
    return make_user("district.officer", Role.DISTRICT_OFFICE, thanh_xuan)


@pytest.fixture
def inspector(thanh_xuan):
    return make_user("inspector", Role.INSPECTOR, thanh_xuan)


@pytest.fixture
def city_admin(hanoi):
    return make_user("city.admin", Role.CITY_ADMIN, hanoi)


@pytest.fixture
def an_giang(hanoi):
    """A second province: Tỉnh An Giang (code 91), imported on the current structure, with no rule of its own
    (the national defaults apply until its administrator sets some)."""
    units_import(province=91, structure="current")
    return Unit.objects.get(official_code="91", parent__isnull=True)


@pytest.fixture
def vinh_thuan(an_giang):
    """Xã Vĩnh Thuận (31069), a commune of An Giang."""
    return Unit.objects.get(structure=Structure.CURRENT, official_code="31069")


@pytest.fixture
def an_giang_admin(an_giang):
    """An Giang's province administrator (role "Province or city administrator": manages its rules)."""
    return make_user("admin.angiang", Role.CITY_ADMIN, an_giang)


@pytest.fixture
def an_giang_code(an_giang):
    """A staff code of An Giang's own (Decision 99/QĐ-UBND of 05/01/2026), published."""
    code = CodeOfConductFactory(jurisdiction=an_giang, slug="qd-99-2026-an-giang", decision_number="99/QĐ-UBND",
                                title="Quy tắc ứng xử của cán bộ, công chức tỉnh An Giang",
                                issuer="Ủy ban nhân dân tỉnh An Giang", audience=Audience.STAFF,
                                decision_date=datetime.date(2026, 1, 5))
    CodeVersionFactory(code=code, status=VersionStatus.PUBLISHED)
    return code


@pytest.fixture
def staff_factory():
    return StaffFactory


@pytest.fixture
def targets(thanh_xuan_bac, thanh_xuan_trung, phuc_xa, staff_factory):
    """A staff member in the users' own ward, in its sibling ward and in another district's ward (scope matrices)."""
    return {
        "own_ward": staff_factory(unit=thanh_xuan_bac),
        "sibling_ward": staff_factory(unit=thanh_xuan_trung),
        "other_district": staff_factory(unit=phuc_xa),
    }


@pytest.fixture
def code_version(db):
    """The published 522 code (put back when a transactional test emptied the tables)."""
    return shipped_code_version()


def pytest_configure(config):
    """Compile the translations when pytest runs on its own (``make test`` already does it)."""
    from pathlib import Path

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po_path in (Path(__file__).resolve().parents[1] / "locale").glob("*/LC_MESSAGES/django.po"):
        mo_path = po_path.with_suffix(".mo")
        if not mo_path.exists() or mo_path.stat().st_mtime < po_path.stat().st_mtime:
            with open(po_path, "rb") as po, open(mo_path, "wb") as mo:
                write_mo(mo, read_po(po))


@pytest.fixture
def eager_celery():
    """Tasks run in the calling thread (retries too), as a worker would run them."""
    from conduct_portal.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield app
    app.conf.task_always_eager = before


@pytest.fixture
def mailbox(settings):
    """A real SMTP server (aiosmtpd) the portal's e-mail goes to, for the test's duration."""
    from tests.mail import Mailbox, smtp_server

    box = Mailbox()
    controller = smtp_server(box)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    yield box
    controller.stop()

