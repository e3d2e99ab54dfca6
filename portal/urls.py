"""URLs of the pages that span every app (``portal:``): the audit trail."""

from django.urls import path

from portal.views import audit

app_name = "portal"

urlpatterns = [
    path("audit/", audit.AuditTrailView.as_view(), name="audit_trail"),
]
