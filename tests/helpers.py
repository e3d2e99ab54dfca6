"""Small helpers shared by the tests of several apps: dates, a logged-in English client, messages as pages show them."""

import datetime

from django.conf import settings as django_settings
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext, pgettext


def today() -> datetime.date:
    return timezone.localdate()


def days(n: int) -> datetime.date:
    """Today plus ``n`` days (negative: in the past)."""
    return today() + datetime.timedelta(days=n)


def this_month() -> datetime.date:
    return today().replace(day=1)


def months_back(n: int) -> datetime.date:
    """The first day of the month ``n`` months before this one."""
    month = this_month()
    for _ in range(n):
        month = (month - datetime.timedelta(days=1)).replace(day=1)
    return month


def last_month() -> datetime.date:
    return months_back(1)


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
