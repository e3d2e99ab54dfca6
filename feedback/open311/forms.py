"""The form of a new Open311 partner."""

from django import forms
from django.utils.translation import gettext_lazy as _


class PartnerForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("For example: the city's citizen app"))
    jurisdiction = forms.ModelChoiceField(
        label=_("Jurisdiction"), queryset=None,
        help_text=_("The partner may send cases to this unit and every unit beneath it."),
    )
    rate_limit = forms.IntegerField(label=_("Cases per hour"), min_value=1, max_value=100_000, initial=120)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["jurisdiction"].queryset = units
