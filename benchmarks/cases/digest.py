"""The daily digest of notifications (``units.notifications.emails.notification_digests_send``, what Celery beat runs at
``NOTIFICATION_DIGEST_HOUR``): recipients with five notifications each, in batches of 1,000, rendered in their
language and handed to the mail backend (local memory: the SMTP server's speed is not the portal's). The limit is
rendering and queueing the same number of plain messages (one small template, the same items) on one connection,
with no database at all. Reported per 1,000 recipients."""

from __future__ import annotations

import statistics
import time

from django.core import mail
from django.core.mail import EmailMessage, get_connection
from django.template import engines
from django.test.utils import override_settings

from benchmarks.harness import Row
from units.models import User
from units.notifications.emails import notification_digests_send
from units.notifications.kinds import Delivery, NotificationKind
from units.notifications.models import Notification

RECIPIENTS = {"tiny": 50, "small": 1_000, "city": 5_000}
PER_RECIPIENT = 5
TARGET_RATIO = 3.0
PLAIN = engines["django"].from_string(
    "Hello {{ name }},\n{% for title, url in items %}- {{ title }}\n  {{ url }}\n{% endfor %}"
)


def _recipients(context, count: int) -> list[User]:
    """Bench users ``bench.digest.N`` with an e-mail address, made once; their notifications made afresh."""
    names = [f"bench.digest.{i}" for i in range(count)]
    have = set(User.objects.filter(username__in=names).values_list("username", flat=True))
    User.objects.bulk_create([User(username=n, full_name=n, email=f"{n}@bench.example") for n in names if n not in have])
    users = list(User.objects.filter(username__in=names).order_by("pk"))
    Notification.objects.filter(recipient__in=users).delete()
    ward = context.ward
    Notification.objects.bulk_create(
        [
            Notification(
                recipient=user, kind=NotificationKind.FEEDBACK_DUE_SOON, unit=ward, url=f"/feedback/inbox/{i + 1}/",
                params={"code": f"BENCH{i:04d}", "unit": ward.name, "due": "09/12/2026"},
                event_key=f"bench-digest:{user.pk}:{i}", delivery=Delivery.DIGEST,
            )
            for user in users for i in range(PER_RECIPIENT)
        ],
        batch_size=5_000,
    )
    return users


def _plain(users, items) -> None:
    connection = get_connection()
    connection.open()
    # The same subject as the digest's (Vietnamese, so encoded as the digest's is).
    subject = f"[Cổng Quy tắc ứng xử] Thông báo trong ngày: {len(items)}"
    connection.send_messages(
        [EmailMessage(subject=subject, body=PLAIN.render({"name": user.full_name, "items": items}), to=[user.email])
         for user in users]
    )
    connection.close()


def run(context) -> list[Row]:
    count = RECIPIENTS[context.scale]
    users = _recipients(context, count)
    items = [(f"Feedback BENCH{i:04d} of {context.ward.name} is due on 09/12/2026.",
              f"http://127.0.0.1:8000/feedback/inbox/{i + 1}/") for i in range(PER_RECIPIENT)]
    pending = Notification.objects.filter(recipient__in=users)
    portal, plain = [], []
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        for attempt in range(context.runs + 1):  # the first of each is a warm-up
            pending.update(digest_sent_at=None)
            mail.outbox = []
            started = time.perf_counter()
            result = notification_digests_send()
            elapsed = (time.perf_counter() - started) * 1000
            assert result["digests"] >= count, result  # other bench runs may have left digests waiting too
            started = time.perf_counter()
            _plain(users, items)
            plain_elapsed = (time.perf_counter() - started) * 1000
            if attempt:
                portal.append(elapsed)
                plain.append(plain_elapsed)
    per_thousand = 1_000 / count
    value, limit = statistics.median(portal) * per_thousand, statistics.median(plain) * per_thousand
    return [
        Row("Daily digest of notifications (per 1,000 recipients)", f"{count:,} recipients × {PER_RECIPIENT} notifications",
            value, limit, limit_label="rendering and queueing plain messages", target=f"≤ {TARGET_RATIO}×",
            met=value / limit <= TARGET_RATIO,
            note="batches of 1,000 recipients: 6 queries each, whatever the number of notifications"),
    ]
