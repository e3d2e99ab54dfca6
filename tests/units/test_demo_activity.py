"""The demo's activity (``seed.demo_activity``): today's wards since July 2025, the former district's first half of
2025, and what the reports, dashboards and journeys rely on."""

from collections import Counter, defaultdict
import datetime
from io import StringIO
import re

from django.core.management import call_command
from django.db.models import Count, Q
import pytest

from evaluations.choices import ActionStatus, SheetStatus, VisitStatus
from evaluations.models import CorrectiveAction, InspectionVisit, Rating, RatingSheet, Violation
from feedback.choices import CaseStatus, Channel, FeedbackKind
from feedback.models import FeedbackCase, KioskVote
from seed.demo import demo_seed
from units.choices import GRASSROOTS_KINDS, Structure
from units.models import Unit, User

PASSWORD = "demo-password-2026"
TODAY = datetime.date(2026, 11, 30)
MONTHS = [datetime.date(2026, month, 1) for month in range(1, 11)]
SINCE_REFORM = [datetime.date(2025, month, 1) for month in range(7, 13)] + MONTHS
HISTORY = [datetime.date(2025, month, 1) for month in range(1, 7)]
Q3 = MONTHS[6:9]


@pytest.fixture
def seeded(hanoi, thanh_xuan):
    summary = demo_seed(password=PASSWORD)
    assert summary.activity and summary.history
    return summary


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    """The demo describes "up to last month" of the issue's present: 30 November 2026."""
    from django.utils import timezone

    real_now = timezone.now
    shift = datetime.datetime(2026, 11, 30, 10, tzinfo=datetime.UTC) - real_now()
    monkeypatch.setattr(timezone, "now", lambda: real_now() + shift)


def _units(district):
    return [district, *district.children.filter(kind__in=GRASSROOTS_KINDS).order_by("official_code")]


def _today_wards():
    return list(Unit.objects.filter(structure=Structure.CURRENT, official_code__in=("00367", "00364", "00352")))


def test_todays_wards_are_rated_every_month_since_the_reform(seeded, phuong_thanh_xuan):
    sheets = defaultdict(dict)
    for sheet in RatingSheet.objects.filter(unit__in=_today_wards()):
        sheets[sheet.unit_id][sheet.month] = sheet
    for unit in _today_wards():
        assert sorted(sheets[unit.pk]) == SINCE_REFORM, unit
        for month, sheet in sheets[unit.pk].items():
            wanted = SheetStatus.APPROVED if month == MONTHS[-1] else SheetStatus.LOCKED
            assert sheet.status == wanted, (unit, month)
            assert sheet.approved_at.date() < TODAY and sheet.created_at.month == month.month
    assert not RatingSheet.objects.filter(month__gte=datetime.date(2026, 11, 1)).exists()  # this month is left open
    # The demo ward officer rated Phường Thanh Xuân and its head approved; the department locked.
    own = RatingSheet.objects.filter(unit=phuong_thanh_xuan, month=MONTHS[0]).get()
    assert (own.submitted_by.username, own.approved_by.username) == ("ward.thanhxuan", "head.thanhxuan")


def test_the_former_units_hold_their_history_until_june_2025(seeded, thanh_xuan):
    former = _units(thanh_xuan)
    months = set(RatingSheet.objects.filter(unit__in=former).values_list("month", flat=True))
    assert months == set(HISTORY)
    assert RatingSheet.objects.filter(unit__in=former).count() == len(former) * len(HISTORY)
    assert set(RatingSheet.objects.filter(unit__in=former).values_list("status", flat=True)) == {SheetStatus.LOCKED}
    cases = FeedbackCase.objects.filter(unit__in=former)
    assert cases.exists() and not cases.filter(received_at__date__gt=datetime.date(2025, 6, 30)).exists()
    assert not cases.filter(channel=Channel.WEB).exists()  # no public form then
    assert not cases.filter(status__in=(CaseStatus.NEW, CaseStatus.IN_PROGRESS)).exists()
    assert not Violation.objects.filter(unit__in=former, occurred_on__gt=datetime.date(2025, 6, 30)).exists()
    # Everyone rated then was rated where they worked then: the ratings stay with the former ward's sheet.
    person = Rating.objects.filter(sheet__unit__official_code="00367", sheet__unit__structure=Structure.LEGACY).first().staff
    assert person.unit.structure == Structure.CURRENT and person.transfers.get().from_unit.official_code == "00367"


def test_grades_look_like_a_real_year(seeded, thanh_xuan):
    per_sheet = (
        Rating.objects.all()
        .values("sheet").annotate(rows=Count("pk"), a=Count("pk", filter=Q(grade="A")))
    )
    for row in per_sheet:
        assert 100 * row["a"] <= 30 * row["rows"], row  # the cap on A (Hanoi's; An Giang's Decree 335 is tighter)
    grades = Counter(Rating.objects.values_list("grade", flat=True))
    total = sum(grades.values())
    assert grades["B"] > total / 2 and 0.1 * total < grades["A"] <= 0.3 * total
    assert 0 < grades["D"] < grades["C"] < 0.08 * total
    assert not Rating.objects.filter(grade__in=("C", "D"), remark="").exists()  # a remark below B
    for sheet in RatingSheet.objects.filter(unit__structure=Structure.CURRENT):
        assert sheet.ratings.count() == sheet.unit.staff.count()
    # The audit trail: every sheet's steps and every row's creation, by a named user, on the day it happened.
    assert Rating.history.count() == Rating.objects.count()
    assert not Rating.history.filter(history_user__isnull=True).exists()
    locked = RatingSheet.history.filter(status=SheetStatus.LOCKED, month=datetime.date(2026, 3, 1))  # 3 wards + Vĩnh Thuận
    assert locked.count() == 4 and {h.history_date.date() for h in locked} == {datetime.date(2026, 4, 12)}


def test_violations_cap_the_grade_and_one_falls_in_q3(seeded, thanh_xuan):
    violations = list(Violation.objects.filter(unit__structure=Structure.CURRENT, occurred_on__year=2026))
    assert 5 <= len(violations) <= 10
    assert len({v.occurred_on.month for v in violations}) >= 5
    assert sum(v.occurred_on.replace(day=1) in Q3 for v in violations) >= 2  # supervisor, inspection, complaint
    for violation in violations:
        rating = Rating.objects.get(staff=violation.staff, sheet__month=violation.occurred_on.replace(day=1))
        assert rating.grade != "A" and violation.description in rating.remark
    assert {v.source for v in violations} == {"supervisor", "inspection", "citizen_feedback"}


def test_feedback_spreads_over_the_year(seeded, phuong_thanh_xuan):
    cases = FeedbackCase.objects.filter(unit__in=_today_wards())
    months = {(c.received_at.year, c.received_at.month) for c in cases}
    assert len(months) >= 16 and cases.count() >= 80
    assert cases.filter(unit=phuong_thanh_xuan).count() >= 20  # the ward officer's inbox has a year's work
    assert len({c.channel for c in cases}) == 5 and cases.filter(satisfaction__isnull=False).count() >= 30
    closed = cases.filter(status=CaseStatus.RESOLVED)
    on_time = [c for c in closed if c.closed_at.date() <= c.due_on]
    assert len(on_time) > len(closed) / 2 and len(on_time) < len(closed)  # some late
    overdue = cases.filter(status__in=(CaseStatus.NEW, CaseStatus.IN_PROGRESS), due_on__lt=TODAY)
    assert 1 <= overdue.count() <= 15
    complaint = cases.get(substantiated=True)
    assert complaint.kind != FeedbackKind.PRAISE and complaint.violation.staff == complaint.staff
    praised = cases.filter(kind=FeedbackKind.PRAISE, staff__isnull=False)
    assert praised.count() >= 3 and all(c.staff.full_name in c.text for c in praised)
    assert KioskVote.objects.filter(unit__in=_today_wards()).count() > 300
    assert not KioskVote.objects.filter(unit__structure=Structure.LEGACY).exists()
    assert FeedbackCase.history.filter(history_date__date__lt=datetime.date(2026, 6, 1)).exists()


def test_the_q3_inspection_is_closed_with_an_overdue_action(seeded, phuong_thanh_xuan, hanoi):
    visit = InspectionVisit.objects.get()
    assert visit.unit == phuong_thanh_xuan and visit.status == VisitStatus.CLOSED
    assert visit.team.owner_unit == hanoi and visit.team.leader.username == "inspector"
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
        Rating.objects.filter(sheet__month__in=Q3, grade="A")
        .values("staff").annotate(months=Count("pk")).filter(months=3).values_list("staff", flat=True)
    )
    excluded = set(Violation.objects.filter(occurred_on__gte=Q3[0], occurred_on__lt=datetime.date(2026, 10, 1)).values_list("staff", flat=True))
    excluded |= set(FeedbackCase.objects.filter(substantiated=True).exclude(kind=FeedbackKind.PRAISE).values_list("staff", flat=True))
    commendable = Counter(
        Rating.objects.filter(staff__in=set(all_a) - excluded, sheet__month=Q3[0]).values_list("sheet__unit__name", flat=True)
    )
    wards = _today_wards()
    assert sum(1 for ward in wards if commendable[ward.name]) >= len(wards) - 1, commendable
    praised = set(FeedbackCase.objects.filter(kind=FeedbackKind.PRAISE, received_at__month__in=(7, 8, 9)).values_list("staff", flat=True))
    assert praised & (set(all_a) - excluded)  # the ranking's second key has something to rank by


def test_the_demo_holds_what_the_years_close_needs(seeded, phuong_thanh_xuan, thanh_xuan):
    """A reprimand decided on the August violation of Phường Thanh Xuân; every ward's quarterly commendation lists
    approved by the department up to the quarter before the last finished one (that one is built with its report);
    and the ward's 2026 classification computed, submitted and approved, from which the year's commendation list
    draws its staff, the reprimanded staff member left out."""
    from core.quarters import Quarter, Year
    from evaluations.annual.selectors import cap_summary
    from evaluations.choices import DisciplineStatus
    from evaluations.models import DisciplinaryDecision
    from reports.choices import CommendationStatus
    from reports.commendations.figures import commendation_entries, commendation_list_generate
    from reports.models import CommendationList
    from tests.builders import compute_annual, move_annual

    decision = DisciplinaryDecision.objects.select_related("violation").get()
    assert decision.violation.unit == phuong_thanh_xuan and decision.violation.occurred_on == datetime.date(2026, 8, 12)
    assert (decision.form, decision.status, decision.decision_date) == ("reprimand", DisciplineStatus.DECIDED,
                                                                        datetime.date(2026, 9, 2))
    assert decision.decision_number and decision.follow_up

    lists = CommendationList.objects.all()
    assert not lists.exclude(status=CommendationStatus.APPROVED).exists()
    assert {(c.year, c.quarter) for c in lists.filter(unit=phuong_thanh_xuan)} == {(2025, 3), (2025, 4), (2026, 1), (2026, 2)}
    assert not lists.filter(year=2026, quarter=3).exists(), "the last finished quarter's list comes with its report"
    former = lists.filter(unit__in=_units(thanh_xuan)[1:])
    assert {(c.year, c.quarter) for c in former} == {(2025, 1), (2025, 2)} and former.count() == 2 * 9
    assert all(c.entries.filter(included=True).exists() for c in lists.filter(unit__in=_today_wards()))

    officer, head, department = (User.objects.get(username=name) for name in ("ward.thanhxuan", "head.thanhxuan", "dept.hanoi"))
    annual_list = compute_annual(phuong_thanh_xuan, officer, 2026)
    rows = list(annual_list.rows.all())
    assert len(rows) == phuong_thanh_xuan.staff.count() and all(row.computed_grade for row in rows)
    assert not cap_summary(annual_list=annual_list, rows=rows).exceeded
    move_annual(annual_list, head, "submit")
    move_annual(annual_list, department, "approve")
    year_list = commendation_list_generate(unit=phuong_thanh_xuan, period=Year(2026), actor=department)
    picked = [entry.staff for entry in commendation_entries(commendation_list=year_list)]
    grades = {row.staff_id: row.final_grade for row in annual_list.rows.all()}
    assert picked and all(grades[staff.pk] == "A" for staff in picked)
    assert decision.violation.staff not in picked
    assert Quarter.last_finished() == Quarter(2026, 3)


def test_second_run_creates_and_changes_nothing(seeded, settings):
    from evaluations.models import DisciplinaryDecision
    from reports.models import CommendationEntry, CommendationList

    models = (RatingSheet, Rating, Violation, FeedbackCase, KioskVote, InspectionVisit, DisciplinaryDecision, CommendationList,
              CommendationEntry)
    counts = lambda: [m.objects.count() for m in models]  # noqa: E731
    before, history = counts(), Rating.history.count()

    again = demo_seed(password=PASSWORD)

    assert again.activity == [] and again.history == [] and not again.created_anything
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
    assert "History 01/2025–06/2025: 60 rating sheets" in text
    assert "Activity 07/2025–10/2026: 48 rating sheets" in text and "1 inspection visit" in text
    assert "12 quarterly commendation lists approved, 1 disciplinary decision" in text
    assert "Inspection team “Đoàn kiểm tra công vụ số 1”" in text
    assert re.search(r"Pledge campaign “Ký cam kết thực hiện Quy tắc ứng xử năm 2026” with \d+ paper pledges", text)


# --- The demo's pages across the reform ------------------------------------------------------------------------


def test_the_city_dashboard_opens_on_todays_wards(seeded, client, hanoi, thanh_xuan, phuong_thanh_xuan):
    client.force_login(User.objects.get(username="dept.hanoi"))
    html = client.get(f"/dashboard/{hanoi.public_code}/").content.decode()
    rows = re.findall(r'<tr data-unit="([^"]+)">', html)
    assert len(rows) == Unit.objects.filter(parent=hanoi, structure=Structure.CURRENT).count()
    assert phuong_thanh_xuan.public_code in rows and thanh_xuan.public_code not in rows
    # The first half of 2025: the former district holding that month, not today's wards.
    html = client.get(f"/dashboard/{hanoi.public_code}/?month=2025-03").content.decode()
    assert re.findall(r'<tr data-unit="([^"]+)">', html) == [thanh_xuan.public_code]
    # September 2025: its 12 months span the reform, each month under the unit that existed then.
    html = client.get(f"/dashboard/{hanoi.public_code}/?month=2025-09").content.decode()
    rows = re.findall(r'<tr data-unit="([^"]+)">', html)
    assert thanh_xuan.public_code in rows and phuong_thanh_xuan.public_code in rows


def test_the_history_view_adds_up_the_wards_phuong_thanh_xuan_was_formed_from(seeded, client, phuong_thanh_xuan):
    client.force_login(User.objects.get(username="ward.thanhxuan"))
    html = client.get(f"/dashboard/{phuong_thanh_xuan.public_code}/history/?from=2025-05&to=2025-08").content.decode()
    rows = dict(re.findall(r'<tr data-month="([^"]+)"[^>]*>(.*?)</tr>', html, re.S))
    assert list(rows) == ["2025-05", "2025-06", "2025-07", "2025-08", "total"]

    def rated(month):
        return int(re.search(r'data-col="rated">(\d+)<', rows[month])[1])

    predecessors = phuong_thanh_xuan.merged_from.all()
    for month, units in (("2025-05", predecessors), ("2025-06", predecessors), ("2025-07", [phuong_thanh_xuan])):
        first = datetime.date(int(month[:4]), int(month[5:]), 1)
        expected = Rating.objects.filter(sheet__unit__in=units, sheet__month=first).count()
        assert rated(month) == expected > 0, month
    # Before July 2025 the former wards of the merge map count (Thượng Đình's staff went to Khương Đình, its
    # figures count here too); the ward's own sheet after.
    assert "Phường Thượng Đình" in rows["2025-06"] and "Phường Thanh Xuân Bắc" in rows["2025-06"]
    assert rated("2025-06") > phuong_thanh_xuan.staff.count()
    assert rated("total") == sum(rated(m) for m in ("2025-05", "2025-06", "2025-07", "2025-08"))
