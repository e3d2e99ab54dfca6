"""Scoring schemes as data, monthly (or quarterly) rating sheets, ratings and violations."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from evaluations.choices import (
    AnnualMethod,
    CapKind,
    DisciplineForm,
    Grade,
    PointsSource,
    RatingPeriod,
    Severity,
    SheetStatus,
    ViolationSource,
)
from evaluations.ratings import periods
from units.models import JurisdictionRule
from units.scope import ScopedQuerySet

PERCENT = [MinValueValidator(0), MaxValueValidator(100)]


class ScoringScheme(JurisdictionRule):
    """How a period (a month or a quarter) is scored and graded in a jurisdiction, in force from
    ``effective_from`` until that jurisdiction's next scheme (see ``units.jurisdiction``).

    Hanoi's scheme (Decision 3814-QĐ/TU): 20 points for discipline and ethics, 70 for task results, up to
    10 bonus; A ≥ 90, B ≥ 70, C ≥ 50, else D; at most 30% A of a unit's staff (40% for an exceptional unit).
    The national default, Decree 335/2025/NĐ-CP: 30 general + 70 task results; the same thresholds; A at most
    20% of those rated B. A violation caps the grade by its severity.

    The ``annual_*`` fields are the annual rule (xếp loại chất lượng năm, ``evaluations.annual.rules``): the year's
    periods averaged and graded by the same thresholds, a minimum share of periods rated, an optional cap after a
    period rated D, the lightest sanction of the year that forces D (Decree 335: reprimand) and the cap on A for the
    year (the same kind as the period's). A unit's year uses the scheme in force for it in December.
    """

    name = models.CharField(_("name"), max_length=200)
    legal_basis = models.CharField(_("legal basis"), max_length=200, blank=True)
    effective_from = models.DateField(_("effective from"))
    period = models.CharField(_("rating period"), max_length=10, choices=RatingPeriod.choices, default=RatingPeriod.MONTHLY)
    a_min = models.DecimalField(_("minimum points for A"), max_digits=5, decimal_places=1, default=Decimal(90))
    b_min = models.DecimalField(_("minimum points for B"), max_digits=5, decimal_places=1, default=Decimal(70))
    c_min = models.DecimalField(_("minimum points for C"), max_digits=5, decimal_places=1, default=Decimal(50))
    cap_kind = models.CharField(_("kind of cap"), max_length=15, choices=CapKind.choices, default=CapKind.SHARE_OF_STAFF)
    a_share_cap_percent = models.PositiveSmallIntegerField(_("cap on the share of A (%)"), default=30, validators=PERCENT)
    exceptional_cap_percent = models.PositiveSmallIntegerField(
        _("cap for an exceptional unit (%)"), null=True, blank=True, validators=PERCENT,
        help_text=_("Applies when the level above marks a unit exceptional for a period; empty: no exceptions."),
    )
    cap_minor = models.CharField(_("best grade after a minor violation"), max_length=1, choices=Grade.choices, default=Grade.B)
    cap_serious = models.CharField(_("best grade after a serious violation"), max_length=1, choices=Grade.choices, default=Grade.C)
    cap_very_serious = models.CharField(
        _("best grade after a very serious violation"), max_length=1, choices=Grade.choices, default=Grade.D
    )
    # The annual rule (xếp loại chất lượng năm): how the year's periods make the year's grade (evaluations.annual).
    annual_method = models.CharField(
        _("annual method"), max_length=20, choices=AnnualMethod.choices, default=AnnualMethod.AVERAGE_POINTS
    )
    annual_min_rated_percent = models.PositiveSmallIntegerField(
        _("share of the year's periods rated to be classified (%)"), default=50, validators=PERCENT,
        help_text=_("Staff rated in fewer of the year's periods are not classified for the year."),
    )
    annual_d_period_cap = models.CharField(
        _("best grade of the year after a period rated D"), max_length=1, choices=Grade.choices, blank=True,
        help_text=_("Empty: a period rated D does not cap the year."),
    )
    annual_sanction_trigger = models.CharField(
        _("lightest sanction of the year that forces D"), max_length=25, choices=DisciplineForm.choices, blank=True,
        help_text=_("A disciplinary sanction of this form or heavier decided in the year forces \"not completed\" "
                    "(Decree 335/2025: reprimand). Empty: none."),
    )
    annual_a_cap_percent = models.PositiveSmallIntegerField(
        _("cap on the share of A for the year (%)"), null=True, blank=True, validators=PERCENT,
        help_text=_("Counted like the period's cap (same kind); empty: the period's cap."),
    )
    # Where a new sheet's rows start when the staff member has neither a self-assessment nor last period's points:
    # a share of each group's maximum (bonus groups start at 0). 80 % gives 16 + 56 = 72 points under Hanoi's
    # 20 + 70 scheme (B), so the officer raises the deserving instead of lowering most of the unit.
    baseline_percent = models.PositiveSmallIntegerField(
        _("starting points (percent of each group's maximum)"), default=80, validators=PERCENT,
        help_text=_("Where a new sheet's rows start when the staff member has no self-assessment and no points "
                    "of the period before; bonus groups start at 0."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("scoring scheme")
        verbose_name_plural = _("scoring schemes")
        ordering = ["-effective_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(a_min__gt=F("b_min")) & Q(b_min__gt=F("c_min")) & Q(c_min__gte=0),
                name="scheme_thresholds_ordered",
            ),
            models.UniqueConstraint(
                fields=["jurisdiction", "effective_from"], condition=Q(jurisdiction__isnull=False),
                name="scheme_one_per_jurisdiction_and_day",
            ),
            models.UniqueConstraint(
                fields=["shipped_for", "effective_from"], condition=Q(jurisdiction__isnull=True),
                name="scheme_one_national_per_day",
            ),
            models.CheckConstraint(condition=Q(a_share_cap_percent__lte=100), name="scheme_cap_percent"),
            models.CheckConstraint(
                condition=Q(exceptional_cap_percent__isnull=True) | Q(exceptional_cap_percent__lte=100),
                name="scheme_exceptional_cap_percent",
            ),
            models.CheckConstraint(condition=Q(annual_min_rated_percent__lte=100), name="scheme_annual_min_rated_percent"),
            models.CheckConstraint(
                condition=Q(annual_a_cap_percent__isnull=True) | Q(annual_a_cap_percent__lte=100),
                name="scheme_annual_a_cap_percent",
            ),
            models.CheckConstraint(condition=Q(baseline_percent__lte=100), name="scheme_baseline_percent"),
        ]

    def __str__(self):
        return f"{self.name} ({self.effective_from:%d/%m/%Y})"

    @property
    def is_quarterly(self) -> bool:
        return self.period == RatingPeriod.QUARTERLY

    @property
    def annual_cap_percent(self) -> int:
        """The cap on the share of A that applies to a unit's year list."""
        return self.a_share_cap_percent if self.annual_a_cap_percent is None else self.annual_a_cap_percent

    def cap_for(self, severity: str) -> str:
        return {
            Severity.MINOR: self.cap_minor,
            Severity.SERIOUS: self.cap_serious,
            Severity.VERY_SERIOUS: self.cap_very_serious,
        }[severity]


class CriterionGroup(models.Model):
    """A group of criteria scored as one number on the sheet (discipline and ethics; task results; bonus)."""

    scheme = models.ForeignKey(ScoringScheme, on_delete=models.CASCADE, related_name="groups")
    code = models.SlugField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=200)
    max_points = models.DecimalField(_("maximum points"), max_digits=5, decimal_places=1)
    # Bonus starts at 0; the other groups start at full marks, so only deviations are typed.
    is_bonus = models.BooleanField(_("bonus"), default=False)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("criterion group")
        verbose_name_plural = _("criterion groups")
        ordering = ["scheme", "order"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "code"], name="criterion_group_code_unique"),
            models.CheckConstraint(condition=Q(max_points__gt=0), name="criterion_group_max_positive"),
        ]

    def __str__(self):
        return f"{self.name} ({self.max_points})"

    @property
    def default_points(self) -> Decimal:
        return Decimal(0) if self.is_bonus else self.max_points


class Criterion(models.Model):
    """One criterion of a group, shown to the rater as guidance (attire, "4 xin, 4 luôn", working hours…)."""

    group = models.ForeignKey(CriterionGroup, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(_("name"), max_length=300)
    max_points = models.DecimalField(_("maximum points"), max_digits=5, decimal_places=1)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["group", "order"]

    def __str__(self):
        return self.name


class RatingSheet(models.Model):
    """A unit's sheet for a month (or a quarter, when its scheme rates quarterly): one rating per active staff
    member, moved through draft → … → locked."""

    unit = models.ForeignKey("units.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="rating_sheets")
    month = models.DateField(_("month"), help_text=_("The first day of the month rated."))  # of the quarter, if quarterly
    scheme = models.ForeignKey(ScoringScheme, verbose_name=_("scoring scheme"), on_delete=models.PROTECT, related_name="sheets")
    status = models.CharField(_("status"), max_length=10, choices=SheetStatus.choices, default=SheetStatus.DRAFT)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    locked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("rating sheet")
        verbose_name_plural = _("rating sheets")
        ordering = ["-month", "unit"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "month"], name="one_sheet_per_unit_and_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="sheet_month_is_first_day"),
        ]
        indexes = [models.Index(fields=["month", "status"], name="sheet_month_status_idx")]

    def __str__(self):
        return f"{self.unit} — {self.month:%m/%Y}"

    @property
    def is_editable(self) -> bool:
        return self.status in (SheetStatus.DRAFT, SheetStatus.SUBMITTED)

    # A sheet covers its scheme's period: a month, or a quarter whose first month is ``month``. The scheme is
    # read, so lists select it with the sheet.
    @property
    def is_quarterly(self) -> bool:
        return self.scheme.is_quarterly

    @property
    def period_end(self) -> datetime.date:
        """The last day the sheet covers."""
        return periods.period_end(self.month, quarterly=self.is_quarterly)

    @property
    def period_label(self) -> str:
        """"Quý 1/2026" for a quarterly sheet, "Tháng 01/2026" for a monthly one."""
        return periods.period_label(self.month, quarterly=self.is_quarterly)


class Rating(models.Model):
    """One staff member's month: points per criterion group, the total, the grade and the rater's remark.

    ``version`` grows with every save: a save that names an older version was made on a stale page and is
    refused, so one officer never silently overwrites another's change.
    """

    sheet = models.ForeignKey(RatingSheet, on_delete=models.CASCADE, related_name="ratings")
    staff = models.ForeignKey("units.Staff", verbose_name=_("staff member"), on_delete=models.PROTECT, related_name="ratings")
    points = models.JSONField(_("points by criterion group"), default=dict)
    total = models.DecimalField(_("total"), max_digits=5, decimal_places=1)
    grade = models.CharField(_("grade"), max_length=1, choices=Grade.choices)
    grade_by_points = models.CharField(_("grade by points"), max_length=1, choices=Grade.choices)
    remark = models.TextField(_("remark"), blank=True)
    self_points = models.JSONField(_("self-assessment"), null=True, blank=True)
    self_remark = models.TextField(_("self-assessment remark"), blank=True)
    self_assessed_at = models.DateTimeField(null=True, blank=True)
    # What the row's points are now: where they started (the scheme's baseline, the period before, the staff
    # member's self-assessment) until a rater saves the row. A self-assessment moves a row still at its start.
    points_source = models.CharField(
        _("points from"), max_length=15, choices=PointsSource.choices, default=PointsSource.RATER,
        db_default=PointsSource.RATER,
    )
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = ScopedQuerySet.through("sheet__unit").as_manager()

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        constraints = [
            models.UniqueConstraint(fields=["sheet", "staff"], name="one_rating_per_staff_and_sheet"),
            models.CheckConstraint(condition=Q(total__gte=0) & Q(total__lte=110), name="rating_total_in_range"),
        ]

    def __str__(self):
        return f"{self.staff} — {self.sheet.month:%m/%Y}: {self.grade}"


class CapException(models.Model):
    """The level above allows a unit more grade A for one rating period (an exceptional unit): the sheet's
    scheme's ``exceptional_cap_percent`` then applies instead of its usual cap. Decided with a reason, audited."""

    unit = models.ForeignKey("units.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="cap_exceptions")
    month = models.DateField(_("period"), help_text=_("The first day of the month (or quarter) concerned."))
    reason = models.TextField(_("reason"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"), on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), auto_now_add=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("cap exception")
        verbose_name_plural = _("cap exceptions")
        ordering = ["-month", "unit"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "month"], name="one_cap_exception_per_unit_and_period"),
            models.CheckConstraint(condition=Q(month__day=1), name="cap_exception_month_is_first_day"),
        ]

    def __str__(self):
        return f"{self.unit} — {self.month:%m/%Y}"


class Violation(models.Model):
    """A recorded breach of the code by a staff member; it caps that month's grade by its severity."""

    staff = models.ForeignKey("units.Staff", verbose_name=_("staff member"), on_delete=models.PROTECT, related_name="violations")
    unit = models.ForeignKey("units.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="violations")
    occurred_on = models.DateField(_("date"))
    article = models.ForeignKey(
        "pledges.Article", verbose_name=_("article of the code"), on_delete=models.PROTECT, related_name="violations"
    )
    severity = models.CharField(_("severity"), max_length=15, choices=Severity.choices)
    source = models.CharField(_("source"), max_length=20, choices=ViolationSource.choices)
    description = models.TextField(_("what happened"))
    action_taken = models.TextField(_("action taken"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    finding = models.ForeignKey(
        "evaluations.Finding", verbose_name=_("inspection finding"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="violations",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("violation")
        verbose_name_plural = _("violations")
        ordering = ["-occurred_on", "-id"]
        indexes = [models.Index(fields=["staff", "occurred_on"], name="violation_staff_day_idx")]

    def __str__(self):
        return f"{self.staff} — {self.occurred_on:%d/%m/%Y} — {self.get_severity_display()}"
