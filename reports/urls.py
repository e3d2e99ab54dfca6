"""URLs of the reports app; each part of it lists its own patterns beside its views."""

from django.urls import register_converter

from reports.quarters import QuarterConverter

register_converter(QuarterConverter, "quarter")

from reports.views import commendations, dashboard, exports, quarterly  # noqa: E402 - after the converter exists

app_name = "reports"

urlpatterns = [*dashboard.urlpatterns, *quarterly.urlpatterns, *commendations.urlpatterns, *exports.urlpatterns]
