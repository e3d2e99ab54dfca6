"""Background jobs of the feedback app."""

from celery import shared_task
from django.utils import timezone

from feedback.staff.services import feedback_contacts_purge as purge


@shared_task(name="feedback.feedback_contacts_purge")
def feedback_contacts_purge() -> int:
    """Erase the contact details of cases closed longer ago than the retention period (daily, by beat)."""
    return purge(today=timezone.localdate())


@shared_task(name="feedback.feedback_due_notify")
def feedback_due_notify() -> dict:
    """Tell of open cases due within two working days, or overdue (daily, by beat, before the digest)."""
    from feedback.notifications import feedback_due_notify as scan

    return scan(today=timezone.localdate())
