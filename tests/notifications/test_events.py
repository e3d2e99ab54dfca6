"""Each event reaches exactly the people whose role and scope make it their business, and nobody outside the
scope: the ward's officers of a new complaint, the approvers of a submitted sheet, the team of a planned visit…"""

from __future__ import annotations

import datetime

from django.utils import timezone
import pytest

from core.choices import JobStatus
from core.dates import month_start
from core.quarters import Quarter
from evaluations.choices import VisitKind
from evaluations.inspections import services as inspection_services
from evaluations.notifications import actions_due_notify, sheet_reminders_send
from evaluations.ratings import services as rating_services
from feedback import notifications as feedback_notifications
from feedback.choices import CaseStatus, Channel, FeedbackKind
from feedback.citizen.services import case_reopen
from feedback.models import FeedbackCase
from feedback.public.services import feedback_submit, tracking_code_new
from feedback.staff.services import feedback_assign, feedback_record
from pledges.models import Pledge
from pledges.reminders import pledge_reminders_send
from reports import notifications as report_notifications
from reports.commendations.figures import commendation_list_generate
from reports.models import QuarterlyReport
from tests.builders import lower_to_cap, make_campaign, make_team, open_sheet, plan_visit, sign
from tests.factories import FeedbackCaseFactory, FindingFactory, StaffFactory, UserFactory
from units.notifications.kinds import NotificationKind as K
from units.notifications.models import Notification

pytestmark = pytest.mark.django_db


def told(kind) -> set[str]:
    """Usernames (without the "n." prefix) told of ``kind``."""
    return {name.removeprefix("n.") for name in Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True)}


# --- Feedback -------------------------------------------------------------------------------------------------


def test_a_citizens_complaint_tells_the_wards_officers_and_nobody_else(world):
    case = feedback_submit(unit=world.ward, kind=FeedbackKind.ATTITUDE, text="Cán bộ một cửa không chào hỏi")
    assert told(K.FEEDBACK_NEW) == set()  # the citizen's request only stores the case
    assert feedback_notifications.new_cases_notify() == 1  # the sweep, a minute later
    assert told(K.FEEDBACK_NEW) == {"officer", "head"}
    note = Notification.objects.get(recipient=world.officer)
    assert note.url == f"/feedback/inbox/{case.pk}/" and note.unit == world.ward and note.object_id == case.pk
    assert case.tracking_code in note.title and world.ward.name in note.title


def test_a_complaint_about_a_ward_without_officers_tells_the_office_above(world):
    feedback_submit(unit=world.sibling, kind=FeedbackKind.DELAY, text="Chậm trả hồ sơ")
    feedback_notifications.new_cases_notify()
    assert told(K.FEEDBACK_NEW) == {"sibling_officer"}
    world.sibling.role_assignments.all().delete()
    feedback_submit(unit=world.sibling, kind=FeedbackKind.DELAY, text="Chậm trả hồ sơ lần hai")
    feedback_notifications.new_cases_notify()
    assert Notification.objects.filter(kind=K.FEEDBACK_NEW, recipient=world.office).count() == 1


def test_a_double_submitted_form_tells_once(world):
    for _attempt in range(2):
        feedback_submit(unit=world.ward, kind=FeedbackKind.OTHER, text="Góp ý", submission_token="tok-1")
        feedback_notifications.new_cases_notify()
    assert Notification.objects.filter(kind=K.FEEDBACK_NEW, recipient=world.officer).count() == 1


def test_a_case_recorded_by_staff_tells_the_others_not_the_recorder(world):
    feedback_record(actor=world.officer, unit=world.ward, channel=Channel.HOTLINE, kind=FeedbackKind.ATTITUDE,
                    text="Gọi đường dây nóng", received_at=timezone.now())
    assert told(K.FEEDBACK_NEW) == {"head"}  # at once: a case staff record is told with its recording
    assert feedback_notifications.new_cases_notify() == 0 and told(K.FEEDBACK_NEW) == {"head"}


def test_the_sweep_tells_each_new_case_once_in_batches(world):
    """Cases stored while no sweep ran (a worker down for a while) are all told when it runs again, each once."""
    cases = [feedback_submit(unit=world.ward, kind=FeedbackKind.OTHER, text=f"Góp ý {i}") for i in range(5)]
    assert feedback_notifications.new_cases_notify(batch=2) == 5
    assert Notification.objects.filter(kind=K.FEEDBACK_NEW, recipient=world.officer).count() == 5
    assert not FeedbackCase.objects.filter(pk__in=[c.pk for c in cases], officers_told_at__isnull=True).exists()
    assert feedback_notifications.new_cases_notify() == 0
    assert Notification.objects.filter(kind=K.FEEDBACK_NEW).count() == 10  # the officer and the head, once each


def test_assigning_a_case_tells_the_assignee_once(world):
    case = FeedbackCaseFactory(unit=world.ward)
    feedback_assign(actor=world.head, case=case, assignee=world.officer)
    feedback_assign(actor=world.head, case=case, assignee=world.officer)  # a double click
    assert told(K.FEEDBACK_ASSIGNED) == {"officer"}
    assert Notification.objects.filter(kind=K.FEEDBACK_ASSIGNED).count() == 1


def test_due_soon_and_overdue_cases_are_told_once_per_due_date(world):
    today = datetime.date(2026, 12, 7)  # a Monday
    soon = FeedbackCaseFactory(unit=world.ward, due_on=datetime.date(2026, 12, 9))
    late = FeedbackCaseFactory(unit=world.ward, due_on=datetime.date(2026, 12, 1), assigned_to=world.officer)
    FeedbackCaseFactory(unit=world.ward, due_on=datetime.date(2026, 12, 10))  # three working days: not yet
    assert feedback_notifications.feedback_due_notify(today=today) == {"due_soon": 1, "overdue": 1}
    feedback_notifications.feedback_due_notify(today=today + datetime.timedelta(days=1))  # the next day's scan
    assert told(K.FEEDBACK_DUE_SOON) == {"officer", "head"}
    assert told(K.FEEDBACK_OVERDUE) == {"officer"}  # the assignee only
    assert Notification.objects.filter(kind=K.FEEDBACK_DUE_SOON, object_id=soon.pk).count() == 2
    assert Notification.objects.filter(kind=K.FEEDBACK_OVERDUE, object_id=late.pk).count() == 1


def test_a_case_reopened_by_the_citizen_tells_its_assignee_and_triagers(world):
    case = FeedbackCaseFactory(
        unit=world.ward, assigned_to=world.officer, tracking_code=tracking_code_new(), status=CaseStatus.RESOLVED,
        public_reply="Đã xử lý.",
        closed_at=timezone.now(),
    )
    case_reopen(tracking_code=case.tracking_code, reason="Vẫn chưa được giải quyết")
    assert told(K.FEEDBACK_REOPENED) == {"officer", "head"}
    feedback_notifications.case_reopened(FeedbackCase.objects.get(pk=case.pk))  # a retried call tells no one twice
    assert Notification.objects.filter(kind=K.FEEDBACK_REOPENED).count() == 2


# --- Ratings --------------------------------------------------------------------------------------------------


@pytest.fixture
def sheet(world):
    for name in ("Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung"):
        StaffFactory(unit=world.ward, full_name=name)
    sheet = open_sheet(world.ward, world.officer, month_start(timezone.localdate()))
    lower_to_cap(sheet, world.officer)
    return sheet


def test_a_submitted_sheet_tells_its_approver_then_the_approval_tells_the_submitter(world, sheet):
    sheet = rating_services.rating_sheet_transition(actor=world.officer, sheet=sheet, action="submit")
    assert told(K.SHEET_SUBMITTED) == {"head"}  # the ward's head; not the city above, not the sibling ward
    rating_services.rating_sheet_transition(actor=world.head, sheet=sheet, action="approve")
    assert told(K.SHEET_APPROVED) == {"officer"}


def test_a_sheet_returned_or_reopened_by_the_level_above_tells_the_ward(world, sheet):
    sheet = rating_services.rating_sheet_transition(actor=world.officer, sheet=sheet, action="submit")
    sheet = rating_services.rating_sheet_transition(actor=world.head, sheet=sheet, action="return", reason="Sai điểm")
    assert told(K.SHEET_RETURNED) == {"officer"}
    assert "Sai điểm" in Notification.objects.get(kind=K.SHEET_RETURNED).title
    sheet = rating_services.rating_sheet_transition(actor=world.officer, sheet=sheet, action="submit")
    sheet = rating_services.rating_sheet_transition(actor=world.head, sheet=sheet, action="approve")
    rating_services.rating_sheet_transition(actor=world.office, sheet=sheet, action="reopen", reason="Thiếu nhận xét")
    assert told(K.SHEET_REOPENED) == {"officer", "head"}
    assert told(K.SHEET_SUBMITTED) == {"head"} and Notification.objects.filter(kind=K.SHEET_SUBMITTED).count() == 2


def test_a_cap_exception_tells_the_ward(world, sheet):
    rating_services.cap_exception_decide(actor=world.office, unit=world.ward, month=sheet.month, reason="Đơn vị tiêu biểu")
    assert told(K.CAP_EXCEPTION) == {"officer", "head"}


def test_the_monthly_reminder_reaches_the_officers_of_wards_with_staff_once(world, settings):
    settings.RATING_REMINDER_DAY, settings.RATING_DUE_DAY = 20, 5
    StaffFactory(unit=world.ward)
    today = timezone.localdate().replace(day=25)
    sheet_reminders_send(today=today)
    sheet_reminders_send(today=today + datetime.timedelta(days=1))
    assert told(K.SHEET_REMINDER) == {"officer", "head"}  # the sibling ward has no staff to rate
    assert Notification.objects.filter(kind=K.SHEET_REMINDER).count() == 2
    assert sheet_reminders_send(today=today.replace(day=19)) == 0  # before the day: nothing


# --- Pledges --------------------------------------------------------------------------------------------------


def test_each_unsigned_staff_member_with_an_account_is_reminded_themselves(world, settings):
    settings.PLEDGE_REMINDER_AFTER_DAYS = 7
    today = timezone.localdate()
    unsigned = StaffFactory(unit=world.ward, full_name="Hoàng Văn Em")
    signed = StaffFactory(unit=world.ward, full_name="Vũ Thị Giang")
    StaffFactory(unit=world.ward, full_name="Đỗ Văn Hải")  # no account: the officers' reminder covers them
    em = UserFactory(username="n.em", staff_member=unsigned, email="em@hanoi.example")
    giang = UserFactory(username="n.giang", staff_member=signed, email="giang@hanoi.example")
    campaign = make_campaign(actor=world.office, scope_unit=world.city, opens_on=today - datetime.timedelta(days=10),
                             closes_on=today + datetime.timedelta(days=30), year=today.year)
    sign(campaign, signed, world.officer)
    assert Pledge.objects.filter(staff=signed).exists()
    pledge_reminders_send(today=today)
    pledge_reminders_send(today=today)  # the hourly run again
    assert told(K.PLEDGE_UNSIGNED) == {"em"}
    note = Notification.objects.get(kind=K.PLEDGE_UNSIGNED)
    assert note.recipient == em and note.url == f"/pledges/{campaign.pk}/sign/" and giang.notifications.count() == 0


# --- Inspections ----------------------------------------------------------------------------------------------


@pytest.fixture
def team(world):
    return make_team(actor=world.office, owner_unit=world.city, leader=world.inspector, members=[world.inspector2])


def test_a_scheduled_visit_tells_the_team_and_the_inspected_ward(world, team):
    plan_visit(actor=world.office, team=team, unit=world.ward, kind=VisitKind.SCHEDULED, subject="Kiểm tra định kỳ",
               when=timezone.now() + datetime.timedelta(days=3))
    assert told(K.VISIT_PLANNED) == {"inspector", "inspector2", "officer", "head"}


def test_a_surprise_visit_is_told_to_the_team_only_until_it_starts(world, team, mailoutbox):
    visit = plan_visit(actor=world.office, team=team, unit=world.ward, kind=VisitKind.SURPRISE, subject="Đột xuất")
    assert told(K.VISIT_PLANNED) == {"inspector", "inspector2"}
    ward_people = [world.officer, world.head]
    assert not Notification.objects.filter(recipient__in=ward_people).exists()
    assert "Đột xuất" not in " ".join(m.body + m.subject for m in mailoutbox)
    inspection_services.visit_start(actor=world.inspector, visit=visit)
    assert told(K.VISIT_STARTED) == {"officer", "head"}


def test_a_changed_surprise_visit_stays_secret_until_it_starts(world, team):
    from evaluations.notifications import visit_changed

    visit = plan_visit(actor=world.office, team=team, unit=world.ward, kind=VisitKind.SURPRISE, subject="Đột xuất",
                       when=timezone.now() + datetime.timedelta(days=1))
    visit_changed(visit, actor=world.office, change="2026-12-09T08:00")
    assert not Notification.objects.filter(recipient__in=[world.officer, world.head]).exists()
    assert Notification.objects.filter(event_key__startswith="visit-changed:", recipient=world.inspector2).exists()


def test_corrective_actions_tell_the_ward_and_done_ones_the_team(world, team):
    visit = plan_visit(actor=world.office, team=team, unit=world.ward, kind=VisitKind.SCHEDULED)
    visit = inspection_services.visit_start(actor=world.inspector, visit=visit)
    finding = FindingFactory(visit=visit, result=visit.results.first())
    action = inspection_services.action_create(actor=world.inspector, finding=finding, description="Đeo thẻ công chức",
                                               owner_unit=world.ward, due_on=timezone.localdate())
    assert told(K.ACTION_ASSIGNED) == {"officer", "head"}
    inspection_services.action_mark_done(actor=world.officer, action=action, evidence="Đã nhắc nhở")
    assert told(K.ACTION_DONE) == {"inspector", "inspector2"}


def test_corrective_actions_falling_due_are_told_once(world, team):
    visit = inspection_services.visit_start(
        actor=world.inspector, visit=plan_visit(actor=world.office, team=team, unit=world.ward, kind=VisitKind.SCHEDULED))
    finding = FindingFactory(visit=visit, result=visit.results.first())
    today = timezone.localdate()
    inspection_services.action_create(actor=world.inspector, finding=finding, description="Niêm yết quy tắc",
                                      owner_unit=world.ward, due_on=today + datetime.timedelta(days=2))
    assert actions_due_notify(today=today) == {"due_soon": 1, "overdue": 0}
    assert actions_due_notify(today=today + datetime.timedelta(days=5)) == {"due_soon": 0, "overdue": 1}
    actions_due_notify(today=today + datetime.timedelta(days=6))
    assert told(K.ACTION_DUE_SOON) == told(K.ACTION_OVERDUE) == {"officer", "head"}
    assert Notification.objects.filter(kind=K.ACTION_OVERDUE).count() == 2


# --- Reports --------------------------------------------------------------------------------------------------


def test_a_finished_report_tells_who_asked_for_it(world):
    report = QuarterlyReport.objects.create(unit=world.ward, year=2026, quarter=1, requested_by=world.head,
                                            status=JobStatus.SUCCESS, finished_at=timezone.now())
    report_notifications.job_finished(report)
    report_notifications.job_finished(report)  # a redelivered message
    assert told(K.REPORT_READY) == {"head"} and Notification.objects.filter(kind=K.REPORT_READY).count() == 1
    scheduled = QuarterlyReport.objects.create(unit=world.ward, year=2026, quarter=2, status=JobStatus.FAILED,
                                               finished_at=timezone.now())
    assert report_notifications.job_finished(scheduled) == 0  # built on schedule: nobody asked


def test_a_new_commendation_list_awaits_the_approval_of_the_office_above(world):
    last_quarter = Quarter.last_finished()
    commendation_list_generate(unit=world.ward, period=last_quarter, actor=None)
    commendation_list_generate(unit=world.ward, period=last_quarter, actor=None)  # refreshed: not again
    assert told(K.COMMENDATION_AWAITING) == {"office", "admin"}
    assert Notification.objects.filter(kind=K.COMMENDATION_AWAITING).count() == 2
