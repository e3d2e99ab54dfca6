"""Background jobs of the units app."""

from celery import shared_task
from django.conf import settings

from units.unit_import import units_import


@shared_task(name="units.units_sync_from_package")
def units_sync_from_package(province_codes: list[int] | None = None) -> dict:
    """Re-import the configured provinces, picking up renamed or new units after a package upgrade."""
    report = {}
    for code in province_codes or settings.UNITS_SYNC_PROVINCES:
        summary = units_import(province=code, structure="both")
        report[str(code)] = {
            "created": summary.total_created,
            "updated": summary.total_updated,
            "unchanged": summary.unchanged,
        }
    return report


@shared_task(
    name="units.notification_emails_send", bind=True, acks_late=True, reject_on_worker_lost=True,
    autoretry_for=(Exception,), retry_backoff=30, retry_backoff_max=30 * 60, max_retries=8,
)
def notification_emails_send(self, event_key: str) -> int:
    """Send the immediate e-mails of one notification event (queued after the commit that created it); retried
    with back-off while the mail server refuses. Idempotent: each row is claimed before its message is sent."""
    from units.notifications.emails import notification_emails_send as send

    return send(event_key=event_key)


@shared_task(name="units.notification_digests_send", acks_late=True, reject_on_worker_lost=True)
def notification_digests_send() -> dict:
    """The daily digest (Celery beat at NOTIFICATION_DIGEST_HOUR): every user's notifications waiting for it."""
    from units.notifications.emails import notification_digests_send as send

    return send()


@shared_task(name="units.notification_emails_sweep", acks_late=True, reject_on_worker_lost=True)
def notification_emails_sweep() -> int:
    """Every few minutes (beat): immediate e-mails whose message was lost or kept failing are sent."""
    from units.notifications.emails import notification_emails_sweep as sweep

    return sweep()
