"""The citizen is told: an e-mail through a real SMTP server (and an SMS through the configured backend) when their
case is answered, resolved, rejected or reopened; each send, retry or failure recorded on the case; never a word of
another case; nothing for an anonymous citizen or one without consent."""

import base64
import io
import urllib.parse

import pytest

from feedback.choices import CaseStatus, CitizenEvent, MessageChannel, MessageStatus, RejectionReason
from feedback.citizen import messages, sms
from feedback.models import CitizenMessage
from feedback.public.services import tracking_code_new
from feedback.staff import services
from feedback.tasks import citizen_message_send
from tests.builders import make_user
from tests.factories import CitizenMessageFactory, FeedbackCaseFactory
from tests.mail import sms_gateway
from units.choices import Role

pytestmark = pytest.mark.django_db

REPLY = "Đơn vị đã làm việc với cán bộ và nhắc nhở thực hiện \"4 xin, 4 luôn\"."


@pytest.fixture
def officer(phuong_thanh_xuan):
    return make_user("officer.ptx", Role.WARD_OFFICER, phuong_thanh_xuan)


def citizen_case(unit, **fields):
    return FeedbackCaseFactory(unit=unit, tracking_code=tracking_code_new(), with_contact=True, **fields)


@pytest.fixture(autouse=True)
def portal_address(settings):
    settings.PORTAL_BASE_URL = "https://quytac.hanoi.example/"
    settings.SMS_BACKEND = "feedback.citizen.sms.ConsoleSmsBackend"


def test_reply_and_resolve_sends_one_vietnamese_email_with_the_unit_the_reply_and_the_link(
    officer, phuong_thanh_xuan, mailbox, eager_celery, django_capture_on_commit_callbacks, capsys
):
    case = citizen_case(phuong_thanh_xuan)
    other = citizen_case(phuong_thanh_xuan, public_reply="Trả lời riêng của một vụ khác", status=CaseStatus.IN_PROGRESS)

    with django_capture_on_commit_callbacks(execute=True):
        services.feedback_reply_and_resolve(actor=officer, case=case, public_reply=REPLY)

    assert len(mailbox.messages) == 1
    mail = mailbox.messages[0]
    assert mail["to"] == [case.contact_email]
    assert case.tracking_code in mail["subject"] and "Phường Thanh Xuân" in mail["subject"]
    assert "đã được giải quyết" in mail["subject"]
    body = mail["body"]
    assert "Kính gửi Ông/Bà" in body and "Phường Thanh Xuân" in body and REPLY in body
    assert f"https://quytac.hanoi.example/feedback/track/{case.tracking_code}/" in body
    assert "mở lại" in body  # the reopen offer
    # Nothing of the citizen's own text or of another case (its code, reply, citizen).
    for leak in (case.text, case.contact_name, case.contact_phone, other.tracking_code, other.public_reply,
                 other.contact_email, other.contact_name, other.text):
        assert leak not in body and leak not in mail["subject"]
    # The SMS went through the console backend; both sends are recorded on the case.
    assert f"SMS to {case.contact_phone}: Phường Thanh Xuân: phản ánh {case.tracking_code} đã được giải quyết" in capsys.readouterr().out
    recorded = {(m.channel, m.event, m.status, m.attempts) for m in case.citizen_messages.all()}
    assert recorded == {(MessageChannel.EMAIL, CitizenEvent.RESOLVED, MessageStatus.SENT, 1),
                        (MessageChannel.SMS, CitizenEvent.RESOLVED, MessageStatus.SENT, 1)}
    assert all(m.sent_at is not None for m in case.citizen_messages.all())


@pytest.mark.parametrize("status, change, event, words", [
    (CaseStatus.IN_PROGRESS, {"public_reply": REPLY}, CitizenEvent.REPLIED, "đã trả lời"),
    (CaseStatus.IN_PROGRESS, {"status": CaseStatus.REJECTED, "rejection_reason": RejectionReason.NOT_OURS},
     CitizenEvent.REJECTED, "không tiếp nhận"),
    (CaseStatus.RESOLVED, {"status": CaseStatus.IN_PROGRESS}, CitizenEvent.REOPENED, "mở lại"),
])
def test_each_event_is_told_once(officer, phuong_thanh_xuan, mailbox, eager_celery, django_capture_on_commit_callbacks,
                                 status, change, event, words):
    case = citizen_case(phuong_thanh_xuan, status=status, contact_phone="")
    with django_capture_on_commit_callbacks(execute=True):
        services.feedback_update(actor=officer, case=case, **change)
    assert [m.event for m in case.citizen_messages.all()] == [event]
    assert len(mailbox.messages) == 1 and words in mailbox.messages[0]["body"]


def test_an_internal_note_or_a_due_date_tells_the_citizen_nothing(officer, phuong_thanh_xuan, django_capture_on_commit_callbacks):
    case = citizen_case(phuong_thanh_xuan, status=CaseStatus.IN_PROGRESS)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.feedback_update(actor=officer, case=case, internal_note="ghi chú", status=CaseStatus.IN_PROGRESS)
    assert callbacks == [] and not case.citizen_messages.exists()


def test_no_message_without_consent_or_contact(officer, phuong_thanh_xuan, django_capture_on_commit_callbacks):
    anonymous = FeedbackCaseFactory(unit=phuong_thanh_xuan, tracking_code=tracking_code_new())
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.feedback_reply_and_resolve(actor=officer, case=anonymous, public_reply=REPLY)
    assert callbacks == [] and not CitizenMessage.objects.exists()


def test_the_task_is_sent_only_after_the_commit(officer, phuong_thanh_xuan, monkeypatch, django_capture_on_commit_callbacks):
    sent = []
    monkeypatch.setattr(citizen_message_send, "delay", lambda pk: sent.append(pk))
    case = citizen_case(phuong_thanh_xuan, contact_phone="")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.feedback_reply_and_resolve(actor=officer, case=case, public_reply=REPLY)
        assert sent == []
    for callback in callbacks:
        callback()
    assert sent == [case.citizen_messages.get().pk]


def test_a_refused_send_is_retried_and_recorded(phuong_thanh_xuan, mailbox, eager_celery, settings):
    mailbox.refuse = 2
    message = CitizenMessageFactory(case=citizen_case(phuong_thanh_xuan, status=CaseStatus.RESOLVED))

    citizen_message_send.apply(args=[message.pk])

    message.refresh_from_db()
    assert (message.status, message.attempts, message.error) == (MessageStatus.SENT, 3, "")
    assert len(mailbox.messages) == 1


def test_a_send_that_keeps_failing_is_recorded_failed_without_the_address(phuong_thanh_xuan, mailbox, eager_celery, settings):
    settings.CITIZEN_MESSAGE_RETRIES = 2
    mailbox.refuse = 10
    case = citizen_case(phuong_thanh_xuan, status=CaseStatus.RESOLVED)
    message = CitizenMessageFactory(case=case)

    citizen_message_send.apply(args=[message.pk])

    message.refresh_from_db()
    assert (message.status, message.attempts, message.sent_at) == (MessageStatus.FAILED, 3, None)
    assert "451" in message.error and case.contact_email not in message.error
    assert mailbox.messages == []


def test_a_message_delivered_twice_is_sent_once(phuong_thanh_xuan, mailbox, eager_celery):
    message = CitizenMessageFactory(case=citizen_case(phuong_thanh_xuan, status=CaseStatus.RESOLVED))
    citizen_message_send.apply(args=[message.pk])
    citizen_message_send.apply(args=[message.pk])
    assert len(mailbox.messages) == 1


def test_contact_erased_before_the_send_skips_it(officer, phuong_thanh_xuan, mailbox, eager_celery):
    case = citizen_case(phuong_thanh_xuan, status=CaseStatus.RESOLVED)
    message = CitizenMessageFactory(case=case)
    services.feedback_contacts_erase(actor=officer, case=case, reason="Công dân yêu cầu")
    citizen_message_send.apply(args=[message.pk])
    message.refresh_from_db()
    assert message.status == MessageStatus.SKIPPED and mailbox.messages == []


def test_the_http_sms_backend_posts_to_the_gateway(phuong_thanh_xuan, settings, eager_celery):
    gateway = sms_gateway()
    try:
        settings.SMS_BACKEND = "feedback.citizen.sms.HttpSmsBackend"
        settings.SMS_GATEWAY_URL = f"http://127.0.0.1:{gateway.server_port}/api/send"
        settings.SMS_GATEWAY_USER, settings.SMS_GATEWAY_PASSWORD = "ubnd-ptx", "mat-khau"
        settings.SMS_GATEWAY_SENDER = "UBND-PTX"
        settings.SMS_MESSAGE_TEMPLATE = "{unit}: phản ánh {code} {event}. Xem: {url} {unknown}"
        case = citizen_case(phuong_thanh_xuan, status=CaseStatus.RESOLVED)
        message = CitizenMessageFactory(case=case, channel=MessageChannel.SMS, event=CitizenEvent.RESOLVED)

        citizen_message_send.apply(args=[message.pk])

        message.refresh_from_db()
        assert message.status == MessageStatus.SENT
        (request,) = gateway.requests
        assert request["path"] == "/api/send"
        assert request["headers"]["Authorization"] == "Basic " + base64.b64encode(b"ubnd-ptx:mat-khau").decode()
        form = dict(urllib.parse.parse_qsl(request["body"]))
        assert form["to"] == case.contact_phone and form["from"] == "UBND-PTX"
        assert form["text"] == (f"Phường Thanh Xuân: phản ánh {case.tracking_code} đã được giải quyết. "
                                f"Xem: https://quytac.hanoi.example/feedback/track/{case.tracking_code}/ {{unknown}}")
    finally:
        gateway.shutdown()


def test_a_gateway_error_is_retried_then_recorded(phuong_thanh_xuan, settings, eager_celery):
    gateway = sms_gateway(status=503)
    try:
        settings.SMS_BACKEND = "feedback.citizen.sms.HttpSmsBackend"
        settings.SMS_GATEWAY_URL = f"http://127.0.0.1:{gateway.server_port}/send"
        settings.CITIZEN_MESSAGE_RETRIES = 1
        message = CitizenMessageFactory(case=citizen_case(phuong_thanh_xuan), channel=MessageChannel.SMS)
        citizen_message_send.apply(args=[message.pk])
        message.refresh_from_db()
        assert (message.status, message.attempts) == (MessageStatus.FAILED, 2)
        assert "503" in message.error and len(gateway.requests) == 2
    finally:
        gateway.shutdown()


def test_the_console_backend_prints_the_message():
    stream = io.StringIO()
    sms.ConsoleSmsBackend(stream=stream).send(to="0912345678", text="Phường Thanh Xuân: phản ánh đã được trả lời")
    assert stream.getvalue() == "SMS to 0912345678: Phường Thanh Xuân: phản ánh đã được trả lời\n"


def test_an_unreachable_gateway_is_an_sms_error():
    backend = sms.HttpSmsBackend(url="http://127.0.0.1:9/none", user="", password="", sender="")
    with pytest.raises(sms.SmsError):
        backend.send(to="0912345678", text="x")


def test_messages_never_queued_are_sent_again(phuong_thanh_xuan, monkeypatch):
    sent = []
    monkeypatch.setattr(citizen_message_send, "delay", lambda pk: sent.append(pk))
    import datetime

    from django.utils import timezone

    old = CitizenMessageFactory(case=citizen_case(phuong_thanh_xuan), created_at=timezone.now() - datetime.timedelta(hours=1))
    CitizenMessageFactory(case=citizen_case(phuong_thanh_xuan))  # just made: its task is on its way
    assert messages.citizen_messages_resend() == 1 and sent == [old.pk]
