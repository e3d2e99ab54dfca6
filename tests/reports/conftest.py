"""Fixtures of the reports tests.

Commendations and quarterly reports look at a quarter in the past (``quarter``: Q2 2025) and at data made
straight in the database with the factories: ``rate(staff, "AAB")`` gives a staff member grade A, A, B in the
quarter's three months (``"-"`` leaves a month unrated) on approved sheets, with ``points`` per month (default
95 for A, 80 for B, 60 for C, 40 for D); ``violation`` and ``feedback_case`` record one on a chosen day;
``report_data`` fills two wards of Quận Thanh Xuân with figures for every section of the quarterly report;
``annual_data`` a year (2025) across the reform for the annual summary of Phường Thanh Xuân.
The dashboard tests read pages in English (``en_client``).
"""

import datetime
from decimal import Decimal
import os
from pathlib import Path
import signal
import subprocess
import sys
import uuid

from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.db import connection
import pytest

from conduct_portal.celery import app
from core.quarters import Quarter
from evaluations.choices import ActionStatus, Severity, SheetStatus, VisitKind, VisitStatus
from evaluations.models import RatingSheet
from feedback.choices import CaseStatus, Channel, FeedbackKind
from pledges.choices import PledgeMethod
from reports.choices import CommendationStatus
from tests.builders import make_user
from tests.factories import (
    CommendationEntryFactory,
    CommendationListFactory,
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
from tests.reports.annual_helpers import YEAR, current_unit, month_of, rate_unit, staff_of
from tests.reports.celery_helpers import database_url, kill_group
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

    feedback(thanh_xuan_bac, april + datetime.timedelta(days=4), kind=FeedbackKind.PRAISE, satisfaction=5,
             handling_rating=4, handling_rated_at=local_at(april + datetime.timedelta(days=9)))
    feedback(thanh_xuan_bac, may + datetime.timedelta(days=1), kind=FeedbackKind.ATTITUDE, channel=Channel.HOTLINE,
             satisfaction=2, closed_after_days=30, handling_rating=1,
             handling_rated_at=local_at(june + datetime.timedelta(days=3)))  # closed late, its handling rated 1
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


# --- Real Celery workers -------------------------------------------------------------------------------------


@pytest.fixture
def celery_worker(transactional_db):
    """A worker in this process (a thread pool), on the run's broker and queue."""
    with start_worker(app, pool="threads", concurrency=1, perform_ping_check=False, loglevel="WARNING", shutdown_timeout=30):
        yield


@pytest.fixture
def start_prefork_worker(transactional_db, tmp_path):
    """Start real ``celery worker`` processes (prefork pool, one process each) on this run's test database, broker,
    queue and media folder, whose build pauses 1.5 s at each step (REPORTS_BUILD_STEP_DELAY). Each runs in a
    session (and process group) of its own, so a test can kill a worker as a whole. Returns a function that starts
    one and returns its process; all are stopped afterwards."""
    if connection.vendor != "postgresql" or not settings.REDIS_URL:
        pytest.skip("needs PostgreSQL and Redis: a worker process cannot share the in-memory SQLite test database")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "CONDUCT_TEST_MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "CONDUCT_TEST_QUEUE": settings.CELERY_TASK_DEFAULT_QUEUE,
        "REPORTS_BUILD_STEP_DELAY": "1.5",
    }
    started = []

    def start():
        log = open(tmp_path / f"worker-{len(started)}.log", "wb")
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "--app", "conduct_portal", "worker", "--pool", "prefork", "--concurrency", "1",
             "--queues", settings.CELERY_TASK_DEFAULT_QUEUE, "--hostname", f"killtest-{uuid.uuid4().hex[:8]}@%h",
             "--loglevel", "INFO", "--without-heartbeat", "--without-gossip", "--without-mingle"],
            cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        started.append((worker, log))
        return worker

    yield start
    for worker, log in started:
        if worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                kill_group(worker)
        log.close()
        print((tmp_path / Path(log.name).name).read_text(errors="replace")[-4000:])


@pytest.fixture
def prefork_worker(start_prefork_worker):
    """One real worker process (see ``start_prefork_worker``)."""
    return start_prefork_worker()


# --- Dashboard -----------------------------------------------------------------------------------------------


@pytest.fixture
def en_client(client):
    """``en_client(user)``: the test client logged in as ``user``, in English."""

    def login(user):
        return client_for(client, user)

    return login


# --- Annual summaries ----------------------------------------------------------------------------------------


@pytest.fixture
def phuong_thanh_xuan(hanoi):
    """Phường Thanh Xuân of the current structure (00367, since 1 July 2025), formed from six legacy wards."""
    return current_unit("00367")


@pytest.fixture
def annual_data(hanoi, thanh_xuan, thanh_xuan_bac, thanh_xuan_trung, phuong_thanh_xuan):
    """A year (2025) across the reform, made straight in the database: before 1 July in two of the legacy wards that
    Phường Thanh Xuân was formed from, after it in Phường Thanh Xuân itself, plus figures the summary must leave out
    (a draft sheet, the year before, a legacy ward's rows after it was dissolved, a planned visit, a list not
    approved). Returns the staff (``bac``, ``trung``, ``current``)."""
    bac, trung = staff_of(thanh_xuan_bac, 4), staff_of(thanh_xuan_trung, 3)
    current = staff_of(phuong_thanh_xuan, 3, since=datetime.date(2025, 7, 1))

    # Ratings: March and June in Thanh Xuân Bắc, May in Thanh Xuân Trung (its February sheet is still a draft),
    # September and December in Phường Thanh Xuân; an August sheet kept on the dissolved Thanh Xuân Bắc.
    rate_unit(thanh_xuan_bac, month_of(3), "AABC", staff=bac)
    rate_unit(thanh_xuan_bac, month_of(6), "AB", staff=bac, status=SheetStatus.SUBMITTED)
    rate_unit(thanh_xuan_bac, month_of(8), "AAAA", staff=bac)
    rate_unit(thanh_xuan_trung, month_of(2), "AAA", staff=trung, status=SheetStatus.DRAFT)
    rate_unit(thanh_xuan_trung, month_of(5), "BBD", staff=trung, status=SheetStatus.SUBMITTED)
    rate_unit(phuong_thanh_xuan, month_of(9), "AAB", staff=current)
    rate_unit(phuong_thanh_xuan, month_of(12), "B", staff=current, status=SheetStatus.SUBMITTED)

    # Violations: April (serious) and May (very serious) before the reform, October (minor) after it; one of
    # December 2024 and one on the dissolved ward in August are not the year's.
    ViolationFactory(staff=bac[3], occurred_on=datetime.date(YEAR, 4, 10), severity=Severity.SERIOUS)
    ViolationFactory(staff=trung[2], occurred_on=datetime.date(YEAR, 5, 3), severity=Severity.VERY_SERIOUS)
    ViolationFactory(staff=current[2], occurred_on=datetime.date(YEAR, 10, 20))
    ViolationFactory(staff=bac[2], occurred_on=datetime.date(YEAR - 1, 12, 30))
    ViolationFactory(staff=bac[2], occurred_on=datetime.date(YEAR, 8, 5))

    # Feedback: praise in March (5/5), a hotline complaint in November (2/5, closed a month later: late), a mailbox
    # case in December (4/5) and a kiosk vote in November (5/5); one case on the dissolved ward in September. The
    # citizens rated the handling of March's case 5 (in March) and of November's 2 (in December).
    def case(unit, day, **fields):
        fields.setdefault("closed_after_days", 3)
        return FeedbackCaseFactory(unit=unit, status=CaseStatus.RESOLVED, text="…", received_at=local_at(day),
                                   due_on=day + datetime.timedelta(days=14), public_reply="Đã tiếp thu.", **fields)

    case(thanh_xuan_bac, datetime.date(YEAR, 3, 5), kind=FeedbackKind.PRAISE, satisfaction=5, handling_rating=5,
         handling_rated_at=local_at(datetime.date(YEAR, 3, 20)))
    case(phuong_thanh_xuan, datetime.date(YEAR, 11, 3), kind=FeedbackKind.ATTITUDE, channel=Channel.HOTLINE,
         satisfaction=2, closed_after_days=30, handling_rating=2, handling_rated_at=local_at(datetime.date(YEAR, 12, 10)))
    case(phuong_thanh_xuan, datetime.date(YEAR, 12, 2), kind=FeedbackKind.DELAY, channel=Channel.MAILBOX, satisfaction=4)
    case(thanh_xuan_bac, datetime.date(YEAR, 9, 10), kind=FeedbackKind.ATTITUDE, satisfaction=1)
    case(phuong_thanh_xuan, datetime.date(YEAR - 1, 12, 20), kind=FeedbackKind.OTHER)
    KioskVoteFactory(unit=phuong_thanh_xuan, score=5, created_at=local_at(datetime.date(YEAR, 11, 15)), device=None)

    # Inspections: a visit to Thanh Xuân Bắc in May (one finding, its action still open), one to Phường Thanh Xuân in
    # October (two findings: one action verified, one open), both now overdue; a surprise visit planned in November.
    leader = make_user("annual.team.leader", Role.INSPECTOR, hanoi)
    team = InspectionTeamFactory(name="Tổ kiểm tra công vụ", owner_unit=hanoi, leader=leader)
    may_visit = InspectionVisitFactory(team=team, unit=thanh_xuan_bac, status=VisitStatus.CLOSED,
                                       scheduled_at=local_at(datetime.date(YEAR, 5, 20)))
    finding = FindingFactory(visit=may_visit, result=record_results(may_visit, failed=1)[0], staff=[bac[3]])
    CorrectiveActionFactory(finding=finding, due_on=datetime.date(YEAR, 6, 15))
    october_visit = InspectionVisitFactory(team=team, unit=phuong_thanh_xuan, status=VisitStatus.CLOSED,
                                           scheduled_at=local_at(datetime.date(YEAR, 10, 14)))
    results = record_results(october_visit, failed=2)
    first = FindingFactory(visit=october_visit, result=results[0], staff=[current[2]])
    second = FindingFactory(visit=october_visit, result=results[1], severity=Severity.SERIOUS)
    CorrectiveActionFactory(finding=first, status=ActionStatus.VERIFIED, due_on=datetime.date(YEAR, 11, 1))
    CorrectiveActionFactory(finding=second, due_on=datetime.date(YEAR, 11, 15))
    InspectionVisitFactory(team=team, unit=phuong_thanh_xuan, kind=VisitKind.SURPRISE, status=VisitStatus.PLANNED,
                           scheduled_at=local_at(datetime.date(YEAR, 11, 20)))

    # Pledges: Quận Thanh Xuân's campaign of January (3 of the 7 staff of the two wards signed) and Phường Thanh
    # Xuân's of August (2 of 3).
    code_version, recorder = shipped_code_version(), UserFactory()

    def campaign(scope, opens_on, closes_on, signers, title):
        made = PledgeCampaignFactory(title=title, year=YEAR, code_version=code_version, scope_unit=scope,
                                     opens_on=opens_on, closes_on=closes_on, target_percent=100)
        for person in signers:
            PledgeFactory(campaign=made, staff=person, method=PledgeMethod.PAPER, signed_on=opens_on,
                          recorded_by=recorder, text_hash="0" * 64)
        return made

    campaign(thanh_xuan, datetime.date(YEAR, 1, 2), datetime.date(YEAR, 1, 31), [bac[0], bac[1], trung[0]],
             "Ký cam kết 2025 — Quận Thanh Xuân")
    campaign(phuong_thanh_xuan, datetime.date(YEAR, 8, 1), datetime.date(YEAR, 8, 31), current[:2],
             "Ký cam kết 2025 — Phường Thanh Xuân")

    # Commendations: Thanh Xuân Bắc's Q1 list (two on it, one removed) and Phường Thanh Xuân's Q4 list (bac[0],
    # moved there, and current[0]) approved; Phường Thanh Xuân's Q3 list still a draft; a Q3 list approved on the
    # dissolved Thanh Xuân Bắc.
    approver = UserFactory(full_name="Trần Văn Duyệt")

    def commendation_list(unit, quarter, people, *, approved=True, removed=()):
        made = CommendationListFactory(
            unit=unit, year=YEAR, quarter=quarter,
            status=CommendationStatus.APPROVED if approved else CommendationStatus.DRAFT,
            approved_by=approver if approved else None,
            approved_at=local_at(Quarter(YEAR, quarter).last_day + datetime.timedelta(days=10)) if approved else None,
        )
        for rank, person in enumerate(people, start=1):
            CommendationEntryFactory(commendation_list=made, staff=person, staff_unit=unit, rank=rank)
        for person in removed:
            CommendationEntryFactory(commendation_list=made, staff=person, staff_unit=unit, rank=None, included=False,
                                     reason="Có vi phạm trong quý")
        return made

    commendation_list(thanh_xuan_bac, 1, [bac[0], bac[1]], removed=[bac[2]])
    commendation_list(phuong_thanh_xuan, 4, [bac[0], current[0]])
    commendation_list(phuong_thanh_xuan, 3, [current[1]], approved=False)
    commendation_list(thanh_xuan_bac, 3, [bac[3]])
    return {"bac": bac, "trung": trung, "current": current}
