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
from simple_history.utils import bulk_create_with_history

from core.audit import save_with_history
from core.text import ascii_slug
from core.uploads import validate_scan
from pledges.choices import Audience, CampaignKind, PledgeMethod, VersionStatus
from pledges.code_texts import text_fingerprint
from pledges.models import Article, Chapter, CodeOfConduct, CodeVersion, Pledge, PledgeCampaign
from pledges.selectors import campaign_expected_staff, code_applies_to, code_version_text, code_version_with_text
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
#
# A province administrator (MANAGE_RULES on the jurisdiction) writes a code as a draft version and publishes it;
# a national default is a superuser's. A published version never changes: pledges keep the fingerprint of its
# exact text. Only a draft is edited, and never one a campaign uses.

CODE_FIELDS = ("title", "decision_number", "decision_date", "issuer", "audience")


def _require_manage(actor: User | None, code: CodeOfConduct) -> None:
    """Refuse (403) unless ``actor`` may edit ``code``: MANAGE_RULES on its jurisdiction; a national code (or one
    shipped for a province not imported yet) only for a superuser. ``None`` is the system itself."""
    if actor is None:
        return
    if code.jurisdiction_id is None:
        if not scope_for(actor).is_global:
            raise PermissionDenied
        return
    require(actor, Capability.MANAGE_RULES, code.jurisdiction)


def _require_jurisdiction(actor: User | None, jurisdiction: Unit | None) -> None:
    if actor is None:
        return
    if jurisdiction is None:
        if not scope_for(actor).is_global:
            raise PermissionDenied
        return
    require(actor, Capability.MANAGE_RULES, jurisdiction)


def _new_code_slug(decision_number: str, decision_date: datetime.date) -> str:
    """A short name for URLs from the decision ("12/QĐ-UBND" of 2024 → "12-qd-ubnd-2024"), unique."""
    base = (ascii_slug(decision_number.replace("/", " "))[:40].strip("-") or "quy-tac") + f"-{decision_date:%Y}"
    slug, n = base, 1
    while CodeOfConduct.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def code_validate(
    *, jurisdiction: Unit | None, title: str, decision_number: str, decision_date, issuer: str, audience: str,
    exclude_pk: int | None = None,
) -> None:
    """Refuse a code's particulars that are missing or wrong, every error at once (shared by the portal's form and
    the Django admin's)."""
    errors = {}
    for field, value in (("title", title), ("decision_number", decision_number), ("issuer", issuer)):
        if not (value or "").strip():
            errors[field] = _("This field is required.")
    if decision_date is None:
        errors["decision_date"] = _("Give the date of the decision.")
    if audience not in Audience.values:
        errors["audience"] = _("Choose whom the code binds.")
    if "decision_number" not in errors:
        same = CodeOfConduct.objects.filter(decision_number__iexact=decision_number.strip(), jurisdiction=jurisdiction)
        if exclude_pk is not None:
            same = same.exclude(pk=exclude_pk)
        if same.exists():
            errors["decision_number"] = _("A code issued by decision %(number)s already exists here.") % {
                "number": decision_number.strip()
            }
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def code_create(
    *,
    actor: User | None,
    jurisdiction: Unit | None,
    title: str,
    decision_number: str,
    decision_date: datetime.date,
    issuer: str,
    audience: str = Audience.STAFF,
) -> CodeOfConduct:
    """A new code for ``jurisdiction`` (None: a national default, superusers only), with an empty draft version 1
    to write its chapters and articles in. It binds nobody until that version is published."""
    _require_jurisdiction(actor, jurisdiction)
    code_validate(
        jurisdiction=jurisdiction, title=title, decision_number=decision_number, decision_date=decision_date,
        issuer=issuer, audience=audience,
    )
    code = CodeOfConduct(
        jurisdiction=jurisdiction, slug=_new_code_slug(decision_number, decision_date), title=title.strip(),
        decision_number=decision_number.strip(), decision_date=decision_date, issuer=issuer.strip(), audience=audience,
    )
    code.full_clean()
    save_with_history(code, actor=actor)
    save_with_history(CodeVersion(code=code, number=1, status=VersionStatus.DRAFT), actor=actor)
    return code


@transaction.atomic
def code_update(
    *, actor: User | None, code: CodeOfConduct, title: str, decision_number: str, decision_date: datetime.date,
    issuer: str, audience: str,
) -> CodeOfConduct:
    """Correct a code's particulars while none of its versions was ever published (its title is part of the text
    people sign, and its decision the legal basis pages cite)."""
    code = CodeOfConduct.objects.select_for_update().get(pk=code.pk)
    _require_manage(actor, code)
    if code.versions.exclude(status=VersionStatus.DRAFT).exists():
        raise ValidationError(
            _("This code has been published: its particulars can no longer change. Issue a new code instead."),
            code="published",
        )
    code_validate(
        jurisdiction=code.jurisdiction, title=title, decision_number=decision_number, decision_date=decision_date,
        issuer=issuer, audience=audience, exclude_pk=code.pk,
    )
    code.title, code.decision_number, code.issuer = title.strip(), decision_number.strip(), issuer.strip()
    code.decision_date, code.audience = decision_date, audience
    code.full_clean()
    return save_with_history(code, actor=actor)


@transaction.atomic
def code_version_draft_create(*, actor: User | None, code: CodeOfConduct) -> CodeVersion:
    """Start a new version as a copy of the published one (empty when none is), to edit before publishing."""
    code = CodeOfConduct.objects.select_for_update().get(pk=code.pk)
    _require_manage(actor, code)
    if code.versions.filter(status=VersionStatus.DRAFT).exists():
        raise ValidationError(_("A draft version of this code already exists; edit or publish it first."))
    source = code.versions.filter(status=VersionStatus.PUBLISHED).first()
    last_number = code.versions.order_by("-number").values_list("number", flat=True).first() or 0
    draft = save_with_history(CodeVersion(code=code, number=last_number + 1, status=VersionStatus.DRAFT), actor=actor)
    if source is not None:
        for chapter in source.chapters.prefetch_related("articles"):
            copy = save_with_history(Chapter(version=draft, number=chapter.number, title=chapter.title), actor=actor)
            bulk_create_with_history(
                [Article(chapter=copy, number=a.number, title=a.title, text=a.text) for a in chapter.articles.all()],
                Article, default_user=actor,
            )
    return draft


def _editable_version(actor: User | None, version: CodeVersion) -> CodeVersion:
    """The version, locked, once ``actor`` may edit it and it is a draft no campaign uses (else a refusal)."""
    version = CodeVersion.objects.select_for_update(of=("self",)).select_related("code", "code__jurisdiction").get(pk=version.pk)
    _require_manage(actor, version.code)
    if version.status != VersionStatus.DRAFT:
        raise ValidationError(
            _("Version %(number)s is %(status)s: its text never changes. Start a new version to amend it.")
            % {"number": version.number, "status": version.get_status_display().lower()},
            code="frozen",
        )
    if version.campaigns.exists():
        raise ValidationError(_("A pledge campaign uses this version: its text can no longer change."), code="in_use")
    return version


@transaction.atomic
def code_version_publish(*, actor: User | None, version: CodeVersion, notes: str = "") -> CodeVersion:
    """Make a draft the code's current text, with the fingerprint of its exact text; the previous version is
    superseded but kept for the pledges signed on it."""
    version = _editable_version(actor, version)
    if not Article.objects.filter(chapter__version=version).exists():
        raise ValidationError(_("A version without any article cannot be published."), code="empty")
    empty = list(version.chapters.filter(articles__isnull=True).order_by("number").values_list("number", flat=True))
    if empty:
        raise ValidationError(
            _("Chapter %(numbers)s has no article: add its articles or remove it before publishing.")
            % {"numbers": ", ".join(str(n) for n in empty)},
            code="empty_chapter",
        )
    for previous in CodeVersion.objects.select_for_update().filter(code=version.code, status=VersionStatus.PUBLISHED):
        previous.status = VersionStatus.SUPERSEDED
        save_with_history(previous, actor=actor, update_fields=["status"])
    version.status = VersionStatus.PUBLISHED
    version.published_at = timezone.now()
    version.notes = notes.strip() or version.notes
    version.text_hash = text_fingerprint(code_version_text(code_version_with_text(version_id=version.pk)))
    return save_with_history(version, actor=actor, update_fields=["status", "published_at", "notes", "text_hash"])


@transaction.atomic
def code_version_discard(*, actor: User | None, version: CodeVersion) -> CodeOfConduct:
    """Throw a draft away, with its chapters and articles (the published text, if any, stays in force)."""
    version = _editable_version(actor, version)
    code = version.code
    _delete_with_history(version, actor)
    return code


def _delete_with_history(instance, actor) -> None:
    instance._history_user = actor
    instance.delete()


def _check_chapter(version: CodeVersion, number, title: str, *, exclude_pk: int | None = None) -> None:
    errors = {}
    if not number or number < 1:
        errors["number"] = _("Give the chapter's number (1, 2, 3…).")
    elif version.chapters.filter(number=number).exclude(pk=exclude_pk).exists():
        errors["number"] = _("Chapter %(number)s already exists in this version.") % {"number": number}
    if not (title or "").strip():
        errors["title"] = _("Give the chapter's title.")
    if errors:
        raise ValidationError(errors)


def _check_article(version: CodeVersion, number, title: str, text: str, *, exclude_pk: int | None = None) -> None:
    # Articles are numbered across the whole version (Điều 1 … Điều n), as a violation cites them.
    errors = {}
    if not number or number < 1:
        errors["number"] = _("Give the article's number (1, 2, 3…).")
    else:
        clash = (
            Article.objects.filter(chapter__version=version, number=number).exclude(pk=exclude_pk)
            .select_related("chapter").first()
        )
        if clash is not None:
            errors["number"] = _("Article %(number)s already exists in this version (chapter %(chapter)s).") % {
                "number": number, "chapter": clash.chapter.number,
            }
    if not (title or "").strip():
        errors["title"] = _("Give the article's title.")
    if not (text or "").strip():
        errors["text"] = _("Give the article's text.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def chapter_create(*, actor: User | None, version: CodeVersion, number: int, title: str) -> Chapter:
    """Add a chapter to a draft."""
    version = _editable_version(actor, version)
    _check_chapter(version, number, title)
    chapter = Chapter(version=version, number=number, title=title.strip())
    chapter.full_clean()
    return save_with_history(chapter, actor=actor)


@transaction.atomic
def chapter_update(*, actor: User | None, chapter: Chapter, number: int, title: str) -> Chapter:
    """Renumber or retitle a chapter of a draft."""
    version = _editable_version(actor, chapter.version)
    chapter = Chapter.objects.select_for_update().get(pk=chapter.pk)
    _check_chapter(version, number, title, exclude_pk=chapter.pk)
    chapter.number, chapter.title = number, title.strip()
    chapter.full_clean()
    return save_with_history(chapter, actor=actor, update_fields=["number", "title"])


@transaction.atomic
def chapter_delete(*, actor: User | None, chapter: Chapter) -> CodeVersion:
    """Remove a chapter, and its articles, from a draft."""
    version = _editable_version(actor, chapter.version)
    for article in Article.objects.filter(chapter_id=chapter.pk):
        _delete_with_history(article, actor)
    _delete_with_history(Chapter.objects.get(pk=chapter.pk, version=version), actor)
    return version


@transaction.atomic
def article_create(*, actor: User | None, chapter: Chapter, number: int, title: str, text: str) -> Article:
    """Add an article to a chapter of a draft."""
    version = _editable_version(actor, chapter.version)
    _check_article(version, number, title, text)
    article = Article(chapter=chapter, number=number, title=title.strip(), text=text.strip())
    article.full_clean()
    return save_with_history(article, actor=actor)


@transaction.atomic
def article_update(
    *, actor: User | None, article: Article, number: int, title: str, text: str, chapter: Chapter | None = None
) -> Article:
    """Change an article of a draft (its number, title, text, or the chapter it sits in, of the same version)."""
    version = _editable_version(actor, article.chapter.version)
    article = Article.objects.select_for_update().get(pk=article.pk)
    chapter = chapter or article.chapter
    if chapter.version_id != version.pk:
        raise ValidationError({"chapter": _("Choose a chapter of this version.")})
    _check_article(version, number, title, text, exclude_pk=article.pk)
    article.chapter, article.number, article.title, article.text = chapter, number, title.strip(), text.strip()
    article.full_clean()
    return save_with_history(article, actor=actor, update_fields=["chapter", "number", "title", "text"])


@transaction.atomic
def article_delete(*, actor: User | None, article: Article) -> CodeVersion:
    """Remove an article from a draft."""
    version = _editable_version(actor, article.chapter.version)
    _delete_with_history(Article.objects.get(pk=article.pk, chapter__version=version), actor)
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
    if not code_applies_to(code=code_version.code, unit=scope_unit):
        raise ValidationError({"code_version": _(
            "%(code)s does not apply to %(unit)s: choose a code of its province (or city) or a national one."
        ) % {"code": code_version.code.decision_number, "unit": scope_unit.name}})
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
