"""The banner telling officers how many staff in their units have not signed a running campaign."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Max, OuterRef, Subquery, Sum
from django.utils import timezone

from pledges.models import PledgeReminder
from units.scope import Capability, scope_for


@dataclass(frozen=True)
class BannerItem:
    campaign_id: int
    title: str
    unsigned: int


def pledge_banner(request) -> dict:
    """Context processor: ``pledge_banner``, one item per open campaign with reminded units in the user's scope.

    The numbers are those of the campaign's latest reminder run (a unit fully signed since then was not
    reminded again, so it drops out). One query, plus the user's scope (shared with the navigation); the
    result is kept on the request.
    """
    items = getattr(request, "_pledge_banner", None)
    if items is None:
        items = _banner_items(getattr(request, "user", None))
        request._pledge_banner = items
    return {"pledge_banner": items}


def _banner_items(user) -> list[BannerItem]:
    if user is None or not user.is_authenticated:
        return []
    scope = scope_for(user)
    if not scope.can_anywhere(Capability.RECORD_PLEDGES):
        return []
    today = timezone.localdate()
    latest_run = (
        PledgeReminder.objects.filter(campaign=OuterRef("campaign"), sent_on__lte=today)
        .values("campaign")
        .annotate(last=Max("sent_on"))
        .values("last")
    )
    reminders = (
        PledgeReminder.objects.filter(campaign__opens_on__lte=today, campaign__closes_on__gte=today, sent_on__lte=today)
        .visible_to(user)
        .filter(sent_on=Subquery(latest_run))
    )
    rows = (
        reminders.values("campaign_id", "campaign__title", "campaign__opens_on")
        .annotate(unsigned=Sum("unsigned_count"))
        .filter(unsigned__gt=0)
        .order_by("campaign__opens_on", "campaign_id")
    )
    return [BannerItem(row["campaign_id"], row["campaign__title"], row["unsigned"]) for row in rows]
