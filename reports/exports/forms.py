"""The form asking for an export (Excel or CSV): a kind, a unit where the user may export, and a period that suits the kind
(ratings: a year or a range of months; feedback and inspections: a range of days; pledges: a campaign)."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pledges.selectors import campaign_list
from reports.choices import ExportKind
from reports.exports.kinds import roster_root
from reports.exports.writer import CSV, XLSX, ExportRequest


class MonthInput(forms.DateInput):
    input_type = "month"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m")


class DayInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


MONTH_FORMATS = ["%Y-%m", "%m/%Y"]
DAY_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


class ExportForm(forms.Form):
    """Validates the period against the kind: nothing in the future, never reversed, a campaign of the unit."""

    kind = forms.ChoiceField(label=_("Export"), choices=ExportKind.choices)
    unit = forms.ChoiceField(label=_("Unit (with every unit beneath it)"))
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)
    month_from = forms.DateField(label=_("From month"), required=False, input_formats=MONTH_FORMATS, widget=MonthInput)
    month_to = forms.DateField(label=_("To month"), required=False, input_formats=MONTH_FORMATS, widget=MonthInput)
    date_from = forms.DateField(label=_("From"), required=False, input_formats=DAY_FORMATS, widget=DayInput)
    date_to = forms.DateField(label=_("To"), required=False, input_formats=DAY_FORMATS, widget=DayInput)
    campaign = forms.ModelChoiceField(label=_("Pledge campaign"), queryset=None, required=False)
    # Given by the button pressed ("Export to Excel" or "Export to CSV"); Excel when absent.
    file_format = forms.ChoiceField(
        label=_("File format"), choices=[(XLSX, _("Excel (.xlsx)")), (CSV, _("CSV (.csv)"))], required=False
    )

    def __init__(self, *args, user, units, unit=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.unit = unit
        depth = min((u.depth for u in units), default=0)
        self.fields["unit"].choices = [("", "—"), *((u.public_code, "· " * (u.depth - depth) + u.name) for u in units)]
        self.fields["campaign"].queryset = campaign_list(user=user).order_by("-year", "-opens_on", "title")
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-select" if isinstance(field.widget, forms.Select) else "form-control")

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if kind == ExportKind.RATINGS:
            self._clean_months(cleaned)
        elif kind in (ExportKind.FEEDBACK, ExportKind.INSPECTIONS):
            self._clean_days(cleaned)
        elif kind == ExportKind.PLEDGES:
            self._clean_campaign(cleaned)
        return cleaned

    def _clean_months(self, cleaned) -> None:
        this_month = timezone.localdate().replace(day=1)
        year, first, last = cleaned.get("year"), cleaned.get("month_from"), cleaned.get("month_to")
        if year and (first or last):
            raise forms.ValidationError(_("Give either a year or a range of months, not both."), code="both")
        if year:
            if year > this_month.year:
                self.add_error("year", forms.ValidationError(_("This year has not started yet."), code="future"))
                return
            cleaned["start"], cleaned["end"] = datetime.date(year, 1, 1), min(datetime.date(year, 12, 1), this_month)
            return
        if not first or not last:
            if not self.has_error("month_from") and not self.has_error("month_to"):
                raise forms.ValidationError(_("Give a year or a range of months."), code="required")
            return
        first, last = first.replace(day=1), last.replace(day=1)
        if last > this_month:
            self.add_error("month_to", forms.ValidationError(_("This month has not started yet."), code="future"))
        elif first > last:
            self.add_error("month_to", forms.ValidationError(_("The last month comes before the first."), code="reversed"))
        else:
            cleaned["start"], cleaned["end"] = first, last

    def _clean_days(self, cleaned) -> None:
        first, last = cleaned.get("date_from"), cleaned.get("date_to")
        if not first or not last:
            if not self.has_error("date_from") and not self.has_error("date_to"):
                raise forms.ValidationError(_("Give the first and the last day of the period."), code="required")
            return
        if last > timezone.localdate():
            self.add_error("date_to", forms.ValidationError(_("This day is in the future."), code="future"))
        elif first > last:
            self.add_error("date_to", forms.ValidationError(_("The last day comes before the first."), code="reversed"))
        else:
            cleaned["start"], cleaned["end"] = first, last

    def _clean_campaign(self, cleaned) -> None:
        campaign = cleaned.get("campaign")
        if campaign is None:
            if not self.has_error("campaign"):
                self.add_error("campaign", forms.ValidationError(_("Choose a pledge campaign."), code="required"))
            return
        if self.unit is not None and roster_root(campaign, self.unit) is None:
            self.add_error("campaign", forms.ValidationError(_("This campaign does not concern the chosen unit."), code="unit"))

    def export_request(self) -> ExportRequest:
        """What was asked, once the form is valid (the unit resolved by the view, scope checked)."""
        data = self.cleaned_data
        return ExportRequest(
            kind=data["kind"], unit=self.unit, start=data.get("start"), end=data.get("end"), campaign=data.get("campaign"),
            file_format=CSV if data.get("file_format") == CSV else XLSX,
        )
