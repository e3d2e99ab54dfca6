"""The night's roll-up of the public statistics (``feedback.stats.rollup``): the stored months give exactly the
figures counted live, for a ward, its district and the city; a stored month is read, not counted again; the running
month is never stored; a second run replaces the rows."""

from __future__ import annotations

import datetime
import io

from celery.schedules import crontab
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
import pytest

from conduct_portal.celery import app
from core.dates import add_months, local_datetime
from feedback.choices import CaseStatus
from feedback.models import FeedbackMonthFigures
from feedback.stats.rollup import feedback_stats_rollup
from feedback.stats.selectors import unit_stats
from tests.factories import FeedbackCaseFactory, KioskVoteFactory, UnitFactory

pytestmark = pytest.mark.django_db


def _this_month() -> datetime.date:
    return timezone.localdate().replace(day=1)


def _cases(unit, month, *, closed_days=(1, 3, 8), reopened=False):
    """Cases received on the 3rd of ``month``: answered after ``closed_days`` days (due after 5), one left open past
    due, satisfaction and handling ratings, one reopened case closed again late, and a kiosk vote."""
    day = local_datetime(month.replace(day=3))
    for i, days in enumerate(closed_days):
        FeedbackCaseFactory(
            unit=unit, received_at=day, due_on=(day + datetime.timedelta(days=5)).date(), status=CaseStatus.RESOLVED,
            closed_after_days=days, satisfaction=(5, 1, 4)[i % 3], handling_rating=(4, 2, 5)[i % 3],
            handling_rated_at=day + datetime.timedelta(days=days + 1),
        )
    FeedbackCaseFactory(unit=unit, received_at=day, due_on=month.replace(day=6), satisfaction=2)
    if reopened:
        FeedbackCaseFactory(unit=unit, received_at=day, due_on=(day + datetime.timedelta(days=9)).date(),
                            status=CaseStatus.RESOLVED, closed_after_days=2, reopen_count=1)
    KioskVoteFactory(unit=unit, score=4, created_at=day + datetime.timedelta(hours=2))


@pytest.fixture
def tree(hanoi):
    """A district (under the city) with two wards, cases in the wards and in the district itself over four
    finished months, and cases in the running month."""
    district = UnitFactory(name="Quận Cuộn Lên", parent=hanoi)
    wards = [UnitFactory(name=f"Phường Cuộn {i}", parent=district) for i in range(2)]
    this_month = _this_month()
    for back in range(1, 5):
        month = add_months(this_month, -back)
        _cases(wards[0], month, reopened=back == 2)
        _cases(wards[1], month, closed_days=(2, 6) if back % 2 else (4,))
    _cases(district, add_months(this_month, -3), closed_days=(10,))
    _cases(wards[0], this_month, closed_days=())
    return hanoi, district, wards


def test_stored_months_give_exactly_the_live_figures(tree):
    city, district, wards = tree
    month = _this_month()
    live = {unit.pk: unit_stats(unit=unit, month=month).months for unit in (city, district, *wards)}
    written = feedback_stats_rollup()
    assert written > 0
    for unit in (city, district, *wards):
        assert FeedbackMonthFigures.objects.filter(unit=unit).exists()
        assert unit_stats(unit=unit, month=month).months == live[unit.pk], unit.name
    # The figures are the subtree's: the district holds its wards' cases and its own.
    last = add_months(month, -3)
    stored = FeedbackMonthFigures.objects.get(unit=district, month=last)
    ward_rows = FeedbackMonthFigures.objects.filter(unit__in=wards, month=last)
    assert stored.received == sum(row.received for row in ward_rows) + 2
    assert stored.median_seconds == pytest.approx(4.5 * 24 * 3600)  # median of 1, 2, 3, 6, 8 and 10 days


def test_the_running_month_is_never_stored_and_stays_live(tree):
    city, district, wards = tree
    feedback_stats_rollup()
    assert not FeedbackMonthFigures.objects.filter(month__gte=_this_month()).exists()
    before = unit_stats(unit=district, month=_this_month()).latest.received
    _cases(wards[1], _this_month(), closed_days=())
    assert unit_stats(unit=district, month=_this_month()).latest.received == before + 1


def test_a_stored_year_reads_no_case(client, tree):
    """The city's page for a finished month, once rolled up: its twelve months come from the stored rows alone
    (the months before the cases began are stored as zeros: every unit with a figure in the night's batch gets every
    month of it)."""
    city, _district, _wards = tree
    feedback_stats_rollup()
    url = reverse("feedback:unit_stats", args=[city.public_code])
    month = add_months(_this_month(), -1)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"month": f"{month:%Y-%m}"})
    assert response.status_code == 200
    sql = " ".join(query["sql"] for query in queries.captured_queries)
    assert "feedback_feedbackmonthfigures" in sql
    assert "feedback_feedbackcase" not in sql and "feedback_kioskvote" not in sql


def test_a_second_run_replaces_the_rows(tree):
    _city, district, wards = tree
    first = feedback_stats_rollup()
    month = add_months(_this_month(), -1)
    before = FeedbackMonthFigures.objects.get(unit=district, month=month).received
    _cases(wards[1], month, closed_days=(1,))
    assert feedback_stats_rollup() == first
    assert FeedbackMonthFigures.objects.get(unit=district, month=month).received == before + 2
    assert FeedbackMonthFigures.objects.filter(unit=district, month=month).count() == 1


def test_nothing_to_roll_up_writes_nothing(hanoi):
    assert feedback_stats_rollup(months=None) == 0
    assert not FeedbackMonthFigures.objects.exists()


def test_the_command_recomputes_every_month_or_refuses_a_bad_count(tree):
    out = io.StringIO()
    call_command("rollup_feedback_stats", "--all", stdout=out)
    rows = FeedbackMonthFigures.objects.count()
    assert rows > 0 and f"{rows} unit-months stored." in out.getvalue()
    with pytest.raises(CommandError):
        call_command("rollup_feedback_stats", "--months", "0")


def test_beat_runs_the_rollup_each_night_and_the_new_case_sweep_each_minute(settings):
    app.loader.import_default_modules()
    nightly = settings.CELERY_BEAT_SCHEDULE["feedback-stats-rollup"]
    assert nightly["task"] in app.tasks and isinstance(nightly["schedule"], crontab)
    assert nightly["schedule"].hour == {1} and nightly["schedule"].day_of_month == set(range(1, 32))
    sweep = settings.CELERY_BEAT_SCHEDULE["feedback-notify-new-cases"]
    assert sweep["task"] in app.tasks and sweep["schedule"] <= 60
