"""URLs of the pages that span every app (``portal:``): the audit trail and the rules hub."""

from django.urls import path

from portal.views import audit, rules

app_name = "portal"

urlpatterns = [
    path("audit/", audit.AuditTrailView.as_view(), name="audit_trail"),
    path("rules/", rules.RulesHubView.as_view(), name="rules"),
]
