"""Months and moments in the portal's time zone, shared by every app."""

from __future__ import annotations

import datetime

from django.utils import timezone


def add_months(month: datetime.date, months: int) -> datetime.date:
    """The first day of the month ``months`` away from ``month`` (negative: earlier)."""
    index = month.year * 12 + month.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def local_datetime(day: datetime.date, hour: int = 9, minute: int = 0) -> datetime.datetime:
    """``day`` at ``hour:minute`` in the portal's time zone (Django caches the zone: cheap for millions of rows)."""
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=timezone.get_default_timezone())


MONTH_INPUT_FORMAT = "%Y-%m"


def parse_month(text: str | None) -> datetime.date | None:
    """The first day of a month typed as "YYYY-MM" (what ``<input type="month">`` sends), or None."""
    try:
        return datetime.datetime.strptime((text or "").strip(), MONTH_INPUT_FORMAT).date()
    except ValueError:
        return None


class MonthConverter:
    """``YYYY-MM`` in a URL, as the first day of that month (an impossible month does not match: 404)."""

    regex = r"[0-9]{4}-(?:0[1-9]|1[0-2])"

    def to_python(self, value: str) -> datetime.date:
        month = parse_month(value)
        if month is None:
            raise ValueError(value)
        return month

    def to_url(self, value) -> str:
        return value.strftime(MONTH_INPUT_FORMAT) if isinstance(value, datetime.date) else str(value)


def month_start(day: datetime.date) -> datetime.date:
    """The first day of ``day``'s month."""
    return day.replace(day=1)


def month_end(month: datetime.date) -> datetime.date:
    """The last day of ``month``'s month."""
    following = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return following - datetime.timedelta(days=1)


def month_bounds(month: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The first instant of the month and of the next one, in the portal's time zone."""
    start = month.replace(day=1)
    following = (start + datetime.timedelta(days=32)).replace(day=1)
    tz = timezone.get_current_timezone()
    return (
        datetime.datetime.combine(start, datetime.time.min, tzinfo=tz),
        datetime.datetime.combine(following, datetime.time.min, tzinfo=tz),
    )


def add_working_days(day: datetime.date, count: int) -> datetime.date:
    """The day ``count`` working days (Monday to Friday) after ``day``."""
    while count > 0:
        day += datetime.timedelta(days=1)
        if day.weekday() < 5:
            count -= 1
    return day
