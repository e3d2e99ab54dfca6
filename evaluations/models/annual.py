"""The annual classification (xếp loại chất lượng năm): a unit's list for a year and one row per staff member."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from evaluations.choices import AnnualStatus, Grade
from units.scope import ScopedQuerySet

YEAR = [MinValueValidator(2000), MaxValueValidator(2100)]


class AnnualList(models.Model):
    """A unit's annual classification for a year: the staff at the unit at the year's end, each classified
    by the annual rule of the scheme in force for the unit in December (``scheme``). Moves open → submitted
    (the unit head, after reviewing every row) → approved by the level above, which locks it; the level above
    may return a submitted list or reopen an approved one, with a reason. Audited (simple-history)."""

    unit = models.ForeignKey("units.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="annual_lists")
    year = models.PositiveSmallIntegerField(_("year"), validators=YEAR)
    scheme = models.ForeignKey(
        "evaluations.ScoringScheme", verbose_name=_("scoring scheme"), on_delete=models.PROTECT, related_name="annual_lists"
    )
    status = models.CharField(_("status"), max_length=10, choices=AnnualStatus.choices, default=AnnualStatus.OPEN)
    computed_at = models.DateTimeField(_("computed at"), null=True, blank=True)
    computed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("annual classification list")
        verbose_name_plural = _("annual classification lists")
        ordering = ["-year", "unit"]
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="one_annual_list_per_unit_and_year")]

    def __str__(self):
        return f"{self.unit} — {self.year}"

    @property
    def is_open(self) -> bool:
        return self.status == AnnualStatus.OPEN

    @property
    def is_locked(self) -> bool:
        return self.status == AnnualStatus.APPROVED


class AnnualClassification(models.Model):
    """One staff member's year: the periods it was computed from (a snapshot), the computed grade, the staff
    member's self-assessment, the unit head's review and, once the list is approved, the final grade.

    ``computed_grade`` empty: not classified (too few periods rated). ``ceiling`` is the best grade the rule
    allows whatever the points (a sanction, a period rated D); ``triggers`` says which rules applied.
    A recomputation changes the computed part only; what people wrote stays. One row per staff member and year.
    """

    annual_list = models.ForeignKey(AnnualList, verbose_name=_("list"), on_delete=models.CASCADE, related_name="rows")
    staff = models.ForeignKey("units.Staff", verbose_name=_("staff member"), on_delete=models.PROTECT, related_name="annual_classifications")
    year = models.PositiveSmallIntegerField(_("year"), validators=YEAR)
    periods = models.JSONField(_("periods"), default=list)
    periods_expected = models.PositiveSmallIntegerField(_("periods in the year"))
    periods_rated = models.PositiveSmallIntegerField(_("periods rated"))
    average_points = models.DecimalField(_("average points"), max_digits=5, decimal_places=1, null=True, blank=True)
    grade_by_points = models.CharField(_("grade by points"), max_length=1, choices=Grade.choices, blank=True)
    ceiling = models.CharField(_("best grade allowed"), max_length=1, choices=Grade.choices, blank=True)
    triggers = models.JSONField(_("rules applied"), default=list)
    computed_grade = models.CharField(_("computed grade"), max_length=1, choices=Grade.choices, blank=True)
    self_grade = models.CharField(_("proposed grade"), max_length=1, choices=Grade.choices, blank=True)
    self_comment = models.TextField(_("self-assessment"), blank=True)
    self_assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    self_assessed_at = models.DateTimeField(null=True, blank=True)
    reviewed_grade = models.CharField(_("grade proposed by the head"), max_length=1, choices=Grade.choices, blank=True)
    review_comment = models.TextField(_("the head's review"), blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    final_grade = models.CharField(_("final grade"), max_length=1, choices=Grade.choices, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = ScopedQuerySet.through("annual_list__unit").as_manager()

    class Meta:
        verbose_name = _("annual classification")
        verbose_name_plural = _("annual classifications")
        ordering = ["annual_list", "staff__full_name"]
        constraints = [
            models.UniqueConstraint(fields=["staff", "year"], name="one_annual_classification_per_staff_and_year"),
            models.CheckConstraint(condition=Q(periods_rated__lte=models.F("periods_expected")),
                                   name="annual_rated_within_expected"),
        ]

    def __str__(self):
        return f"{self.staff} — {self.year}: {self.grade or '—'}"

    @property
    def is_classified(self) -> bool:
        return bool(self.computed_grade)

    @property
    def grade(self) -> str:
        """The grade as it stands: final once approved, else the head's, else the computed one ("" unclassified)."""
        return self.final_grade or self.reviewed_grade or self.computed_grade

    @property
    def has_human_input(self) -> bool:
        return bool(self.self_assessed_at or self.reviewed_at)
