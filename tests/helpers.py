"""Small helpers shared by the tests of several apps: dates, a logged-in English client, messages as pages show them."""

import datetime

from django.conf import settings as django_settings
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext, pgettext


def days(n: int) -> datetime.date:
    """Today plus ``n`` days (negative: in the past)."""
    return timezone.localdate() + datetime.timedelta(days=n)


def last_month() -> datetime.date:
    """The first day of last month."""
    return (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def local_at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    """``day`` at ``hour`` o'clock, local time."""
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=timezone.get_current_timezone())


def client_for(client, user):
    """``client`` logged in as ``user``, in English."""
    client.force_login(user)
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def in_page(msgid: str, context: str = "", **params) -> str:
    """A message as the Vietnamese page shows it (the English msgid while the catalogue lacks it), escaped."""
    with translation.override("vi"):
        text = pgettext(context, msgid) if context else gettext(msgid)
    return escape(text % params if params else text)
