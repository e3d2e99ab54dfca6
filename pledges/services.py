"""Writes for codes, campaigns and pledges. Every pledge change is kept in its history (who, when, old, new).

Rights are checked through the one scope gate (``units.scope.require``); history rows name the actor, and the
reason where one is given (``core.audit.save_with_history``).
"""

from __future__ import annotations

import datetime
import ipaddress

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import save_with_history
from core.uploads import validate_scan
from pledges.choices import CampaignKind, PledgeMethod, VersionStatus
from pledges.code_texts import text_fingerprint
from pledges.models import Article, Chapter, CodeOfConduct, CodeVersion, Pledge, PledgeCampaign
from pledges.selectors import campaign_expected_staff, code_version_text, code_version_with_text
from units.models import Staff, Unit, User
from units.scope import Capability, require, scope_for
from units.validity import unit_require_open


def _valid_ip(address: str | None) -> str | None:
    """The client address as stored, or None when it is missing or malformed (never a database error)."""
    try:
        return str(ipaddress.ip_address((address or "").strip()))
    except ValueError:
        return None


# --- Codes ------------------------------------------------------------------------------------------------


@transaction.atomic
def code_version_draft_create(*, actor: User, code: CodeOfConduct) -> CodeVersion:
    """Start a new version as a copy of the published one, for administrators to edit before publishing."""
    if not scope_for(actor).can_anywhere(Capability.MANAGE_CODES):
        raise PermissionDenied
    if code.versions.filter(status=VersionStatus.DRAFT).exists():
        raise ValidationError(_("A draft version of this code already exists; edit or publish it first."))
    source = code.versions.filter(status=VersionStatus.PUBLISHED).first()
    last_number = code.versions.order_by("-number").values_list("number", flat=True).first() or 0
    draft = CodeVersion.objects.create(code=code, number=last_number + 1, status=VersionStatus.DRAFT)
    if source is not None:
        for chapter in source.chapters.prefetch_related("articles"):
            copy = Chapter.objects.create(version=draft, number=chapter.number, title=chapter.title)
            Article.objects.bulk_create(
                Article(chapter=copy, number=a.number, title=a.title, text=a.text) for a in chapter.articles.all()
            )
    return draft


@transaction.atomic
def code_version_publish(*, actor: User, version: CodeVersion, notes: str = "") -> CodeVersion:
    """Make a draft the code's current text; the previous version is superseded but kept for old pledges."""
    if not scope_for(actor).can_anywhere(Capability.MANAGE_CODES):
        raise PermissionDenied
    version = CodeVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != VersionStatus.DRAFT:
        raise ValidationError(_("Only a draft version can be published."))
    if not Article.objects.filter(chapter__version=version).exists():
        raise ValidationError(_("A version without any article cannot be published."))
    CodeVersion.objects.filter(code=version.code, status=VersionStatus.PUBLISHED).update(status=VersionStatus.SUPERSEDED)
    version.status = VersionStatus.PUBLISHED
    version.published_at = timezone.now()
    version.notes = notes or version.notes
    version.text_hash = text_fingerprint(code_version_text(code_version_with_text(version_id=version.pk)))
    version.save(update_fields=["status", "published_at", "notes", "text_hash"])
    return version


# --- Campaigns ----------------------------------------------------------------------------------------------


@transaction.atomic
def campaign_create(
    *,
    actor: User,
    title: str,
    year: int,
    code_version: CodeVersion,
    scope_unit: Unit,
    opens_on: datetime.date,
    closes_on: datetime.date,
    kind: str = CampaignKind.ANNUAL,
    target_percent: int = 100,
) -> PledgeCampaign:
    """Open a pledge campaign for everyone under ``scope_unit`` (the actor must manage campaigns there)."""
    require(actor, Capability.MANAGE_CAMPAIGNS, scope_unit)
    if code_version.status != VersionStatus.PUBLISHED:
        raise ValidationError({"code_version": _("Only the published version of a code can be signed.")})
    campaign = PledgeCampaign(
        title=title.strip(), year=year, code_version=code_version, scope_unit=scope_unit, opens_on=opens_on,
        closes_on=closes_on, kind=kind, target_percent=target_percent, created_by=actor,
    )
    if closes_on < opens_on:
        raise ValidationError({"closes_on": _("The campaign cannot close before it opens.")})
    unit_require_open(scope_unit, opens_on, until=closes_on, field="scope_unit")
    campaign.full_clean()
    return save_with_history(campaign, actor=actor)


# --- Pledges ------------------------------------------------------------------------------------------------


def _check_open(campaign: PledgeCampaign, day: datetime.date) -> None:
    if day < campaign.opens_on:
        raise ValidationError(
            _("The campaign opens on %(day)s; pledges cannot be recorded before.") % {"day": campaign.opens_on.strftime("%d/%m/%Y")},
            code="not_open",
        )
    if day > campaign.closes_on:
        raise ValidationError(
            _("The campaign closed on %(day)s; pledges can no longer be recorded.") % {"day": campaign.closes_on.strftime("%d/%m/%Y")},
            code="closed",
        )


def _check_expected(campaign: PledgeCampaign, staff: Staff) -> None:
    if not campaign_expected_staff(campaign=campaign).filter(pk=staff.pk).exists():
        raise ValidationError(_("%(name)s is not expected to sign in this campaign.") % {"name": staff.full_name}, code="not_expected")


def _already_signed(staff: Staff) -> ValidationError:
    return ValidationError(_("%(name)s has already signed in this campaign.") % {"name": staff.full_name}, code="already_signed")


def _save_new_pledge(pledge: Pledge, actor: User) -> Pledge:
    """Insert the pledge; the database's unique constraint decides a race between two simultaneous signatures."""
    if Pledge.objects.filter(campaign=pledge.campaign, staff=pledge.staff, withdrawn_at__isnull=True).exists():
        raise _already_signed(pledge.staff)
    try:
        with transaction.atomic():
            save_with_history(pledge, actor=actor)
    except IntegrityError:
        raise _already_signed(pledge.staff) from None
    return pledge


@transaction.atomic
def pledge_sign_online(*, actor: User, campaign: PledgeCampaign, ip_address: str | None) -> Pledge:
    """The logged-in staff member signs the campaign's code after reading it."""
    staff = actor.staff_member
    if staff is None:
        raise ValidationError(_("Your account is not linked to a staff record, so you cannot sign online."), code="no_staff")
    today = timezone.localdate()
    _check_open(campaign, today)
    _check_expected(campaign, staff)
    version = code_version_with_text(version_id=campaign.code_version_id)
    pledge = Pledge(
        campaign=campaign, staff=staff, unit=staff.unit, method=PledgeMethod.ONLINE, signed_on=today,
        recorded_by=actor, ip_address=_valid_ip(ip_address), text_hash=text_fingerprint(code_version_text(version)),
    )
    return _save_new_pledge(pledge, actor)


@transaction.atomic
def pledge_record_paper(
    *,
    actor: User,
    campaign: PledgeCampaign,
    staff: Staff,
    signed_on: datetime.date,
    scan=None,
    ip_address: str | None = None,
) -> Pledge:
    """An officer records a pledge signed on paper, optionally with a scan (a real PDF or image, size-limited)."""
    require(actor, Capability.RECORD_PLEDGES, staff.unit)
    today = timezone.localdate()
    _check_open(campaign, today)
    if signed_on > today:
        raise ValidationError({"signed_on": _("The date signed cannot be in the future.")})
    if not campaign.opens_on <= signed_on <= campaign.closes_on:
        raise ValidationError({"signed_on": _("The date signed must fall within the campaign.")})
    _check_expected(campaign, staff)
    if scan:
        try:
            extension = validate_scan(scan, max_bytes=settings.PLEDGE_SCAN_MAX_BYTES)
        except ValidationError as error:
            raise ValidationError({"scan": error.messages}) from None
        scan.name = f"scan.{extension}"
    version = code_version_with_text(version_id=campaign.code_version_id)
    pledge = Pledge(
        campaign=campaign, staff=staff, unit=staff.unit, method=PledgeMethod.PAPER, signed_on=signed_on,
        recorded_by=actor, ip_address=_valid_ip(ip_address), text_hash=text_fingerprint(code_version_text(version)),
    )
    if scan:
        pledge.scan = scan
    return _save_new_pledge(pledge, actor)


@transaction.atomic
def pledge_withdraw(*, actor: User, pledge: Pledge, reason: str) -> Pledge:
    """Administrators only: withdraw a pledge (recorded by mistake, signed for the wrong person), with a reason."""
    require(actor, Capability.WITHDRAW_PLEDGES, pledge.staff.unit)
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for withdrawing the pledge.")})
    pledge = Pledge.objects.select_for_update().get(pk=pledge.pk)
    if pledge.is_withdrawn:
        raise ValidationError(_("This pledge was already withdrawn."))
    pledge.withdrawn_at = timezone.now()
    pledge.withdrawn_by = actor
    pledge.withdrawal_reason = reason.strip()
    return save_with_history(
        pledge, actor=actor, reason=reason.strip(), update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_reason"]
    )
