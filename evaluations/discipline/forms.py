"""Forms of the disciplinary handling: they shape input; ``evaluations.discipline.services`` decides and saves."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from evaluations.choices import DisciplineForm


class ProposeForm(forms.Form):
    """Open the handling: the form of discipline proposed, and a first note."""

    form = forms.ChoiceField(label=_("Form of discipline proposed"), choices=DisciplineForm.choices)
    follow_up = forms.CharField(label=_("Follow-up"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class DecideForm(forms.Form):
    """The decision: its form of discipline, number, date and who signed it."""

    form = forms.ChoiceField(label=_("Form of discipline"), choices=DisciplineForm.choices)
    decision_number = forms.CharField(label=_("Decision number"), max_length=50, required=False)
    decision_date = forms.DateField(
        label=_("Decision date"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    issuer = forms.CharField(label=_("Decided by"), max_length=200, required=False,
                             help_text=_("Who signed the decision, e.g. Chairman of the Ward People's Committee."))

    def __init__(self, *args, decision=None, **kwargs):
        if decision is not None:
            kwargs.setdefault("initial", {"form": decision.form, "decision_number": decision.decision_number,
                                          "decision_date": decision.decision_date, "issuer": decision.issuer})
        super().__init__(*args, **kwargs)
        self.fields["decision_date"].widget.attrs["max"] = timezone.localdate().isoformat()


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)


class FollowUpForm(forms.Form):
    follow_up = forms.CharField(label=_("Follow-up"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
