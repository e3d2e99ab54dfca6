"""Demo pledges: this year's campaign over Quận Thanh Xuân, with most wards partly signed on paper.

Phường Thanh Xuân Bắc is left unsigned, so the demo ward officer can record and sign pledges there.
"""

import datetime
import random

from django.db import transaction
from django.utils import timezone

from pledges import services
from pledges.choices import VersionStatus
from pledges.models import CodeVersion, PledgeCampaign
from pledges.selectors import campaign_expected_staff
from units.choices import Structure
from units.models import Unit, User

STAFF_CODE_SLUG = "qd-522-2017"
UNSIGNED_WARD_CODE = "00367"  # Phường Thanh Xuân Bắc: left for the demo officer


@transaction.atomic
def demo_pledges_seed(*, rng_seed: int = 2026) -> PledgeCampaign | None:
    """Create this year's demo campaign and its paper pledges; None when it exists already (idempotent)."""
    district = Unit.objects.filter(structure=Structure.LEGACY, official_code="009").first()
    officer = User.objects.filter(username="district.thanhxuan").first()
    if district is None or officer is None:
        return None
    today = timezone.localdate()
    if PledgeCampaign.objects.filter(year=today.year, scope_unit=district).exists():
        return None
    campaign = services.campaign_create(
        actor=officer,
        title=f"Ký cam kết thực hiện Quy tắc ứng xử năm {today.year}",
        year=today.year,
        code_version=CodeVersion.objects.get(code__slug=STAFF_CODE_SLUG, status=VersionStatus.PUBLISHED),
        scope_unit=district,
        opens_on=datetime.date(today.year, 1, 1),
        closes_on=datetime.date(today.year, 12, 31),
    )
    rng = random.Random(rng_seed)
    last_signing_day = min(today, datetime.date(today.year, 1, 31))
    span = (last_signing_day - campaign.opens_on).days
    for staff in campaign_expected_staff(campaign=campaign).select_related("unit").order_by("staff_code"):
        if staff.unit.official_code == UNSIGNED_WARD_CODE:
            continue
        # Each ward reaches its own share, so the coverage page shows a spread of colours.
        ward_share = random.Random(f"{rng_seed}:{staff.unit.official_code}").uniform(0.55, 1.0)
        if rng.random() < ward_share:
            services.pledge_record_paper(
                actor=officer,
                campaign=campaign,
                staff=staff,
                signed_on=campaign.opens_on + datetime.timedelta(days=rng.randint(0, span)),
            )
    return campaign
