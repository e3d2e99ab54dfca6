"""The daily digest: one e-mail per user with their day's notifications, in a constant number of queries per batch
of recipients whatever the number of events and recipients; a second run sends nothing."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
import pytest

from tests.factories import UserFactory
from units.notifications.emails import notification_digests_send
from units.notifications.kinds import Delivery, NotificationKind as K
from units.notifications.models import Notification
from units.notifications.services import notification_preferences_set

pytestmark = pytest.mark.django_db


def _events(world, users, per_user: int, day: str = "d1"):
    rows = [
        Notification(recipient=user, kind=K.FEEDBACK_DUE_SOON, unit=world.ward, url=f"/feedback/inbox/{i}/",
                     params={"code": f"C{i}", "unit": world.ward.name, "due": "09/12/2026"},
                     event_key=f"due:{day}:{user.pk}:{i}", delivery=Delivery.DIGEST)
        for user in users for i in range(per_user)
    ]
    Notification.objects.bulk_create(rows)


def _users(n: int, start: int = 0):
    return [UserFactory(username=f"digest{start + i}", email=f"digest{start + i}@hanoi.example") for i in range(n)]


def test_one_digest_per_user_with_all_their_notifications(world, mailoutbox, settings):
    settings.PORTAL_BASE_URL = "https://quytac.hanoi.example"
    users = _users(2)
    _events(world, users, 3)
    assert notification_digests_send() == {"digests": 2, "notifications": 6}
    assert sorted(m.to[0] for m in mailoutbox) == ["digest0@hanoi.example", "digest1@hanoi.example"]
    body = mailoutbox[0].body
    assert body.count("https://quytac.hanoi.example/feedback/inbox/") == 3 and "C2" in body
    assert "Thông báo trong ngày: 3" in mailoutbox[0].subject
    assert notification_digests_send() == {"digests": 0, "notifications": 0}
    assert len(mailoutbox) == 2


def test_a_kind_switched_off_since_is_left_out(world, mailoutbox):
    users = _users(1)
    _events(world, users, 2)
    notification_preferences_set(user=users[0], choices={K.FEEDBACK_DUE_SOON: Delivery.NONE})
    assert notification_digests_send() == {"digests": 0, "notifications": 0}
    assert mailoutbox == [] and not Notification.objects.filter(digest_sent_at__isnull=True).exists()


def test_queries_per_batch_do_not_grow_with_events_or_recipients(world, mailoutbox, django_assert_num_queries):
    small = _users(2)
    _events(world, small, 1)
    with CaptureQueriesContext(connection) as baseline:
        notification_digests_send(batch_size=50)
    assert len(baseline.captured_queries) <= 7  # recipients, savepoint, rows, preferences, marks, release, the end
    many = _users(30, start=100)
    _events(world, many, 5)
    with django_assert_num_queries(len(baseline.captured_queries)):
        notification_digests_send(batch_size=50)
    assert len(mailoutbox) == 32
    # Two batches cost twice one batch's queries, minus the shared closing look-up.
    _events(world, many, 1, day="d2")
    with django_assert_num_queries(len(baseline.captured_queries) * 2 - 1):
        notification_digests_send(batch_size=15)
