"""Forms of corrective actions: set one for a finding, mark it done with evidence, verify or send it back."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from evaluations.inspection_actions import EVIDENCE_MAX_BYTES
from units.models import Unit


class ActionCreateForm(forms.Form):
    description = forms.CharField(label=_("What to do"), widget=forms.Textarea(attrs={"rows": 3}))
    owner_unit = forms.ModelChoiceField(label=_("Responsible unit"), queryset=Unit.objects.none())
    due_on = forms.DateField(label=_("Due date"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, visit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_unit"].queryset = Unit.objects.subtree_of(visit.unit).order_by("path")
        self.fields["owner_unit"].initial = visit.unit.pk


class ActionDoneForm(forms.Form):
    evidence = forms.CharField(label=_("What was done"), widget=forms.Textarea(attrs={"rows": 3}))
    evidence_file = forms.FileField(
        label=_("Evidence file (PDF or image)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,image/jpeg,image/png,image/webp"}),
    )


    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evidence_file"].help_text = _("At most %(limit)s MB.") % {"limit": EVIDENCE_MAX_BYTES // (1024 * 1024)}


class ActionVerifyForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=(("accept", _("Verified: the work is done")), ("send_back", _("Send back to the unit"))),
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=100, help_text=_("Required when sending back.")
    )
