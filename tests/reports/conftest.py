"""Fixtures of the reports tests.

Commendations and quarterly reports look at a quarter in the past (``quarter``: Q2 2025) and at data made
straight in the database with the factories: ``rate(staff, "AAB")`` gives a staff member grade A, A, B in the
quarter's three months (``"-"`` leaves a month unrated) on approved sheets, with ``points`` per month (default
95 for A, 80 for B, 60 for C, 40 for D); ``violation`` and ``feedback_case`` record one on a chosen day;
``report_data`` fills two wards of Quận Thanh Xuân with figures for every section of the quarterly report.
The dashboard tests read pages in English (``en_client``).
"""

import datetime
from decimal import Decimal

import pytest

from core.quarters import Quarter
from evaluations.choices import ActionStatus, Severity, SheetStatus, VisitKind, VisitStatus
from evaluations.models import RatingSheet
from feedback.choices import CaseStatus, Channel, FeedbackKind
from pledges.choices import PledgeMethod
from tests.builders import make_user
from tests.factories import (
    CorrectiveActionFactory,
    FeedbackCaseFactory,
    FindingFactory,
    InspectionTeamFactory,
    InspectionVisitFactory,
    KioskVoteFactory,
    PledgeCampaignFactory,
    PledgeFactory,
    RatingFactory,
    RatingSheetFactory,
    UserFactory,
    ViolationFactory,
    record_results,
    shipped_code_version,
)
from tests.helpers import client_for, local_at
from tests.reports.quarterly_helpers import QUARTER, rate_ward
from units.choices import Role, Structure
from units.models import Unit


@pytest.fixture
def quarter() -> Quarter:
    return QUARTER


# --- Commendations -------------------------------------------------------------------------------------------


@pytest.fixture
def rate():
    """Rate ``staff`` in the unit of the staff member (or ``unit``) month by month: ``grades`` like "AA-"."""

    def make(staff, grades: str, *, unit=None, points=None, quarter: Quarter = QUARTER, status=SheetStatus.APPROVED):
        unit = unit or staff.unit
        for i, (month, grade) in enumerate(zip(quarter.months, grades, strict=True)):
            if grade == "-":
                continue
            sheet = RatingSheet.objects.filter(unit=unit, month=month).first()
            sheet = sheet or RatingSheetFactory(unit=unit, month=month, status=status)
            total = {"total": Decimal(points[i])} if points else {}
            RatingFactory(sheet=sheet, staff=staff, grade=grade, **total)

    return make


@pytest.fixture
def violation(hanoi):
    """Record a violation of Decision 522 by ``staff`` on ``day``."""

    def make(staff, day: datetime.date):
        return ViolationFactory(staff=staff, occurred_on=day)

    return make


@pytest.fixture
def feedback_case():
    """A feedback case about ``staff`` received on ``day`` (noon, local time)."""

    def make(staff, day: datetime.date, *, kind=FeedbackKind.ATTITUDE, substantiated=False, status=CaseStatus.RESOLVED):
        return FeedbackCaseFactory(unit=staff.unit, staff=staff, kind=kind, substantiated=substantiated, status=status,
                                   text="…", received_at=local_at(day, hour=12), due_on=day)

    return make


# --- Quarterly reports ---------------------------------------------------------------------------------------


@pytest.fixture
def report_data(hanoi, thanh_xuan, thanh_xuan_bac, thanh_xuan_trung):
    """Figures in two wards of Quận Thanh Xuân for Q2 2025, made straight in the database: staff rated on
    submitted, approved and draft sheets, violations, a pledge campaign with some pledges, feedback cases of
    several kinds and channels with satisfaction, kiosk votes, inspection visits (one that took place with
    findings and corrective actions, one surprise visit still planned), so that every section of the report has
    figures to compare with the database. Returns the staff and the campaign."""
    april, may, june = QUARTER.months
    bac = rate_ward(thanh_xuan_bac, ["AABC", "ABBD", "AAAB"])
    trung = rate_ward(thanh_xuan_trung, ["BBC", "BB", ""], status=SheetStatus.SUBMITTED)
    # A draft sheet is still at full marks: it must not count.
    draft_ward = Unit.objects.get(structure=Structure.LEGACY, official_code="00352")  # Phường Nhân Chính
    rate_ward(draft_ward, ["", "", "AAAAA"], status=SheetStatus.DRAFT)
    # Violations: two in the quarter, one before it (not counted).
    ViolationFactory(staff=bac[3], occurred_on=may + datetime.timedelta(days=3), severity=Severity.SERIOUS)
    ViolationFactory(staff=trung[2], occurred_on=june + datetime.timedelta(days=10))
    ViolationFactory(staff=trung[2], occurred_on=datetime.date(2025, 3, 30))
    # Pledges: a district campaign of 2025, 3 of 7 staff signed.
    campaign = PledgeCampaignFactory(
        title="Ký cam kết 2025", year=2025, code_version=shipped_code_version(), scope_unit=thanh_xuan,
        opens_on=datetime.date(2025, 1, 2), closes_on=datetime.date(2025, 1, 31), target_percent=100,
    )
    recorder = UserFactory()
    for person in [bac[0], bac[1], trung[0]]:
        PledgeFactory(campaign=campaign, staff=person, method=PledgeMethod.PAPER, signed_on=datetime.date(2025, 1, 10),
                      recorded_by=recorder, text_hash="0" * 64)

    # Feedback: 5 cases in the quarter (kinds, channels, satisfaction), one before it; resolved 3 days after
    # they came, due in two weeks.
    def feedback(unit, day, **fields):
        fields.setdefault("closed_after_days", 3)
        return FeedbackCaseFactory(unit=unit, status=CaseStatus.RESOLVED, text="…", received_at=local_at(day),
                                   due_on=day + datetime.timedelta(days=14), public_reply="Đã tiếp thu.", **fields)

    feedback(thanh_xuan_bac, april + datetime.timedelta(days=4), kind=FeedbackKind.PRAISE, satisfaction=5)
    feedback(thanh_xuan_bac, may + datetime.timedelta(days=1), kind=FeedbackKind.ATTITUDE, channel=Channel.HOTLINE,
             satisfaction=2, closed_after_days=30)  # closed late
    feedback(thanh_xuan_bac, june + datetime.timedelta(days=2), kind=FeedbackKind.DELAY, channel=Channel.MAILBOX,
             satisfaction=4)
    feedback(thanh_xuan_trung, june + datetime.timedelta(days=5), kind=FeedbackKind.PRAISE, channel=Channel.SURVEY_SLIP,
             satisfaction=5)
    feedback(thanh_xuan_trung, may + datetime.timedelta(days=8), kind=FeedbackKind.OTHER, channel=Channel.COMMENT_BOOK)
    feedback(thanh_xuan_trung, datetime.date(2025, 3, 20), kind=FeedbackKind.HARASSMENT)
    KioskVoteFactory(unit=thanh_xuan_bac, score=1, created_at=local_at(may + datetime.timedelta(days=2)), device=None)
    # Inspections: a scheduled visit made in May (2 findings, one action done, one open and overdue),
    # and a surprise visit planned in June that has not started: never counted.
    leader = make_user("report.team.leader", Role.INSPECTOR, thanh_xuan)
    team = InspectionTeamFactory(name="Tổ kiểm tra số 2", owner_unit=thanh_xuan, leader=leader)
    visit = InspectionVisitFactory(team=team, unit=thanh_xuan_bac, status=VisitStatus.CLOSED,
                                   scheduled_at=local_at(may + datetime.timedelta(days=14)))
    results = record_results(visit, failed=2)
    first = FindingFactory(visit=visit, result=results[0], staff=[bac[3]])
    second = FindingFactory(visit=visit, result=results[1], severity=Severity.SERIOUS)
    CorrectiveActionFactory(finding=first, status=ActionStatus.VERIFIED, due_on=datetime.date(2025, 6, 1))
    CorrectiveActionFactory(finding=second, status=ActionStatus.OPEN, due_on=datetime.date(2025, 6, 15))
    InspectionVisitFactory(team=team, unit=thanh_xuan_trung, kind=VisitKind.SURPRISE, status=VisitStatus.PLANNED,
                           scheduled_at=local_at(june + datetime.timedelta(days=20)))
    return {"bac": bac, "trung": trung, "campaign": campaign}


# --- Dashboard -----------------------------------------------------------------------------------------------


@pytest.fixture
def en_client(client):
    """``en_client(user)``: the test client logged in as ``user``, in English."""

    def login(user):
        return client_for(client, user)

    return login
