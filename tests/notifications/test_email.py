"""E-mail through a real SMTP server: at once after the commit, in the recipient's language, with links from
PORTAL_BASE_URL and a one-click unsubscribe; never twice for one event, also when the task is retried; preferences
decide between at once, the digest and nothing."""

from __future__ import annotations

from email import message_from_bytes
from email.header import decode_header, make_header

from django.db import transaction
import pytest

from evaluations.choices import VisitKind
from feedback.choices import FeedbackKind
from feedback.notifications import new_cases_notify
from feedback.public.services import feedback_submit
from tests.builders import make_team, plan_visit
from units.notifications.emails import notification_emails_send
from units.notifications.kinds import Delivery, NotificationKind as K
from units.notifications.models import Notification
from units.notifications.services import notification_preferences_set, notify
from units.tasks import notification_emails_send as email_task

pytestmark = pytest.mark.django_db(transaction=True)


def _parsed(envelope):
    message = message_from_bytes(envelope.content)
    subject = str(make_header(decode_header(message["Subject"])))
    body = message.get_payload(decode=True).decode(message.get_content_charset() or "utf-8")
    return message, subject, body


def test_a_complaint_emails_the_wards_officers_after_commit_in_vietnamese(world, smtp, eager_celery):
    case = feedback_submit(unit=world.ward, kind=FeedbackKind.ATTITUDE, text="Thái độ không đúng mực")
    with transaction.atomic():
        new_cases_notify()  # the beat's sweep
        assert smtp.messages == []  # nothing leaves before the commit
    assert sorted(r for m in smtp.messages for r in m.rcpt_tos) == ["head@hanoi.example", "officer@hanoi.example"]
    message, subject, body = _parsed(smtp.to("officer@hanoi.example")[0])
    assert case.tracking_code in subject and "Góp ý mới" in subject
    assert f"https://quytac.hanoi.example/feedback/inbox/{case.pk}/" in body
    assert "https://quytac.hanoi.example/notifications/unsubscribe/" in message["List-Unsubscribe"]
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert Notification.objects.filter(emailed_at__isnull=False).count() == 2


def test_english_for_those_who_chose_it(world, smtp, eager_celery):
    notification_preferences_set(user=world.head, choices={}, language="en")
    feedback_submit(unit=world.ward, kind=FeedbackKind.ATTITUDE, text="Thái độ")
    new_cases_notify()
    _message, subject, body = _parsed(smtp.to("head@hanoi.example")[0])
    assert subject.startswith("[Conduct Portal] New feedback") and "Hello" in body
    _message, subject, _body = _parsed(smtp.to("officer@hanoi.example")[0])
    assert subject.startswith("[Cổng Quy tắc ứng xử]")


def test_a_retried_task_sends_each_email_once(world, smtp):
    smtp.refuse = 1  # the server answers "try again later" to the first message
    notify(kind=K.SHEET_SUBMITTED, unit=world.ward, event_key="sheet-submit:test", recipients=[world.head, world.officer],
           params={"unit": world.ward.name, "period": "Tháng 12/2026"}, url="/ratings/1/")
    with pytest.raises(Exception):  # noqa: B017 - the SMTP refusal, whatever its class
        notification_emails_send(event_key="sheet-submit:test")
    assert len(smtp.messages) == 1  # one went, the refused one is given back
    assert Notification.objects.filter(emailed_at__isnull=True).count() == 1
    email_task.apply(args=["sheet-submit:test"])  # the retry
    email_task.apply(args=["sheet-submit:test"])  # and a redelivered message
    assert sorted(r for m in smtp.messages for r in m.rcpt_tos) == ["head@hanoi.example", "officer@hanoi.example"]


def test_the_same_event_twice_notifies_and_emails_once(world, smtp, eager_celery):
    for _click in range(2):
        notify(kind=K.REPORT_READY, unit=world.ward, event_key="report:1", recipients=[world.head],
               params={"what": "the quarterly report", "period": "Q1/2026", "unit": world.ward.name})
    assert Notification.objects.count() == 1 and len(smtp.messages) == 1
    _message, subject, _body = _parsed(smtp.messages[0])
    assert "báo cáo quý" in subject  # the stored message id, translated for the reader


def test_preferences_choose_digest_or_nothing(world, smtp, eager_celery):
    notification_preferences_set(user=world.officer, choices={K.FEEDBACK_NEW: Delivery.DIGEST})
    notification_preferences_set(user=world.head, choices={K.FEEDBACK_NEW: Delivery.NONE})
    feedback_submit(unit=world.ward, kind=FeedbackKind.DELAY, text="Chậm")
    new_cases_notify()
    assert smtp.messages == []
    assert dict(Notification.objects.values_list("recipient__username", "delivery")) == {
        "n.officer": Delivery.DIGEST, "n.head": Delivery.NONE}
    from units.notifications.emails import notification_digests_send

    assert notification_digests_send() == {"digests": 1, "notifications": 1}
    assert [m.rcpt_tos for m in smtp.messages] == [["officer@hanoi.example"]]
    assert notification_digests_send() == {"digests": 0, "notifications": 0}  # a second run sends nothing


def test_a_planned_surprise_visit_sends_no_email_to_the_inspected_ward(world, smtp, eager_celery):
    team = make_team(actor=world.office, owner_unit=world.city, leader=world.inspector, members=[world.inspector2])
    plan_visit(actor=world.office, team=team, unit=world.ward, kind=VisitKind.SURPRISE, subject="Kiểm tra bí mật")
    from units.notifications.emails import notification_digests_send

    notification_digests_send()
    recipients = {r for m in smtp.messages for r in m.rcpt_tos}
    assert recipients == {"inspector@hanoi.example", "inspector2@hanoi.example"}
    assert not any("Kiểm tra bí mật" in _parsed(m)[2] for m in smtp.messages if "officer@" in " ".join(m.rcpt_tos))


def test_emails_whose_message_was_lost_are_swept_up(world, smtp):
    import datetime

    from django.utils import timezone

    from units.notifications.emails import notification_emails_sweep

    notify(kind=K.VISIT_PLANNED, unit=world.ward, event_key="visit-planned:lost", recipients=[world.officer],
           params={"unit": world.ward.name, "when": "08/12/2026 08:00", "subject": "Kiểm tra định kỳ"})
    assert notification_emails_sweep() == 0  # too fresh: its own task may still be on the way
    later = timezone.now() + datetime.timedelta(minutes=11)
    assert notification_emails_sweep(now=later) == 1
    assert notification_emails_sweep(now=later) == 0
    assert [m.rcpt_tos for m in smtp.messages] == [["officer@hanoi.example"]]
