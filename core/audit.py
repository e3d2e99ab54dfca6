"""The one way a service records who changed a row, and why, in its django-simple-history trail."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models

CHANGE_REASON_LENGTH = 100  # django-simple-history's history_change_reason column


def save_with_history(
    instance: models.Model, *, actor, reason: str | None = None, update_fields: Iterable[str] | None = None
) -> models.Model:
    """Save ``instance`` and let its history row name ``actor`` (None: the system itself) and, when given,
    ``reason`` (trimmed to the history column's length)."""
    instance._history_user = actor
    if reason is not None:
        instance._change_reason = str(reason).strip()[:CHANGE_REASON_LENGTH]
    if update_fields is None:
        instance.save()
    else:
        instance.save(update_fields=list(update_fields))
    return instance


def delete_with_history(instance: models.Model, *, actor, reason: str | None = None) -> None:
    """Delete ``instance``, its last history row (the deletion) naming ``actor`` and, when given, ``reason``."""
    instance._history_user = actor
    if reason is not None:
        instance._change_reason = str(reason).strip()[:CHANGE_REASON_LENGTH]
    instance.delete()
