from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationsConfig(AppConfig):
    """Monthly conduct ratings, violations and inspection visits (issues: ratings, inspections)."""

    name = "evaluations"
    verbose_name = _("Ratings and inspections")
