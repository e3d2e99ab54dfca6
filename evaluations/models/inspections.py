"""Inspection teams, their scheduled and surprise visits, checklists, findings and corrective actions."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from evaluations.choices import ActionStatus, CheckResult, ItemKind, Severity, VisitKind, VisitStatus
from units.models import JurisdictionRule
from units.scope import ScopedQuerySet


class InspectionTeam(models.Model):
    """A team of inspectors owned by a district (or the city), e.g. one of Hoàn Kiếm's three teams."""

    name = models.CharField(_("name"), max_length=200)
    owner_unit = models.ForeignKey(
        "units.Unit", verbose_name=_("owned by"), on_delete=models.PROTECT, related_name="inspection_teams"
    )
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("leader"), on_delete=models.PROTECT, related_name="led_teams"
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("members"), related_name="inspection_teams", blank=True
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(m2m_fields=[members])
    objects = ScopedQuerySet.through("owner_unit").as_manager()

    class Meta:
        verbose_name = _("inspection team")
        verbose_name_plural = _("inspection teams")
        ordering = ["owner_unit", "name"]

    def __str__(self):
        return self.name


class ChecklistTemplate(JurisdictionRule):
    """What inspectors check on a visit: the code's articles plus office items (code posted, badges, …). A
    jurisdiction's checklists (and the national ones) are offered when a visit there is planned; its default one
    is preselected."""

    name = models.CharField(_("name"), max_length=200)
    is_default = models.BooleanField(_("default"), default=False)
    is_active = models.BooleanField(_("offered for new visits"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("checklist template")
        verbose_name_plural = _("checklist templates")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["jurisdiction"], condition=Q(is_default=True, jurisdiction__isnull=False),
                name="one_default_checklist_per_jurisdiction",
            ),
            models.UniqueConstraint(
                fields=["shipped_for"], condition=Q(is_default=True, jurisdiction__isnull=True),
                name="one_default_national_checklist",
            ),
        ]

    def __str__(self):
        return self.name


class ChecklistItem(models.Model):
    """One line of a checklist: an article of the code, or an office check, in order."""

    template = models.ForeignKey(ChecklistTemplate, on_delete=models.CASCADE, related_name="items")
    order = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(_("kind"), max_length=10, choices=ItemKind.choices)
    text = models.CharField(_("what is checked"), max_length=300)
    article = models.ForeignKey(
        "pledges.Article", verbose_name=_("article of the code"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["template", "order"]

    def __str__(self):
        return self.text


class InspectionVisit(models.Model):
    """A team's visit to a unit. A surprise visit stays hidden from the inspected unit until it has started."""

    team = models.ForeignKey(InspectionTeam, verbose_name=_("team"), on_delete=models.PROTECT, related_name="visits")
    unit = models.ForeignKey("units.Unit", verbose_name=_("unit visited"), on_delete=models.PROTECT, related_name="inspection_visits")
    kind = models.CharField(_("kind"), max_length=10, choices=VisitKind.choices)
    scheduled_at = models.DateTimeField(_("date and time"))
    subject = models.CharField(_("subject"), max_length=300)
    checklist = models.ForeignKey(ChecklistTemplate, verbose_name=_("checklist"), on_delete=models.PROTECT, related_name="visits")
    status = models.CharField(_("status"), max_length=12, choices=VisitStatus.choices, default=VisitStatus.PLANNED)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    summary = models.TextField(_("conclusion"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("inspection visit")
        verbose_name_plural = _("inspection visits")
        ordering = ["-scheduled_at"]
        indexes = [models.Index(fields=["unit", "scheduled_at"], name="visit_unit_time_idx")]

    def __str__(self):
        return f"{self.unit} — {timezone.localtime(self.scheduled_at):%d/%m/%Y %H:%M}"

    @property
    def has_taken_place(self) -> bool:
        """A surprise visit becomes visible to the inspected unit once the team has started it."""
        return self.status != VisitStatus.PLANNED

    @property
    def is_editable(self) -> bool:
        return self.status != VisitStatus.CLOSED


class ChecklistResult(models.Model):
    """One checklist item on one visit: pass, fail or not applicable, with a note and photos."""

    visit = models.ForeignKey(InspectionVisit, on_delete=models.CASCADE, related_name="results")
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="+")
    result = models.CharField(_("result"), max_length=5, choices=CheckResult.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = ScopedQuerySet.through("visit__unit").as_manager()

    class Meta:
        verbose_name = _("checklist result")
        verbose_name_plural = _("checklist results")
        ordering = ["visit", "item__order"]
        constraints = [models.UniqueConstraint(fields=["visit", "item"], name="one_result_per_item_and_visit")]

    def __str__(self):
        return f"{self.item} — {self.get_result_display()}"


def inspection_photo_path(photo, filename):
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "jpg"
    return f"inspections/{photo.result.visit_id}/{photo.result_id}-{timezone.now():%Y%m%d%H%M%S%f}.{extension}"


class InspectionPhoto(models.Model):
    """A photo taken for a checklist result; served only to those who may see the visit."""

    result = models.ForeignKey(ChecklistResult, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(_("photo"), upload_to=inspection_photo_path)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.through("result__visit__unit").as_manager()

    class Meta:
        verbose_name = _("inspection photo")
        verbose_name_plural = _("inspection photos")

    def __str__(self):
        return self.image.name


class Finding(models.Model):
    """What a failed item revealed: about named staff (each gets a violation) or about the unit only."""

    visit = models.ForeignKey(InspectionVisit, on_delete=models.CASCADE, related_name="findings")
    result = models.ForeignKey(ChecklistResult, on_delete=models.PROTECT, related_name="findings")
    description = models.TextField(_("what was found"))
    article = models.ForeignKey("pledges.Article", verbose_name=_("article of the code"), on_delete=models.PROTECT, related_name="+")
    severity = models.CharField(_("severity"), max_length=15, choices=Severity.choices)
    staff = models.ManyToManyField("units.Staff", verbose_name=_("staff concerned"), blank=True, related_name="inspection_findings")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.through("visit__unit").as_manager()

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["visit", "id"]

    def __str__(self):
        return self.description[:80]


class CorrectiveAction(models.Model):
    """What the inspected unit must do about a finding, by when; it marks it done, the team verifies it."""

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="actions")
    description = models.TextField(_("what to do"))
    owner_unit = models.ForeignKey("units.Unit", verbose_name=_("responsible unit"), on_delete=models.PROTECT, related_name="corrective_actions")
    due_on = models.DateField(_("due date"))
    status = models.CharField(_("status"), max_length=10, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    evidence = models.TextField(_("evidence"), blank=True)
    evidence_file = models.FileField(_("evidence file"), upload_to="inspections/evidence/", blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    done_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    verified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.through("owner_unit").as_manager()

    class Meta:
        verbose_name = _("corrective action")
        verbose_name_plural = _("corrective actions")
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["owner_unit", "status", "due_on"], name="action_unit_status_due_idx")]

    def __str__(self):
        return self.description[:80]

    @property
    def is_overdue(self) -> bool:
        return self.status == ActionStatus.OPEN and self.due_on < timezone.localdate()
