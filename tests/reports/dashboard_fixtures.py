"""Data for the dashboard tests: a pledge campaign over Quận Thanh Xuân, sheets, violations, feedback, kiosk
votes and corrective actions, made through the services where they exist (cases, votes and visits straight in
the database, as the feedback and inspection tests do)."""

from __future__ import annotations

import datetime
import importlib
import re

from django.apps import apps as django_apps
from django.utils import timezone
import pytest

from evaluations.choices import Severity, ViolationSource, VisitKind, VisitStatus
from evaluations.models import InspectionTeam
from evaluations.ratings import services as rating_services
from evaluations.violations.services import violation_record
from pledges import services as pledge_services
from pledges.models import Article, CodeVersion
from tests.conftest import make_user
from tests.evaluations.inspection_fixtures import make_action, make_finding, make_visit, record_results
from tests.feedback.staff_fixtures import client_for, local_at, make_case, make_vote
from units.choices import Role

__all__ = ["client_for", "local_at", "make_case", "make_vote", "make_action", "make_finding", "make_visit", "record_results"]


def today() -> datetime.date:
    return timezone.localdate()


def this_month() -> datetime.date:
    return today().replace(day=1)


def months_back(n: int) -> datetime.date:
    month = this_month()
    for _ in range(n):
        month = (month - datetime.timedelta(days=1)).replace(day=1)
    return month


def code_version() -> CodeVersion:
    if not CodeVersion.objects.filter(code__slug="qd-522-2017").exists():
        importlib.import_module("pledges.migrations.0002_hanoi_codes").add_hanoi_codes(django_apps, None)
    return CodeVersion.objects.get(code__slug="qd-522-2017", status="published")


def article() -> Article:
    return Article.objects.filter(chapter__version__code__slug="qd-522-2017").first()


def campaign_over(unit, actor):
    year = today().year
    return pledge_services.campaign_create(
        actor=actor, title="Ký cam kết", year=year, code_version=code_version(), scope_unit=unit,
        opens_on=datetime.date(year, 1, 1), closes_on=datetime.date(year, 12, 31),
    )


def sign(campaign, staff, actor):
    return pledge_services.pledge_record_paper(actor=actor, campaign=campaign, staff=staff, signed_on=today())


def open_sheet(unit, actor, month=None):
    return rating_services.rating_sheet_open(actor=actor, unit=unit, month=month or this_month())


def transition(sheet, actor, *actions):
    for action in actions:
        sheet = rating_services.rating_sheet_transition(actor=actor, sheet=sheet, action=action)
    return sheet


def violation(staff, actor, day=None):
    return violation_record(
        actor=actor, staff=staff, occurred_on=day or today(), article=article(), severity=Severity.MINOR,
        source=ViolationSource.SUPERVISOR, description="Không đeo thẻ công chức",
    )


def inspection_team(district):
    leader = make_user("dash.leader", Role.INSPECTOR, district, full_name="Lê Văn Trưởng")
    return InspectionTeam.objects.create(name="Tổ kiểm tra số 1", owner_unit=district, leader=leader)


def action_on(team, unit, *, kind=VisitKind.SCHEDULED, status=VisitStatus.IN_PROGRESS, due_on=None):
    """A visit of ``unit`` with one finding and one open corrective action owned by the unit."""
    visit = make_visit(team=team, unit=unit, kind=kind, status=status)
    results = record_results(visit, failed=1)
    return make_action(make_finding(visit, results[0]), due_on=due_on)


def shown(html: str, name: str) -> str:
    match = re.search(rf'data-testid="{name}"[^>]*>([^<]*)<', html)
    assert match, f"no {name} on the page"
    return match[1].strip()


def ranking_row(html: str, public_code: str) -> str:
    match = re.search(rf'<tr data-unit="{re.escape(public_code)}">(.*?)</tr>', html, re.S)
    assert match, f"no ranking row for {public_code}"
    return match[1]


def cell(row_html: str, column: str) -> str:
    match = re.search(rf'data-col="{column}">(.*?)</td>', row_html, re.S)
    assert match, f"no {column} cell"
    return re.sub(r"<[^>]+>", "", match[1]).strip()


def svg(html: str, chart: str) -> str:
    match = re.search(rf'<svg[^>]*data-chart="{chart}".*?</svg>', html, re.S)
    assert match, f"no {chart} chart"
    return match[0]


@pytest.fixture
def en_client(client):
    def login(user):
        return client_for(client, user)

    return login
