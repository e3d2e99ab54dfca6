"""Rating periods: a sheet covers a month, or a quarter when its scheme rates quarterly (Decree 335/2025/NĐ-CP
allows both). A quarterly sheet's ``month`` is the quarter's first month (1, 4, 7 or 10); any month of the quarter
leads to it. Pure functions of dates (no database)."""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _

from core.dates import add_months, month_end, month_start

MONTHS_PER_QUARTER = 3


def quarter_of(day: datetime.date) -> int:
    """1 … 4."""
    return (day.month - 1) // MONTHS_PER_QUARTER + 1


def quarter_start(day: datetime.date) -> datetime.date:
    """The first day of ``day``'s quarter."""
    return datetime.date(day.year, (quarter_of(day) - 1) * MONTHS_PER_QUARTER + 1, 1)


def period_start(day: datetime.date, *, quarterly: bool) -> datetime.date:
    """The first day of the period (month or quarter) that holds ``day``."""
    return quarter_start(day) if quarterly else month_start(day)


def period_end(start: datetime.date, *, quarterly: bool) -> datetime.date:
    """The last day of the period that starts on ``start``."""
    return month_end(add_months(start, MONTHS_PER_QUARTER - 1)) if quarterly else month_end(start)


def period_months(start: datetime.date, *, quarterly: bool) -> list[datetime.date]:
    """The first days of the months of the period that starts on ``start``."""
    return [add_months(start, n) for n in range(MONTHS_PER_QUARTER if quarterly else 1)]


def period_label(start: datetime.date, *, quarterly: bool) -> str:
    """"Quý 1/2026" or "Tháng 01/2026" (in the current language)."""
    if quarterly:
        return _("Quarter %(quarter)s/%(year)s") % {"quarter": quarter_of(start), "year": start.year}
    return _("Month %(month)s") % {"month": f"{start:%m/%Y}"}
