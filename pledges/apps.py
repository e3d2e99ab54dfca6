from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PledgesConfig(AppConfig):
    """Yearly pledges to follow the codes of conduct (issue: pledges)."""

    name = "pledges"
    verbose_name = _("Pledges")
