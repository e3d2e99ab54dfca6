"""Forms of the pledges app: they shape input; the services decide, check scope and save."""

from crispy_forms.helper import FormHelper
from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pledges.choices import CampaignKind, VersionStatus
from pledges.models import CodeVersion
from units.models import Unit

# What the scan field offers in the browser's file picker; the service checks the content itself.
SCAN_ACCEPT = ".pdf,.jpg,.jpeg,.png,.webp"




def _helper() -> FormHelper:
    # The templates write the <form> tag themselves (method, enctype, CSRF token, buttons).
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    return helper


class DateInput(forms.DateInput):
    """The browser's date picker; it sends and expects ISO dates whatever the page's language."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class CodeVersionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, version):
        return f"{version.code.decision_number} — {version.code.title} (v{version.number})"


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, unit):
        parent = f" — {unit.parent.name}" if unit.parent_id else ""
        return f"{unit.name}{parent}"


class CampaignForm(forms.Form):
    """A new pledge campaign. ``units`` are the units the user may run campaigns for."""

    title = forms.CharField(label=_("Title"), max_length=200)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    kind = forms.ChoiceField(label=_("Kind"), choices=CampaignKind.choices, initial=CampaignKind.ANNUAL)
    code_version = CodeVersionChoiceField(
        label=_("Code of conduct"),
        queryset=CodeVersion.objects.none(),
        help_text=_("Only the published text of a code can be signed."),
    )
    scope_unit = UnitChoiceField(
        label=_("Unit"),
        queryset=Unit.objects.none(),
        help_text=_("Every active staff member of this unit and the units beneath it is expected to sign."),
    )
    opens_on = forms.DateField(label=_("Opens on"), widget=DateInput())
    closes_on = forms.DateField(label=_("Closes on"), widget=DateInput())
    target_percent = forms.IntegerField(label=_("Target (%)"), min_value=1, max_value=100, initial=100)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scope_unit"].queryset = units
        self.fields["code_version"].queryset = (
            CodeVersion.objects.filter(status=VersionStatus.PUBLISHED).select_related("code").order_by("code__decision_date")
        )
        today = timezone.localdate()
        self.fields["year"].initial = today.year
        self.fields["opens_on"].initial = today
        self.fields["title"].widget.attrs["autofocus"] = True
        self.helper = _helper()


class PledgeSignForm(forms.Form):
    """The staff member's own confirmation that they read the text and commit to it."""

    agree = forms.BooleanField(
        label=_("I have read the code and commit to follow it"),
        required=True,
        error_messages={"required": _("Tick the box to confirm that you have read the code.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class PaperPledgeForm(forms.Form):
    """A pledge signed on paper, entered by an officer, with the scan if there is one."""

    signed_on = forms.DateField(label=_("Date signed"), initial=timezone.localdate, widget=DateInput())
    scan = forms.FileField(
        label=_("Scan of the signed form (optional)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": SCAN_ACCEPT}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scan"].help_text = _("A PDF or a photo (JPEG, PNG, WebP), at most %(limit)s MB.") % {
            "limit": settings.PLEDGE_SCAN_MAX_BYTES // (1024 * 1024)
        }
        self.helper = _helper()


class PledgeWithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: recorded for the wrong person, or entered twice."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()
