"""URLs of the user's own account (``account:``): two-factor login."""

from django.urls import path

from portal.views import accounts as account_views

app_name = "account"

urlpatterns = [
    path("two-factor/", account_views.TwoFactorView.as_view(), name="two_factor"),
    path("two-factor/code/", account_views.TwoFactorVerifyView.as_view(), name="two_factor_verify"),
]
