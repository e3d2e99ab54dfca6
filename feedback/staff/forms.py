"""Forms of the staff side of feedback: they shape input; ``feedback.staff.services`` decides and saves."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from evaluations.choices import Severity
from evaluations.violations.selectors import code_articles
from feedback.choices import CaseStatus, Channel, FeedbackKind, RejectionReason
from feedback.staff.services import STAFF_CHANNELS, status_choices
from units.models import Staff


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return user.get_full_name() or user.get_username()


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, staff):
        return f"{staff.full_name} ({staff.staff_code}) — {staff.unit.name}"


class InboxFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("Any status")), *CaseStatus.choices])
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("Any kind")), *FeedbackKind.choices])
    channel = forms.ChoiceField(label=_("Channel"), required=False, choices=[("", _("Any channel")), *Channel.choices])
    unit = forms.ModelChoiceField(label=_("Unit"), required=False, queryset=None, to_field_name="public_code",
                                  empty_label=_("All units in your scope"))
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    mine = forms.BooleanField(label=_("Assigned to me"), required=False)
    q = forms.CharField(label=_("Search"), required=False, max_length=100)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        for name in ("status", "kind", "channel", "unit"):
            self.fields[name].widget.attrs["class"] = "form-select"


class CaseRecordForm(forms.Form):
    """A case that reached the unit by another channel than the web form."""

    unit = forms.ModelChoiceField(label=_("Unit"), queryset=None)
    channel = forms.ChoiceField(label=_("Channel"), choices=[(c, Channel(c).label) for c in STAFF_CHANNELS])
    received_at = forms.DateTimeField(label=_("Received at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    kind = forms.ChoiceField(label=_("Kind"), choices=FeedbackKind.choices)
    text = forms.CharField(label=_("Feedback"), widget=forms.Textarea(attrs={"rows": 5}), max_length=5000)
    staff_mentioned = forms.CharField(label=_("Staff name or desk number"), required=False, max_length=200)
    satisfaction = forms.TypedChoiceField(
        label=_("Satisfaction (1–5)"), required=False, coerce=int, empty_value=None,
        choices=[("", _("Not given")), *[(n, str(n)) for n in range(1, 6)]],
    )
    contact_name = forms.CharField(label=_("Name"), required=False, max_length=150)
    contact_phone = forms.CharField(label=_("Phone"), required=False, max_length=30)
    contact_email = forms.EmailField(label=_("E-mail"), required=False)
    consent = forms.BooleanField(
        label=_("The citizen agreed that these contact details are kept to answer this feedback"), required=False
    )

    def __init__(self, *args, units, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("received_at", timezone.localtime().strftime("%Y-%m-%dT%H:%M"))
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        if len(units) == 1:
            self.fields["unit"].initial = units[0].pk


class AssignForm(forms.Form):
    assignee = UserChoiceField(label=_("Assign to"), queryset=None, required=False, empty_label=_("Nobody"))

    def __init__(self, *args, users, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = users


class StatusForm(forms.Form):
    """The status list offers the case's own status and those one allowed move away (``status_choices``)."""

    status = forms.ChoiceField(label=_("Status"), choices=CaseStatus.choices)
    rejection_reason = forms.ChoiceField(
        label=_("Reason for rejection"), required=False, choices=[("", "—"), *RejectionReason.choices]
    )

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        if case is not None:
            self.fields["status"].choices = status_choices(case)
            # A reason only where rejecting is one of the moves offered.
            offered = {value for value, _label in self.fields["status"].choices}
            if case.status == CaseStatus.REJECTED or CaseStatus.REJECTED not in offered:
                del self.fields["rejection_reason"]


class NoteForm(forms.Form):
    internal_note = forms.CharField(label=_("Internal note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class DueDateForm(forms.Form):
    due_on = forms.DateField(label=_("Due date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


class LinkStaffForm(forms.Form):
    staff = StaffChoiceField(label=_("Staff member concerned"), queryset=None, required=False, empty_label=_("Nobody"))
    substantiated = forms.BooleanField(label=_("The complaint is substantiated"), required=False)

    def __init__(self, *args, unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = (
            Staff.objects.within(unit).select_related("unit").order_by("unit__path", "full_name", "pk")
        )


class ViolationFromCaseForm(forms.Form):
    article = forms.ModelChoiceField(label=_("Article of the code"), queryset=None)
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices)
    description = forms.CharField(label=_("What happened"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        # The code in force for the staff member's unit (the one the violation is checked against), else the case's.
        unit = case.staff.unit if case.staff_id else case.unit
        self.fields["article"].queryset = code_articles(unit=unit, day=timezone.localdate(case.received_at))


class EraseContactForm(forms.Form):
    reason = forms.CharField(label=_("Reason for erasure"), max_length=100,
                             help_text=_("For example: the citizen asked by phone on 12/03."))


class KioskDeviceForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=None)
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("For example: Tablet at the one-stop desk"))

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class ReplyTemplateForm(forms.Form):
    """A reply template's fields; ``jurisdiction`` only when it is made (empty: national, for superusers)."""

    jurisdiction = forms.ModelChoiceField(label=_("Jurisdiction"), queryset=None, required=False,
                                          empty_label=_("National (every unit)"))
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind of feedback"), required=False, choices=[("", _("Every kind")), *FeedbackKind.choices])
    text = forms.CharField(
        label=_("Text"), widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("Placeholders filled from the case: {tracking_code}, {unit}, {received_on}, {due_on}, {kind}, {today}."),
    )
    is_active = forms.BooleanField(label=_("Offered to officers"), required=False, initial=True)

    def __init__(self, *args, jurisdictions=None, national: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if jurisdictions is None:
            del self.fields["jurisdiction"]
        else:
            self.fields["jurisdiction"].queryset = jurisdictions
            self.fields["jurisdiction"].required = not national


class ReplyResolveForm(forms.Form):
    """The reply to the citizen, sent on its own or with the case resolved in the same step."""

    public_reply = forms.CharField(label=_("Reply to the citizen"), required=False,
                                   widget=forms.Textarea(attrs={"rows": 8}),
                                   help_text=_("Shown on the public tracking page and sent to the citizen who left an "
                                               "e-mail address or phone number with consent."))
