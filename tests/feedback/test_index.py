"""The satisfaction index (share rated 4–5 among all rated responses, web/other channels and kiosk) and the
on-time rate (closed on time ÷ (closed + open past due at the month's end)) on hand-made data."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
import pytest

from feedback.choices import CaseStatus
from feedback.figures import on_time_rate, satisfaction_index
from tests.factories import FeedbackCaseFactory, KioskVoteFactory
from tests.helpers import client_for, local_at

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def month():
    """A month wholly in the past (two months ago), so "the month's end" has happened."""
    this_month = timezone.localdate().replace(day=1)
    return ((this_month - datetime.timedelta(days=1)).replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def day(month, n):
    return month.replace(day=n)


def test_satisfaction_counts_4_and_5_among_cases_and_kiosk_votes(thanh_xuan, thanh_xuan_bac, thanh_xuan_trung, phuc_xa, month):
    for score in (5, 4, 3):  # 4 counts as satisfied, 3 does not
        FeedbackCaseFactory(unit=thanh_xuan_bac, satisfaction=score, received_at=local_at(day(month, 3)))
    FeedbackCaseFactory(unit=thanh_xuan_bac, satisfaction=None, received_at=local_at(day(month, 3)))  # not rated: left out
    KioskVoteFactory(unit=thanh_xuan_bac, score=4, created_at=local_at(day(month, 4)), device=None)
    KioskVoteFactory(unit=thanh_xuan_bac, score=2, created_at=local_at(day(month, 4)), device=None)
    KioskVoteFactory(unit=thanh_xuan_bac, score=5, created_at=local_at(day(month, 1), hour=0) - datetime.timedelta(minutes=1),
                     device=None)  # previous month
    FeedbackCaseFactory(unit=thanh_xuan_trung, satisfaction=1, received_at=local_at(day(month, 9)))  # sibling ward
    KioskVoteFactory(unit=phuc_xa, score=5, created_at=local_at(day(month, 9)), device=None)  # other district

    with CaptureQueriesContext(connection) as captured:
        ward = satisfaction_index(units_qs_or_unit=thanh_xuan_bac, month=month)
    assert ward == pytest.approx(60.0)  # 3 satisfied (5, 4, vote 4) of 5 rated
    assert len(captured) == 2
    # The district's subtree: its wards together, the other district not at all: 3 of 6.
    assert satisfaction_index(units_qs_or_unit=thanh_xuan, month=month) == pytest.approx(50.0)


def test_no_rated_response_gives_no_index(thanh_xuan_bac, month):
    FeedbackCaseFactory(unit=thanh_xuan_bac, satisfaction=None, received_at=local_at(day(month, 3)))
    assert satisfaction_index(units_qs_or_unit=thanh_xuan_bac, month=month) is None


def test_on_time_rate(thanh_xuan_bac, month):
    closed = {"status": CaseStatus.RESOLVED, "public_reply": "Đã trả lời."}
    received = local_at(day(month, 1))
    FeedbackCaseFactory(unit=thanh_xuan_bac, received_at=received, due_on=day(month, 12), closed_at=local_at(day(month, 10)), **closed)  # on time
    FeedbackCaseFactory(unit=thanh_xuan_bac, received_at=received, due_on=day(month, 15), closed_at=local_at(day(month, 20)), **closed)  # late
    # Closed late in the evening of the due day: on time (local date).
    FeedbackCaseFactory(unit=thanh_xuan_bac, received_at=received, due_on=day(month, 16), closed_at=local_at(day(month, 16), hour=23), **closed)
    # Closed at 06:00 the day after the due date (still the due date in UTC): late.
    FeedbackCaseFactory(unit=thanh_xuan_bac, received_at=received, due_on=day(month, 17), closed_at=local_at(day(month, 18), hour=6), **closed)
    FeedbackCaseFactory(unit=thanh_xuan_bac, received_at=received, due_on=day(month, 5))  # open past due
    FeedbackCaseFactory(unit=thanh_xuan_bac, received_at=received, due_on=day(month, 25), status=CaseStatus.REJECTED, rejection_reason="spam",
                        closed_at=local_at(day(month, 28)) + datetime.timedelta(days=10))  # closed only next month: late at the month's end
    FeedbackCaseFactory(unit=thanh_xuan_bac, received_at=received, due_on=day(month, 28) + datetime.timedelta(days=10))  # not due yet
    FeedbackCaseFactory(unit=thanh_xuan_bac, received_at=received, due_on=day(month, 3),
                        closed_at=local_at(day(month, 1)) - datetime.timedelta(days=3), **closed)  # closed the month before: not counted

    with CaptureQueriesContext(connection) as captured:
        rate = on_time_rate(unit=thanh_xuan_bac, month=month)
    assert rate == pytest.approx(100 * 2 / 6)  # on time 2; closed 4 + open past due 2
    assert len(captured) == 1


def test_on_time_rate_without_cases_is_none(thanh_xuan_bac, month):
    assert on_time_rate(unit=thanh_xuan_bac, month=month) is None


def test_the_unit_page_shows_the_index_and_the_rate(client, ward_officer, thanh_xuan_bac):
    today = timezone.localdate()
    KioskVoteFactory(unit=thanh_xuan_bac, score=5, created_at=timezone.now(), device=None)
    KioskVoteFactory(unit=thanh_xuan_bac, score=3, created_at=timezone.now(), device=None)
    FeedbackCaseFactory(unit=thanh_xuan_bac, received_at=timezone.now(), due_on=today + datetime.timedelta(days=5), status=CaseStatus.RESOLVED,
              public_reply="ok", closed_at=timezone.now())

    page = client_for(client, ward_officer).get(thanh_xuan_bac.get_absolute_url())

    assert page.status_code == 200
    rows = page.context["feedback_months"]
    assert len(rows) == 3 and rows[0].month == today.replace(day=1)
    assert (rows[0].satisfaction, rows[0].on_time) == (50.0, 100.0)
    html = page.content.decode()
    section = html[html.index('data-testid="unit-feedback-index"'):]
    assert f"{today:%m/%Y}" in section and "50%" in section and "100%" in section


def test_the_home_tile_counts_open_and_overdue_cases(client, ward_officer, thanh_xuan_bac):
    FeedbackCaseFactory(unit=thanh_xuan_bac, due_on=timezone.localdate() - datetime.timedelta(days=1))
    FeedbackCaseFactory(unit=thanh_xuan_bac)
    KioskVoteFactory(unit=thanh_xuan_bac, score=4, created_at=timezone.now(), device=None)
    officer = client_for(client, ward_officer)
    home = officer.get(reverse("home")).content.decode()
    tile = officer.get(reverse("feedback:home_tile"), HTTP_HX_REQUEST="true")
    assert f'hx-get="{reverse("feedback:home_tile")}"' in home
    assert tile.context["feedback_headline"] == {"open": 2, "overdue": 1, "satisfaction": 100.0}
    assert 'data-testid="tile-feedback">2<' in tile.content.decode()
