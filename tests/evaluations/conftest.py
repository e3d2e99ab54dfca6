"""Fixtures of the evaluations tests.

Ratings: months, sheets opened through the service, an article of Decision 522, row posts. ``sheet`` is
Phường Thanh Xuân Bắc's sheet for last month with five staff, opened by the ward officer (every row at full
marks: 20 + 70 + 0 = 90, grade A). ``make_sheet`` opens one for any unit, month and head count; ``row_post``
builds what the sheet's autosave posts for a row.

Decree 335/2025: ``province`` is a province of its own (no rules of its own: the national defaults apply, Decree
335's scheme for the months of 2026), ``commune`` a commune under it, with its ``province_admin`` (province
administrator), ``commune_officer`` and ``commune_head``.

Inspections, made with the factories (the visit services are tested on their own): Quận Thanh Xuân's team
(led by an inspector of its own, with the ``inspector`` as a member), a visit in progress to Phường Thanh Xuân
Bắc with every checklist item recorded (two failed), a finding about Nguyễn Văn An (TXB201) on the first failed
item, and an open corrective action on it. The tests of the visit services (test_inspections.py,
test_inspection_secrecy.py) plan their own team and visits through the services instead.

Scoring schemes: ``province``, a province of its own beside Hanoi (made with the factory, current structure) with
one commune (``commune``) and its administrator (``province_admin``); ``hanoi_admin`` is Hanoi's. ``an_giang`` and
``vinh_thuan`` (Xã Vĩnh Thuận, 31069) are the real units, imported from the package.
"""

import datetime

from django.utils import timezone
import pytest

from evaluations.models import Rating, RatingSheet
from evaluations.ratings.forms import RatingRowForm
from tests.builders import make_user, open_sheet
from tests.factories import (
    CorrectiveActionFactory,
    FindingFactory,
    InspectionTeamFactory,
    InspectionVisitFactory,
    UnitFactory,
    code_article,
    record_results,
)
from units.choices import Role, UnitKind


def _previous_month(month: datetime.date) -> datetime.date:
    return (month - datetime.timedelta(days=1)).replace(day=1)


@pytest.fixture
def this_month() -> datetime.date:
    return timezone.localdate().replace(day=1)


@pytest.fixture
def last_month(this_month) -> datetime.date:
    return _previous_month(this_month)


@pytest.fixture
def make_sheet(staff_factory, last_month):
    """Open a unit's sheet (default: last month) after creating ``staff_count`` staff members in the unit."""

    def make(*, unit, actor, staff_count: int = 5, month: datetime.date | None = None) -> RatingSheet:
        staff_factory.create_batch(staff_count, unit=unit)
        return open_sheet(unit, actor, month or last_month)

    return make


@pytest.fixture
def sheet(make_sheet, thanh_xuan_bac, ward_officer) -> RatingSheet:
    return make_sheet(unit=thanh_xuan_bac, actor=ward_officer, staff_count=5)


@pytest.fixture
def rows(sheet) -> list[Rating]:
    return list(sheet.ratings.select_related("staff").order_by("staff__full_name", "staff_id"))


@pytest.fixture
def groups(sheet):
    return list(sheet.scheme.groups.all())


@pytest.fixture
def article():
    """An article of the staff code (Decision 522/QĐ-UBND), shipped by the pledges migrations."""
    found = code_article()
    assert found is not None, "the pledges data migration ships Decision 522's articles"
    return found


@pytest.fixture
def row_post():
    """What a row's autosave posts: the row's current values, with ``points`` (by group code), ``remark``
    and ``version`` overridden."""

    def build(rating: Rating, *, points: dict | None = None, remark: str | None = None, version: int | None = None) -> dict:
        groups = list(rating.sheet.scheme.groups.all())
        form = RatingRowForm(groups=groups, rating=rating)
        data = {form[name].html_name: value for name, value in form.initial.items()}
        for code, value in (points or {}).items():
            data[form[f"p_{code}"].html_name] = value
        if remark is not None:
            data[form["remark"].html_name] = remark
        if version is not None:
            data[form["version"].html_name] = version
        return data

    return build


# --- Inspections ---------------------------------------------------------------------------------------------


@pytest.fixture
def team(thanh_xuan, inspector):
    leader = make_user("team.leader", Role.INSPECTOR, thanh_xuan, full_name="Lê Văn Trưởng")
    return InspectionTeamFactory(name="Tổ kiểm tra số 1", owner_unit=thanh_xuan, leader=leader, members=[inspector])


@pytest.fixture
def visit(team, thanh_xuan_bac):
    return InspectionVisitFactory(team=team, unit=thanh_xuan_bac)


@pytest.fixture
def results(visit):
    return record_results(visit)


@pytest.fixture
def finding(visit, results, staff_factory, thanh_xuan_bac):
    an = staff_factory(unit=thanh_xuan_bac, staff_code="TXB201", full_name="Nguyễn Văn An")
    return FindingFactory(visit=visit, result=results[0], staff=[an])


@pytest.fixture
def action(finding):
    return CorrectiveActionFactory(finding=finding)


# --- Another province: scoring schemes and the annual classification under Decree 335 --------------------------


@pytest.fixture
def province(hanoi):
    """A province beside Hanoi, at the top of a tree of its own, with no scheme of its own: the national Decree 335
    scheme applies there."""
    return UnitFactory(name="Tỉnh Thử Nghiệm", kind=UnitKind.PROVINCE, public_code="tinh-thu-nghiem")


@pytest.fixture
def commune(province):
    return UnitFactory(name="Xã Thử Nghiệm", kind=UnitKind.COMMUNE, parent=province, public_code="xa-thu-nghiem")


@pytest.fixture
def commune_officer(commune):
    return make_user("commune.officer", Role.WARD_OFFICER, commune)


@pytest.fixture
def commune_head(commune):
    return make_user("commune.head", Role.UNIT_HEAD, commune)


@pytest.fixture
def province_office(province):
    """The province's department that oversees communes (the level above the commune)."""
    return make_user("province.office", Role.DISTRICT_OFFICE, province)


@pytest.fixture
def province_admin(province):
    return make_user("province.admin", Role.CITY_ADMIN, province, full_name="Trần Văn Tỉnh")


@pytest.fixture
def hanoi_admin(hanoi):
    return make_user("hanoi.admin", Role.CITY_ADMIN, hanoi)
