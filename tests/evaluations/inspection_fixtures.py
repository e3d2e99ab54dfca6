"""Visits, findings and corrective actions made straight with the ORM (the visit services are tested on their own)."""

import datetime
import io

from django.utils import timezone
from PIL import Image
import pytest

from evaluations.choices import ActionStatus, CheckResult, Severity, VisitKind, VisitStatus
from evaluations.models import (
    ChecklistResult,
    ChecklistTemplate,
    CorrectiveAction,
    Finding,
    InspectionTeam,
    InspectionVisit,
)
from pledges.models import Article
from tests.conftest import make_user
from units.choices import Role


def make_visit(*, team, unit, kind=VisitKind.SCHEDULED, status=VisitStatus.IN_PROGRESS, when=None, subject="Kiểm tra định kỳ"):
    checklist = ChecklistTemplate.objects.get(is_default=True)
    visit = InspectionVisit.objects.create(
        team=team, unit=unit, kind=kind, status=status, subject=subject, checklist=checklist,
        scheduled_at=when or timezone.now() - datetime.timedelta(hours=2), created_by=team.leader,
        started_at=None if status == VisitStatus.PLANNED else timezone.now(),
    )
    return visit


def record_results(visit, *, failed=2, note="Không đeo thẻ"):
    """Every item of the checklist: the first ``failed`` fail (with a note), the last is n.a., the rest pass."""
    items = list(visit.checklist.items.order_by("order"))
    results = []
    for index, item in enumerate(items):
        if index < failed:
            value, text = CheckResult.FAIL, f"{note} {index + 1}"
        elif index == len(items) - 1:
            value, text = CheckResult.NOT_APPLICABLE, ""
        else:
            value, text = CheckResult.PASS, ""
        results.append(ChecklistResult.objects.create(visit=visit, item=item, result=value, note=text, updated_by=visit.team.leader))
    return results


def make_finding(visit, result, *, staff=(), description="Cán bộ không đeo thẻ công chức", severity=Severity.MINOR):
    article = result.item.article or Article.objects.filter(chapter__version__code__slug="qd-522-2017").first()
    finding = Finding.objects.create(
        visit=visit, result=result, description=description, article=article, severity=severity, created_by=visit.team.leader
    )
    finding.staff.set(staff)
    return finding


def make_action(finding, *, due_on=None, status=ActionStatus.OPEN, owner_unit=None, description="Nhắc nhở, đeo thẻ đầy đủ"):
    return CorrectiveAction.objects.create(
        finding=finding, description=description, owner_unit=owner_unit or finding.visit.unit,
        due_on=due_on or timezone.localdate() + datetime.timedelta(days=7), status=status,
    )


@pytest.fixture
def team(thanh_xuan, inspector):
    leader = make_user("team.leader", Role.INSPECTOR, thanh_xuan, full_name="Lê Văn Trưởng")
    team = InspectionTeam.objects.create(name="Tổ kiểm tra số 1", owner_unit=thanh_xuan, leader=leader)
    team.members.add(inspector)
    return team


@pytest.fixture
def visit(team, thanh_xuan_bac):
    return make_visit(team=team, unit=thanh_xuan_bac)


@pytest.fixture
def results(visit):
    return record_results(visit)


@pytest.fixture
def finding(visit, results, staff_factory, thanh_xuan_bac):
    an = staff_factory(unit=thanh_xuan_bac, staff_code="TXB201", full_name="Nguyễn Văn An")
    return make_finding(visit, results[0], staff=[an])


@pytest.fixture
def action(finding):
    return make_action(finding)


def pdf_bytes() -> bytes:
    return b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "white").save(buffer, format="PNG")
    return buffer.getvalue()
