"""URLs of the reports app; each part of it lists its own patterns beside its views."""

from reports.commendations import views as commendations
from reports.dashboard import views as dashboard
from reports.exports import views as exports
from reports.quarterly import views as quarterly

app_name = "reports"

urlpatterns = [*dashboard.urlpatterns, *quarterly.urlpatterns, *commendations.urlpatterns, *exports.urlpatterns]
