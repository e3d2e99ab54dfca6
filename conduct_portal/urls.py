"""The portal's URLs."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from conduct_portal.health import healthz
from portal.views.favicon import favicon
from portal.views.home import HomeView

admin.site.site_header = _("Conduct Portal administration")
admin.site.site_title = _("Conduct Portal")

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon, name="favicon"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("account/", include("portal.account_urls")),
    # The citizens' pages first: the busiest (the public form, a QR code's target) are found without walking past
    # every officer's page. Nothing else lives under feedback/ or kiosk/.
    path("", include("feedback.urls")),
    path("", include("portal.urls")),
    path("", include("units.urls")),
    path("", include("pledges.urls")),
    path("", include("evaluations.urls")),
    path("open311/", include("feedback.open311.urls")),
    path("", include("reports.urls")),
    path("admin/", admin.site.urls),
]
# Uploaded files (pledge scans, photos) are personal data: they are never served from MEDIA_URL, only through
# views that check the user's scope.

# A refusal says what is missing and where to go (portal.views.errors); 404 keeps Django's view and our template.
handler403 = "portal.views.errors.permission_denied"
