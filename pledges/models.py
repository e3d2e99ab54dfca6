"""Codes of conduct as versioned text, pledge campaigns, pledges and the reminders sent about them."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from pledges.choices import Audience, CampaignKind, PledgeMethod, VersionStatus
from units.models import JurisdictionRule
from units.scope import ScopedQuerySet


class CodeOfConduct(JurisdictionRule):
    """A code of conduct issued by a decision, e.g. 522/QĐ-UBND of 25/01/2017 for the staff of Hanoi: it binds its
    jurisdiction's subtree from ``decision_date`` (the national default, Decision 1847/QĐ-TTg's public-service
    culture, binds where no province has its own). Its decision is the legal basis printed on pages and decisions."""

    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    title = models.CharField(_("title"), max_length=300)
    decision_number = models.CharField(_("issuing decision"), max_length=60)
    decision_date = models.DateField(_("decision date"))
    issuer = models.CharField(_("issued by"), max_length=200)
    audience = models.CharField(_("audience"), max_length=10, choices=Audience.choices)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("code of conduct")
        verbose_name_plural = _("codes of conduct")
        ordering = ["decision_date"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("pledges:code_detail", kwargs={"slug": self.slug})

    @property
    def jurisdiction_label(self) -> str:
        """Where the code applies: its jurisdiction's name, or the whole country for a national default."""
        return self.jurisdiction.name if self.jurisdiction_id else str(_("Whole country (national default)"))

    @property
    def legal_basis(self) -> str:
        """How the code is cited ("Quyết định số 522/QĐ-UBND ngày 25/01/2017 của …")."""
        return f"Quyết định số {self.decision_number} ngày {self.decision_date:%d/%m/%Y} của {self.issuer}"


class CodeVersion(models.Model):
    """One wording of a code. Published versions never change: pledges keep a hash of their exact text."""

    code = models.ForeignKey(CodeOfConduct, verbose_name=_("code"), on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveSmallIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=12, choices=VersionStatus.choices, default=VersionStatus.DRAFT)
    notes = models.TextField(_("what changed"), blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    text_hash = models.CharField(_("text fingerprint (SHA-256)"), max_length=64, blank=True, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("code version")
        verbose_name_plural = _("code versions")
        ordering = ["code", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["code", "number"], name="code_version_number_unique"),
            models.UniqueConstraint(
                fields=["code"], condition=Q(status="published"), name="code_one_published_version"
            ),
        ]

    def __str__(self):
        return f"{self.code.decision_number} — v{self.number}"

    @property
    def is_editable(self) -> bool:
        return self.status == VersionStatus.DRAFT


class Chapter(models.Model):
    """A chapter of a code version (Chương)."""

    version = models.ForeignKey(CodeVersion, on_delete=models.CASCADE, related_name="chapters")
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=300)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("chapter")
        verbose_name_plural = _("chapters")
        ordering = ["version", "number"]
        constraints = [models.UniqueConstraint(fields=["version", "number"], name="chapter_number_unique")]

    def __str__(self):
        return f"Chương {self.number}. {self.title}"


class Article(models.Model):
    """An article of a code (Điều), the unit a violation refers to."""

    chapter = models.ForeignKey(Chapter, on_delete=models.CASCADE, related_name="articles")
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=300)
    text = models.TextField(_("text"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["chapter__version", "number"]
        constraints = [models.UniqueConstraint(fields=["chapter", "number"], name="article_number_unique")]

    def __str__(self):
        return f"Điều {self.number}. {self.title}"


class CampaignQuerySet(ScopedQuerySet):
    unit_field = "scope_unit"

    def open_on(self, day):
        return self.filter(opens_on__lte=day, closes_on__gte=day)


class PledgeCampaign(models.Model):
    """A call for every active staff member under ``scope_unit`` to sign ``code_version`` in ``year``.

    Who is expected is not stored: it is every staff member active during the campaign whose unit lies in
    the scope, so staff who join mid-campaign are enrolled without anyone doing anything.
    """

    title = models.CharField(_("title"), max_length=200)
    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("kind"), max_length=10, choices=CampaignKind.choices, default=CampaignKind.ANNUAL)
    code_version = models.ForeignKey(CodeVersion, verbose_name=_("code version"), on_delete=models.PROTECT, related_name="campaigns")
    scope_unit = models.ForeignKey("units.Unit", verbose_name=_("scope"), on_delete=models.PROTECT, related_name="pledge_campaigns")
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    target_percent = models.PositiveSmallIntegerField(_("target (%)"), default=100)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = CampaignQuerySet.as_manager()

    class Meta:
        verbose_name = _("pledge campaign")
        verbose_name_plural = _("pledge campaigns")
        ordering = ["-year", "-opens_on"]
        constraints = [
            models.CheckConstraint(condition=Q(closes_on__gte=models.F("opens_on")), name="campaign_dates_ordered"),
            models.CheckConstraint(condition=Q(target_percent__lte=100), name="campaign_target_percent"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("pledges:campaign_detail", kwargs={"pk": self.pk})

    def is_open_on(self, day) -> bool:
        return self.opens_on <= day <= self.closes_on

    @property
    def is_open(self) -> bool:
        return self.is_open_on(timezone.localdate())


def pledge_scan_path(pledge, filename):
    # The original name is dropped: it may carry a person's name, and it is not needed.
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"pledges/{pledge.campaign_id}/{pledge.staff_id}-{timezone.now():%Y%m%d%H%M%S}.{extension}"


class Pledge(models.Model):
    """A staff member's signed commitment in a campaign: who, for whom, when, how, from where, to what text."""

    campaign = models.ForeignKey(PledgeCampaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="pledges")
    staff = models.ForeignKey("units.Staff", verbose_name=_("staff member"), on_delete=models.PROTECT, related_name="pledges")
    unit = models.ForeignKey("units.Unit", verbose_name=_("unit when signed"), on_delete=models.PROTECT, related_name="+")
    method = models.CharField(_("method"), max_length=10, choices=PledgeMethod.choices)
    signed_on = models.DateField(_("date signed"))
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+")
    ip_address = models.GenericIPAddressField(_("from address"), null=True, blank=True)
    text_hash = models.CharField(_("fingerprint of the text agreed to"), max_length=64)
    scan = models.FileField(_("scan of the paper form"), upload_to=pledge_scan_path, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    withdrawal_reason = models.CharField(_("reason for withdrawal"), max_length=300, blank=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("pledge")
        verbose_name_plural = _("pledges")
        ordering = ["-recorded_at"]
        constraints = [
            # One standing pledge per person and campaign; a withdrawn one may be replaced by a new signature.
            models.UniqueConstraint(
                fields=["campaign", "staff"], condition=Q(withdrawn_at__isnull=True), name="one_pledge_per_staff_and_campaign"
            ),
        ]
        indexes = [models.Index(fields=["campaign", "staff"], name="pledge_campaign_staff_idx")]

    def __str__(self):
        return f"{self.staff} — {self.campaign}"

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None


class PledgeReminder(models.Model):
    """A reminder about unsigned staff sent to a unit's officers; at most one per campaign, unit and day."""

    campaign = models.ForeignKey(PledgeCampaign, on_delete=models.CASCADE, related_name="reminders")
    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="+")
    sent_on = models.DateField()
    unsigned_count = models.PositiveIntegerField()
    recipients = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("pledge reminder")
        verbose_name_plural = _("pledge reminders")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "unit", "sent_on"], name="one_reminder_per_unit_and_day"),
        ]

    def __str__(self):
        return f"{self.campaign} — {self.unit} — {self.sent_on}"
