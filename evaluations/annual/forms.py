"""Forms of the annual classification: they shape input; ``evaluations.annual.services`` decides and saves."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from evaluations.annual.selectors import FIRST_YEAR
from evaluations.choices import Grade


class AnnualOpenForm(forms.Form):
    """Go to a unit's list for a year."""

    unit = forms.ChoiceField(label=_("Unit"))
    year = forms.IntegerField(label=_("Year"), min_value=FIRST_YEAR)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [(unit.public_code, unit.name) for unit in units]
        self.fields["year"].max_value = timezone.localdate().year
        self.fields["year"].widget.attrs.update(max=timezone.localdate().year)
        self.fields["year"].initial = timezone.localdate().year

    def clean_year(self):
        year = self.cleaned_data["year"]
        if year > timezone.localdate().year:
            raise forms.ValidationError(_("A year can be classified from 2000 to the current year."))
        return year


class SelfAssessForm(forms.Form):
    """The staff member's self-assessment of the year."""

    self_grade = forms.ChoiceField(label=_("Proposed grade"), choices=[("", "—"), *Grade.choices], required=False)
    self_comment = forms.CharField(
        label=_("Self-assessment"), required=False, widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Results of the year, strengths, shortcomings and how to improve."),
    )


class ReviewForm(forms.Form):
    """The unit head's review of a row."""

    reviewed_grade = forms.ChoiceField(
        label=_("Grade proposed by the head"), choices=[("", _("The computed grade")), *Grade.choices], required=False
    )
    review_comment = forms.CharField(label=_("The head's review"), required=False, widget=forms.Textarea(attrs={"rows": 4}))


class TransitionForm(forms.Form):
    action = forms.CharField()
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)
