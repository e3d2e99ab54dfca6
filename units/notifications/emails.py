"""The e-mail of notifications: one message at once per notification for those who want it so, and the daily
digest of the rest. Written in the recipient's language (``User.language``, Vietnamese by default), with links
built from ``PORTAL_BASE_URL`` and a one-click unsubscribe link (also in the ``List-Unsubscribe`` header).

Both are idempotent: an e-mail is sent only by the run that set ``emailed_at`` (a conditional update), a digest
only by the run that locked its rows (``skip_locked``) and marks them ``digest_sent_at``; a row whose message
could not be sent is given back for the next try.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
import datetime
import functools
import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection, transaction
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone, translation

from units.notifications.kinds import Delivery
from units.notifications.models import Notification, NotificationPreference
from units.notifications.services import ALL_KINDS, unsubscribe_token

logger = logging.getLogger(__name__)

# Recipients per digest batch: one query for their notifications, one for their preferences, one connection.
DIGEST_BATCH = 1000


def base_url() -> str:
    return (getattr(settings, "PORTAL_BASE_URL", "") or "http://127.0.0.1:8000").rstrip("/")


def absolute(path: str) -> str:
    return base_url() + path if path.startswith("/") else path


def _language(user) -> str:
    language = getattr(user, "language", "") or "vi"
    return language if language in dict(settings.LANGUAGES) else "vi"


def _unsubscribe_url(user, kind: str) -> str:
    return absolute(reverse("units:notification_unsubscribe", args=[unsubscribe_token(user=user, kind=kind)]))


@functools.cache
def _template(name: str):
    return get_template(name)


def _page_urls() -> dict:
    return {
        "preferences_url": absolute(reverse("units:notification_preferences")),
        "list_url": absolute(reverse("units:notification_list")),
    }


def _message(*, user, subject_template: str, body_template: str, context: dict, kind: str,
             urls: dict | None = None) -> EmailMultiAlternatives:
    unsubscribe = _unsubscribe_url(user, kind)
    context = {**context, **(urls or _page_urls()), "user": user, "unsubscribe_url": unsubscribe}
    with translation.override(_language(user)):
        subject = " ".join(_template(subject_template).render(context).split())
        body = _template(body_template).render(context)
    return EmailMultiAlternatives(
        subject=subject, body=body, to=[user.email],
        headers={"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )


def immediate_message(notification: Notification) -> EmailMultiAlternatives:
    """The e-mail of one notification."""
    return _message(
        user=notification.recipient,
        subject_template="units/notifications/email/immediate_subject.txt",
        body_template="units/notifications/email/immediate_body.txt",
        context={"notification": notification, "url": absolute(notification.url) if notification.url else ""},
        kind=notification.kind,
    )


def notification_emails_send(*, event_key: str) -> int:
    """Send the immediate e-mails of one event: each row is claimed by a conditional update of ``emailed_at``,
    so a retried or doubled task sends nothing twice; a row whose message failed is given back and the error
    raised (the task retries). Returns the number sent."""
    rows = list(
        Notification.objects.filter(event_key=event_key, delivery=Delivery.IMMEDIATE, emailed_at__isnull=True)
        .exclude(recipient__email="")
        .filter(recipient__is_active=True)
        .select_related("recipient")
    )
    sent, failure = 0, None
    connection = None
    for notification in rows:
        now = timezone.now()
        if not Notification.objects.filter(pk=notification.pk, emailed_at__isnull=True).update(emailed_at=now):
            continue  # another run has it
        try:
            if connection is None:
                connection = get_connection()
                connection.open()
            connection.send_messages([immediate_message(notification)])
            sent += 1
        except Exception as error:  # give the row back for the retry
            Notification.objects.filter(pk=notification.pk, emailed_at=now).update(emailed_at=None)
            logger.exception("Notification e-mail %s failed", notification.pk)
            failure = error
    if connection is not None:
        connection.close()
    if failure is not None:
        raise failure
    return sent


def notification_emails_sweep(*, now=None, grace=datetime.timedelta(minutes=10), horizon=datetime.timedelta(days=2)) -> int:
    """Send the immediate e-mails still unsent ``grace`` after their event (the broker was down when they were
    queued, or every retry failed), up to ``horizon`` old: older news goes no more by e-mail (the bell has it).
    Returns the number sent."""
    now = now or timezone.now()
    keys = (
        Notification.objects.filter(
            delivery=Delivery.IMMEDIATE, emailed_at__isnull=True, created_at__lt=now - grace, created_at__gt=now - horizon
        ).exclude(recipient__email="").values_list("event_key", flat=True).distinct()[:500]
    )
    sent = 0
    for key in list(keys):
        try:
            sent += notification_emails_send(event_key=key)
        except Exception:
            logger.warning("Notification e-mails of %s still failing", key, exc_info=True)
    return sent


# --- The daily digest -------------------------------------------------------------------------------------


def _digest_recipient_batches(batch_size: int) -> Iterable[list[int]]:
    """Ids of the users with notifications waiting for the digest, in batches (keyset pagination)."""
    last = 0
    while True:
        ids = list(
            Notification.objects.filter(delivery=Delivery.DIGEST, digest_sent_at__isnull=True, recipient_id__gt=last)
            .order_by("recipient_id").values_list("recipient_id", flat=True).distinct()[:batch_size]
        )
        if not ids:
            return
        yield ids
        last = ids[-1]


def digest_message(user, notifications: list[Notification], urls: dict | None = None) -> EmailMultiAlternatives:
    """One user's digest: their notifications of the day, oldest first."""
    items = [(n, absolute(n.url) if n.url else "") for n in notifications]
    return _message(
        user=user,
        subject_template="units/notifications/email/digest_subject.txt",
        body_template="units/notifications/email/digest_body.txt",
        context={"items": items, "count": len(items)},
        kind=ALL_KINDS, urls=urls,
    )


def _digest_batch(user_ids: list[int]) -> tuple[int, int]:
    """Send the digests of one batch of users: a constant number of queries whatever the number of users and
    notifications. Returns (digests sent, notifications carried)."""
    with transaction.atomic():
        rows = list(
            Notification.objects.filter(
                recipient_id__in=user_ids, delivery=Delivery.DIGEST, digest_sent_at__isnull=True
            )
            .select_related("recipient")
            # What a digest shows, and no more: building 5,000 full user rows was a fifth of a batch's time.
            .only("id", "recipient_id", "kind", "url", "params", "created_at", "recipient__id", "recipient__email",
                  "recipient__full_name", "recipient__first_name", "recipient__last_name", "recipient__language",
                  "recipient__is_active", "recipient__username")
            .select_for_update(of=("self",), skip_locked=True)
            .order_by("recipient_id", "created_at", "id")
        )
        if not rows:
            return 0, 0
        # A kind switched to another delivery since the event is no longer digested (nor e-mailed).
        changed = {
            (user_id, kind)
            for user_id, kind in NotificationPreference.objects.filter(user_id__in=user_ids)
            .exclude(delivery=Delivery.DIGEST).values_list("user_id", "kind")
        }
        by_user: dict[int, list[Notification]] = defaultdict(list)
        skipped: list[int] = []
        for row in rows:
            if (row.recipient_id, row.kind) in changed:
                skipped.append(row.pk)
            else:
                by_user[row.recipient_id].append(row)
        messages, urls = [], _page_urls()
        for items in by_user.values():
            user = items[0].recipient
            if not user.is_active or not user.email:
                skipped.extend(n.pk for n in items)
                continue
            messages.append((digest_message(user, items, urls), [n.pk for n in items]))
        sent_ids: list[int] = []
        if messages:
            connection = get_connection()
            connection.open()
            try:
                for message, ids in messages:
                    try:
                        connection.send_messages([message])
                        sent_ids.extend(ids)
                    except Exception:
                        logger.exception("Digest to user %s failed", ids and message.to)
            finally:
                connection.close()
        now = timezone.now()
        carried = sent_ids + skipped
        if carried:
            _mark_digested(carried, now)
        delivered = set(sent_ids)
        return sum(1 for _message, ids in messages if ids[0] in delivered), len(sent_ids)


def _mark_digested(ids: list[int], now) -> None:
    """One UPDATE for the batch's rows. On PostgreSQL the ids travel as one array parameter: a thousand
    recipients' five notifications each would otherwise be 5,000 placeholders for Django to compile."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {Notification._meta.db_table} SET digest_sent_at = %s WHERE id = ANY(%s)", [now, list(ids)]
            )
    else:
        Notification.objects.filter(pk__in=ids).update(digest_sent_at=now)


def notification_digests_send(*, batch_size: int = DIGEST_BATCH) -> dict:
    """Send every waiting digest, ``batch_size`` recipients at a time."""
    digests = carried = 0
    for user_ids in _digest_recipient_batches(batch_size):
        sent, count = _digest_batch(user_ids)
        digests += sent
        carried += count
    return {"digests": digests, "notifications": carried}
