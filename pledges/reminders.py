"""Reminders to units' officers about staff who have not signed a running campaign yet.

Run by Celery beat (``pledges.tasks.pledge_reminders_send``) every hour; a unit gets at most one reminder
per campaign and day, whatever the schedule and however many workers run it: the row is inserted first and
the database's unique constraint (campaign, unit, sent_on) lets only one of them through.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q, Window
from django.db.models.functions import RowNumber
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from pledges.models import Pledge, PledgeCampaign, PledgeReminder
from pledges.selectors import campaign_expected_staff
from units.choices import Role
from units.models import RoleAssignment, Unit
from units.notifications.kinds import NotificationKind
from units.notifications.services import notify

logger = logging.getLogger(__name__)

# The e-mail lists this many names; the coverage page has the full list.
NAMES_IN_EMAIL = 50
UNIT_OFFICER_ROLES = (Role.WARD_OFFICER, Role.UNIT_HEAD)


def pledge_reminders_send(*, today: datetime.date) -> int:
    """Remind the officers of every unit with unsigned staff in each campaign due for reminders on ``today``.

    A campaign is due while it is open and at least ``PLEDGE_REMINDER_AFTER_DAYS`` days after it opened.
    Each unit gets a ``PledgeReminder`` row (it also drives the banner in the portal) and one e-mail to its
    ward officers and unit heads, or, when it has none with an e-mail address, to the district office above
    it. Returns the number of reminders recorded; a second run on the same day records and sends nothing.
    """
    due_since = today - datetime.timedelta(days=settings.PLEDGE_REMINDER_AFTER_DAYS)
    campaigns = PledgeCampaign.objects.open_on(today).filter(opens_on__lte=due_since).select_related("scope_unit")
    return sum(_campaign_remind(campaign=campaign, today=today) for campaign in campaigns)


def _campaign_remind(*, campaign: PledgeCampaign, today: datetime.date) -> int:
    unsigned_by_unit = _unsigned_by_unit(campaign)
    if not unsigned_by_unit:
        return 0
    already = set(
        PledgeReminder.objects.filter(campaign=campaign, sent_on=today, unit_id__in=unsigned_by_unit).values_list(
            "unit_id", flat=True
        )
    )
    pending = {unit_id: names for unit_id, names in unsigned_by_unit.items() if unit_id not in already}
    if not pending:
        return 0
    units = {unit.pk: unit for unit in Unit.objects.filter(pk__in=pending).only("id", "name", "path", "public_code")}
    recipients = _recipients_by_unit(units.values())
    signers = _unsigned_accounts_by_unit(campaign, pending)
    sent = 0
    for unit_id in sorted(pending, key=lambda pk: units[pk].path):
        unit, (count, names) = units[unit_id], pending[unit_id]
        to = recipients.get(unit_id, [])
        try:
            # The row first: if another worker already reminded this unit today, it wins and we send nothing.
            with transaction.atomic():
                PledgeReminder.objects.create(
                    campaign=campaign, unit=unit, sent_on=today, unsigned_count=count, recipients="\n".join(to)
                )
        except IntegrityError:
            continue
        sent += 1
        _remind_signers(campaign=campaign, unit=unit, user_ids=signers.get(unit_id, []), today=today)
        if to:
            _send(campaign=campaign, unit=unit, count=count, names=names, to=to)
    return sent


def _unsigned_by_unit(campaign: PledgeCampaign) -> dict[int, tuple[int, list[str]]]:
    """For each unit with unsigned staff: how many, and the first names alphabetically. One query."""
    signed = Pledge.objects.filter(campaign=campaign, withdrawn_at__isnull=True).values("staff_id")
    rows = (
        campaign_expected_staff(campaign=campaign)
        .exclude(pk__in=signed)
        .annotate(
            name_rank=Window(RowNumber(), partition_by=[F("unit_id")], order_by=[F("full_name").asc(), F("pk").asc()]),
            unit_total=Window(Count("pk"), partition_by=[F("unit_id")]),
        )
        .filter(name_rank__lte=NAMES_IN_EMAIL)
        .order_by("unit_id", "name_rank")
        .values_list("unit_id", "full_name", "unit_total")
    )
    result: dict[int, tuple[int, list[str]]] = {}
    for unit_id, name, total in rows:
        result.setdefault(unit_id, (total, []))[1].append(name)
    return result


def _unsigned_accounts_by_unit(campaign: PledgeCampaign, unit_ids) -> dict[int, list[int]]:
    """The portal accounts of the unsigned staff of ``unit_ids`` (those linked to a staff record). One query."""
    signed = Pledge.objects.filter(campaign=campaign, withdrawn_at__isnull=True).values("staff_id")
    rows = (
        campaign_expected_staff(campaign=campaign)
        .exclude(pk__in=signed)
        .filter(unit_id__in=list(unit_ids), user__isnull=False, user__is_active=True)
        .values_list("unit_id", "user__id")
    )
    result: dict[int, list[int]] = {}
    for unit_id, user_id in rows:
        result.setdefault(unit_id, []).append(user_id)
    return result


def _remind_signers(*, campaign: PledgeCampaign, unit: Unit, user_ids: list[int], today: datetime.date) -> None:
    """Each unsigned staff member with an account is reminded themselves, once a week (in the portal, and by
    e-mail as they chose)."""
    if not user_ids:
        return
    year, week, _day = today.isocalendar()
    notify(
        kind=NotificationKind.PLEDGE_UNSIGNED, unit=unit, obj=campaign, url=reverse("pledges:pledge_sign", args=[campaign.pk]),
        params={"campaign": campaign.title, "due": campaign.closes_on.strftime("%d/%m/%Y")},
        event_key=f"pledge-unsigned:{campaign.pk}:{year}-W{week:02d}", recipients=user_ids,
    )


def _recipients_by_unit(units) -> dict[int, list[str]]:
    """E-mail addresses of each unit's own officers; for a unit without any, the nearest district office's.

    Two queries whatever the number of units.
    """
    units = list(units)
    active_with_email = Q(user__is_active=True) & ~Q(user__email="")
    by_unit: dict[int, set[str]] = {}
    for unit_id, email in RoleAssignment.objects.filter(
        active_with_email, unit_id__in=[u.pk for u in units], role__in=UNIT_OFFICER_ROLES
    ).values_list("unit_id", "user__email"):
        by_unit.setdefault(unit_id, set()).add(email.strip())
    orphans = [unit for unit in units if unit.pk not in by_unit]
    if orphans:
        ancestor_ids = {ancestor for unit in orphans for ancestor in unit.ancestor_ids}
        offices: dict[int, set[str]] = {}
        for unit_id, email in RoleAssignment.objects.filter(
            active_with_email, unit_id__in=ancestor_ids, role=Role.DISTRICT_OFFICE
        ).values_list("unit_id", "user__email"):
            offices.setdefault(unit_id, set()).add(email.strip())
        for unit in orphans:
            nearest = next((offices[a] for a in reversed(unit.ancestor_ids) if a in offices), None)
            if nearest:
                by_unit[unit.pk] = nearest
    return {unit_id: sorted(emails) for unit_id, emails in by_unit.items()}


def _coverage_url(campaign: PledgeCampaign, unit: Unit) -> str:
    base = (getattr(settings, "PORTAL_BASE_URL", "") or "http://127.0.0.1:8000").rstrip("/")
    return base + reverse("pledges:campaign_unit", args=[campaign.pk, unit.public_code])


def _send(*, campaign: PledgeCampaign, unit: Unit, count: int, names: list[str], to: list[str]) -> None:
    context = {
        "campaign": campaign,
        "unit": unit,
        "unsigned_count": count,
        "names": names,
        "more": count - len(names),
        "url": _coverage_url(campaign, unit),
    }
    with translation.override("vi"):
        subject = " ".join(render_to_string("pledges/email/reminder_subject.txt", context).split())
        body = render_to_string("pledges/email/reminder_body.txt", context)
    try:
        EmailMessage(subject=subject, body=body, to=to).send()
    except Exception:
        # The reminder is recorded, so it is not sent again today; the banner in the portal still shows it.
        logger.exception("Pledge reminder e-mail for campaign %s, unit %s failed", campaign.pk, unit.pk)
