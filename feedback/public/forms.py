"""Forms of the public feedback pages. Validation rules live in ``feedback.public.services``; these forms only
parse the request and lay the fields out."""

import re

from django import forms
from django.conf import settings
from django.utils.functional import lazy
from django.utils.translation import gettext, gettext_lazy as _

from feedback.choices import FeedbackKind
from feedback.public.services import TEXT_MAX_LENGTH

SATISFACTION_CHOICES = [
    (1, _("Very dissatisfied")),
    (2, _("Dissatisfied")),
    (3, _("Neither satisfied nor dissatisfied")),
    (4, _("Satisfied")),
    (5, _("Very satisfied")),
]
# A face per score, shown next to the label (decorative: the label carries the meaning).
SATISFACTION_FACES = {1: "😠", 2: "😟", 3: "😐", 4: "😊", 5: "😄"}
_TOKEN = re.compile(r"^[0-9a-f]{32}$")


def _kinds():
    return FeedbackKind.choices


def _scores():
    return SATISFACTION_CHOICES


def _consent_label() -> str:
    return gettext(
        "I agree that the unit uses my name, phone and e-mail only to contact me about this feedback. "
        "They are kept %(days)s days after the case is closed, then erased; I may ask for them to be erased sooner."
    ) % {"days": settings.FEEDBACK_RETENTION_DAYS}


def _photo_help() -> str:
    return gettext("A JPEG, PNG or WebP image of at most %(limit)s MB.") % {"limit": settings.FEEDBACK_PHOTO_MAX_BYTES // (1024 * 1024)}


class FeedbackForm(forms.Form):
    """The citizen's feedback about a unit. Every contact field is optional; consent is checked by the service.

    Built on every citizen's POST, so kept cheap: the choices are callables (Django copies a list of translated
    labels for every form, a callable not) and the labels that read settings are computed when shown."""

    kind = forms.ChoiceField(label=_("What is your feedback about?"), choices=_kinds, widget=forms.RadioSelect)
    staff_mentioned = forms.CharField(
        label=_("Staff member's name or desk number (optional)"), max_length=200, required=False,
        widget=forms.TextInput(attrs={"class": "form-control form-control-lg", "autocomplete": "off"}),
    )
    text = forms.CharField(
        label=_("Your feedback"), max_length=TEXT_MAX_LENGTH, strip=True,
        widget=forms.Textarea(attrs={"class": "form-control form-control-lg", "rows": 6, "maxlength": TEXT_MAX_LENGTH}),
    )
    satisfaction = forms.TypedChoiceField(
        label=_("How satisfied are you with the service? (optional)"), choices=_scores, coerce=int,
        empty_value=None, required=False, widget=forms.RadioSelect,
    )
    contact_name = forms.CharField(
        label=_("Your name"), max_length=150, required=False,
        widget=forms.TextInput(attrs={"class": "form-control form-control-lg", "autocomplete": "name"}),
    )
    contact_phone = forms.CharField(
        label=_("Phone"), max_length=30, required=False,
        widget=forms.TextInput(attrs={"class": "form-control form-control-lg", "autocomplete": "tel", "inputmode": "tel"}),
    )
    contact_email = forms.EmailField(
        label=_("E-mail"), max_length=254, required=False,
        widget=forms.EmailInput(attrs={"class": "form-control form-control-lg", "autocomplete": "email"}),
    )
    contact_consent = forms.BooleanField(
        label=lazy(_consent_label, str)(), required=False, widget=forms.CheckboxInput(attrs={"class": "form-check-input"})
    )
    photo = forms.FileField(
        label=_("Photo (optional)"), required=False, help_text=lazy(_photo_help, str)(),
        widget=forms.ClearableFileInput(attrs={"class": "form-control form-control-lg", "accept": "image/jpeg,image/png,image/webp"}),
    )
    # A trap for robots: hidden from people (CSS and aria-hidden), filled in by naive form spammers.
    website = forms.CharField(required=False, widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}))
    submission_token = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def clean_submission_token(self):
        token = self.cleaned_data["submission_token"]
        if not _TOKEN.match(token):
            raise forms.ValidationError(_("This form has expired. Please reload the page and send it again."))
        return token

    def satisfaction_options(self):
        """(value, label, face, checked) for the template's large radio buttons."""
        current = str(self["satisfaction"].value() or "")
        return [(value, label, SATISFACTION_FACES[value], current == str(value)) for value, label in SATISFACTION_CHOICES]


class TrackingForm(forms.Form):
    code = forms.CharField(
        label=_("Tracking code"), max_length=40,
        widget=forms.TextInput(attrs={"class": "form-control form-control-lg text-uppercase", "autocomplete": "off",
                                      "autocapitalize": "characters", "spellcheck": "false", "placeholder": "ABCD-EFGH-JK"}),
    )


class UnitSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Name of your ward, commune or district"), max_length=100, required=False,
        widget=forms.TextInput(attrs={"class": "form-control form-control-lg", "type": "search", "autocomplete": "off"}),
    )
