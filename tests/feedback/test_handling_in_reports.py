"""The handling satisfaction stands beside the satisfaction index on the dashboard and in the quarterly report, with
the same formula as on unit pages (``feedback.figures``), and the dashboard takes as many queries with many ratings
as with one."""

import datetime
import re

from django.utils import timezone
import pytest

from core.quarters import Quarter
from feedback.choices import CaseStatus
from feedback.citizen.services import case_rate
from feedback.public.services import tracking_code_new
from reports.quarterly.selectors import ReportRows, feedback_section
from tests.factories import FeedbackCaseFactory
from tests.helpers import client_for

pytestmark = pytest.mark.django_db


def rated(unit, rating):
    case = FeedbackCaseFactory(unit=unit, tracking_code=tracking_code_new(), status=CaseStatus.RESOLVED,
                               closed_at=timezone.now() - datetime.timedelta(hours=1))
    return case_rate(tracking_code=case.tracking_code, rating=rating)


def test_the_dashboard_tile_shows_handling_satisfaction_in_constant_queries(
    client, city_admin, hanoi, phuong_thanh_xuan, django_assert_max_num_queries
):
    rated(phuong_thanh_xuan, 5)
    admin = client_for(client, city_admin)
    url = f"/dashboard/{hanoi.public_code}/"
    with django_assert_max_num_queries(200) as few:
        admin.get(url)
    for rating in (1, 2, 4):
        rated(phuong_thanh_xuan, rating)
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = admin.get(url).content.decode()
    assert re.search(r'data-testid="tile-handling">Handling satisfaction: 50%<', html)


def test_the_quarterly_report_counts_the_quarters_ratings(phuong_thanh_xuan, hanoi):
    for rating in (5, 4, 4, 1):
        rated(phuong_thanh_xuan, rating)
    quarter = Quarter.current()
    section = feedback_section(rows=ReportRows(hanoi, quarter), quarter=quarter)
    assert (section["handling"], section["handling_rated"]) == (75, 4)
    this_month = timezone.localdate().replace(day=1).isoformat()
    assert next(m for m in section["months"] if m["month"] == this_month)["handling"] == 75
