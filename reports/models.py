"""Quarterly reports, annual summaries, commendation lists and Excel export jobs."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import BackgroundJob
from core.quarters import Period, Quarter, Year
from evaluations.choices import Grade
from reports.choices import CommendationStatus, EntrySource, ExportKind
from units.models import JurisdictionRule
from units.scope import ScopedQuerySet

QUARTER_NUMBER = [MinValueValidator(1), MaxValueValidator(4)]


class QuarterlyReport(BackgroundJob):
    """The quarterly review (sơ kết quý) of a unit's subtree: pledges, ratings, violations, inspections,
    feedback and the commendation list, as a page and an .xlsx workbook. One row per unit and quarter: asking
    again reuses it, or rebuilds it in place."""

    unit = models.ForeignKey("units.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="quarterly_reports")
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"), validators=QUARTER_NUMBER)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", help_text=_("Empty when Celery beat built it on schedule."),
    )
    data = models.JSONField(_("figures"), default=dict, blank=True, editable=False)

    job_task_name = "reports.quarterly_report_build"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("quarterly report")
        verbose_name_plural = _("quarterly reports")
        ordering = ["-year", "-quarter", "unit__path"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year", "quarter"], name="one_report_per_unit_and_quarter"),
            models.CheckConstraint(condition=Q(quarter__gte=1) & Q(quarter__lte=4), name="report_quarter_1_to_4"),
        ]

    def __str__(self):
        return f"{self.unit} — {self.period}"

    @property
    def period(self) -> Quarter:
        return Quarter(self.year, self.quarter)


class AnnualReport(BackgroundJob):
    """The annual summary (tổng kết năm) of a unit's subtree: pledges, monthly ratings, violations, inspections,
    feedback with the satisfaction index by month and the year's approved quarterly commendations, as a page and
    an .xlsx workbook. One row per unit and year: asking again reuses it, or rebuilds it in place."""

    unit = models.ForeignKey("units.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="annual_reports")
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", help_text=_("Empty when Celery beat built it on schedule."),
    )
    data = models.JSONField(_("figures"), default=dict, blank=True, editable=False)

    job_task_name = "reports.annual_report_build"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("annual summary")
        verbose_name_plural = _("annual summaries")
        ordering = ["-year", "unit__path"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="one_annual_report_per_unit_and_year"),
        ]

    def __str__(self):
        return f"{self.unit} — {self.year}"


class CommendationRule(JurisdictionRule):
    """Who deserves commending for a quarter, and for a year, in a jurisdiction, in force from ``effective_from``
    until that jurisdiction's next rule (see ``units.jurisdiction``); a list follows the rule in force on its
    period's first day.

    The quarter's default: grade A in all three months, no violation in the quarter, no substantiated complaint;
    ranked by total score, then by citizen praise; at most ``quota_percent`` of each unit's rated staff (at least
    ``quota_min``). The year's (the ``annual_*`` fields): a final grade of the year's classification (xếp loại chất
    lượng năm, on an approved list) of A, no disciplinary sanction decided in the year, no substantiated complaint
    in the year; ranked by the year's average points, then by citizen praise; at most ``annual_quota_percent`` of
    each unit's classified staff (at least ``annual_quota_min``)."""

    name = models.CharField(_("name"), max_length=200)
    legal_basis = models.CharField(_("legal basis"), max_length=300, blank=True)
    effective_from = models.DateField(_("effective from"))
    min_grade = models.CharField(
        _("lowest grade accepted each month"), max_length=1, choices=Grade.choices, default=Grade.A
    )
    months_required = models.PositiveSmallIntegerField(
        _("months at that grade"), default=3, validators=[MinValueValidator(1), MaxValueValidator(3)]
    )
    allow_violations = models.BooleanField(_("a violation in the quarter is allowed"), default=False)
    allow_substantiated_complaints = models.BooleanField(_("a substantiated complaint is allowed"), default=False)
    quota_percent = models.PositiveSmallIntegerField(
        _("quota per unit (percentage of staff rated)"), default=10, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    quota_min = models.PositiveSmallIntegerField(_("at least this many per unit"), default=1)
    # The year's list.
    annual_min_grade = models.CharField(
        _("lowest annual grade accepted"), max_length=1, choices=Grade.choices, default=Grade.A,
        help_text=_("The final grade of the year's classification, on a list approved by the level above."),
    )
    annual_allow_sanctions = models.BooleanField(_("a disciplinary sanction in the year is allowed"), default=False)
    annual_allow_substantiated_complaints = models.BooleanField(
        _("a substantiated complaint in the year is allowed"), default=False
    )
    annual_quota_percent = models.PositiveSmallIntegerField(
        _("yearly quota per unit (percentage of staff classified)"), default=10,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    annual_quota_min = models.PositiveSmallIntegerField(_("at least this many per unit in a year"), default=1)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("commendation rule")
        verbose_name_plural = _("commendation rules")
        ordering = ["-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["jurisdiction", "effective_from"], condition=Q(jurisdiction__isnull=False),
                name="commendation_rule_one_per_jurisdiction_and_day",
            ),
            models.UniqueConstraint(
                fields=["shipped_for", "effective_from"], condition=Q(jurisdiction__isnull=True),
                name="commendation_rule_one_national_per_day",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.effective_from:%d/%m/%Y})"


class RankingWeights(JurisdictionRule):
    """How the dashboard ranks a jurisdiction's units: the weight of each component of the index (pledge
    coverage, grades, citizen satisfaction, feedback answered on time, discipline), in force from
    ``effective_from``. Only the components a unit has data for count; the weights are renormalised."""

    name = models.CharField(_("name"), max_length=200)
    effective_from = models.DateField(_("effective from"))
    coverage = models.PositiveSmallIntegerField(_("pledge coverage"), default=20, validators=[MaxValueValidator(100)])
    grades = models.PositiveSmallIntegerField(_("grades"), default=30, validators=[MaxValueValidator(100)])
    satisfaction = models.PositiveSmallIntegerField(_("citizen satisfaction"), default=20, validators=[MaxValueValidator(100)])
    on_time = models.PositiveSmallIntegerField(_("feedback answered on time"), default=15, validators=[MaxValueValidator(100)])
    discipline = models.PositiveSmallIntegerField(_("discipline"), default=15, validators=[MaxValueValidator(100)])

    history = HistoricalRecords()

    COMPONENTS = ("coverage", "grades", "satisfaction", "on_time", "discipline")

    class Meta:
        verbose_name = _("ranking weights")
        verbose_name_plural = _("ranking weights")
        ordering = ["-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["jurisdiction", "effective_from"], condition=Q(jurisdiction__isnull=False),
                name="ranking_weights_one_per_jurisdiction_and_day",
            ),
            models.UniqueConstraint(
                fields=["shipped_for", "effective_from"], condition=Q(jurisdiction__isnull=True),
                name="ranking_weights_one_national_per_day",
            ),
            models.CheckConstraint(
                condition=Q(coverage__gt=0) | Q(grades__gt=0) | Q(satisfaction__gt=0) | Q(on_time__gt=0) | Q(discipline__gt=0),
                name="ranking_weights_not_all_zero",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.effective_from:%d/%m/%Y})"

    def as_dict(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in self.COMPONENTS}


class CommendationList(models.Model):
    """The staff proposed for commendation in a unit's subtree for a quarter, or for the whole year (``quarter``
    empty); the level above reviews it (removes or adds people, each with a reason) and approves it, after which
    it no longer changes. A quarter's list reads the monthly ratings, the year's the approved annual
    classification."""

    unit = models.ForeignKey("units.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="commendation_lists")
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(
        _("quarter"), null=True, blank=True, validators=QUARTER_NUMBER, help_text=_("Empty: the list of the whole year.")
    )
    rule = models.ForeignKey(CommendationRule, verbose_name=_("rule"), on_delete=models.PROTECT, related_name="lists")
    status = models.CharField(
        _("status"), max_length=10, choices=CommendationStatus.choices, default=CommendationStatus.DRAFT
    )
    generated_at = models.DateTimeField(_("generated at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("approved by"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("commendation list")
        verbose_name_plural = _("commendation lists")
        ordering = ["-year", "-quarter", "unit__path"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year", "quarter"], condition=Q(quarter__isnull=False),
                name="one_commendation_list_per_unit_and_quarter",
            ),
            models.UniqueConstraint(
                fields=["unit", "year"], condition=Q(quarter__isnull=True), name="one_commendation_list_per_unit_and_year"
            ),
            models.CheckConstraint(
                condition=Q(quarter__isnull=True) | (Q(quarter__gte=1) & Q(quarter__lte=4)), name="commendation_quarter_1_to_4"
            ),
        ]

    def __str__(self):
        return f"{self.unit} — {self.period}"

    @staticmethod
    def period_lookup(period: Period) -> dict:
        """The fields that name ``period``'s list: ``{"year": 2026, "quarter": 3}``, ``quarter`` None for a year."""
        return {"year": period.year, "quarter": period.number if isinstance(period, Quarter) else None}

    @property
    def period(self) -> Period:
        return Year(self.year) if self.quarter is None else Quarter(self.year, self.quarter)

    @property
    def is_annual(self) -> bool:
        return self.quarter is None

    @property
    def is_editable(self) -> bool:
        return self.status == CommendationStatus.DRAFT


class CommendationEntry(models.Model):
    """One staff member on a list, with the figures that ranked them. A removed entry stays (``included``
    off, with the reason), so the review can be read back."""

    commendation_list = models.ForeignKey(CommendationList, on_delete=models.CASCADE, related_name="entries")
    staff = models.ForeignKey("units.Staff", verbose_name=_("staff member"), on_delete=models.PROTECT, related_name="commendations")
    staff_unit = models.ForeignKey(
        "units.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+",
        help_text=_("Where the staff member was rated: the quota counts per unit."),
    )
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    total_score = models.DecimalField(
        _("points"), max_digits=6, decimal_places=1, default=Decimal(0),
        help_text=_("The total of the quarter's months; on a year's list, the year's average points."),
    )
    months_rated = models.PositiveSmallIntegerField(
        _("periods rated"), default=0, help_text=_("Months of the quarter; on a year's list, the year's periods rated.")
    )
    grades = models.CharField(
        _("grades"), max_length=10, blank=True,
        help_text=_("One per month of the quarter (- not rated); on a year's list, the year's final grade."),
    )
    praise_count = models.PositiveIntegerField(_("citizen praise"), default=0)
    source = models.CharField(_("source"), max_length=10, choices=EntrySource.choices, default=EntrySource.RULE)
    included = models.BooleanField(_("on the list"), default=True)
    reason = models.TextField(_("reason"), blank=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    changed_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.through("commendation_list__unit").as_manager()

    class Meta:
        verbose_name = _("commendation entry")
        verbose_name_plural = _("commendation entries")
        ordering = ["commendation_list", "rank", "id"]
        constraints = [
            models.UniqueConstraint(fields=["commendation_list", "staff"], name="one_entry_per_staff_and_list"),
            models.CheckConstraint(
                condition=Q(source=EntrySource.RULE, included=True) | ~Q(reason=""), name="commendation_change_has_reason"
            ),
        ]

    def __str__(self):
        return f"{self.staff} — {self.commendation_list}"


class ExportJob(BackgroundJob):
    """A large Excel export (ratings, feedback log, pledge roster, inspections) built in the background for
    the user who asked; only that user downloads it, until it expires and a beat task removes the file."""

    kind = models.CharField(_("export"), max_length=15, choices=ExportKind.choices)
    unit = models.ForeignKey("units.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="export_jobs")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.CASCADE, related_name="export_jobs"
    )
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    expires_at = models.DateTimeField(_("kept until"), null=True, blank=True)

    job_task_name = "reports.export_build"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["requested_by", "created_at"], name="export_user_created_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.unit}"
