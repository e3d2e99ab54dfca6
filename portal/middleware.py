"""Request middleware shared by the whole portal."""

from django.conf import settings
from django.utils import translation


class VietnameseFirstLocaleMiddleware:
    """Show Vietnamese unless the user chose another language with the switch in the page header.

    Django's LocaleMiddleware would follow the browser's Accept-Language, so a ward officer on an English
    Windows would get English; the portal is Vietnamese by default, English only on request.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        request.LANGUAGE_CODE = language
        # override() restores whatever language was active before, once the response is made.
        with translation.override(language):
            response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
