"""The figures of a quarterly review (sơ kết quý) of a unit's subtree, computed in the database.

Each selector returns one section as plain JSON-ready data (numbers, strings, ISO dates), so the build job can
store it in ``QuarterlyReport.data`` for the page and write it to the workbook. The counts come from the counters
the dashboard reads too (``pledges.figures``, ``evaluations.figures``, ``feedback.figures``), added up to the rows
by ``units.rollup.Rollup``: the units directly beneath the report's unit, plus the unit itself when its own offices
have figures. Every section costs a fixed number of grouped queries, however many units and months there are, and
only reads: the build step prepares the commendation list before its section reads it.
"""

from __future__ import annotations

import datetime

from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from core.dates import month_bounds
from core.numbers import share
from core.quarters import Quarter
from evaluations.choices import GRADE_ORDER, Severity
from evaluations.figures import (
    INSPECTION_KEYS,
    grade_counts,
    inspection_counts,
    rating_sheet_counts,
    violation_counts,
    violation_counts_by_article,
)
from feedback.choices import Channel, FeedbackKind
from feedback.figures import feedback_counts
from pledges.figures import campaigns_covering, coverage_counts
from pledges.selectors import CoverageRow
from reports.commendations.figures import commendation_entries
from reports.models import CommendationList, QuarterlyReport
from units.choices import DISTRICT_KINDS, GRASSROOTS_KINDS, UnitKind
from units.models import Unit
from units.rollup import Rollup, add_counts
from units.scope import Capability, scope_for

GRADES = [str(grade) for grade in GRADE_ORDER]
SEVERITIES = [str(s) for s in Severity.values]
KINDS = [str(k) for k in FeedbackKind.values]
CHANNELS = [str(c) for c in Channel.values]


def _quarter_instants(quarter: Quarter) -> tuple[datetime.datetime, datetime.datetime]:
    start, _end = month_bounds(quarter.first_day)
    _start, end = month_bounds(quarter.months[-1])
    return start, end


class ReportRows:
    """The rows of the report's tables: the units directly beneath the root, then the root itself (its own
    offices). A unit shows when it was in force during the quarter or has figures in it (data may still be kept
    on a unit of the former structure); the root only when it has figures of its own. Two queries."""

    def __init__(self, root: Unit, quarter: Quarter):
        self.rollup = Rollup(root)
        self.root = root
        self.in_force = set(
            Unit.objects.filter(parent=root)
            .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=quarter.last_day))
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=quarter.first_day))
            .values_list("pk", flat=True)
        )

    def shown(self, has_figures) -> list[Unit]:
        """The units to list, ``has_figures(unit_id)`` telling which rows hold any figure."""
        children = [u for u in self.rollup.rows if u.pk in self.in_force or has_figures(u.pk)]
        root = [self.root] if has_figures(self.root.pk) or not children else []
        return children + root

    def table(self, per_row: dict[int, dict], empty: dict) -> list[dict]:
        """One dict per row shown (``empty`` filled with the row's figures)."""
        return [
            {"unit": unit.name, "unit_id": unit.pk, **empty, **(per_row.get(unit.pk) or {})}
            for unit in self.shown(lambda pk: bool(per_row.get(pk)))
        ]


def coverage_section(*, rows: ReportRows, quarter: Quarter) -> list[dict]:
    """Pledge coverage of the campaigns of the quarter's year whose scope covers the report's unit (a city campaign
    covers a district): signed / expected per row and in all. One query, then two per campaign."""
    unit, sections = rows.root, []
    for campaign in campaigns_covering(unit=unit, year=quarter.year):
        counts = coverage_counts(plan=[(campaign, unit)])
        per_row = rows.rollup.roll_up(counts)
        total = CoverageRow(unit=unit)
        for unit_counts in counts.values():  # the root's own staff count only in the total
            total.expected += unit_counts["expected"]
            total.signed += unit_counts["signed"]
        children = [
            CoverageRow(unit=child, **per_row.get(child.pk, {"expected": 0, "signed": 0})) for child in rows.rollup.rows
        ]
        sections.append({
            "campaign": campaign.title,
            "campaign_id": campaign.pk,
            "opens_on": campaign.opens_on.isoformat(),
            "closes_on": campaign.closes_on.isoformat(),
            "target": campaign.target_percent,
            "rows": [
                {"unit": row.unit.name, "unit_id": row.unit.pk, "expected": row.expected, "signed": row.signed,
                 "unsigned": row.unsigned, "percent": row.percent}
                for row in children
                if row.expected or row.signed
            ],
            "total": {"expected": total.expected, "signed": total.signed, "unsigned": total.unsigned,
                      "percent": total.percent},
        })
    return sections


def _grade_block(counts: dict) -> dict:
    rated = sum(counts.get(grade, 0) for grade in GRADES)
    return {
        "counts": [counts.get(grade, 0) for grade in GRADES],
        "shares": [share(counts.get(grade, 0), rated) for grade in GRADES],
        "rated": rated,
        "sheets": counts.get("sheets", 0),
        "submitted": counts.get("submitted", 0),
        "approved": counts.get("approved", 0),
    }


def ratings_section(*, rows: ReportRows, quarter: Quarter) -> dict:
    """A/B/C/D counts and shares per row and month (and for the quarter), with the sheets submitted and
    approved. Two grouped queries."""
    root, months = rows.root, list(quarter.months)
    sheets = {
        unit_id: {month: {key: n for key, n in counts.items() if key != "sheet_id"} for month, counts in by_month.items()}
        for unit_id, by_month in rating_sheet_counts(root=root, months=months).items()
    }
    per_row: dict[int, dict[datetime.date, dict]] = rows.rollup.roll_up(grade_counts(root=root, months=months))
    for row, by_month in rows.rollup.roll_up(sheets).items():
        add_counts(per_row.setdefault(row, {}), by_month)

    table = []
    for unit in rows.shown(lambda pk: bool(per_row.get(pk))):
        by_month = per_row.get(unit.pk, {})
        table.append({
            "unit": unit.name,
            "unit_id": unit.pk,
            "months": [_grade_block(by_month.get(month, {})) for month in months],
            "quarter": _grade_block(_summed(by_month.values())),
        })
    month_totals = [_grade_block(_summed(per_row[r].get(month, {}) for r in per_row)) for month in months]
    return {
        "grades": GRADES,
        "months": [month.isoformat() for month in months],
        "rows": table,
        "month_totals": month_totals,
        "total": _grade_block(_summed(block for r in per_row.values() for block in r.values())),
    }


def _summed(blocks) -> dict:
    total: dict = {}
    for block in blocks:
        add_counts(total, block)
    return total


def violations_section(*, rows: ReportRows, quarter: Quarter) -> dict:
    """Violations that occurred in the quarter, by article of the code and severity, and per row. Two
    grouped queries."""
    root = rows.root
    by_article = [
        {"article": f"Điều {entry['number']}. {entry['title']}", "code": entry["code"],
         "counts": [entry["counts"].get(s, 0) for s in SEVERITIES], "total": sum(entry["counts"].values())}
        for entry in violation_counts_by_article(root=root, first_day=quarter.first_day, last_day=quarter.last_day).values()
    ]
    per_row = rows.rollup.roll_up(violation_counts(root=root, first_day=quarter.first_day, last_day=quarter.last_day))
    table = rows.table(
        {row: {"counts": [keys.get(s, 0) for s in SEVERITIES], "total": sum(keys.values())} for row, keys in per_row.items()},
        {"counts": [0] * len(SEVERITIES), "total": 0},
    )
    totals = [sum(entry["counts"][i] for entry in by_article) for i in range(len(SEVERITIES))]
    return {"severities": SEVERITIES, "by_article": by_article, "rows": table, "totals": totals, "total": sum(totals)}


def inspections_section(*, rows: ReportRows, quarter: Quarter, today: datetime.date | None = None) -> dict:
    """Inspection visits that took place in the quarter (a planned visit, surprise or not, is never counted:
    the report may reach the inspected unit), their findings and the corrective actions set on them, done,
    open and overdue. Three grouped queries."""
    today = today or timezone.localdate()
    start, end = _quarter_instants(quarter)
    per_row = rows.rollup.roll_up(inspection_counts(root=rows.root, start=start, end=end, today=today))
    table = rows.table(per_row, dict.fromkeys(INSPECTION_KEYS, 0))
    total = {key: sum(figures.get(key, 0) for figures in per_row.values()) for key in INSPECTION_KEYS}
    return {"rows": table, "total": total, "as_of": today.isoformat()}


def _rate_block(by_month: dict, months: list[datetime.date]) -> dict:
    """The satisfaction index, handling satisfaction and on-time rate of each month and of the quarter, from summed
    counts."""
    monthly = []
    for month in months:
        counts = {"rated": 0, "satisfied": 0, "closed": 0, "on_time": 0, "open_late": 0, "handling_rated": 0,
                  "handling_satisfied": 0, **by_month.get(month, {})}
        monthly.append(
            {"month": month.isoformat(),
             "rated": counts["rated"], "satisfied": counts["satisfied"],
             "satisfaction": share(counts["satisfied"], counts["rated"]),
             "handling_rated": counts["handling_rated"], "handling_satisfied": counts["handling_satisfied"],
             "handling": share(counts["handling_satisfied"], counts["handling_rated"]),
             "closed": counts["closed"], "on_time_closed": counts["on_time"], "open_late": counts["open_late"],
             "on_time": share(counts["on_time"], counts["closed"] + counts["open_late"])}
        )
    rated, satisfied = sum(m["rated"] for m in monthly), sum(m["satisfied"] for m in monthly)
    closed, on_time = sum(m["closed"] for m in monthly), sum(m["on_time_closed"] for m in monthly)
    # Cases late at the end of the quarter are counted once, not once for every month they stayed open.
    late = monthly[-1]["open_late"]
    handling_rated = sum(m["handling_rated"] for m in monthly)
    handling = share(sum(m["handling_satisfied"] for m in monthly), handling_rated)
    return {"months": monthly, "satisfaction": share(satisfied, rated), "on_time": share(on_time, closed + late),
            "rated": rated, "closed": closed, "handling": handling, "handling_rated": handling_rated}


def feedback_section(*, rows: ReportRows, quarter: Quarter) -> dict:
    """Feedback received in the quarter by kind (per row) and by channel; the satisfaction index and the on-time
    rate of each month and of the quarter, with the formulas of ``feedback.figures``. Two grouped queries."""
    months = list(quarter.months)
    # Every case is read: a row is listed when any of its units holds feedback at all (``ReportRows``).
    per_row = rows.rollup.roll_up(feedback_counts(root=rows.root, months=months, by_channel=True, every_case=True))
    everything = _summed(per_row.values())
    table = []
    for unit in rows.shown(lambda pk: bool(per_row.get(pk))):
        counts = per_row.get(unit.pk, {})
        kinds = counts.get("kinds", {})
        block = _rate_block(counts.get("months", {}), months)
        table.append({"unit": unit.name, "unit_id": unit.pk, "counts": [kinds.get(k, 0) for k in KINDS],
                      "total": sum(kinds.values()), "satisfaction": block["satisfaction"], "on_time": block["on_time"]})
    kind_totals = [everything.get("kinds", {}).get(k, 0) for k in KINDS]
    return {
        "kinds": KINDS,
        "channels": CHANNELS,
        "rows": table,
        "kind_totals": kind_totals,
        "channel_counts": [everything.get("channels", {}).get(c, 0) for c in CHANNELS],
        "total": sum(kind_totals),
        **_rate_block(everything.get("months", {}), months),
    }


def commendations_section(*, commendation_list: CommendationList) -> dict:
    """The quarter's commendation list of the unit, as the build step prepared it
    (``reports.commendations.figures.commendation_list_generate``), and its included entries, ranked."""
    entries = commendation_entries(commendation_list=commendation_list)
    return {
        "list_id": commendation_list.pk,
        "status": commendation_list.status,
        "entries": [
            {"rank": entry.rank, "name": entry.staff.full_name, "staff_code": entry.staff.staff_code,
             "position": entry.staff.position, "unit": entry.staff_unit.name, "total_score": float(entry.total_score),
             "grades": entry.grades, "praise": entry.praise_count, "source": entry.source, "reason": entry.reason}
            for entry in entries
        ],
    }


def unit_summary(unit: Unit, quarter: Quarter) -> dict:
    """The report's heading: the unit and the quarter, as stored in ``QuarterlyReport.data``."""
    return {
        "unit": {"id": unit.pk, "name": unit.name, "public_code": unit.public_code},
        "quarter": {"year": quarter.year, "number": quarter.number, "label": str(quarter),
                    "first_day": quarter.first_day.isoformat(), "last_day": quarter.last_day.isoformat()},
    }


# --- Reports as users see them ------------------------------------------------------------------------------


def quarterly_reports_visible_to(user):
    """Reports of units in the user's scope, newest quarter first, with unit and requester joined."""
    reports = QuarterlyReport.objects.select_related("unit", "requested_by")
    return reports.visible_to(user).order_by("-year", "-quarter", "unit__path")


def quarterly_report_get_for_user(*, user, pk: int):
    """One report of a unit in the user's scope, or 404 (the same answer as a missing one)."""
    return get_object_or_404(quarterly_reports_visible_to(user), pk=pk)


def report_units_for_user(user):
    """Units whose report the user may request (where they hold BUILD_REPORTS), in tree order: those in force
    today, the former ones that hold records (their history) and the units the user is assigned to, not every
    dissolved unit."""
    kinds = (UnitKind.CENTRAL_CITY, UnitKind.PROVINCE, *DISTRICT_KINDS, *GRASSROOTS_KINDS)
    assigned = scope_for(user).assigned_unit_ids(capability=Capability.BUILD_REPORTS)
    units = Unit.objects.filter(kind__in=kinds).filter(
        Q(pk__in=Unit.objects.in_force_or_with_records().values("pk")) | Q(pk__in=assigned)
    )
    units = units.only("id", "name", "public_code", "path", "structure", "kind", "valid_from", "valid_to")
    return units.where_user_can(user, Capability.BUILD_REPORTS).order_by("path")
