"""The preferences form: one choice of delivery per kind of notification, and the e-mail language."""

from django import forms
from django.utils.translation import gettext_lazy as _

from units.notifications.kinds import Delivery


class PreferencesForm(forms.Form):
    """Built from ``selectors.preferences_for``: a radio group per kind."""

    language = forms.ChoiceField(label=_("Language of the e-mails"), choices=[("vi", "Tiếng Việt"), ("en", "English")])

    def __init__(self, *args, preferences, **kwargs):
        super().__init__(*args, **kwargs)
        self.kinds = []
        for kind, label, delivery in preferences:
            self.fields[f"kind_{kind}"] = forms.ChoiceField(
                label=label, choices=Delivery.choices, initial=delivery, widget=forms.RadioSelect
            )
            self.kinds.append(kind)

    def kind_fields(self):
        return [self[f"kind_{kind}"] for kind in self.kinds]

    def choices(self) -> dict[str, str]:
        return {kind: self.cleaned_data[f"kind_{kind}"] for kind in self.kinds}
