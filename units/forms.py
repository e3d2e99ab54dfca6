"""Forms of the units app: they shape input; the services decide and save."""

from crispy_forms.helper import FormHelper
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from units.choices import UnitKind
from units.models import Staff, Unit


class StaffForm(forms.ModelForm):
    class Meta:
        model = Staff
        fields = ["staff_code", "full_name", "category", "position", "leadership", "active_from"]
        widgets = {"active_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.fields["full_name"].widget.attrs["autofocus"] = True


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, unit):
        parent = f" — {unit.parent.name}" if unit.parent_id else ""
        return f"{unit.name}{parent}"


class StaffMoveForm(forms.Form):
    to_unit = UnitChoiceField(label=_("New unit"), queryset=Unit.objects.none())
    effective_date = forms.DateField(
        label=_("Effective date"), initial=timezone.localdate, widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_unit"].queryset = units
        self.helper = FormHelper()
        self.helper.form_tag = False


class PredecessorStaffMoveForm(forms.Form):
    """Move the staff of the units a unit was formed from into it: all, or those ticked (``staff``)."""

    staff = forms.TypedMultipleChoiceField(label=_("Staff to move"), coerce=int, required=False,
                                           widget=forms.CheckboxSelectMultiple)
    effective_date = forms.DateField(
        label=_("Effective date"),
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
        help_text=_("The day the unit was formed, or the day the people actually moved."),
    )
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False,
                             widget=forms.TextInput(attrs={"class": "form-control"}))

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].choices = [(person.pk, person.full_name) for person in candidates]


class StaffDeactivateForm(forms.Form):
    last_day = forms.DateField(
        label=_("Last working day"), initial=timezone.localdate, widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class StaffImportForm(forms.Form):
    file = forms.FileField(
        label=_("Excel file (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class SubUnitForm(forms.ModelForm):
    """An admin adds a department or another body under a unit."""

    class Meta:
        model = Unit
        fields = ["name", "kind"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [
            (k.value, k.label) for k in (UnitKind.DEPARTMENT, UnitKind.PUBLIC_SERVICE, UnitKind.OTHER)
        ]
        self.helper = FormHelper()
        self.helper.form_tag = False


class UnitContactForm(forms.Form):
    """The hotline and address printed on a unit's feedback poster."""

    hotline = forms.CharField(label=_("Hotline"), max_length=50, required=False,
                              help_text=_("Printed on the unit's feedback poster; empty: the poster prints the nearest "
                                          "unit above that has one."))
    address = forms.CharField(label=_("Address"), max_length=255, required=False,
                              help_text=_("The unit's office (the one-stop desk)."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
