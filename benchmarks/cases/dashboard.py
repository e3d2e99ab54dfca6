"""District dashboard: the whole view (``reports:unit_dashboard``, test client, a district office user) against
the same aggregates written by hand in SQL and run with a cursor."""

from __future__ import annotations

import datetime

from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from benchmarks.harness import Row, median_time
from core.dates import add_months, month_bounds
from reports.dashboard.selectors import TREND_MONTHS

TARGET_MS = 300


def raw_sql(root, month: datetime.date) -> list:
    """The dashboard's figures for ``root`` and ``month``, grouped by unit: staff, pledge coverage, sheets,
    violations, feedback (12-month satisfaction trend, on-time counts, kinds, open and overdue), kiosk votes,
    corrective actions, and the grades of the latest submitted month."""
    today = timezone.localdate()
    following = add_months(month, 1)
    day = min(following - datetime.timedelta(days=1), today)
    start, end = month_bounds(month)
    until = min(end, timezone.now())
    trend = [month_bounds(add_months(month, i - TREND_MONTHS + 1)) for i in range(TREND_MONTHS)]
    path = root.path + "%"
    results = []
    with connection.cursor() as cursor:
        def run(query, params):
            cursor.execute(query, params)
            results.append(cursor.fetchall())

        run("SELECT id, path FROM units_unit WHERE path LIKE %s", [path])
        run("""SELECT s.unit_id, count(*) FROM units_staff s JOIN units_unit u ON u.id = s.unit_id
               WHERE u.path LIKE %s AND s.active_from <= %s AND (s.active_to IS NULL OR s.active_to >= %s)
               GROUP BY s.unit_id""", [path, day, day])
        ancestors = [*root.ancestor_ids, root.pk]
        cursor.execute("""SELECT id, opens_on, closes_on FROM pledges_pledgecampaign WHERE year = %s AND scope_unit_id = ANY(%s)
                          ORDER BY opens_on DESC LIMIT 1""", [month.year, ancestors])
        campaign = cursor.fetchone()
        if campaign:
            expected = """FROM units_staff s JOIN units_unit u ON u.id = s.unit_id WHERE u.path LIKE %s
                          AND s.active_from <= %s AND (s.active_to IS NULL OR s.active_to >= %s)"""
            run(f"SELECT s.unit_id, count(*) {expected} GROUP BY s.unit_id", [path, campaign[2], campaign[1]])
            run(f"""SELECT s.unit_id, count(*) FROM pledges_pledge p JOIN units_staff s ON s.id = p.staff_id
                    WHERE p.campaign_id = %s AND p.withdrawn_at IS NULL AND p.staff_id IN (SELECT s.id {expected})
                    GROUP BY s.unit_id""", [campaign[0], path, campaign[2], campaign[1]])
        run("""SELECT r.unit_id, count(*) FILTER (WHERE r.status IN ('submitted', 'approved', 'locked')),
                      count(*) FILTER (WHERE r.status IN ('approved', 'locked')), max(r.id)
               FROM evaluations_ratingsheet r JOIN units_unit u ON u.id = r.unit_id
               WHERE u.path LIKE %s AND r.month = %s GROUP BY r.unit_id""", [path, month])
        run("""SELECT v.unit_id, count(*) FROM evaluations_violation v JOIN units_unit u ON u.id = v.unit_id
               WHERE u.path LIKE %s AND v.occurred_on BETWEEN %s AND %s GROUP BY v.unit_id""",
            [path, month, following - datetime.timedelta(days=1)])
        trend_columns, trend_params, vote_columns, vote_params = [], [], [], []
        for first, last in trend:
            trend_columns.append("count(*) FILTER (WHERE f.received_at >= %s AND f.received_at < %s AND f.satisfaction IS NOT NULL)")
            trend_columns.append("count(*) FILTER (WHERE f.received_at >= %s AND f.received_at < %s AND f.satisfaction >= 4)")
            trend_params += [first, last, first, last]
            vote_columns.append("count(*) FILTER (WHERE k.created_at >= %s AND k.created_at < %s)")
            vote_columns.append("count(*) FILTER (WHERE k.created_at >= %s AND k.created_at < %s AND k.score >= 4)")
            vote_params += [first, last, first, last]
        kinds = ["praise", "attitude", "harassment", "delay", "facilities", "other"]
        kind_columns = [f"count(*) FILTER (WHERE f.received_at >= %s AND f.received_at < %s AND f.status <> 'rejected' "
                        f"AND f.kind = '{kind}')" for kind in kinds]
        run(f"""SELECT f.unit_id, {", ".join(trend_columns)},
                  count(*) FILTER (WHERE f.status IN ('resolved', 'rejected') AND f.closed_at >= %s AND f.closed_at < %s),
                  count(*) FILTER (WHERE f.status IN ('resolved', 'rejected') AND f.closed_at >= %s AND f.closed_at < %s
                                   AND (f.closed_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date <= f.due_on),
                  count(*) FILTER (WHERE f.received_at < %s AND (f.closed_at IS NULL OR f.closed_at >= %s) AND f.due_on < %s),
                  {", ".join(kind_columns)},
                  count(*) FILTER (WHERE f.status IN ('new', 'in_progress')),
                  count(*) FILTER (WHERE f.status IN ('new', 'in_progress') AND f.due_on < %s)
                FROM feedback_feedbackcase f JOIN units_unit u ON u.id = f.unit_id
                WHERE u.path LIKE %s GROUP BY f.unit_id""",
            [*trend_params, start, end, start, end, until, until, min(end.date(), today),
             *[value for _kind in kinds for value in (trend[0][0], trend[-1][1])], today, path])
        run(f"""SELECT k.unit_id, {", ".join(vote_columns)} FROM feedback_kioskvote k JOIN units_unit u ON u.id = k.unit_id
                WHERE u.path LIKE %s GROUP BY k.unit_id""", [*vote_params, path])
        run("""SELECT a.owner_unit_id, count(*) FILTER (WHERE a.status = 'open'),
                      count(*) FILTER (WHERE a.status = 'open' AND a.due_on < %s)
               FROM evaluations_correctiveaction a JOIN units_unit u ON u.id = a.owner_unit_id
               JOIN evaluations_finding f ON f.id = a.finding_id JOIN evaluations_inspectionvisit v ON v.id = f.visit_id
               WHERE u.path LIKE %s AND v.status IN ('in_progress', 'closed') GROUP BY a.owner_unit_id""", [today, path])
        cursor.execute("""SELECT max(r.month) FROM evaluations_ratingsheet r JOIN units_unit u ON u.id = r.unit_id
                          WHERE u.path LIKE %s AND r.status IN ('submitted', 'approved', 'locked') AND r.month <= %s""",
                       [path, month])
        (grade_month,) = cursor.fetchone()
        if grade_month:
            run("""SELECT s.unit_id, r.grade, count(*) FROM evaluations_rating r
                   JOIN evaluations_ratingsheet s ON s.id = r.sheet_id JOIN units_unit u ON u.id = s.unit_id
                   WHERE u.path LIKE %s AND s.month = %s AND s.status IN ('submitted', 'approved', 'locked')
                   GROUP BY s.unit_id, r.grade""", [path, grade_month])
    return results


def run(context) -> list[Row]:
    client = Client()
    client.force_login(context.district_user)
    month = context.last_month
    url = f"{reverse('reports:unit_dashboard', args=[context.district.public_code])}?month={month:%Y-%m}"

    def render():
        response = client.get(url)
        assert response.status_code == 200, response.status_code

    view = median_time(render, runs=context.runs)
    limit = median_time(lambda: raw_sql(context.district, month), runs=context.runs)
    wards = context.district.children.count()
    ratio = view / limit
    return [Row(
        "District dashboard (whole view)", f"{context.district.name}, {wards} wards", view, limit,
        limit_label="its aggregates in raw SQL", target=f"≤ 2× and < {TARGET_MS} ms",
        met=ratio <= 2 and view < TARGET_MS,
    )]
