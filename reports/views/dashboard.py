"""Pages of the reports app: dashboard (URL patterns listed in ``urlpatterns``, included by reports/urls.py)."""

urlpatterns = []
