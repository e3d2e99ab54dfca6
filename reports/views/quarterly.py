"""Pages of the reports app: quarterly (URL patterns listed in ``urlpatterns``, included by reports/urls.py)."""

urlpatterns = []
