"""The demo's Open311 partner: an app of the city of Hanoi whose API key is ``DEMO_OPEN311_KEY`` (a published, fixed
value by default: demo only), so the README's curl examples work on a demo portal as they are."""

from __future__ import annotations

from django.conf import settings

from feedback.models import Open311Partner
from feedback.open311.services import key_hash, open311_partner_demo_ensure
from units.choices import Structure
from units.models import Unit

DEMO_PARTNER_NAME = "Ứng dụng công dân Hà Nội (demo)"


def demo_open311_seed() -> Open311Partner | None:
    """The demo partner over Hanoi, its key set from ``DEMO_OPEN311_KEY``; None while Hanoi is not imported."""
    hanoi = Unit.objects.filter(official_code="01", structure=Structure.SHARED, parent__isnull=True).first()
    if hanoi is None:
        return None
    return open311_partner_demo_ensure(key=settings.DEMO_OPEN311_KEY, name=DEMO_PARTNER_NAME, jurisdiction=hanoi)


def demo_open311_key() -> str | None:
    """The demo key, when the demo partner holding it exists and is not revoked (for the logins banner)."""
    key = settings.DEMO_OPEN311_KEY
    if Open311Partner.objects.filter(key_hash=key_hash(key), revoked_at__isnull=True).exists():
        return key
    return None
