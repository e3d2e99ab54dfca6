"""Forms for violations of the code: they shape input; ``services.violation_record`` decides and saves.

The staff offered are those of the units where the user may record violations; the articles are those of the
published staff codes in force for those units (grouped by code when the user covers units of several provinces),
or of the staff member's own unit's code when the page is opened for one. The service checks the article against
the code in force for the staff member's unit on the day.
"""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from evaluations.models import Violation
from evaluations.violations.selectors import articles_by_code, code_articles, recordable_articles, recordable_staff
from units.models import Staff


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, staff):
        return f"{staff.full_name} ({staff.staff_code}) — {staff.unit.name}"


class ArticleChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, article):
        return f"Điều {article.number}. {article.title}"


def group_article_choices(field: forms.ModelChoiceField) -> None:
    """Show ``field``'s articles under one heading per code (the queryset still validates the choice)."""
    groups = articles_by_code(field.queryset)
    if len(groups) > 1:
        field.choices = [("", field.empty_label)] + [
            (label, [(article.pk, field.label_from_instance(article)) for article in articles])
            for label, articles in groups
        ]


class ViolationForm(forms.ModelForm):
    """A breach of the code: who, when, which article, how serious, who found it, what happened and was done."""

    class Meta:
        model = Violation
        fields = ["staff", "occurred_on", "article", "severity", "source", "description", "action_taken"]
        field_classes = {"staff": StaffChoiceField, "article": ArticleChoiceField}
        widgets = {
            "occurred_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "description": forms.Textarea(attrs={"rows": 4}),
            "action_taken": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "occurred_on": _("The grade of that month is capped by the severity."),
            "action_taken": _("For example: reminded, criticised in the unit meeting, disciplinary procedure opened."),
        }

    def __init__(self, *args, user, staff: Staff | None = None, **kwargs):
        today = timezone.localdate()
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("occurred_on", today)
        if staff is not None:
            kwargs["initial"].setdefault("staff", staff.pk)
        super().__init__(*args, **kwargs)
        # Active staff, and the one the page was opened for even if they have left since (a past month's breach).
        offered = Q(active_from__lte=today) & (Q(active_to__isnull=True) | Q(active_to__gte=today))
        if staff is not None:
            offered |= Q(pk=staff.pk)
        self.fields["staff"].queryset = recordable_staff(user).filter(offered).order_by("unit__path", "full_name", "pk")
        # The code in force for the staff member's unit when the page is opened for one, else those of the units
        # the user records violations for, grouped by code.
        if staff is not None:
            self.fields["article"].queryset = code_articles(unit=staff.unit, day=today)
        else:
            self.fields["article"].queryset = recordable_articles(user, today)
        group_article_choices(self.fields["article"])
        self.fields["occurred_on"].widget.attrs["max"] = today.isoformat()
        self.helper = FormHelper()
        self.helper.form_tag = False
