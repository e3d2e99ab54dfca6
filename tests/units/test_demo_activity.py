"""The demo's year of activity (``seed.demo_activity``): what the reports, dashboards and journeys rely on."""

from collections import Counter, defaultdict
import datetime
from io import StringIO

from django.core.management import call_command
from django.db.models import Count, Q
import pytest

from evaluations.choices import ActionStatus, SheetStatus, VisitStatus
from evaluations.models import CorrectiveAction, InspectionVisit, Rating, RatingSheet, Violation
from feedback.choices import CaseStatus, FeedbackKind
from feedback.models import FeedbackCase, KioskVote
from seed.demo import demo_seed
from units.choices import GRASSROOTS_KINDS

PASSWORD = "demo-password-2026"
TODAY = datetime.date(2026, 11, 30)
MONTHS = [datetime.date(2026, month, 1) for month in range(1, 11)]
Q3 = MONTHS[6:9]


@pytest.fixture
def seeded(hanoi, thanh_xuan):
    summary = demo_seed(password=PASSWORD)
    assert summary.activity is not None
    return summary


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    """The demo describes "January to last month" of the issue's present: 30 November 2026."""
    from django.utils import timezone

    real_now = timezone.now
    shift = datetime.datetime(2026, 11, 30, 10, tzinfo=datetime.UTC) - real_now()
    monkeypatch.setattr(timezone, "now", lambda: real_now() + shift)


def _units(district):
    return [district, *district.children.filter(kind__in=GRASSROOTS_KINDS).order_by("official_code")]


def test_every_unit_is_rated_january_to_october(seeded, thanh_xuan, thanh_xuan_bac):
    units = _units(thanh_xuan)
    sheets = defaultdict(dict)
    for sheet in RatingSheet.objects.filter(unit__in=units):
        sheets[sheet.unit_id][sheet.month] = sheet
    for unit in units:
        expected = MONTHS[:-1] if unit == thanh_xuan_bac else MONTHS  # its October is the ward officer's
        assert sorted(sheets[unit.pk]) == expected, unit
        for month, sheet in sheets[unit.pk].items():
            wanted = SheetStatus.APPROVED if month == MONTHS[-1] else SheetStatus.LOCKED
            assert sheet.status == wanted, (unit, month)
            assert sheet.approved_at.date() < TODAY and sheet.created_at.month == month.month
    assert not RatingSheet.objects.filter(month__gte=datetime.date(2026, 11, 1)).exists()
    assert not RatingSheet.objects.filter(unit=thanh_xuan_bac, month=MONTHS[-1]).exists()


def test_grades_look_like_a_real_year(seeded, thanh_xuan):
    per_sheet = (
        Rating.objects.within(thanh_xuan)
        .values("sheet").annotate(rows=Count("pk"), a=Count("pk", filter=Q(grade="A")))
    )
    for row in per_sheet:
        assert 100 * row["a"] <= 30 * row["rows"], row  # the scheme's cap on A
    grades = Counter(Rating.objects.values_list("grade", flat=True))
    total = sum(grades.values())
    assert grades["B"] > total / 2 and 0.1 * total < grades["A"] <= 0.3 * total
    assert 0 < grades["D"] < grades["C"] < 0.08 * total
    assert not Rating.objects.filter(grade__in=("C", "D"), remark="").exists()  # a remark below B
    for sheet in RatingSheet.objects.within(thanh_xuan):
        assert sheet.ratings.count() == sheet.unit.staff.count()
    # The audit trail: every sheet's steps and every row's creation, by a named user, on the day it happened.
    assert Rating.history.count() == Rating.objects.count()
    assert not Rating.history.filter(history_user__isnull=True).exists()
    locked = RatingSheet.history.filter(status=SheetStatus.LOCKED, month=datetime.date(2026, 3, 1))
    assert locked.count() == 10 and {h.history_date.date() for h in locked} == {datetime.date(2026, 4, 12)}


def test_violations_cap_the_grade_and_one_falls_in_q3(seeded, thanh_xuan):
    violations = list(Violation.objects.within(thanh_xuan))
    assert 5 <= len(violations) <= 10
    assert len({v.occurred_on.month for v in violations}) >= 5
    assert sum(v.occurred_on.replace(day=1) in Q3 for v in violations) >= 2  # supervisor, inspection, complaint
    for violation in violations:
        rating = Rating.objects.get(staff=violation.staff, sheet__month=violation.occurred_on.replace(day=1))
        assert rating.grade != "A" and violation.description in rating.remark
    assert {v.source for v in violations} == {"supervisor", "inspection", "citizen_feedback"}


def test_feedback_spreads_over_the_year(seeded, thanh_xuan, thanh_xuan_bac):
    cases = FeedbackCase.objects.within(thanh_xuan)
    months = {(c.received_at.year, c.received_at.month) for c in cases}
    assert len(months) >= 10 and cases.count() >= 80
    assert not cases.filter(unit=thanh_xuan_bac).exists()  # the feedback journey starts from an empty inbox
    assert not KioskVote.objects.filter(unit=thanh_xuan_bac).exists()
    assert len({c.channel for c in cases}) == 5 and cases.filter(satisfaction__isnull=False).count() >= 30
    closed = cases.filter(status=CaseStatus.RESOLVED)
    on_time = [c for c in closed if c.closed_at.date() <= c.due_on]
    assert len(on_time) > len(closed) / 2 and len(on_time) < len(closed)  # some late
    overdue = cases.filter(status__in=(CaseStatus.NEW, CaseStatus.IN_PROGRESS), due_on__lt=TODAY)
    assert 1 <= overdue.count() <= 15
    complaint = cases.get(substantiated=True)
    assert complaint.kind != FeedbackKind.PRAISE and complaint.violation.staff == complaint.staff
    praised = cases.filter(kind=FeedbackKind.PRAISE, staff__isnull=False)
    assert praised.count() >= 5 and all(c.staff.full_name in c.text for c in praised)
    assert KioskVote.objects.within(thanh_xuan).count() > 300
    assert FeedbackCase.history.filter(history_date__date__lt=datetime.date(2026, 6, 1)).exists()


def test_the_q3_inspection_is_closed_with_an_overdue_action(seeded, thanh_xuan_trung):
    visit = InspectionVisit.objects.get()
    assert visit.unit == thanh_xuan_trung and visit.status == VisitStatus.CLOSED
    assert visit.scheduled_at.date() == datetime.date(2026, 8, 20) and visit.closed_at.date() == visit.scheduled_at.date()
    named = visit.findings.exclude(staff=None).get()
    assert Violation.objects.get(finding=named).occurred_on == datetime.date(2026, 8, 20)
    actions = {a.status: a for a in CorrectiveAction.objects.filter(finding__visit=visit)}
    assert set(actions) == {ActionStatus.VERIFIED, ActionStatus.OPEN}
    assert actions[ActionStatus.OPEN].due_on < TODAY and actions[ActionStatus.OPEN].is_overdue
    assert actions[ActionStatus.VERIFIED].verified_at.date() < actions[ActionStatus.OPEN].due_on


def test_most_wards_have_someone_to_commend_for_q3(seeded, thanh_xuan):
    """The default rule, by plain queries: A in July, August and September, no violation in the quarter, no
    substantiated complaint."""
    all_a = (
        Rating.objects.within(thanh_xuan).filter(sheet__month__in=Q3, grade="A")
        .values("staff").annotate(months=Count("pk")).filter(months=3).values_list("staff", flat=True)
    )
    excluded = set(Violation.objects.filter(occurred_on__gte=Q3[0], occurred_on__lt=datetime.date(2026, 10, 1)).values_list("staff", flat=True))
    excluded |= set(FeedbackCase.objects.filter(substantiated=True).exclude(kind=FeedbackKind.PRAISE).values_list("staff", flat=True))
    commendable = Counter(
        Rating.objects.filter(staff__in=set(all_a) - excluded, sheet__month=Q3[0]).values_list("sheet__unit__name", flat=True)
    )
    wards = _units(thanh_xuan)[1:]
    assert sum(1 for ward in wards if commendable[ward.name]) >= len(wards) - 1, commendable
    praised = set(FeedbackCase.objects.filter(kind=FeedbackKind.PRAISE, received_at__month__in=(7, 8, 9)).values_list("staff", flat=True))
    assert praised & (set(all_a) - excluded)  # the ranking's second key has something to rank by


def test_second_run_creates_and_changes_nothing(seeded, settings):
    counts = lambda: [m.objects.count() for m in (RatingSheet, Rating, Violation, FeedbackCase, KioskVote, InspectionVisit)]  # noqa: E731
    before, history = counts(), Rating.history.count()

    again = demo_seed(password=PASSWORD)

    assert again.activity is None and not again.created_anything
    assert counts() == before and Rating.history.count() == history
    settings.DEBUG = True
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "already in place" in out.getvalue() and counts() == before


def test_seed_demo_reports_the_activity(hanoi, settings):
    settings.DEBUG = True
    out = StringIO()
    call_command("seed_demo", stdout=out)
    text = out.getvalue()
    assert "Activity 01/2026–10/2026: 99 rating sheets" in text and "1 inspection visit" in text
    assert "Inspection team “Đoàn kiểm tra công vụ số 1”" in text
