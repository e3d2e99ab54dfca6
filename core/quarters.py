"""Quarters of the calendar year, as the quarterly review (sơ kết quý) counts them, and the whole year as a period of
the same shape (``Year``), for what is done both per quarter and per year (the commendation lists)."""

from __future__ import annotations

from dataclasses import dataclass
import datetime
import re

from django.utils import timezone
from django.utils.translation import gettext as _

QUARTER_SLUG = re.compile(r"^(?P<year>[0-9]{4})-q(?P<quarter>[1-4])$")
YEAR_SLUG = re.compile(r"^(?P<year>[0-9]{4})$")


@dataclass(frozen=True, order=True)
class Quarter:
    """One quarter: ``Quarter(2026, 3)`` runs from 1 July to 30 September 2026."""

    year: int
    number: int

    def __post_init__(self):
        if not 1 <= self.number <= 4:
            raise ValueError(f"quarter must be 1–4, not {self.number}")
        if not 2000 <= self.year <= 2100:
            raise ValueError(f"year out of range: {self.year}")

    @classmethod
    def of(cls, day: datetime.date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def from_slug(cls, slug: str) -> Quarter | None:
        """``"2026-q3"`` → ``Quarter(2026, 3)``; ``None`` for anything else."""
        match = QUARTER_SLUG.match(slug or "")
        if match is None:
            return None
        try:
            return cls(int(match["year"]), int(match["quarter"]))
        except ValueError:
            return None

    @classmethod
    def current(cls) -> Quarter:
        return cls.of(timezone.localdate())

    @classmethod
    def last_finished(cls, today: datetime.date | None = None) -> Quarter:
        return cls.of(today or timezone.localdate()).previous()

    @property
    def slug(self) -> str:
        return f"{self.year}-q{self.number}"

    @property
    def first_day(self) -> datetime.date:
        return datetime.date(self.year, 3 * self.number - 2, 1)

    @property
    def last_day(self) -> datetime.date:
        return self.next().first_day - datetime.timedelta(days=1)

    @property
    def months(self) -> tuple[datetime.date, datetime.date, datetime.date]:
        """The first day of each of its three months."""
        first = 3 * self.number - 2
        return tuple(datetime.date(self.year, first + i, 1) for i in range(3))

    def previous(self) -> Quarter:
        return Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)

    def next(self) -> Quarter:
        return Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)

    def is_future(self, today: datetime.date | None = None) -> bool:
        """Not started yet: nothing to report."""
        return self.first_day > (today or timezone.localdate())

    def is_finished(self, today: datetime.date | None = None) -> bool:
        return self.last_day < (today or timezone.localdate())

    def __str__(self):
        return f"Q{self.number}/{self.year}"


@dataclass(frozen=True, order=True)
class Year:
    """A whole calendar year as a period, with the interface of ``Quarter`` (slug, first and last day, months,
    whether it started): ``Year(2026)`` runs from 1 January to 31 December 2026."""

    year: int

    def __post_init__(self):
        if not 2000 <= self.year <= 2100:
            raise ValueError(f"year out of range: {self.year}")

    @classmethod
    def of(cls, day: datetime.date) -> Year:
        return cls(day.year)

    @classmethod
    def from_slug(cls, slug: str) -> Year | None:
        """``"2026"`` → ``Year(2026)``; ``None`` for anything else."""
        match = YEAR_SLUG.match(slug or "")
        if match is None:
            return None
        try:
            return cls(int(match["year"]))
        except ValueError:
            return None

    @classmethod
    def current(cls) -> Year:
        return cls.of(timezone.localdate())

    @property
    def slug(self) -> str:
        return str(self.year)

    @property
    def first_day(self) -> datetime.date:
        return datetime.date(self.year, 1, 1)

    @property
    def last_day(self) -> datetime.date:
        return datetime.date(self.year, 12, 31)

    @property
    def months(self) -> tuple[datetime.date, ...]:
        """The first day of each of its twelve months."""
        return tuple(datetime.date(self.year, month, 1) for month in range(1, 13))

    def previous(self) -> Year:
        return Year(self.year - 1)

    def is_future(self, today: datetime.date | None = None) -> bool:
        """Not started yet: nothing to report."""
        return self.first_day > (today or timezone.localdate())

    def is_finished(self, today: datetime.date | None = None) -> bool:
        return self.last_day < (today or timezone.localdate())

    def __str__(self):
        return _("year %(year)s") % {"year": self.year}


Period = Quarter | Year


def period_from_slug(slug: str) -> Period | None:
    """``"2026-q3"`` → ``Quarter(2026, 3)``, ``"2026"`` → ``Year(2026)``; ``None`` for anything else."""
    return Quarter.from_slug(slug) or Year.from_slug(slug)


class QuarterConverter:
    """``2026-q3`` in a URL; an impossible quarter does not match (404)."""

    regex = r"[0-9]{4}-q[1-4]"

    def to_python(self, value: str) -> Quarter:
        quarter = Quarter.from_slug(value)
        if quarter is None:
            raise ValueError(value)
        return quarter

    def to_url(self, value) -> str:
        return value.slug if isinstance(value, Quarter) else str(value)


class PeriodConverter:
    """``2026-q3`` (a quarter) or ``2026`` (the year) in a URL; anything else does not match (404)."""

    regex = r"[0-9]{4}(?:-q[1-4])?"

    def to_python(self, value: str) -> Period:
        period = period_from_slug(value)
        if period is None:
            raise ValueError(value)
        return period

    def to_url(self, value) -> str:
        return value.slug if isinstance(value, Quarter | Year) else str(value)
