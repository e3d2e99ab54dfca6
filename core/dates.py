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
