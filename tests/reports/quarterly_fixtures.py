"""Data for the quarterly report tests, made straight in the database for a past quarter (Q2 2025, when Quận
Thanh Xuân and its legacy wards were in force): staff rated on submitted, approved and draft sheets, violations,
a pledge campaign with some pledges, feedback cases of several kinds and channels with satisfaction, kiosk
votes, inspection visits (one that took place with findings and corrective actions, one surprise visit still
planned), so that every section of the report has figures to compare with the database.
"""

import datetime
from decimal import Decimal
import importlib
import itertools

from django.apps import apps as django_apps
from django.utils import timezone
import pytest

from core.quarters import Quarter
from evaluations.choices import ActionStatus, Severity, SheetStatus, ViolationSource, VisitKind, VisitStatus
from evaluations.models import Rating, RatingSheet, ScoringScheme, Violation
from feedback.choices import CaseStatus, Channel, FeedbackKind
from feedback.models import FeedbackCase, KioskVote
from pledges.choices import PledgeMethod
from pledges.models import Article, CodeVersion, Pledge, PledgeCampaign
from tests.evaluations.inspection_fixtures import make_action, make_finding, make_visit, record_results
from tests.factories import StaffFactory, UserFactory
from units.choices import Structure
from units.models import Unit

QUARTER = Quarter(2025, 2)
POINTS = {"A": Decimal(95), "B": Decimal(80), "C": Decimal(60), "D": Decimal(40)}
_codes = itertools.count(1)


def local(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=timezone.get_current_timezone())


def code_version():
    if not CodeVersion.objects.filter(code__slug="qd-522-2017").exists():
        importlib.import_module("pledges.migrations.0002_hanoi_codes").add_hanoi_codes(django_apps, None)
    return CodeVersion.objects.get(code__slug="qd-522-2017", status="published")


def rate_ward(ward, grades_by_month: list[str], *, status=SheetStatus.APPROVED, quarter: Quarter = QUARTER, staff=None):
    """A sheet per month for ``ward`` with one rating per letter (``"AABC"``); staff are made when not given."""
    staff = staff or StaffFactory.create_batch(max(len(g) for g in grades_by_month), unit=ward)
    scheme = ScoringScheme.objects.order_by("effective_from").first()
    for month, grades in zip(quarter.months, grades_by_month, strict=True):
        if not grades:
            continue
        sheet = RatingSheet.objects.create(unit=ward, month=month, scheme=scheme, status=status)
        Rating.objects.bulk_create(
            Rating(sheet=sheet, staff=person, total=POINTS[grade], grade=grade, grade_by_points=grade)
            for person, grade in zip(staff, grades, strict=False)
        )
    return staff


def record_violation(staff, day, *, severity=Severity.MINOR, article=None):
    article = article or Article.objects.filter(chapter__version__code__slug="qd-522-2017").order_by("number").first()
    return Violation.objects.create(
        staff=staff, unit=staff.unit, occurred_on=day, article=article, severity=severity,
        source=ViolationSource.SUPERVISOR, description="Đi muộn", recorded_by=UserFactory(),
    )


def feedback(unit, day, *, kind=FeedbackKind.ATTITUDE, channel=Channel.WEB, satisfaction=None,
             status=CaseStatus.RESOLVED, closed_after_days=3, due_after_days=14):
    received = local(day)
    return FeedbackCase.objects.create(
        unit=unit, kind=kind, channel=channel, satisfaction=satisfaction, status=status,
        tracking_code=f"QR{next(_codes):08d}", text="…", received_at=received, public_reply="Đã tiếp thu.",
        due_on=day + datetime.timedelta(days=due_after_days),
        closed_at=received + datetime.timedelta(days=closed_after_days) if status in (CaseStatus.RESOLVED, CaseStatus.REJECTED) else None,
    )


@pytest.fixture
def quarter() -> Quarter:
    return QUARTER


@pytest.fixture
def report_data(hanoi, thanh_xuan, thanh_xuan_bac, thanh_xuan_trung):
    """Figures in two wards of Quận Thanh Xuân for Q2 2025 (see the module docstring); returns the staff."""
    april, may, june = QUARTER.months
    bac = rate_ward(thanh_xuan_bac, ["AABC", "ABBD", "AAAB"])
    trung = rate_ward(thanh_xuan_trung, ["BBC", "BB", ""], status=SheetStatus.SUBMITTED)
    # A draft sheet is still at full marks: it must not count.
    draft_ward = Unit.objects.get(structure=Structure.LEGACY, official_code="00352")  # Phường Nhân Chính
    rate_ward(draft_ward, ["", "", "AAAAA"], status=SheetStatus.DRAFT)
    # Violations: two in the quarter, one before it (not counted).
    record_violation(bac[3], may + datetime.timedelta(days=3), severity=Severity.SERIOUS)
    record_violation(trung[2], june + datetime.timedelta(days=10))
    record_violation(trung[2], datetime.date(2025, 3, 30))
    # Pledges: a district campaign of 2025, 3 of 7 staff signed.
    campaign = PledgeCampaign.objects.create(
        title="Ký cam kết 2025", year=2025, code_version=code_version(), scope_unit=thanh_xuan,
        opens_on=datetime.date(2025, 1, 2), closes_on=datetime.date(2025, 1, 31), target_percent=100,
    )
    recorder = UserFactory()
    for person in [bac[0], bac[1], trung[0]]:
        Pledge.objects.create(campaign=campaign, staff=person, unit=person.unit, method=PledgeMethod.PAPER,
                              signed_on=datetime.date(2025, 1, 10), recorded_by=recorder, text_hash="0" * 64)
    # Feedback: 5 cases in the quarter (kinds, channels, satisfaction), one before it.
    feedback(thanh_xuan_bac, april + datetime.timedelta(days=4), kind=FeedbackKind.PRAISE, satisfaction=5)
    feedback(thanh_xuan_bac, may + datetime.timedelta(days=1), kind=FeedbackKind.ATTITUDE, channel=Channel.HOTLINE,
             satisfaction=2, closed_after_days=30)  # closed late
    feedback(thanh_xuan_bac, june + datetime.timedelta(days=2), kind=FeedbackKind.DELAY, channel=Channel.MAILBOX,
             satisfaction=4)
    feedback(thanh_xuan_trung, june + datetime.timedelta(days=5), kind=FeedbackKind.PRAISE, channel=Channel.SURVEY_SLIP,
             satisfaction=5)
    feedback(thanh_xuan_trung, may + datetime.timedelta(days=8), kind=FeedbackKind.OTHER, channel=Channel.COMMENT_BOOK)
    feedback(thanh_xuan_trung, datetime.date(2025, 3, 20), kind=FeedbackKind.HARASSMENT)
    KioskVote.objects.create(unit=thanh_xuan_bac, score=1, created_at=local(may + datetime.timedelta(days=2)))
    # Inspections: a scheduled visit made in May (2 findings, one action done, one open and overdue),
    # and a surprise visit planned in June that has not started: never counted.
    from evaluations.models import InspectionTeam
    from tests.conftest import make_user
    from units.choices import Role

    leader = make_user("report.team.leader", Role.INSPECTOR, thanh_xuan)
    team = InspectionTeam.objects.create(name="Tổ kiểm tra số 2", owner_unit=thanh_xuan, leader=leader)
    visit = make_visit(team=team, unit=thanh_xuan_bac, status=VisitStatus.CLOSED, when=local(may + datetime.timedelta(days=14)))
    results = record_results(visit, failed=2)
    first, second = make_finding(visit, results[0], staff=[bac[3]]), make_finding(visit, results[1], severity=Severity.SERIOUS)
    make_action(first, status=ActionStatus.VERIFIED, due_on=datetime.date(2025, 6, 1))
    make_action(second, status=ActionStatus.OPEN, due_on=datetime.date(2025, 6, 15))
    make_visit(team=team, unit=thanh_xuan_trung, kind=VisitKind.SURPRISE, status=VisitStatus.PLANNED,
               when=local(june + datetime.timedelta(days=20)))
    return {"bac": bac, "trung": trung, "campaign": campaign}
