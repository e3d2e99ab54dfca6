"""The handling of a violation: the disciplinary decision and its follow-up."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from evaluations.choices import DISCIPLINE_ORDER, DisciplineForm, DisciplineStatus
from units.scope import ScopedQuerySet


class DisciplinaryDecision(models.Model):
    """How a violation is handled by discipline (Decree 112/2020/NĐ-CP and its amendments): the form of
    discipline proposed, then decided (number, date, who signed it), appealed, closed or cancelled, and the
    follow-up. Every change is kept (simple-history). Scoped through the violation's unit.

    A sanction that stands (decided, under appeal or closed) with a decision dated in a year is what a scheme's
    annual "not completed" trigger reads (``ScoringScheme.annual_sanction_trigger``).
    """

    violation = models.OneToOneField(
        "evaluations.Violation", verbose_name=_("violation"), on_delete=models.PROTECT, related_name="discipline"
    )
    form = models.CharField(_("form of discipline"), max_length=25, choices=DisciplineForm.choices)
    status = models.CharField(_("status"), max_length=10, choices=DisciplineStatus.choices, default=DisciplineStatus.PROPOSED)
    decision_number = models.CharField(_("decision number"), max_length=50, blank=True)
    decision_date = models.DateField(_("decision date"), null=True, blank=True)
    issuer = models.CharField(_("decided by"), max_length=200, blank=True,
                              help_text=_("Who signed the decision, e.g. Chairman of the Ward People's Committee."))
    follow_up = models.TextField(_("follow-up"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = ScopedQuerySet.through("violation__unit").as_manager()

    class Meta:
        verbose_name = _("disciplinary decision")
        verbose_name_plural = _("disciplinary decisions")
        ordering = ["-decision_date", "-id"]
        indexes = [models.Index(fields=["status", "decision_date"], name="discipline_status_date_idx")]
        constraints = [
            # Once decided, a decision has its number and date.
            models.CheckConstraint(
                condition=Q(status__in=(DisciplineStatus.PROPOSED, DisciplineStatus.CANCELLED))
                | (Q(decision_date__isnull=False) & ~Q(decision_number="")),
                name="discipline_decided_has_number_and_date",
            ),
        ]

    def __str__(self):
        return f"{self.violation} — {self.get_form_display()} ({self.get_status_display()})"

    @property
    def severity_rank(self) -> int:
        """0 for a reprimand, up to 5 for forced termination."""
        return DISCIPLINE_ORDER.index(self.form)
