"""The unit's history shows the handling satisfaction beside the satisfaction index, month by month across the
reform: before July 2025 from the wards the unit was formed from, after from its own cases."""

import datetime

import pytest

from core.dates import local_datetime
from feedback.choices import CaseStatus
from reports.dashboard.history import unit_history_build
from tests.builders import make_user
from tests.factories import FeedbackCaseFactory
from tests.helpers import client_for
from units.choices import Role

pytestmark = pytest.mark.django_db


def _rated(unit, day: datetime.date, rating: int):
    received = local_datetime(day)
    return FeedbackCaseFactory(unit=unit, received_at=received, due_on=day + datetime.timedelta(days=10),
                               status=CaseStatus.RESOLVED, closed_after_days=2, handling_rating=rating,
                               handling_rated_at=received + datetime.timedelta(days=3))


def test_the_history_counts_the_handling_ratings_under_the_units_in_force(client, hanoi, phuong_thanh_xuan):
    former = phuong_thanh_xuan.merged_from.order_by("name").first()
    _rated(former, datetime.date(2025, 5, 6), 5)
    _rated(phuong_thanh_xuan, datetime.date(2025, 8, 4), 2)
    admin = make_user("history.admin", Role.CITY_ADMIN, hanoi)
    history = unit_history_build(user=admin, unit=phuong_thanh_xuan, first=datetime.date(2025, 5, 1),
                                 last=datetime.date(2025, 8, 31))
    by_month = {row.month: row.handling_satisfaction for row in history.months}
    assert by_month == {datetime.date(2025, 5, 1): 100.0, datetime.date(2025, 6, 1): None,
                        datetime.date(2025, 7, 1): None, datetime.date(2025, 8, 1): 0.0}
    assert history.total.handling_satisfaction == 50.0

    client_for(client, admin)
    html = client.get(f"/dashboard/{phuong_thanh_xuan.public_code}/history/?from=2025-05&to=2025-08").content.decode()
    assert "Handling satisfaction" in html and 'data-col="handling">50%' in html
