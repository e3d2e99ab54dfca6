from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    """Citizen feedback through every channel (issue: feedback)."""

    name = "feedback"
    verbose_name = _("Citizen feedback")
