"""Messages to the citizen of a case: when it gets its official reply, is resolved, rejected or reopened, a
citizen who left an e-mail address (or a phone number) with consent is told, in Vietnamese, with the unit's name,
the reply and the tracking link.

``citizen_notify`` records one ``CitizenMessage`` row per channel and sends the task after the transaction
commits; the task (``feedback.tasks.citizen_message_send``) calls ``citizen_message_send``, which reads the case
again, builds the text from it alone (never from another case) and records the outcome on the row. A failure is
recorded and raised, and the task tries again (``CITIZEN_MESSAGE_RETRIES`` times, waiting longer each time) before
the row is marked failed. Neither the address nor the text is stored on the row.
"""

from __future__ import annotations

import datetime
import logging

from celery import current_app
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from feedback.choices import CitizenEvent, MessageChannel, MessageStatus
from feedback.citizen.sms import sms_backend
from feedback.models import CitizenMessage, FeedbackCase

logger = logging.getLogger(__name__)

SEND_TASK = "feedback.citizen_message_send"
# The few words an SMS says about each event (the e-mail says more).
SMS_EVENT_WORDS = {
    CitizenEvent.REPLIED: _("has been answered"),
    CitizenEvent.RESOLVED: _("has been resolved"),
    CitizenEvent.REJECTED: _("was not accepted"),
    CitizenEvent.REOPENED: _("has been reopened"),
}


class MessageNotSent(Exception):
    """The e-mail or SMS could not be handed over; the task tries again."""


def tracking_url(case: FeedbackCase) -> str:
    """The public tracking page of ``case`` at the portal's address (``PORTAL_BASE_URL``)."""
    base = (settings.PORTAL_BASE_URL or "http://127.0.0.1:8000").rstrip("/")
    return base + reverse("feedback:track_detail", kwargs={"code": case.tracking_code})


def _send_task():
    """The sending task, found by name (the task module imports the services that call this)."""
    if SEND_TASK not in current_app.tasks:
        current_app.autodiscover_tasks(force=True)
    return current_app.tasks[SEND_TASK]


def _enqueue(message_id: int) -> None:
    def send() -> None:
        try:
            _send_task().delay(message_id)
        except Exception:  # the broker is down: the row stays pending, ``citizen_messages_resend`` sends it later
            logger.warning("Citizen message %s not queued (broker unreachable?)", message_id, exc_info=True)

    transaction.on_commit(send)


def citizen_notify(*, case: FeedbackCase, event: str) -> list[CitizenMessage]:
    """Tell the citizen of ``case`` about ``event``: one message by e-mail and one by SMS, for the contact details
    they left with consent (none for an anonymous case). Sent after the current transaction commits."""
    if not case.contact_consent or case.contact_erased_at is not None:
        return []
    channels = []
    if case.contact_email:
        channels.append(MessageChannel.EMAIL)
    if case.contact_phone:
        channels.append(MessageChannel.SMS)
    created = [CitizenMessage.objects.create(case=case, channel=channel, event=event) for channel in channels]
    for message in created:
        _enqueue(message.pk)
    return created


def _email(case: FeedbackCase, event: str) -> EmailMessage:
    context = {"case": case, "event": event, "events": CitizenEvent, "url": tracking_url(case), "unit": case.unit,
               "reopen_days": settings.FEEDBACK_REOPEN_DAYS}
    with translation.override("vi"):
        subject = " ".join(render_to_string("feedback/email/citizen_subject.txt", context).split())
        body = render_to_string("feedback/email/citizen_body.txt", context)
    return EmailMessage(subject=subject, body=body, to=[case.contact_email])


def sms_text(case: FeedbackCase, event: str) -> str:
    """The SMS of ``event``, from ``SMS_MESSAGE_TEMPLATE`` (an unknown placeholder is left as written)."""
    with translation.override("vi"):
        values = {"unit": case.unit.name, "code": case.tracking_code, "event": str(SMS_EVENT_WORDS[event]),
                  "url": tracking_url(case)}

    class Keep(dict):
        def __missing__(self, key):
            return "{" + key + "}"

    try:
        return settings.SMS_MESSAGE_TEMPLATE.format_map(Keep(values))
    except (ValueError, IndexError, AttributeError):  # a malformed template in settings: the plain default
        return "{unit}: {code} {event}. {url}".format_map(values)


def citizen_message_send(*, message_id: int, final: bool = False) -> CitizenMessage | None:
    """Send one recorded message and record how it went. Already sent (a message delivered twice): nothing.
    The contact details erased since: skipped. A failure is recorded and raised as ``MessageNotSent`` (marked failed
    for good when ``final``)."""
    message = CitizenMessage.objects.select_related("case__unit").filter(pk=message_id).first()
    if message is None or message.status in (MessageStatus.SENT, MessageStatus.SKIPPED):
        return message
    case = message.case
    address = case.contact_email if message.channel == MessageChannel.EMAIL else case.contact_phone
    if not case.contact_consent or not address:
        CitizenMessage.objects.filter(pk=message.pk).update(status=MessageStatus.SKIPPED)
        message.status = MessageStatus.SKIPPED
        return message
    message.attempts += 1
    try:
        if message.channel == MessageChannel.EMAIL:
            _email(case, message.event).send()
        else:
            sms_backend().send(to=address, text=sms_text(case, message.event))
    except Exception as error:
        # The error's class and words only: an SMTP refusal may echo the address, so it is cut out.
        reason = f"{type(error).__name__}: {error}".replace(address, "…")[:300]
        message.status = MessageStatus.FAILED if final else MessageStatus.PENDING
        message.error = reason
        message.save(update_fields=["attempts", "status", "error"])
        raise MessageNotSent(reason) from error
    message.status, message.sent_at, message.error = MessageStatus.SENT, timezone.now(), ""
    message.save(update_fields=["attempts", "status", "sent_at", "error"])
    return message


def citizen_messages_resend(*, older_than_minutes: int = 10) -> int:
    """Queue again the messages never tried (their task was lost: the broker was down at commit). Returns how many."""
    since = timezone.now() - datetime.timedelta(minutes=older_than_minutes)
    ids = list(CitizenMessage.objects.filter(status=MessageStatus.PENDING, attempts=0, created_at__lt=since)
               .values_list("pk", flat=True)[:500])
    for message_id in ids:
        try:
            _send_task().delay(message_id)
        except Exception:
            logger.warning("Citizen message %s not queued (broker unreachable?)", message_id, exc_info=True)
            break
    return len(ids)
