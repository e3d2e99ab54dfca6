"""Forms of the pledges app: they shape input; the services decide, check scope and save."""

from crispy_forms.helper import FormHelper
from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pledges.choices import Audience, CampaignKind
from pledges.models import Chapter, CodeVersion
from pledges.selectors import code_versions_for_units
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
        code = version.code
        return f"{code.decision_number} — {code.title} (v{version.number}; {code.jurisdiction_label})"


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
        # The codes that apply to the units offered (their province's or city's, and the national ones); the
        # service refuses one that does not apply to the unit chosen.
        self.fields["code_version"].queryset = code_versions_for_units(units=list(units))
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


# --- Codes of conduct: particulars, chapters and articles of a draft ----------------------------------------------


class CodeForm(forms.Form):
    """A code's particulars. ``jurisdictions``: the units the user may make rules for (None: no choice, when the
    code exists already); ``national``: the national default is offered too (superusers)."""

    jurisdiction = UnitChoiceField(
        label=_("Applies to"), queryset=Unit.objects.none(),
        help_text=_("The code binds this unit and every unit beneath it, from the decision's date."),
    )
    title = forms.CharField(label=_("Title"), max_length=300)
    decision_number = forms.CharField(label=_("Issuing decision"), max_length=60, help_text=_("For example: 1234/QĐ-UBND."))
    decision_date = forms.DateField(label=_("Decision date"), widget=DateInput())
    issuer = forms.CharField(label=_("Issued by"), max_length=200, help_text=_("For example: Ủy ban nhân dân tỉnh An Giang."))
    audience = forms.ChoiceField(label=_("Audience"), choices=Audience.choices, initial=Audience.STAFF)

    def __init__(self, *args, jurisdictions=None, national: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if jurisdictions is None:
            del self.fields["jurisdiction"]
        else:
            field = self.fields["jurisdiction"]
            field.queryset = jurisdictions
            if national:
                field.required = False
                field.empty_label = _("Whole country (national default)")
            else:
                first_two = list(jurisdictions[:2])
                if len(first_two) == 1:
                    field.initial = first_two[0].pk
        self.fields["title"].widget.attrs["autofocus"] = True
        self.helper = _helper()


class ChapterForm(forms.Form):
    number = forms.IntegerField(label=_("Chapter number"), min_value=1, max_value=999)
    title = forms.CharField(label=_("Chapter title"), max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class ChapterChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, chapter):
        return f"Chương {chapter.number}. {chapter.title}"


class ArticleForm(forms.Form):
    """An article of a draft; ``version`` given: the article may move to another of its chapters."""

    chapter = ChapterChoiceField(label=_("Chapter"), queryset=Chapter.objects.none())
    number = forms.IntegerField(
        label=_("Article number"), min_value=1, max_value=9999,
        help_text=_("Articles are numbered across the whole code (Điều 1, Điều 2, …), as violations cite them."),
    )
    title = forms.CharField(label=_("Article title"), max_length=300)
    text = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 8}))

    def __init__(self, *args, version=None, **kwargs):
        super().__init__(*args, **kwargs)
        if version is None:
            del self.fields["chapter"]
        else:
            self.fields["chapter"].queryset = version.chapters.order_by("number")
        self.helper = _helper()


class PublishForm(forms.Form):
    notes = forms.CharField(
        label=_("What changed"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Shown under the text, for example: “Bổ sung quy định về trang phục”."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()
