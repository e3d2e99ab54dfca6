"""Reads of notifications: the bell's count, the list, the preferences with their defaults."""

from __future__ import annotations

from django.db.models import QuerySet

from units.notifications.kinds import KINDS, NotificationKind
from units.notifications.models import Notification, NotificationPreference


def unread_count(*, user) -> int:
    """The bell's number: one indexed count."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notification_list(*, user, unread_only: bool = False) -> QuerySet:
    """The user's notifications, newest first (the list renders each from its own row: no joins needed)."""
    rows = Notification.objects.filter(recipient=user)
    if unread_only:
        rows = rows.filter(read_at__isnull=True)
    return rows.only("id", "kind", "params", "url", "created_at", "read_at").order_by("-created_at", "-id")


def preferences_for(*, user) -> list[tuple[str, str, str]]:
    """Every kind with the user's delivery (their choice, or the default): (kind, label, delivery). One query."""
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "delivery"))
    return [(kind, label, chosen.get(kind, KINDS[kind].default)) for kind, label in NotificationKind.choices]
