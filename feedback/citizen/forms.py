"""The tracking page's two forms for a resolved case: the rating of the handling, and the reopening."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from feedback.citizen.services import COMMENT_MAX, REASON_MAX

HANDLING_CHOICES = [
    (5, _("5 — Very satisfied")),
    (4, _("4 — Satisfied")),
    (3, _("3 — Neither satisfied nor dissatisfied")),
    (2, _("2 — Dissatisfied")),
    (1, _("1 — Very dissatisfied")),
]


class HandlingRatingForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How satisfied are you with the handling of your feedback?"), choices=HANDLING_CHOICES, coerce=int,
        widget=forms.RadioSelect, error_messages={"required": _("Choose a rating from 1 to 5."),
                                                  "invalid_choice": _("Choose a rating from 1 to 5.")},
    )
    comment = forms.CharField(
        label=_("Comment (optional)"), required=False, max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        help_text=_("Do not write your name, phone number or other personal details."),
    )


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Why did the answer not solve the problem?"), max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        error_messages={"required": _("Say why the answer did not solve the problem.")},
    )
