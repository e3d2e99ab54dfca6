from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UnitsConfig(AppConfig):
    """Administrative units, staff, users and the roles that scope what each user sees."""

    name = "units"
    verbose_name = _("Units and staff")
