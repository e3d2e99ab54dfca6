"""Writes of notifications: ``notify`` (the one entry point of the other apps), marking read, preferences and the
one-click unsubscribe.

``notify`` is called by the service that performed the action, inside its transaction: the rows are inserted
with it (and vanish with a rollback), the immediate e-mails are queued only after the commit. Who is told:
the users named in ``recipients``, and the users whose role assignment covers ``unit`` (the unit or one of its
ancestors) with a role granting ``capability`` — one query through the role assignments, the same rule the
scope applies (``units.scope``): nobody is told about an object of a unit they cannot act on.
"""

from __future__ import annotations

from collections.abc import Iterable
import logging

from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.db import transaction
from django.utils import timezone

from units.choices import Role
from units.models import RoleAssignment, Unit, User
from units.notifications.kinds import KINDS, Delivery, NotificationKind, default_delivery
from units.notifications.models import Notification, NotificationPreference
from units.scope import roles_with

logger = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "units.notifications.unsubscribe"
ALL_KINDS = "*"


def _user_id(user) -> int | None:
    if user is None:
        return None
    return user if isinstance(user, int) else user.pk


def audience(*, unit: Unit, capability: str, roles: Iterable[str] | None = None, nearest: bool = False) -> list[int]:
    """Ids of the active users who may take ``capability`` on ``unit`` through an assignment on it or above it
    (optionally only in ``roles``). ``nearest``: only those of the deepest level that has any (a ward's own
    officers; the office above when the ward has none). One query."""
    wanted = set(roles_with(capability))
    if roles is not None:
        wanted &= set(roles)
    if not wanted:
        return []
    rows = RoleAssignment.objects.filter(
        unit_id__in=[*unit.ancestor_ids, unit.pk], role__in=wanted, user__is_active=True
    ).values_list("user_id", "unit__depth")
    rows = list(rows)
    if nearest and rows:
        deepest = max(depth for _user, depth in rows)
        rows = [row for row in rows if row[1] == deepest]
    return sorted({user_id for user_id, _depth in rows})


def _deliveries(user_ids: list[int], kind: str) -> dict[int, str]:
    chosen = dict(
        NotificationPreference.objects.filter(user_id__in=user_ids, kind=kind).values_list("user_id", "delivery")
    )
    default = default_delivery(kind)
    return {user_id: chosen.get(user_id, default) for user_id in user_ids}


def notify(
    *,
    kind: str,
    unit: Unit | None,
    obj=None,
    event_key: str,
    url: str = "",
    params: dict | None = None,
    recipients: Iterable | None = None,
    capability: str | None = None,
    roles: Iterable[str] | None = None,
    nearest: bool = False,
    actor=None,
) -> int:
    """Tell of one event: an in-portal notification for each recipient, an e-mail after commit for those who want
    it at once. ``recipients`` (users or ids) are told as named; with ``capability`` the users of ``unit``'s scope
    holding it are added (``audience``). ``actor`` (who did it) is never told of their own act. ``url`` defaults
    to ``obj.get_absolute_url()``. The same ``event_key`` never reaches the same user twice (the unique
    constraint; ``ignore_conflicts``). Returns how many were addressed (already told ones included)."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    user_ids = {_user_id(user) for user in (recipients or ())} - {None}
    if capability is not None and unit is not None:
        user_ids.update(audience(unit=unit, capability=capability, roles=roles, nearest=nearest))
    user_ids.discard(_user_id(actor))
    if not user_ids:
        return 0
    ordered = sorted(user_ids)
    deliveries = _deliveries(ordered, kind)
    if not url and obj is not None and hasattr(obj, "get_absolute_url"):
        url = obj.get_absolute_url()
    content_type = ContentType.objects.get_for_model(obj) if obj is not None else None
    rows = [
        Notification(
            recipient_id=user_id, kind=kind, unit=unit, content_type=content_type,
            object_id=obj.pk if obj is not None else None, url=url[:300], params=params or {},
            event_key=event_key[:200], delivery=deliveries[user_id],
        )
        for user_id in ordered
    ]
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    if any(delivery == Delivery.IMMEDIATE for delivery in deliveries.values()):
        key = event_key[:200]
        transaction.on_commit(lambda: _queue_emails(key))
    return len(ordered)


def _queue_emails(event_key: str) -> None:
    from units.tasks import notification_emails_send  # the task module imports this one

    try:
        notification_emails_send.apply_async(args=[event_key], retry=False)
    except Exception:
        # The broker is down: the rows stay unsent (``emailed_at`` empty) and the sweep (``emails.
        # notification_emails_sweep``, every few minutes) sends them later. Never fail the request that did the work.
        logger.warning("Could not queue the e-mails of notification event %s; the sweep will", event_key, exc_info=True)


def notifications_settle(*, since, until) -> int:
    """Mark the notifications created from ``since`` to ``until`` read and delivered (e-mail and digest): what a
    data load told of past events (the demo's year of history, an import) is old news, neither a red bell nor a
    burst of e-mail. Returns how many rows changed."""
    return Notification.objects.filter(created_at__gte=since, created_at__lte=until, read_at__isnull=True).update(
        read_at=until, emailed_at=until, digest_sent_at=until
    )


# --- Reading ----------------------------------------------------------------------------------------------


def notification_mark_read(*, user, notification_id: int) -> bool:
    """Mark one of the user's notifications read (someone else's is left alone). True when it changed."""
    return bool(
        Notification.objects.filter(pk=notification_id, recipient=user, read_at__isnull=True).update(read_at=timezone.now())
    )


def notifications_mark_all_read(*, user) -> int:
    """Mark every unread notification of the user read; returns how many."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())


# --- Preferences and unsubscribing ------------------------------------------------------------------------


@transaction.atomic
def notification_preferences_set(*, user, choices: dict[str, str], language: str | None = None) -> None:
    """Save the user's delivery per kind (a choice equal to the default is stored too: defaults may change)."""
    for kind, delivery in choices.items():
        if kind not in NotificationKind.values or delivery not in Delivery.values:
            raise ValueError(f"bad preference {kind!r}={delivery!r}")
        NotificationPreference.objects.update_or_create(user=user, kind=kind, defaults={"delivery": delivery})
    if language is not None and language != user.language:
        user.language = language
        user.full_clean(validate_unique=False, validate_constraints=False)
        User.objects.filter(pk=user.pk).update(language=language)


def unsubscribe_token(*, user, kind: str = ALL_KINDS) -> str:
    """A signed token for the one-click link in e-mail: stop e-mail of ``kind`` (or of every kind)."""
    return signing.dumps({"u": user.pk, "k": kind}, salt=UNSUBSCRIBE_SALT)


def unsubscribe_read(token: str) -> tuple[User, str] | None:
    """The user and kind a token names, or None when it is forged, damaged or names a missing user."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        user_id, kind = int(data["u"]), str(data["k"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    if kind != ALL_KINDS and kind not in NotificationKind.values:
        return None
    user = User.objects.filter(pk=user_id, is_active=True).first()
    return (user, kind) if user else None


def notification_unsubscribe(*, user, kind: str) -> None:
    """Stop e-mail (immediate and digest) of ``kind``, or of every kind; the bell keeps showing them."""
    kinds = NotificationKind.values if kind == ALL_KINDS else [kind]
    notification_preferences_set(user=user, choices=dict.fromkeys(kinds, Delivery.NONE))


# Roles a unit's own work goes to first (the inbox, the sheet): its officers and head.
UNIT_OFFICER_ROLES = (Role.WARD_OFFICER, Role.UNIT_HEAD)
