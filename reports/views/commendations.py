"""Pages of the reports app: commendations (URL patterns listed in ``urlpatterns``, included by reports/urls.py)."""

urlpatterns = []
