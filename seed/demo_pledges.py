"""Demo pledges: this year's campaign over a province, opened by its oversight office, with the staff of its wards
partly signed on paper.

The demo users' own staff records are left unsigned, so they can sign online, and the demo ward officer's ward
keeps about two people in five to record.
"""

import datetime
import random

from django.db import transaction
from django.utils import timezone

from pledges import services
from pledges.choices import VersionStatus
from pledges.models import CodeVersion, PledgeCampaign
from pledges.selectors import campaign_expected_staff
from units.models import Unit, User

STAFF_CODE_SLUG = "qd-522-2017"
OFFICER_WARD_SHARE = 0.6


@transaction.atomic
def demo_pledges_seed(
    *, scope: Unit, office: User | None, title: str, officer_ward: Unit | None = None, rng_seed: int = 2026
) -> PledgeCampaign | None:
    """Create this year's campaign over ``scope`` and its paper pledges; None when it exists already (idempotent)
    or there is no office to open it."""
    today = timezone.localdate()
    if office is None or PledgeCampaign.objects.filter(year=today.year, scope_unit=scope).exists():
        return None
    campaign = services.campaign_create(
        actor=office,
        title=title.format(year=today.year),
        year=today.year,
        code_version=CodeVersion.objects.get(code__slug=STAFF_CODE_SLUG, status=VersionStatus.PUBLISHED),
        scope_unit=scope,
        opens_on=datetime.date(today.year, 1, 1),
        closes_on=datetime.date(today.year, 12, 31),
    )
    rng = random.Random(rng_seed)
    last_signing_day = min(today, datetime.date(today.year, 1, 31))
    span = (last_signing_day - campaign.opens_on).days
    with_login = set(User.objects.filter(staff_member__isnull=False).values_list("staff_member_id", flat=True))
    expected = campaign_expected_staff(campaign=campaign).select_related("unit").order_by("staff_code")
    for staff in expected:
        if staff.pk in with_login:
            continue
        # Each ward reaches its own share, so the coverage page shows a spread of colours.
        ward_share = random.Random(f"{rng_seed}:{staff.unit.structure}:{staff.unit.official_code}").uniform(0.55, 1.0)
        if officer_ward is not None and staff.unit_id == officer_ward.pk:
            ward_share = OFFICER_WARD_SHARE
        if rng.random() < ward_share:
            services.pledge_record_paper(
                actor=office,
                campaign=campaign,
                staff=staff,
                signed_on=campaign.opens_on + datetime.timedelta(days=rng.randint(0, span)),
            )
    return campaign
