"""Forms of the commendation pages: which list to open, and the office's review (a reason, a staff member).

They only shape input: the reason being required, the staff member being of the list's subtree and the list
being a draft are checked by the services (``reports.commendations.services``)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.quarters import Quarter

QUARTERS_OFFERED = 8


def recent_quarters(count: int = QUARTERS_OFFERED) -> list[Quarter]:
    """The current quarter and the ones before it, newest first."""
    quarters = [Quarter.current()]
    while len(quarters) < count:
        quarters.append(quarters[-1].previous())
    return quarters


class CommendationOpenForm(forms.Form):
    """Open (or prepare) the list of a unit for a quarter."""

    unit = forms.ModelChoiceField(label=_("Unit"), queryset=None, to_field_name="public_code")
    quarter = forms.ChoiceField(label=_("Quarter"))

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["unit"].label_from_instance = lambda unit: ("— " * max(unit.depth - 1, 0)) + unit.name
        quarters = recent_quarters()
        self.fields["quarter"].choices = [(q.slug, str(q)) for q in quarters]
        self.fields["quarter"].initial = Quarter.last_finished().slug

    def clean_quarter(self) -> Quarter:
        return Quarter.from_slug(self.cleaned_data["quarter"])


class ReasonForm(forms.Form):
    """Why an entry is removed or put back."""

    reason = forms.CharField(label=_("Reason"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class EntryAddForm(ReasonForm):
    """A staff member of the list's subtree the office adds by hand, with the reason."""

    staff = forms.ModelChoiceField(label=_("Staff member"), queryset=None)

    field_order = ["staff", "reason"]

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = staff
        self.fields["staff"].label_from_instance = lambda s: f"{s.full_name} ({s.staff_code}) — {s.unit.name}"
