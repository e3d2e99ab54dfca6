"""City-wide quarterly report: the Celery job's work (``quarterly_report_figures`` + the workbook) for the city
unit and the last finished quarter, against the raw SQL of its aggregates."""

from __future__ import annotations

from pathlib import Path
import tempfile

from django.db import connection
from django.utils import timezone

from benchmarks.harness import Row, median_time
from core.dates import month_bounds
from core.quarters import Quarter
from reports.quarterly.services import quarterly_report_figures
from reports.quarterly.workbook import quarterly_workbook

TARGET_MS = 60_000


def raw_sql(root, quarter: Quarter) -> None:
    """The report's aggregates by hand: coverage, grades and sheets by unit and month, violations by article,
    severity and unit, inspections, findings and actions, feedback by kind, channel and monthly rates, and the
    commendation rule's per-person figures."""
    path = root.path + "%"
    months = list(quarter.months)
    start, end = month_bounds(months[0])[0], month_bounds(months[-1])[1]
    today = timezone.localdate()
    with connection.cursor() as cursor:
        def run(query, params):
            cursor.execute(query, params)
            cursor.fetchall()

        cursor.execute("SELECT id, opens_on, closes_on FROM pledges_pledgecampaign WHERE year = %s AND scope_unit_id = %s",
                       [quarter.year, root.pk])
        for campaign_id, opens_on, closes_on in cursor.fetchall():
            expected = """FROM units_staff s JOIN units_unit u ON u.id = s.unit_id WHERE u.path LIKE %s
                          AND s.active_from <= %s AND (s.active_to IS NULL OR s.active_to >= %s)"""
            run(f"SELECT s.unit_id, count(*) {expected} GROUP BY s.unit_id", [path, closes_on, opens_on])
            run(f"""SELECT s.unit_id, count(*) FROM pledges_pledge p JOIN units_staff s ON s.id = p.staff_id
                    WHERE p.campaign_id = %s AND p.withdrawn_at IS NULL AND p.staff_id IN (SELECT s.id {expected})
                    GROUP BY s.unit_id""", [campaign_id, path, closes_on, opens_on])
        run("""SELECT s.unit_id, s.month, r.grade, count(*) FROM evaluations_rating r
               JOIN evaluations_ratingsheet s ON s.id = r.sheet_id JOIN units_unit u ON u.id = s.unit_id
               WHERE u.path LIKE %s AND s.month = ANY(%s) AND s.status IN ('submitted', 'approved', 'locked')
               GROUP BY 1, 2, 3""", [path, months])
        run("""SELECT s.unit_id, s.month, s.status, count(*) FROM evaluations_ratingsheet s JOIN units_unit u ON u.id = s.unit_id
               WHERE u.path LIKE %s AND s.month = ANY(%s) GROUP BY 1, 2, 3""", [path, months])
        violations = """FROM evaluations_violation v JOIN units_unit u ON u.id = v.unit_id
                        WHERE u.path LIKE %s AND v.occurred_on BETWEEN %s AND %s"""
        run(f"SELECT v.article_id, v.severity, count(*) {violations} GROUP BY 1, 2", [path, quarter.first_day, quarter.last_day])
        run(f"SELECT v.unit_id, v.severity, count(*) {violations} GROUP BY 1, 2", [path, quarter.first_day, quarter.last_day])
        visits = """SELECT v.id FROM evaluations_inspectionvisit v JOIN units_unit u ON u.id = v.unit_id
                    WHERE u.path LIKE %s AND v.scheduled_at >= %s AND v.scheduled_at < %s AND v.status <> 'planned'"""
        run(f"SELECT v.unit_id, v.kind, count(*) FROM evaluations_inspectionvisit v WHERE v.id IN ({visits}) GROUP BY 1, 2",
            [path, start, end])
        run(f"""SELECT v.unit_id, count(*) FROM evaluations_finding f JOIN evaluations_inspectionvisit v ON v.id = f.visit_id
                WHERE f.visit_id IN ({visits}) GROUP BY 1""", [path, start, end])
        run(f"""SELECT v.unit_id, a.status, count(*) FILTER (WHERE a.due_on < %s), count(*) FROM evaluations_correctiveaction a
                JOIN evaluations_finding f ON f.id = a.finding_id JOIN evaluations_inspectionvisit v ON v.id = f.visit_id
                WHERE f.visit_id IN ({visits}) GROUP BY 1, 2""", [today, path, start, end])
        received = """FROM feedback_feedbackcase f JOIN units_unit u ON u.id = f.unit_id
                      WHERE u.path LIKE %s AND f.received_at >= %s AND f.received_at < %s"""
        run(f"SELECT f.unit_id, f.kind, count(*) {received} GROUP BY 1, 2", [path, start, end])
        run(f"SELECT f.channel, count(*) {received} GROUP BY 1", [path, start, end])
        columns, params, vote_columns, vote_params = [], [], [], []
        now = timezone.now()
        for month in months:
            first, last = month_bounds(month)
            until = min(last, now)
            columns += [
                "count(*) FILTER (WHERE f.received_at >= %s AND f.received_at < %s AND f.satisfaction IS NOT NULL)",
                "count(*) FILTER (WHERE f.received_at >= %s AND f.received_at < %s AND f.satisfaction >= 4)",
                "count(*) FILTER (WHERE f.status IN ('resolved', 'rejected') AND f.closed_at >= %s AND f.closed_at < %s)",
                "count(*) FILTER (WHERE f.status IN ('resolved', 'rejected') AND f.closed_at >= %s AND f.closed_at < %s "
                "AND (f.closed_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date <= f.due_on)",
                "count(*) FILTER (WHERE f.received_at < %s AND (f.closed_at IS NULL OR f.closed_at >= %s) AND f.due_on < %s)",
            ]
            params += [first, last] * 4 + [until, until, min(last.date(), today)]
            vote_columns += ["count(*) FILTER (WHERE k.created_at >= %s AND k.created_at < %s)",
                             "count(*) FILTER (WHERE k.created_at >= %s AND k.created_at < %s AND k.score >= 4)"]
            vote_params += [first, last] * 2
        run(f"""SELECT f.unit_id, {", ".join(columns)} FROM feedback_feedbackcase f JOIN units_unit u ON u.id = f.unit_id
                WHERE u.path LIKE %s GROUP BY 1""", [*params, path])
        run(f"""SELECT k.unit_id, {", ".join(vote_columns)} FROM feedback_kioskvote k JOIN units_unit u ON u.id = k.unit_id
                WHERE u.path LIKE %s GROUP BY 1""", [*vote_params, path])
        grade_columns = ", ".join("max(r.grade) FILTER (WHERE s.month = %s), max(s.unit_id) FILTER (WHERE s.month = %s)"
                                  for _month in months)
        run(f"""SELECT r.staff_id, st.full_name, sum(r.total), count(DISTINCT s.month), {grade_columns}
                FROM evaluations_rating r JOIN evaluations_ratingsheet s ON s.id = r.sheet_id
                JOIN units_unit u ON u.id = s.unit_id JOIN units_staff st ON st.id = r.staff_id
                WHERE u.path LIKE %s AND s.month = ANY(%s) AND s.status IN ('submitted', 'approved', 'locked')
                GROUP BY 1, 2""", [*[m for month in months for m in (month, month)], path, months])
        run(f"SELECT DISTINCT v.staff_id {violations}", [path, quarter.first_day, quarter.last_day])
        run(f"""SELECT f.staff_id, count(*) FILTER (WHERE f.kind = 'praise'), count(*) FILTER (WHERE f.substantiated)
                {received} AND f.staff_id IS NOT NULL AND f.status <> 'rejected' GROUP BY 1""", [path, start, end])


def run(context) -> list[Row]:
    quarter = Quarter.last_finished(timezone.localdate())
    city = context.city

    def build():
        data = quarterly_report_figures(unit=city, quarter=quarter)
        with tempfile.TemporaryDirectory() as folder:
            quarterly_workbook(data=data, target=Path(folder) / "report.xlsx")

    runs = max(3, context.runs if context.scale != "city" else 5)
    report = median_time(build, runs=runs)
    limit = median_time(lambda: raw_sql(city, quarter), runs=runs)
    return [Row(
        "City-wide quarterly report (figures + workbook)", f"{city.name}, {quarter}", report, limit,
        limit_label="its aggregates in raw SQL", target=f"< {TARGET_MS // 1000} s", met=report < TARGET_MS,
    )]
