"""Public statistics of citizen feedback, without login: the list of units with last month's figures (a page of the
former wards, where the synthetic cases are), one district and the whole city over twelve months, each whole view
(test client) against the same aggregates written by hand in SQL and run with a cursor (what the page would cost
counting live). The twelve months' pages read the finished months from the night's roll-up
(``feedback.stats.rollup``, run by ``generate_synthetic``; run here when the bench database predates it, and timed for
the record) and count the running month live."""

from __future__ import annotations

import time

from django.db import connection
from django.test import Client
from django.urls import reverse

from benchmarks.harness import Row, median_time
from core.dates import month_bounds
from feedback.models import FeedbackMonthFigures
from feedback.stats.rollup import NIGHTLY_MONTHS, feedback_stats_rollup
from feedback.stats.selectors import stats_months, stats_units
from feedback.stats.views import PAGE_SIZE

TARGET_MS = 300


def raw_sql(*, unit_ids: list[int] | None = None, path: str | None = None, months) -> list:
    """Each month's received, on-time, satisfaction, handling and median counts of the units (grouped by unit) or
    of a subtree (one row), from cases and kiosk votes: what the page computes."""
    case_columns, case_params, vote_columns, vote_params, rating_columns, rating_params = [], [], [], [], [], []
    for month in months:
        start, end = month_bounds(month)
        case_columns += [
            "count(*) FILTER (WHERE f.received_at >= %s AND f.received_at < %s)",
            "count(*) FILTER (WHERE f.received_at >= %s AND f.received_at < %s AND f.satisfaction IS NOT NULL)",
            "count(*) FILTER (WHERE f.received_at >= %s AND f.received_at < %s AND f.satisfaction >= 4)",
            "count(*) FILTER (WHERE f.status IN ('resolved', 'rejected') AND f.closed_at >= %s AND f.closed_at < %s)",
            "count(*) FILTER (WHERE f.status IN ('resolved', 'rejected') AND f.closed_at >= %s AND f.closed_at < %s "
            "AND (f.closed_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date <= f.due_on)",
            "count(*) FILTER (WHERE f.received_at < %s AND (f.closed_at IS NULL OR f.closed_at >= %s) AND f.due_on < %s)",
            "percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM (f.closed_at - f.received_at))) "
            "FILTER (WHERE f.status = 'resolved' AND f.closed_at >= %s AND f.closed_at < %s)",
        ]
        case_params += [start, end] * 5 + [end, end, end.date()] + [start, end]
        rating_columns += [
            "count(f.handling_rating) FILTER (WHERE f.handling_rated_at >= %s AND f.handling_rated_at < %s)",
            "count(f.handling_rating) FILTER (WHERE f.handling_rated_at >= %s AND f.handling_rated_at < %s "
            "AND f.handling_rating >= 4)",
        ]
        rating_params += [start, end] * 2
        vote_columns += ["count(*) FILTER (WHERE f.created_at >= %s AND f.created_at < %s)",
                         "count(*) FILTER (WHERE f.created_at >= %s AND f.created_at < %s AND f.score >= 4)"]
        vote_params += [start, end] * 2
    first, _end = month_bounds(months[0])
    _start, last = month_bounds(months[-1])
    if unit_ids is not None:
        where, where_params, group, join = "f.unit_id = ANY(%s)", [unit_ids], "GROUP BY f.unit_id", ""
    else:
        where, where_params, group, join = "u.path LIKE %s", [path + "%"], "", "JOIN units_unit u ON u.id = f.unit_id"
    results = []
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT {", ".join(case_columns)} FROM feedback_feedbackcase f {join}
                WHERE {where} AND (f.received_at >= %s OR f.closed_at IS NULL OR f.closed_at >= %s) {group}""",
            [*case_params, *where_params, first, first])
        results.append(cursor.fetchall())
        cursor.execute(
            f"""SELECT {", ".join(rating_columns)} FROM feedback_feedbackcase f {join}
                WHERE {where} AND f.handling_rated_at >= %s AND f.handling_rated_at < %s {group}""",
            [*rating_params, *where_params, first, last])
        results.append(cursor.fetchall())
        cursor.execute(
            f"""SELECT {", ".join(vote_columns)} FROM feedback_kioskvote f {join} WHERE {where} {group}""",
            [*vote_params, *where_params])
        results.append(cursor.fetchall())
    return results


def run(context) -> list[Row]:
    client = Client()  # no login: the pages are public
    month = context.last_month
    if not FeedbackMonthFigures.objects.exists():
        feedback_stats_rollup(months=None)
    started = time.perf_counter()
    stored = feedback_stats_rollup()  # the night's run
    rollup_seconds = time.perf_counter() - started
    # The district's wards: where the synthetic cases are (the former structure).
    list_url = f"{reverse('feedback:stats_list')}?former=1&within={context.district.public_code}&month={month:%Y-%m}"
    page_ids = list(stats_units(former=True, within=context.district).values_list("pk", flat=True)[:PAGE_SIZE])
    unit_url = f"{reverse('feedback:unit_stats', args=[context.district.public_code])}?month={month:%Y-%m}"
    city_url = f"{reverse('feedback:unit_stats', args=[context.city.public_code])}?month={month:%Y-%m}"

    def render(url):
        def get():
            response = client.get(url)
            assert response.status_code == 200, response.status_code
        return get

    rows = []
    cases = [
        ("Public feedback statistics: list (whole view)", f"a page of {len(page_ids)} wards of {context.district.name}, 1 month",
         list_url, lambda: raw_sql(unit_ids=page_ids, months=[month])),
        ("Public feedback statistics: a unit (whole view)", f"{context.district.name}, 12 months",
         unit_url, lambda: raw_sql(path=context.district.path, months=stats_months(month))),
    ]
    if context.city.pk != context.district.pk:  # current wards sit right under the city: then it is the unit above
        cases.append(("Public feedback statistics: the whole city (whole view)", f"{context.city.name}, 12 months",
                      city_url, lambda: raw_sql(path=context.city.path, months=stats_months(month))))
    for label, size, url, limit_action in cases:
        view = median_time(render(url), runs=context.runs)
        limit = median_time(limit_action, runs=context.runs)
        rows.append(Row(label, size, view, limit, limit_label="its aggregates in raw SQL",
                        target=f"< {TARGET_MS} ms", met=view < TARGET_MS,
                        note="the view also pages, draws and renders; the SQL only aggregates"))
    rows.append(Row("  for the record: the night's roll-up", f"{NIGHTLY_MONTHS} months, every unit: {stored:,} rows",
                    rollup_seconds * 1000, None, limit_label="", note="recomputes the finished months of the stored "
                    "figures (Celery beat, 01:15); the pages then read them"))
    return rows
