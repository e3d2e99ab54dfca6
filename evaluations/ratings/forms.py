"""Forms of the monthly sheet: they shape input; the services parse the points, grade and save.

Points are plain text fields: officers type "18,5" as often as "18.5", and ``scoring.parse_points`` (called
by the services) is the one place that decides what a valid number of points is. Violation forms live in
``evaluations.violations.forms``.
"""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from django import forms
from django.core.exceptions import ValidationError
from django.template.defaultfilters import floatformat
from django.utils.translation import gettext_lazy as _

from core.dates import parse_month
from core.xlsx import XLSX_CONTENT_TYPE
from evaluations.ratings.services import SHEET_WORKFLOW


def points_text(value) -> str:
    """Points as the sheet shows them: "20", "18,5" (the current language's decimal separator)."""
    return str(floatformat(value, "-1"))


class MonthField(forms.CharField):
    default_error_messages = {"invalid": _("Enter a month as YYYY-MM.")}

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        month = parse_month(value)
        if month is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return month


class SheetOpenForm(forms.Form):
    """Which unit's sheet to open, and for which month."""

    unit = forms.SlugField(label=_("Unit"), max_length=100)
    month = MonthField(label=_("Month"))


def _group_field_name(code: str) -> str:
    # Prefixed, so a group an admin codes "remark" or "version" cannot collide with the other fields.
    return f"p_{code}"


class GroupPointsMixin:
    """One text field per criterion group, named ``p_<group code>``, in the scheme's order."""

    def _add_group_fields(self, groups, *, widget_attrs: dict | None = None) -> None:
        self.groups = list(groups)
        for group in self.groups:
            field = forms.CharField(label=group.name, required=False, max_length=12, strip=True)
            field.widget.attrs.update({"inputmode": "decimal", "autocomplete": "off", **(widget_attrs or {})})
            field.group = group
            self.fields[_group_field_name(group.code)] = field

    @property
    def point_fields(self):
        return [self[_group_field_name(group.code)] for group in self.groups]

    def raw_points(self) -> dict[str, str]:
        """The typed points by group code, for ``services.parse_group_points``."""
        return {group.code: self.cleaned_data.get(_group_field_name(group.code), "") for group in self.groups}

    def add_service_errors(self, error: ValidationError) -> None:
        """Show a service's errors on the fields they name: group codes, ``remark``, or the whole row."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error.messages)
            return
        codes = {group.code for group in self.groups}
        for key, messages in error.message_dict.items():
            if key in codes:
                self.add_error(_group_field_name(key), messages)
            elif key in self.fields:
                self.add_error(key, messages)
            else:
                self.add_error(None, messages)


class RatingRowForm(GroupPointsMixin, forms.Form):
    """One row of a sheet as the autosave posts it: points per group, the remark, and the version the page
    showed (a save naming an older version is refused by ``services.rating_save``)."""

    remark = forms.CharField(label=_("Remark"), required=False, max_length=1000, strip=True)
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)

    def __init__(self, data=None, *, groups, rating):
        # A prefix per row keeps names and ids unique across the sheet's table.
        initial = {
            _group_field_name(group.code): points_text(rating.points.get(group.code, group.default_points))
            for group in groups
        }
        initial.update(remark=rating.remark, version=rating.version)
        super().__init__(data, initial=initial, prefix=f"r{rating.pk}")
        self._add_group_fields(groups)


class SelfAssessmentForm(GroupPointsMixin, forms.Form):
    """A staff member's own points for the month, shown to the officer beside their row."""

    remark = forms.CharField(
        label=_("Your remark"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, groups, rating, **kwargs):
        source = rating.self_points or rating.points
        kwargs.setdefault(
            "initial",
            {
                **{_group_field_name(g.code): points_text(source.get(g.code, g.default_points)) for g in groups},
                "remark": rating.self_remark,
            },
        )
        super().__init__(*args, **kwargs)
        self._add_group_fields(groups)
        for field in self.point_fields:
            group = field.field.group
            field.field.help_text = _("From 0 to %(max)s points.") % {"max": points_text(group.max_points)}
        self.helper = FormHelper()
        self.helper.form_tag = False


class SheetTransitionForm(forms.Form):
    """A workflow step on a sheet; whether it is allowed, and whether it needs a reason, is the service's call."""

    action = forms.ChoiceField(choices=[(action, action) for action in SHEET_WORKFLOW.transitions])
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500, strip=True)


class SheetUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Excel file (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": f".xlsx,{XLSX_CONTENT_TYPE}"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class CapExceptionForm(forms.Form):
    """Mark the sheet's unit exceptional for the sheet's period, or withdraw that; both with a reason (the service
    decides whether the user may and whether the scheme allows it)."""

    DECIDE, REVOKE = "decide", "revoke"

    action = forms.ChoiceField(choices=[(DECIDE, DECIDE), (REVOKE, REVOKE)])
    reason = forms.CharField(
        label=_("Reason"), max_length=500, strip=True, error_messages={"required": _("Give a reason.")}
    )
