"""Notification rows and per-kind preferences (tables of the units app: ``units.models`` imports them)."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from units.notifications.kinds import Delivery, NotificationKind, render_title


class Notification(models.Model):
    """One recipient told of one event: what happened (``kind`` and plain ``params``, rendered in the reader's
    language), on which object and in which unit, with the link to the object computed when it happened.

    ``event_key`` names the event ("sheet-submitted:42:2026-12-05T10:00"); the same event never reaches the same
    person twice, also when a task is retried or a button clicked twice (unique with ``recipient``).
    ``delivery`` is the recipient's preference for the kind when the event happened; ``emailed_at`` and
    ``digest_sent_at`` say whether the e-mail or the digest carrying it went out."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=NotificationKind.choices)
    unit = models.ForeignKey(
        "units.Unit", verbose_name=_("unit"), on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    params = models.JSONField(default=dict, blank=True)
    event_key = models.CharField(max_length=200)
    delivery = models.CharField(_("delivery"), max_length=10, choices=Delivery.choices, default=Delivery.DIGEST)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)
    digest_sent_at = models.DateTimeField(_("sent in the digest at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "event_key"], name="notification_once_per_event"),
        ]
        indexes = [
            # The bell's count and the list: a user's notifications, unread first.
            models.Index(fields=["recipient", "read_at"], name="notif_recipient_read_idx"),
            models.Index(fields=["recipient", "-created_at"], name="notif_recipient_new_idx"),
            # The digest's batches read only the rows still waiting for it.
            models.Index(
                fields=["recipient"], condition=Q(delivery=Delivery.DIGEST, digest_sent_at__isnull=True),
                name="notif_digest_pending_idx",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def title(self) -> str:
        """The sentence, in the active language."""
        return render_title(self.kind, self.params)

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotificationPreference(models.Model):
    """A user's choice of delivery for one kind of notification (no row: the kind's default)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=NotificationKind.choices)
    delivery = models.CharField(_("delivery"), max_length=10, choices=Delivery.choices)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_unique")]

    def __str__(self):
        return f"{self.user} — {self.kind}: {self.delivery}"
