"""Synthetic pledge campaigns: one a year over each province the wards belong to (the city's annual pledge),
signed by about 96% of the staff active during it, on paper or online. History rows are left out (no author)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from core.dates import local_datetime
from pledges.choices import PledgeMethod
from pledges.code_texts import text_fingerprint
from pledges.models import CodeVersion, Pledge, PledgeCampaign
from pledges.selectors import code_version_text, code_version_with_text
from seed.synthetic.copy import copy_rows
from seed.synthetic.plan import Plan
from seed.synthetic.staff import Person

SIGNED_SHARE = 0.96
PLEDGE_FIELDS = ["campaign", "staff", "unit", "method", "signed_on", "recorded_at", "recorded_by", "ip_address",
                 "text_hash", "scan", "withdrawn_at", "withdrawn_by", "withdrawal_reason"]


def pledges_seed(plan: Plan, people: dict[int, list[Person]]) -> tuple[int, int]:
    """Write the campaigns and their pledges; returns (campaigns, pledges)."""
    version = CodeVersion.objects.filter(status="published", code__audience="staff").first()
    if version is None:
        return 0, 0
    text_hash = text_fingerprint(code_version_text(code_version_with_text(version_id=version.pk)))
    rng = plan.rng("pledges")
    roots = {ward.ancestor_ids[0] for ward in plan.wards}  # each ward's province (a ward is never at the top)
    years = sorted({month.year for month in plan.months})
    campaigns = [
        PledgeCampaign(title=f"Ký cam kết thực hiện Quy tắc ứng xử năm {year}", year=year, code_version=version,
                       scope_unit_id=root, opens_on=datetime.date(year, 1, 10), closes_on=datetime.date(year, 2, 28),
                       target_percent=100, created_by=plan.author)
        for year in years for root in sorted(roots)
        if datetime.date(year, 1, 10) <= plan.today
    ]
    PledgeCampaign.objects.bulk_create(campaigns)  # no history rows: a synthetic campaign has no author to show
    root_of = {ward.pk: ward.ancestor_ids[0] for ward in plan.wards}
    ward_by_id = {ward.pk: ward for ward in plan.wards}
    now = timezone.now()

    def rows():
        for campaign in campaigns:
            last = min(campaign.closes_on, plan.today)
            for ward_id, ward_people in people.items():
                if root_of[ward_id] != campaign.scope_unit_id:
                    continue
                for person in ward_people:
                    if person.active_from > campaign.closes_on or (person.active_to and person.active_to < campaign.opens_on):
                        continue
                    if rng.random() > SIGNED_SHARE:
                        continue
                    first = max(campaign.opens_on, person.active_from)
                    if first > last:
                        continue
                    signed = first + datetime.timedelta(days=rng.randrange((last - first).days + 1))
                    online = rng.random() < 0.6
                    yield (campaign.pk, person.id, plan.unit_or_ward(ward_by_id[ward_id], signed), PledgeMethod.ONLINE if online else PledgeMethod.PAPER, signed,
                           min(local_datetime(signed, rng.randint(8, 17)), now), plan.author.pk,
                           f"113.190.{rng.randrange(256)}.{rng.randrange(1, 255)}" if online else None,
                           text_hash, "", None, None, "")

    return len(campaigns), copy_rows(Pledge, PLEDGE_FIELDS, rows())
