"""The demo (``make run``): its year of seeded history leaves no red bell and sends no e-mail; then a citizen's
complaint, a submitted sheet and a planned visit each notify the right demo users, in the portal and by e-mail."""

from __future__ import annotations

import datetime
import io

from django.core.management import call_command
from django.utils import timezone
import pytest

from core.dates import month_start
from evaluations.choices import VisitKind
from evaluations.models import InspectionTeam
from evaluations.ratings import services as rating_services
from feedback.choices import FeedbackKind
from feedback.notifications import new_cases_notify
from feedback.public.services import feedback_submit
from tests.builders import lower_to_cap, open_sheet, plan_visit
from units.choices import Structure
from units.models import Unit, User
from units.notifications.kinds import NotificationKind as K
from units.notifications.models import Notification

pytestmark = pytest.mark.django_db


def _told(kind) -> set[str]:
    return set(Notification.objects.filter(kind=kind, read_at__isnull=True).values_list("recipient__username", flat=True))


def test_the_demo_notifies_the_right_people(hanoi, mailoutbox, django_capture_on_commit_callbacks, eager_celery):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", force=True, stdout=io.StringIO())
    mailoutbox.clear()
    assert not Notification.objects.filter(read_at__isnull=True).exists()  # the history is old news
    users = {u.username: u for u in User.objects.filter(username__in=["ward.thanhxuan", "head.thanhxuan", "dept.hanoi", "inspector"])}
    ward = Unit.objects.get(structure=Structure.CURRENT, official_code="00367")

    with django_capture_on_commit_callbacks(execute=True):
        feedback_submit(unit=ward, kind=FeedbackKind.ATTITUDE, text="Cán bộ một cửa trả lời cộc lốc")
        new_cases_notify()  # the beat's sweep
    assert _told(K.FEEDBACK_NEW) == {"ward.thanhxuan", "head.thanhxuan"}
    assert {m.to[0] for m in mailoutbox} == {"ward.thanhxuan@demo.invalid", "head.thanhxuan@demo.invalid"}

    sheet = open_sheet(ward, users["ward.thanhxuan"], month_start(timezone.localdate()))
    lower_to_cap(sheet, users["ward.thanhxuan"])
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        rating_services.rating_sheet_transition(actor=users["ward.thanhxuan"], sheet=sheet, action="submit")
    assert _told(K.SHEET_SUBMITTED) == {"head.thanhxuan"}
    assert [m.to for m in mailoutbox] == [["head.thanhxuan@demo.invalid"]]

    team = InspectionTeam.objects.get(owner_unit=hanoi)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        plan_visit(actor=users["dept.hanoi"], team=team, unit=ward, kind=VisitKind.SCHEDULED, subject="Kiểm tra định kỳ",
                   when=timezone.now() + datetime.timedelta(days=2))
    assert _told(K.VISIT_PLANNED) == {"inspector", "ward.thanhxuan", "head.thanhxuan"}
    assert {m.to[0] for m in mailoutbox} == {"inspector@demo.invalid", "ward.thanhxuan@demo.invalid", "head.thanhxuan@demo.invalid"}
