"""URLs of the Open311 GeoReport v2 API (``/open311/v2/…``) and of the partner pages (``/open311/partners/``)."""

from django.urls import path, re_path

from feedback.open311 import api, views

app_name = "open311"

# Any format is matched, so that an unknown one (".yaml") gets an Open311 error rather than a bare 404.
FORMAT = r"\.(?P<fmt>[^/.]{1,20})"

urlpatterns = [
    re_path(rf"^v2/discovery{FORMAT}$", api.DiscoveryView.as_view(), name="discovery"),
    re_path(rf"^v2/services{FORMAT}$", api.ServiceListView.as_view(), name="services"),
    re_path(rf"^v2/services/(?P<service_code>[^/]{{1,100}}){FORMAT}$", api.ServiceDefinitionView.as_view(), name="service"),
    re_path(rf"^v2/requests{FORMAT}$", api.RequestsView.as_view(), name="requests"),
    re_path(rf"^v2/requests/(?P<service_request_id>[^/]{{1,100}}){FORMAT}$", api.RequestDetailView.as_view(), name="request"),
    path("partners/", views.PartnerListView.as_view(), name="partner_list"),
    path("partners/<int:pk>/revoke/", views.PartnerRevokeView.as_view(), name="partner_revoke"),
]
