"""Background jobs of the pledges app."""

from celery import shared_task
from django.utils import timezone

from pledges import reminders


@shared_task(name="pledges.pledge_reminders_send")
def pledge_reminders_send() -> int:
    """Remind units' officers of unsigned staff (hourly from beat; at most one reminder per unit and day)."""
    return reminders.pledge_reminders_send(today=timezone.localdate())
