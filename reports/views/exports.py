"""Pages of the reports app: exports (URL patterns listed in ``urlpatterns``, included by reports/urls.py)."""

urlpatterns = []
