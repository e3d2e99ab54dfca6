"""Forms of the commendation pages: which list to open (a unit, and a quarter or a year), and the office's review
(a reason, a staff member).

They only shape input: the reason being required, the staff member being of the list's subtree and the list
being a draft are checked by the services (``reports.commendations.services``)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.quarters import Period, Quarter, Year, period_from_slug

QUARTERS_OFFERED = 8
YEARS_OFFERED = 3


def recent_quarters(count: int = QUARTERS_OFFERED) -> list[Quarter]:
    """The current quarter and the ones before it, newest first."""
    quarters = [Quarter.current()]
    while len(quarters) < count:
        quarters.append(quarters[-1].previous())
    return quarters


def recent_years(count: int = YEARS_OFFERED) -> list[Year]:
    """The current year and the ones before it, newest first."""
    current = Year.current()
    return [Year(current.year - offset) for offset in range(count)]


class CommendationOpenForm(forms.Form):
    """Open (or prepare) the list of a unit for a quarter, or for a whole year."""

    unit = forms.ModelChoiceField(label=_("Unit"), queryset=None, to_field_name="public_code")
    period = forms.ChoiceField(label=_("Period"))

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["unit"].label_from_instance = lambda unit: ("— " * max(unit.depth - 1, 0)) + unit.name
        self.fields["period"].choices = [
            (_("Quarters"), [(q.slug, str(q)) for q in recent_quarters()]),
            (_("The whole year"), [(y.slug, str(y)) for y in recent_years()]),
        ]
        self.fields["period"].initial = Quarter.last_finished().slug

    def clean_period(self) -> Period:
        return period_from_slug(self.cleaned_data["period"])


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
