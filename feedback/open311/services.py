"""Open311 partners: creating one (its API key shown once, only a hash kept), revoking it, recognising a key, and
each partner's hourly rate limit.

A key reads ``cp311_<prefix>_<secret>``: the prefix finds the partner's row, the SHA-256 of the whole key must
equal the stored hash (compared in constant time). The key itself is never stored nor logged.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from core.audit import save_with_history
from feedback.models import Open311Partner
from units.models import Unit
from units.scope import Capability, require
from units.validity import unit_require_open

logger = logging.getLogger(__name__)

KEY_SCHEME = "cp311"
RATE_WINDOW = 60 * 60  # the partner's limit is per hour
MAX_KEY_LENGTH = 200


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def key_prefix(key: str) -> str | None:
    """The look-up prefix of a key in the portal's format, or None for anything else."""
    parts = (key or "").split("_", 2)
    if len(key or "") > MAX_KEY_LENGTH or len(parts) != 3 or parts[0] != KEY_SCHEME or not parts[1] or not parts[2]:
        return None
    return parts[1]


def _partner_save(*, actor, partner: Open311Partner, key: str, reason: str) -> Open311Partner:
    partner.key_prefix = key_prefix(key)
    partner.key_hash = key_hash(key)
    partner.full_clean()
    return save_with_history(partner, actor=actor, reason=reason)


@transaction.atomic
def open311_partner_create(*, actor, name: str, jurisdiction: Unit, rate_limit: int) -> tuple[Open311Partner, str]:
    """A new partner allowed to send cases to ``jurisdiction``'s subtree, and its API key (shown once: only its
    hash is kept). Needs the right to manage the jurisdiction's rules."""
    require(actor, Capability.MANAGE_RULES, jurisdiction)
    unit_require_open(jurisdiction, timezone.localdate(), field="jurisdiction")
    key = f"{KEY_SCHEME}_{secrets.token_hex(4)}_{secrets.token_urlsafe(32)}"
    partner = Open311Partner(name=(name or "").strip(), jurisdiction=jurisdiction, rate_limit=rate_limit, created_by=actor)
    return _partner_save(actor=actor, partner=partner, key=key, reason="created"), key


@transaction.atomic
def open311_partner_demo_ensure(*, key: str, name: str, jurisdiction: Unit, rate_limit: int = 600) -> Open311Partner:
    """The demo's partner with the published demo key (``DEMO_OPEN311_KEY``), made once and kept in step with the
    setting; the system is the actor."""
    if key_prefix(key) is None:
        raise ValueError("DEMO_OPEN311_KEY must read cp311_<prefix>_<secret>")
    partner = Open311Partner.objects.filter(key_prefix=key_prefix(key)).first() or Open311Partner(
        name=name, jurisdiction=jurisdiction, rate_limit=rate_limit
    )
    partner.revoked_at = None
    return _partner_save(actor=None, partner=partner, key=key, reason="demo partner")


@transaction.atomic
def open311_partner_revoke(*, actor, partner: Open311Partner) -> Open311Partner:
    """Stop the partner's key from working (its cases stay, recorded as its)."""
    require(actor, Capability.MANAGE_RULES, partner.jurisdiction)
    if partner.revoked_at is None:
        partner.revoked_at = timezone.now()
        save_with_history(partner, actor=actor, reason="revoked", update_fields=["revoked_at"])
    return partner


def open311_partner_for_key(*, key: str) -> Open311Partner | None:
    """The active partner whose key this is, or None (unknown, malformed or revoked). One query at most."""
    prefix = key_prefix(key)
    if prefix is None or "\x00" in key:
        return None
    partner = Open311Partner.objects.select_related("jurisdiction").filter(key_prefix=prefix, revoked_at__isnull=True).first()
    if partner is None or not hmac.compare_digest(partner.key_hash, key_hash(key)):
        return None
    return partner


def _rate_key(partner: Open311Partner) -> str:
    return f"feedback:rate:open311:{partner.pk}"


def open311_rate_limit_hit(*, partner: Open311Partner) -> bool:
    """Count one case sent by ``partner``; True when it goes over the partner's hourly limit (refuse it). A fixed
    window in the shared cache, as the public form's limits; allowed (with a warning) when the cache is down."""
    try:
        key = _rate_key(partner)
        if cache.add(key, 1, timeout=RATE_WINDOW):
            return partner.rate_limit < 1
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.add(key, 1, timeout=RATE_WINDOW)
            count = 1
        return count > partner.rate_limit
    except Exception as error:  # the backend's own error class: any failure means "unreachable"
        logger.warning("Open311 rate limit not applied: the cache is unreachable (%s: %s)", type(error).__name__, error)
        return False


def open311_rate_limit_reset(*, partner: Open311Partner) -> None:
    cache.delete(_rate_key(partner))
