"""Fixtures for ratings: months, sheets opened through the service, an article of Decision 522, row posts.

``sheet`` is Phường Thanh Xuân Bắc's sheet for last month with five staff, opened by the ward officer
(every row at full marks: 20 + 70 + 0 = 90, grade A). ``make_sheet`` opens one for any unit, month and head
count; ``row_post`` builds what the sheet's autosave posts for a row.
"""

import datetime

from django.utils import timezone
import pytest

from evaluations.models import Rating, RatingSheet
from evaluations.ratings import services
from evaluations.ratings.forms import RatingRowForm
from pledges.models import Article


def _previous_month(month: datetime.date) -> datetime.date:
    return (month - datetime.timedelta(days=1)).replace(day=1)


@pytest.fixture
def this_month() -> datetime.date:
    return timezone.localdate().replace(day=1)


@pytest.fixture
def last_month(this_month) -> datetime.date:
    return _previous_month(this_month)


@pytest.fixture
def make_sheet(staff_factory, last_month):
    """Open a unit's sheet (default: last month) after creating ``staff_count`` staff members in the unit."""

    def make(*, unit, actor, staff_count: int = 5, month: datetime.date | None = None) -> RatingSheet:
        staff_factory.create_batch(staff_count, unit=unit)
        return services.rating_sheet_open(actor=actor, unit=unit, month=month or last_month)

    return make


@pytest.fixture
def sheet(make_sheet, thanh_xuan_bac, ward_officer) -> RatingSheet:
    return make_sheet(unit=thanh_xuan_bac, actor=ward_officer, staff_count=5)


@pytest.fixture
def rows(sheet) -> list[Rating]:
    return list(sheet.ratings.select_related("staff").order_by("staff__full_name", "staff_id"))


@pytest.fixture
def groups(sheet):
    return list(sheet.scheme.groups.all())


@pytest.fixture
def article():
    """An article of the staff code (Decision 522/QĐ-UBND), shipped by the pledges migrations."""
    found = Article.objects.filter(chapter__version__code__slug="qd-522-2017").first()
    assert found is not None, "the pledges data migration ships Decision 522's articles"
    return found


@pytest.fixture
def row_post():
    """What a row's autosave posts: the row's current values, with ``points`` (by group code), ``remark``
    and ``version`` overridden."""

    def build(rating: Rating, *, points: dict | None = None, remark: str | None = None, version: int | None = None) -> dict:
        groups = list(rating.sheet.scheme.groups.all())
        form = RatingRowForm(groups=groups, rating=rating)
        data = {form[name].html_name: value for name, value in form.initial.items()}
        for code, value in (points or {}).items():
            data[form[f"p_{code}"].html_name] = value
        if remark is not None:
            data[form["remark"].html_name] = remark
        if version is not None:
            data[form["version"].html_name] = version
        return data

    return build
