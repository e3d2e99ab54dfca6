"""Reads for codes, campaigns and coverage, already scoped and counted in a constant number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
import datetime

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from pledges.choices import Audience, VersionStatus
from pledges.code_texts import canonical_text
from pledges.models import Article, Chapter, CodeOfConduct, CodeVersion, Pledge, PledgeCampaign
from units.jurisdiction import ancestry_ids, applicable_q, national_q, rule_in_force
from units.models import Staff, Unit
from units.rollup import Rollup
from units.scope import Capability, is_within, scope_for

# --- Codes ------------------------------------------------------------------------------------------------


def code_current_version(*, code: CodeOfConduct) -> CodeVersion:
    """The published version of ``code``, with its chapters and articles loaded."""
    articles = Prefetch("articles", queryset=Article.objects.order_by("number"))
    chapters = Prefetch("chapters", queryset=Chapter.objects.order_by("number").prefetch_related(articles))
    return get_object_or_404(
        CodeVersion.objects.select_related("code").prefetch_related(chapters), code=code, status=VersionStatus.PUBLISHED
    )


def code_version_with_text(*, version_id: int) -> CodeVersion:
    """A version (any status) with its code, chapters and articles loaded, in order."""
    articles = Prefetch("articles", queryset=Article.objects.order_by("number"))
    chapters = Prefetch("chapters", queryset=Chapter.objects.order_by("number").prefetch_related(articles))
    return CodeVersion.objects.select_related("code").prefetch_related(chapters).get(pk=version_id)


def code_version_outline(*, version_id: int) -> CodeVersion:
    """A version with its code, chapters and articles loaded in order, and whether a campaign uses it."""
    articles = Prefetch("articles", queryset=Article.objects.order_by("number"))
    chapters = Prefetch("chapters", queryset=Chapter.objects.order_by("number").prefetch_related(articles))
    return (
        CodeVersion.objects.select_related("code", "code__jurisdiction")
        .prefetch_related(chapters)
        .annotate(campaign_count=Count("campaigns"))
        .get(pk=version_id)
    )


def code_version_text(version: CodeVersion) -> str:
    """The exact text of a version, as hashed when it was published and when someone signs it."""
    chapters = [
        (chapter.number, chapter.title, [(a.number, a.title, a.text) for a in chapter.articles.all()])
        for chapter in version.chapters.all()
    ]
    return canonical_text(version.code.title, chapters)


def _codes_concerning_q(user) -> Q:
    """Codes that concern the user: the national ones, those of the jurisdictions above or at the user's units
    (they apply there) and those of jurisdictions inside the user's scope."""
    scope = scope_for(user)
    return (
        national_q()
        | Q(jurisdiction_id__in=scope.ancestor_unit_ids)
        | Q(jurisdiction__in=Unit.objects.visible_to(user))
    )


def code_list(*, user) -> QuerySet:
    """The codes a user may read in the list, with their jurisdiction and the published version (two queries).

    Anyone: the codes with a published text (a code of conduct is public). A signed-in user: those concerning
    their units (``_codes_concerning_q``), and the drafts of codes they may manage. A superuser: every code."""
    published = Prefetch(
        "versions", queryset=CodeVersion.objects.filter(status=VersionStatus.PUBLISHED), to_attr="published_versions"
    )
    codes = CodeOfConduct.objects.select_related("jurisdiction").prefetch_related(published)
    has_text = Q(versions__status=VersionStatus.PUBLISHED)
    if not user.is_authenticated:
        codes = codes.filter(has_text)
    elif not scope_for(user).is_global:
        managed = code_manageable(user=user).values("pk")
        codes = codes.filter(_codes_concerning_q(user)).filter(has_text | Q(pk__in=managed))
    return codes.distinct().order_by("jurisdiction__path", "decision_date", "pk")


def code_manageable(*, user) -> QuerySet:
    """The codes ``user`` may edit: those of jurisdictions where they manage rules (any code for a superuser;
    national codes for a superuser only)."""
    scope = scope_for(user)
    if scope.is_global:
        return CodeOfConduct.objects.all()
    return scope.filter_capable(
        CodeOfConduct.objects.filter(jurisdiction__isnull=False), Capability.MANAGE_RULES, "jurisdiction"
    )


def code_can_manage(*, user, code: CodeOfConduct) -> bool:
    """May ``user`` edit ``code``: MANAGE_RULES on its jurisdiction; a national code only for a superuser."""
    scope = scope_for(user)
    if scope.is_global:
        return True
    return code.jurisdiction_id is not None and scope.can(Capability.MANAGE_RULES, code.jurisdiction)


def _codes_concerning(user) -> QuerySet:
    codes = CodeOfConduct.objects.all()
    return codes if scope_for(user).is_global else codes.filter(_codes_concerning_q(user))


def code_get_for_user(*, user, slug: str) -> CodeOfConduct:
    """A code that concerns the user (``_codes_concerning_q``; any for a superuser), or 404."""
    return get_object_or_404(_codes_concerning(user).select_related("jurisdiction"), slug=slug)


def code_versions(*, code: CodeOfConduct) -> QuerySet:
    """The versions of ``code``, newest first, with how many articles and campaigns each has."""
    return code.versions.annotate(
        article_count=Count("chapters__articles", distinct=True), campaign_count=Count("campaigns", distinct=True)
    ).order_by("-number")


def code_version_get_for_user(*, user, pk: int) -> CodeVersion:
    """A version of a code that concerns the user (``code_get_for_user``), or 404."""
    versions = CodeVersion.objects.select_related("code__jurisdiction").filter(code__in=_codes_concerning(user))
    return get_object_or_404(versions, pk=pk)


def chapter_get_for_user(*, user, pk: int) -> Chapter:
    """A chapter of a version of a code that concerns the user, or 404."""
    chapters = Chapter.objects.select_related("version__code__jurisdiction").filter(version__code__in=_codes_concerning(user))
    return get_object_or_404(chapters, pk=pk)


def article_get_for_user(*, user, pk: int) -> Article:
    """An article of a version of a code that concerns the user, or 404."""
    articles = Article.objects.select_related("chapter__version__code__jurisdiction").filter(
        chapter__version__code__in=_codes_concerning(user)
    )
    return get_object_or_404(articles, pk=pk)


def code_jurisdictions_to_manage(*, user) -> QuerySet:
    """Units for which the user may create rules: their assignments that grant MANAGE_RULES (a superuser: the
    roots of the tree; the national default is offered to superusers apart)."""
    scope = scope_for(user)
    condition = Q(pk__in=scope.assigned_unit_ids(capability=Capability.MANAGE_RULES))
    if scope.is_global:
        condition |= Q(parent__isnull=True)
    return Unit.objects.filter(condition).select_related("parent").order_by("path")


def code_versions_for_units(*, units) -> QuerySet:
    """Published versions of the codes that apply to any of ``units`` (their jurisdictions' up the tree, and the
    national ones): what a pledge campaign over one of them may ask to sign."""
    ids = {unit_id for unit in units for unit_id in ancestry_ids(unit)}
    applies = Q(code__jurisdiction_id__in=ids) | Q(code__jurisdiction__isnull=True, code__shipped_for="")
    return (
        CodeVersion.objects.filter(status=VersionStatus.PUBLISHED)
        .filter(applies)
        .select_related("code", "code__jurisdiction")
        .order_by("code__jurisdiction__path", "code__decision_date", "code__pk")
    )


def code_applies_to(*, code: CodeOfConduct, unit: Unit) -> bool:
    """Does ``code`` bind ``unit``: its jurisdiction is ``unit`` or above it, or it is a national default."""
    return CodeOfConduct.objects.filter(applicable_q(unit), pk=code.pk).exists()


# --- Campaigns ----------------------------------------------------------------------------------------------


def campaign_list(*, user) -> QuerySet:
    """Campaigns the user is concerned by: their scope is visible to the user, or lies above the user's units."""
    scope = scope_for(user)
    campaigns = PledgeCampaign.objects.select_related("code_version__code", "scope_unit")
    if scope.is_global:
        return campaigns
    return campaigns.filter(
        Q(scope_unit__in=Unit.objects.visible_to(user)) | Q(scope_unit_id__in=scope.ancestor_unit_ids)
    )


def campaign_get_for_user(*, user, pk: int) -> PledgeCampaign:
    """A campaign the user is concerned by (``campaign_list``), or 404."""
    return get_object_or_404(campaign_list(user=user), pk=pk)


def campaign_get_for_signer(*, user, staff: Staff | None, pk: int) -> PledgeCampaign:
    """A campaign the user may open to sign: one whose scope holds their own unit, or one they can see (404)."""
    campaign = get_object_or_404(PledgeCampaign.objects.select_related("code_version__code", "scope_unit"), pk=pk)
    if staff is not None and is_within(staff.unit, campaign.scope_unit):
        return campaign
    if campaign_list(user=user).filter(pk=campaign.pk).exists():
        return campaign
    raise Http404


def campaign_units_to_manage(*, user) -> QuerySet:
    """Units the user may open a campaign for: those of their assignments that grant it (a superuser: the roots),
    as far as they exist today (a dissolved unit gets no new campaign)."""
    scope = scope_for(user)
    ids = scope.assigned_unit_ids(capability=Capability.MANAGE_CAMPAIGNS)
    condition = Q(pk__in=ids)
    if scope.is_global:
        condition |= Q(parent__isnull=True)
    return Unit.objects.filter(condition).valid_on(timezone.localdate()).select_related("parent").order_by("path")


def campaign_reference_day(campaign: PledgeCampaign) -> datetime.date:
    """The day whose staff are expected to sign: today while the campaign runs, its last day once it closed."""
    today = timezone.localdate()
    return min(max(today, campaign.opens_on), campaign.closes_on)


def campaign_expected_staff(*, campaign: PledgeCampaign, under: Unit | None = None) -> QuerySet:
    """Active staff whose unit lies in the campaign's scope (and under ``under``): they are expected to sign.

    Computed, not stored, so people who join or move during the campaign are counted where they are now.
    """
    root = under or campaign.scope_unit
    if not is_within(root, campaign.scope_unit):
        return Staff.objects.none()
    return Staff.objects.active_on(campaign_reference_day(campaign)).within(root)


def campaign_units_for_user(*, user, campaign: PledgeCampaign) -> list[Unit]:
    """The highest units of the campaign the user may look at: the scope itself, or the user's own units in it."""
    scope = scope_for(user)
    if scope.covers(campaign.scope_unit):
        return [campaign.scope_unit]
    own = [
        unit
        for unit in Unit.objects.visible_to(user).filter(pk__in=scope.assigned_unit_ids())
        if is_within(unit, campaign.scope_unit)
    ]
    return own


def campaign_unit_get_for_user(*, user, campaign: PledgeCampaign, public_code: str) -> Unit:
    """A unit of the campaign that the user may see, or 404."""
    unit = get_object_or_404(Unit.objects.visible_to(user).select_related("parent"), public_code=public_code)
    if not is_within(unit, campaign.scope_unit):
        raise Http404
    return unit


def campaign_breadcrumb_units(*, user, campaign: PledgeCampaign, unit: Unit) -> list[Unit]:
    """The units between the campaign's scope and ``unit`` that the user may open, top first. One query."""
    ancestor_ids = unit.ancestor_ids
    if not ancestor_ids:
        return []
    return list(
        Unit.objects.visible_to(user)
        .within(campaign.scope_unit)
        .filter(pk__in=ancestor_ids)
        .only("id", "name", "public_code", "path")
        .order_by("path")
    )


def campaign_recent_pledges(*, campaign: PledgeCampaign, unit: Unit, limit: int) -> list[Pledge]:
    """The latest ``limit`` standing pledges of staff now under ``unit`` (where they count, as in the coverage)."""
    return list(
        Pledge.objects.within(unit, via="staff__unit")
        .filter(campaign=campaign, withdrawn_at__isnull=True)
        .select_related("staff", "staff__unit", "recorded_by")
        .order_by("-recorded_at", "-pk")[:limit]
    )


@dataclass
class CoverageRow:
    """Signed / expected for one unit, counting everything beneath it."""

    unit: Unit
    expected: int = 0
    signed: int = 0
    children: list[CoverageRow] = field(default_factory=list)

    @property
    def unsigned(self) -> int:
        return self.expected - self.signed

    @property
    def percent(self) -> float | None:
        return None if self.expected == 0 else round(100 * self.signed / self.expected, 1)

    def below(self, target: int) -> bool:
        return self.percent is not None and self.percent < target


def campaign_coverage(*, campaign: PledgeCampaign, root: Unit) -> CoverageRow:
    """Coverage of ``root`` and of each unit directly beneath it in force on the campaign's day or counting
    someone, rolled up the tree. Three queries."""
    expected = campaign_expected_staff(campaign=campaign, under=root)
    expected_by_unit = dict(expected.values("unit_id").annotate(n=Count("id")).values_list("unit_id", "n"))
    signed_by_unit = dict(
        Pledge.objects.filter(campaign=campaign, withdrawn_at__isnull=True, staff__in=expected)
        .values("staff__unit_id")
        .annotate(n=Count("id"))
        .values_list("staff__unit_id", "n")
    )
    rollup = Rollup(root)
    top = CoverageRow(unit=root)
    rows_by_child_id = {unit.pk: CoverageRow(unit=unit) for unit in rollup.rows}
    top.children = list(rows_by_child_id.values())
    for unit_id in rollup.units_by_id:
        expected_here, signed_here = expected_by_unit.get(unit_id, 0), signed_by_unit.get(unit_id, 0)
        top.expected += expected_here
        top.signed += signed_here
        row = rows_by_child_id.get(rollup.row_id(unit_id))
        if row is not None:  # the root's own staff count only in the total
            row.expected += expected_here
            row.signed += signed_here
    # Units in force on the campaign's day, and former ones only where they count someone (a city's campaign
    # lists today's wards, not every district dissolved in 2025).
    day = campaign_reference_day(campaign)
    top.children = [
        row for row in top.children
        if row.expected or row.signed
        or ((row.unit.valid_from is None or row.unit.valid_from <= day) and (row.unit.valid_to is None or row.unit.valid_to >= day))
    ]
    return top


def campaign_unsigned_staff(*, campaign: PledgeCampaign, root: Unit) -> QuerySet:
    """Who under ``root`` has not signed yet (no standing pledge), with their unit."""
    signed = Pledge.objects.filter(campaign=campaign, withdrawn_at__isnull=True).values("staff_id")
    return (
        campaign_expected_staff(campaign=campaign, under=root)
        .exclude(pk__in=signed)
        .select_related("unit")
        .order_by("unit__path", "full_name", "pk")
    )


def campaign_roster(*, campaign: PledgeCampaign, root: Unit) -> QuerySet:
    """Every expected staff member under ``root`` with their standing pledge (if any), for the roster export."""
    standing = Prefetch(
        "pledges",
        queryset=Pledge.objects.filter(campaign=campaign, withdrawn_at__isnull=True).select_related("recorded_by"),
        to_attr="standing_pledges",
    )
    return (
        campaign_expected_staff(campaign=campaign, under=root)
        .select_related("unit")
        .prefetch_related(standing)
        .order_by("unit__path", "full_name", "pk")
    )


def pledge_for_staff(*, campaign: PledgeCampaign, staff: Staff) -> Pledge | None:
    """The standing (not withdrawn) pledge of ``staff`` in ``campaign``, if any."""
    return Pledge.objects.filter(campaign=campaign, staff=staff, withdrawn_at__isnull=True).first()


def pledge_get_for_user(*, user, pk: int) -> Pledge:
    """A pledge of a staff member the user may see, with campaign, staff, unit and recorder (404 otherwise)."""
    return get_object_or_404(
        Pledge.objects.filter(staff__in=Staff.objects.visible_to(user)).select_related(
            "campaign", "staff", "staff__unit", "recorded_by"
        ),
        pk=pk,
    )


def campaigns_to_sign(*, staff: Staff) -> list[tuple[PledgeCampaign, Pledge | None]]:
    """Open campaigns that expect ``staff`` to sign, each with their standing pledge if they signed already."""
    today = timezone.localdate()
    ancestors = [*staff.unit.ancestor_ids, staff.unit.pk]
    campaigns = list(
        PledgeCampaign.objects.open_on(today).filter(scope_unit_id__in=ancestors).select_related("code_version__code")
    )
    pledges = {
        p.campaign_id: p
        for p in Pledge.objects.filter(staff=staff, campaign__in=campaigns, withdrawn_at__isnull=True)
    }
    return [(campaign, pledges.get(campaign.pk)) for campaign in campaigns]


def coverage_headline(*, user) -> tuple[PledgeCampaign, CoverageRow] | None:
    """The user's current campaign and its coverage over their units, for the landing page tile."""
    today = timezone.localdate()
    campaign = campaign_list(user=user).filter(opens_on__lte=today).order_by("-year", "-opens_on").first()
    if campaign is None:
        return None
    roots = campaign_units_for_user(user=user, campaign=campaign)
    if not roots:
        return None
    total = CoverageRow(unit=roots[0])
    for root in roots:
        row = campaign_coverage(campaign=campaign, root=root)
        total.expected += row.expected
        total.signed += row.signed
    return campaign, total


# --- Codes in force in a jurisdiction ------------------------------------------------------------------------


def code_in_force(*, unit: Unit, day: datetime.date, audience: str = Audience.STAFF) -> CodeOfConduct | None:
    """The code of conduct for ``audience`` that binds ``unit`` on ``day``: its jurisdiction's (the nearest up the
    tree with a published code issued by then), else the national default."""
    codes = CodeOfConduct.objects.filter(audience=audience, versions__status=VersionStatus.PUBLISHED).distinct()
    return rule_in_force(codes, unit=unit, day=day, date_field="decision_date")


def codes_in_force(*, unit: Unit, day: datetime.date) -> list[CodeOfConduct]:
    """The codes binding ``unit`` on ``day``, one per audience (staff first): the legal basis pages cite."""
    codes = [code_in_force(unit=unit, day=day, audience=audience) for audience in Audience.values]
    return [code for code in codes if code is not None]


def articles_in_force(*, unit: Unit, day: datetime.date) -> QuerySet:
    """The articles of the published version of the staff code binding ``unit`` on ``day``, in order (what a
    violation, a finding or a checklist item refers to)."""
    return articles_of_code(code_in_force(unit=unit, day=day))


def code_in_force_for_jurisdiction(
    *, jurisdiction: Unit | None, day: datetime.date, audience: str = Audience.STAFF
) -> CodeOfConduct | None:
    """The code in force on ``day`` for a rule attached to ``jurisdiction``: ``code_in_force`` of that unit, or,
    for a national rule (``None``), the national default."""
    if jurisdiction is not None:
        return code_in_force(unit=jurisdiction, day=day, audience=audience)
    codes = CodeOfConduct.objects.filter(national_q(), audience=audience, versions__status=VersionStatus.PUBLISHED)
    codes = list(codes.distinct().order_by("decision_date", "pk"))
    in_force = [code for code in codes if code.decision_date <= day]
    if in_force:
        return in_force[-1]
    return codes[0] if codes else None  # before any is in force, the earliest (as ``rule_in_force``)


def articles_of_code(code: CodeOfConduct | None) -> QuerySet:
    """The articles of the published version of ``code``, in order (none for ``None``)."""
    if code is None:
        return Article.objects.none()
    return Article.objects.filter(
        chapter__version__code=code, chapter__version__status=VersionStatus.PUBLISHED
    ).select_related("chapter__version__code").order_by("chapter__number", "number")


def articles_for_units(*, units, day: datetime.date) -> QuerySet:
    """The articles of the staff codes binding any of ``units`` on ``day`` (a form serving several units)."""
    code_ids = {code.pk for unit in units if (code := code_in_force(unit=unit, day=day)) is not None}
    return Article.objects.filter(
        chapter__version__code_id__in=code_ids, chapter__version__status=VersionStatus.PUBLISHED
    ).select_related("chapter__version__code").order_by("chapter__version__code__decision_date", "chapter__number", "number")


# --- A staff member's pledges -----------------------------------------------------------------------------


def staff_pledges(*, staff: Staff) -> QuerySet:
    """Every pledge of ``staff``, newest first, with its campaign and the unit where it was signed (one query).
    A pledge stays with the unit it was signed in when the person moves; their page lists it wherever it is."""
    return Pledge.objects.filter(staff=staff).select_related("campaign", "unit").order_by("-signed_on", "-pk")
