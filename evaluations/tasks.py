"""Background jobs of monthly ratings."""

import datetime

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from evaluations.ratings import services


@shared_task(name="evaluations.rating_sheets_lock_approved")
def rating_sheets_lock_approved() -> int:
    """Lock the sheets approved more than ``RATING_SHEET_AUTOLOCK_DAYS`` days ago (default 10); returns how many."""
    days = getattr(settings, "RATING_SHEET_AUTOLOCK_DAYS", 10)
    return services.rating_sheets_lock_approved(approved_before=timezone.now() - datetime.timedelta(days=days))


@shared_task(name="evaluations.notifications_due_scan")
def notifications_due_scan() -> dict:
    """Tell of corrective actions due soon or overdue, and remind officers to rate the month (daily, by beat)."""
    from evaluations.notifications import notifications_due_scan as scan

    return scan(today=timezone.localdate())
