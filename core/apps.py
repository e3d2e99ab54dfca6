from django.apps import AppConfig
from django.urls import register_converter

from core.dates import MonthConverter
from core.quarters import PeriodConverter, QuarterConverter


class CoreConfig(AppConfig):
    name = "core"

    def ready(self):
        # Before any URL conf is read: every app's URLs may name a month, a quarter or a period (``<month:month>``).
        register_converter(MonthConverter, "month")
        register_converter(QuarterConverter, "quarter")
        register_converter(PeriodConverter, "period")  # a quarter or a whole year
        from core import checks  # noqa: F401  (registers the deployment checks)
