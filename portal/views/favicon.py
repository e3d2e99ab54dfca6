"""``/favicon.ico``: browsers ask for it at the site's root; it lives with the other static files."""

from django.http import HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.views.decorators.http import require_safe


@require_safe
def favicon(request):
    return HttpResponsePermanentRedirect(static("favicon.ico"))
