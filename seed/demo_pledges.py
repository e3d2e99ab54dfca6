"""Demo pledges: this year's campaign over a province, opened by its oversight office, on the staff code in force
there (Hanoi's Decision 522, An Giang's own code), with the staff of its wards partly signed on paper.

The demo users' own staff records are left unsigned, so they can sign online, and the demo ward officer's ward
keeps some people to record (about two in five in Hanoi's).
"""

import datetime
import random

from django.db import transaction
from django.utils import timezone

from pledges import services
from pledges.choices import VersionStatus
from pledges.models import PledgeCampaign
from pledges.selectors import campaign_expected_staff, code_in_force
from units.models import Unit, User


@transaction.atomic
def demo_pledges_seed(
    *, scope: Unit, office: User | None, title: str, officer_ward: Unit | None = None, rng_seed: int = 2026,
    officer_ward_signed: float = 0.6,
) -> PledgeCampaign | None:
    """Create this year's campaign over ``scope`` on the staff code in force there on its first day, and its paper
    pledges (``officer_ward_signed``: the share signed in ``officer_ward``); None when it exists already
    (idempotent), or there is no office to open it or no code to sign."""
    today = timezone.localdate()
    opens_on = datetime.date(today.year, 1, 1)
    code = code_in_force(unit=scope, day=opens_on)
    if office is None or code is None or PledgeCampaign.objects.filter(year=today.year, scope_unit=scope).exists():
        return None
    campaign = services.campaign_create(
        actor=office,
        title=title.format(year=today.year),
        year=today.year,
        code_version=code.versions.get(status=VersionStatus.PUBLISHED),
        scope_unit=scope,
        opens_on=opens_on,
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
            ward_share = officer_ward_signed
        if rng.random() < ward_share:
            services.pledge_record_paper(
                actor=office,
                campaign=campaign,
                staff=staff,
                signed_on=campaign.opens_on + datetime.timedelta(days=rng.randint(0, span)),
            )
    return campaign
