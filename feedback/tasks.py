"""Background jobs of the feedback app."""

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from feedback.citizen import messages
from feedback.notifications import new_cases_notify as notify_new
from feedback.staff.services import feedback_contacts_purge as purge
from feedback.stats.rollup import feedback_stats_rollup as rollup


@shared_task(name="feedback.feedback_contacts_purge")
def feedback_contacts_purge() -> int:
    """Erase the contact details of cases closed longer ago than the retention period (daily, by beat)."""
    return purge(today=timezone.localdate())


@shared_task(name=messages.SEND_TASK, bind=True, acks_late=True, reject_on_worker_lost=True)
def citizen_message_send(self, message_id: int) -> str:
    """Send one e-mail or SMS to a case's citizen (recorded on its ``CitizenMessage`` row); on failure try again after
    1, 2, 4, … minutes, ``CITIZEN_MESSAGE_RETRIES`` times, then record it as failed."""
    final = self.request.retries >= settings.CITIZEN_MESSAGE_RETRIES
    try:
        message = messages.citizen_message_send(message_id=message_id, final=final)
    except messages.MessageNotSent as error:
        if final:
            return "failed"
        raise self.retry(exc=error, countdown=60 * 2 ** self.request.retries, max_retries=settings.CITIZEN_MESSAGE_RETRIES)
    return message.status if message is not None else "missing"


@shared_task(name="feedback.citizen_messages_resend")
def citizen_messages_resend() -> int:
    """Queue again the citizen messages whose task was never sent (the broker was down at the time)."""
    return messages.citizen_messages_resend()


@shared_task(name="feedback.feedback_due_notify")
def feedback_due_notify() -> dict:
    """Tell of open cases due within two working days, or overdue (daily, by beat, before the digest)."""
    from feedback.notifications import feedback_due_notify as scan

    return scan(today=timezone.localdate())


@shared_task(name="feedback.feedback_stats_rollup")
def feedback_stats_rollup() -> int:
    """Recompute the public statistics of the last finished months for every unit (nightly, by beat)."""
    return rollup()


@shared_task(name="feedback.new_cases_notify")
def new_cases_notify() -> int:
    """Tell the officers of the citizens' new cases (every minute, by beat)."""
    return notify_new()
