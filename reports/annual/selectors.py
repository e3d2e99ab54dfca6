"""The figures of an annual summary (tổng kết năm) of a unit's subtree, computed in the database.

Each section is plain JSON-ready data (numbers, strings, ISO dates), stored in ``AnnualReport.data`` for the page and
written to the workbook. The counts come from the figures engine the dashboard and the quarterly report read
(``pledges.figures``, ``evaluations.figures``, ``feedback.figures``), month by month, added up to the rows by
``AnnualRows``: the units directly beneath the report's unit, the unit itself when its own offices have figures, and —
for a unit formed on 1 July 2025 — the units it was formed from. Each month is counted under the unit that existed
then: a rating, a violation or a case stays with the unit it was recorded in, and a former unit's figures count
only for the months it was in force. Every section costs a fixed number of grouped queries, however many units and
months there are, and only reads.
"""

from __future__ import annotations

import datetime

from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from core.dates import month_end
from core.numbers import share
from evaluations.choices import GRADE_ORDER, AnnualStatus, Severity
from evaluations.figures import (
    INSPECTION_KEYS,
    annual_grade_counts,
    annual_list_statuses,
    grade_counts,
    inspection_month_counts,
    rating_sheet_counts,
    violation_month_counts,
)
from feedback.choices import Channel, FeedbackKind
from feedback.figures import feedback_counts, feedback_month_counts
from pledges.figures import campaigns_covering_each, coverage_counts, coverage_plan
from reports.choices import CommendationStatus
from reports.commendations.figures import name_key
from reports.models import AnnualReport, CommendationEntry, CommendationList
from reports.quarterly.selectors import commendations_section as list_section
from units.models import Unit
from units.rollup import UNIT_FIELDS, Rollup, add_counts
from units.scope import is_within

GRADES = [str(grade) for grade in GRADE_ORDER]
SEVERITIES = [str(s) for s in Severity.values]
KINDS = [str(k) for k in FeedbackKind.values]
CHANNELS = [str(c) for c in Channel.values]
RATE_KEYS = ("received", "rated", "satisfied", "closed", "on_time", "open_late", "handling_rated", "handling_satisfied")
PARTLY_APPROVED = "partly_approved"  # a row of several units whose annual classification lists differ in status


def year_months(year: int) -> list[datetime.date]:
    """The first day of each month of ``year``."""
    return [datetime.date(year, month, 1) for month in range(1, 13)]


def _in_force_during(first_day: datetime.date, last_day: datetime.date) -> tuple[Q, Q]:
    return (Q(valid_from__isnull=True) | Q(valid_from__lte=last_day), Q(valid_to__isnull=True) | Q(valid_to__gte=first_day))


class AnnualRows:
    """The rows of the summary's tables, and which row each unit's figures go to.

    The units directly beneath the root, listed when in force during the year or holding figures in it; then the
    root itself (its own offices) when it has figures, or when nothing else is listed; then, for a unit formed from
    others on 1 July 2025 (``Unit.merged_from``), each of those in force during the year that holds figures (of its
    subtree, for the months it was in force). Four queries (three when the unit was formed from none in force
    during the year)."""

    def __init__(self, root: Unit, year: int):
        self.root, self.year = root, year
        self.months = year_months(year)
        self.first_day, self.last_day = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
        self.rollup = Rollup(root)
        children = Unit.objects.filter(parent=root).values_list("pk", "valid_from", "valid_to")
        self.until: dict[int, datetime.date] = {}
        self.in_force: set[int] = set()
        for pk, valid_from, valid_to in children:
            if (valid_from is None or valid_from <= self.last_day) and (valid_to is None or valid_to >= self.first_day):
                self.in_force.add(pk)
            if valid_to is not None and valid_to < self.last_day:
                self.until[pk] = valid_to
        former = root.merged_from.filter(*_in_force_during(self.first_day, self.last_day)).only(
            *UNIT_FIELDS, "valid_from", "valid_to"
        )
        self.former: list[Unit] = [unit for unit in former.order_by("search_name", "pk") if not is_within(unit, root)]
        self._former_of: dict[int, int] = {}
        self._former_months: dict[int, set[datetime.date]] = {}
        if self.former:
            for unit in Unit.objects.within_any(self.former).only("id", "path"):
                self._former_of[unit.pk] = next(f.pk for f in self.former if is_within(unit, f))
            for unit in self.former:
                self._former_months[unit.pk] = {
                    month for month in self.months
                    if (unit.valid_from is None or unit.valid_from <= month_end(month))
                    and (unit.valid_to is None or unit.valid_to >= month)
                }
                if unit.valid_to is not None and unit.valid_to < self.last_day:
                    self.until[unit.pk] = unit.valid_to

    @property
    def roots(self) -> Unit | list[Unit]:
        """What the counters count over: the root's subtree, and those of the units it was formed from."""
        return [self.root, *self.former] if self.former else self.root

    @property
    def units_counted(self) -> Unit | object:
        """The same, for counters that take a unit or a queryset of units (``feedback.figures``)."""
        return Unit.objects.within_any([self.root, *self.former]) if self.former else self.root

    def months_of(self, row_id: int) -> list[datetime.date]:
        """The months whose figures count for a row: those a former unit was in force, every month otherwise."""
        months = self._former_months.get(row_id)
        return self.months if months is None else [m for m in self.months if m in months]

    def roll_up(self, by_unit: dict[int, dict], *, by_month: bool = True) -> dict[int, dict]:
        """Counts keyed by unit id summed per row id (``add_counts``). With ``by_month`` the counts are keyed by
        month first, and a former unit's months outside its validity are left out."""
        totals = self.rollup.roll_up(by_unit)
        for unit_id, counts in by_unit.items():
            row = self._former_of.get(unit_id)
            if row is None:
                continue
            if by_month:
                months = self._former_months[row]
                counts = {month: value for month, value in counts.items() if month in months}
            add_counts(totals.setdefault(row, {}), counts)
        return totals

    def row_of(self, unit_id: int) -> int | None:
        """The row a unit's figures go to: a unit beneath the root, the root, or a unit it was formed from."""
        return self._former_of.get(unit_id) or self.rollup.row_id(unit_id)

    def shown(self, has_figures) -> list[Unit]:
        """The units to list, ``has_figures(unit_id)`` telling which rows hold any figure."""
        children = [u for u in self.rollup.rows if u.pk in self.in_force or has_figures(u.pk)]
        root = [self.root] if has_figures(self.root.pk) or not children else []
        return children + root + [unit for unit in self.former if has_figures(unit.pk)]

    def label(self, unit: Unit) -> dict:
        """A row's heading: the unit, and the last day it was in force when that was before the year's end."""
        until = self.until.get(unit.pk)
        return {"unit": unit.name, "unit_id": unit.pk, "until": until.isoformat() if until else None,
                "former": unit.pk in self._former_months}


def _summed(blocks) -> dict:
    total: dict = {}
    for block in blocks:
        add_counts(total, block)
    return total


# --- Pledges -------------------------------------------------------------------------------------------------


def _coverage_line(counts: dict) -> dict:
    expected, signed = counts.get("expected", 0), counts.get("signed", 0)
    return {"expected": expected, "signed": signed, "unsigned": max(expected - signed, 0), "percent": share(signed, expected)}


def coverage_section(*, rows: AnnualRows) -> list[dict]:
    """Pledge coverage of the year's campaigns: each campaign whose scope covers the unit (or a unit it was formed
    from), signed / expected per row and in all; when none does (a city whose wards run their own), the campaign of
    each unit beneath, in one table. One query, then two per campaign (two for the units' own)."""
    roots = [rows.root, *rows.former]
    blocks = []
    for campaign, covered in campaigns_covering_each(units=roots, year=rows.year):
        counts = coverage_counts(plan=[(campaign, unit) for unit in covered])
        per_row = rows.roll_up(counts, by_month=False)
        blocks.append({
            "campaign": campaign.title,
            "campaign_id": campaign.pk,
            "opens_on": campaign.opens_on.isoformat(),
            "closes_on": campaign.closes_on.isoformat(),
            "target": campaign.target_percent,
            "rows": [{**rows.label(unit), **_coverage_line(per_row[unit.pk])} for unit in rows.shown(per_row.get)
                     if per_row.get(unit.pk)],
            "total": _coverage_line(_summed(counts.values())),
        })
    if blocks:
        return blocks
    plan = coverage_plan(root=rows.root, rows=rows.rollup.rows, year=rows.year)
    if not plan:
        return []
    counts = coverage_counts(plan=plan)
    per_row = rows.roll_up(counts, by_month=False)
    campaign_of = {under.pk: campaign for campaign, under in plan}
    lines = []
    for unit in rows.rollup.rows:
        campaign = campaign_of.get(unit.pk)
        if campaign is not None and per_row.get(unit.pk):
            lines.append({**rows.label(unit), **_coverage_line(per_row[unit.pk]), "campaign": campaign.title,
                          "target": campaign.target_percent})
    return [{"campaign": None, "campaign_id": None, "opens_on": None, "closes_on": None, "target": None, "rows": lines,
             "total": _coverage_line(_summed(counts.values()))}]


# --- Ratings -------------------------------------------------------------------------------------------------


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


def ratings_section(*, rows: AnnualRows) -> dict:
    """A/B/C/D counts and shares of each month (and of the year) per row and in all, with the sheets submitted and
    approved: each month under the units that existed then. Two grouped queries."""
    months = rows.months
    sheets = {
        unit_id: {month: {key: n for key, n in counts.items() if key != "sheet_id"} for month, counts in by_month.items()}
        for unit_id, by_month in rating_sheet_counts(root=rows.roots, months=months).items()
    }
    per_row = rows.roll_up(grade_counts(root=rows.roots, months=months))
    for row, by_month in rows.roll_up(sheets).items():
        add_counts(per_row.setdefault(row, {}), by_month)

    table = []
    for unit in rows.shown(lambda pk: bool(per_row.get(pk))):
        by_month = per_row.get(unit.pk, {})
        table.append({
            **rows.label(unit),
            "months": [_grade_block(by_month.get(month, {})) for month in months],
            "year": _grade_block(_summed(by_month.values())),
        })
    return {
        "grades": GRADES,
        "months": [month.isoformat() for month in months],
        "rows": table,
        "month_totals": [_grade_block(_summed(per_row[r].get(month, {}) for r in per_row)) for month in months],
        "total": _grade_block(_summed(block for r in per_row.values() for block in r.values())),
    }


# --- The annual classification ------------------------------------------------------------------------------


def _classification_block(counts: dict) -> dict:
    classified = sum(counts.get(grade, 0) for grade in GRADES)
    return {
        "counts": [counts.get(grade, 0) for grade in GRADES],
        "shares": [share(counts.get(grade, 0), classified) for grade in GRADES],
        "classified": classified,
        "not_classified": counts.get("not_classified", 0),
    }


def annual_classification_section(*, rows: AnnualRows) -> dict:
    """The year's annual classification (xếp loại chất lượng năm): the final grades of the approved lists of the
    unit and the units beneath it, per row and in all, with each row's list status (a list not yet approved counts
    for nobody). Two grouped queries."""
    counts = annual_grade_counts(root=rows.roots, year=rows.year)
    per_row = rows.roll_up(counts, by_month=False)
    statuses = annual_list_statuses(root=rows.roots, year=rows.year)
    status_of_row: dict[int, list[str]] = {}
    for unit_id, status in statuses.items():
        row = rows.row_of(unit_id)
        if row is not None:
            status_of_row.setdefault(row, []).append(status)

    def row_status(pk: int) -> str | None:
        """The status of the row's lists when they all share it; ``PARTLY_APPROVED`` otherwise; None: no list."""
        found = set(status_of_row.get(pk, []))
        if not found:
            return None
        return found.pop() if len(found) == 1 else PARTLY_APPROVED

    table = [
        {**rows.label(unit), **_classification_block(per_row.get(unit.pk, {})), "status": row_status(unit.pk),
         "lists": len(status_of_row.get(unit.pk, [])),
         "lists_approved": sum(1 for s in status_of_row.get(unit.pk, []) if s == AnnualStatus.APPROVED)}
        for unit in rows.shown(lambda pk: pk in status_of_row or bool(per_row.get(pk)))
    ]
    return {
        "grades": GRADES,
        "rows": table,
        "total": _classification_block(_summed(per_row.values())),
        "lists": len(statuses),
        "lists_approved": sum(1 for s in statuses.values() if s == AnnualStatus.APPROVED),
    }


# --- Violations ----------------------------------------------------------------------------------------------


def violations_section(*, rows: AnnualRows) -> dict:
    """Violations that occurred in the year by month and severity, in all and per row. One grouped query."""
    months = rows.months
    per_row = rows.roll_up(violation_month_counts(root=rows.roots, months=months))
    by_month = [_summed(per_row[r].get(month, {}) for r in per_row) for month in months]
    table = []
    for unit in rows.shown(lambda pk: bool(per_row.get(pk))):
        unit_months = per_row.get(unit.pk, {})
        year = _summed(unit_months.values())
        table.append({
            **rows.label(unit),
            "counts": [year.get(s, 0) for s in SEVERITIES],
            "months": [sum(unit_months.get(month, {}).values()) for month in months],
            "total": sum(year.values()),
        })
    totals = [sum(counts.get(s, 0) for counts in by_month) for s in SEVERITIES]
    return {
        "severities": SEVERITIES,
        "by_month": [
            {"month": month.isoformat(), "counts": [counts.get(s, 0) for s in SEVERITIES], "total": sum(counts.values())}
            for month, counts in zip(months, by_month, strict=True)
        ],
        "rows": table,
        "totals": totals,
        "total": sum(totals),
    }


# --- Inspections ---------------------------------------------------------------------------------------------


def inspections_section(*, rows: AnnualRows, today: datetime.date | None = None) -> dict:
    """Inspection visits that took place in the year (a planned visit, surprise or not, is never counted), their
    findings and the corrective actions set on them, done, open and overdue: by month, per row and in all. Three
    grouped queries."""
    today = today or timezone.localdate()
    months = rows.months
    per_row = rows.roll_up(inspection_month_counts(root=rows.roots, months=months, today=today))

    def figures(counts: dict) -> dict:
        return {key: counts.get(key, 0) for key in INSPECTION_KEYS}

    by_month = [figures(_summed(per_row[r].get(month, {}) for r in per_row)) for month in months]
    table = [
        {**rows.label(unit), **figures(_summed(per_row.get(unit.pk, {}).values()))}
        for unit in rows.shown(lambda pk: bool(per_row.get(pk)))
    ]
    return {
        "keys": list(INSPECTION_KEYS),
        "by_month": [{"month": month.isoformat(), **counts} for month, counts in zip(months, by_month, strict=True)],
        "rows": table,
        "total": {key: sum(counts[key] for counts in by_month) for key in INSPECTION_KEYS},
        "as_of": today.isoformat(),
    }


# --- Feedback ------------------------------------------------------------------------------------------------


def _rate_months(by_month: dict, months: list[datetime.date]) -> list[dict]:
    """Each month's cases received, satisfaction index, handling satisfaction and on-time rate, from summed counts."""
    lines = []
    for month in months:
        counts = dict.fromkeys(RATE_KEYS, 0) | {
            key: value for key, value in by_month.get(month, {}).items() if key in RATE_KEYS
        }
        lines.append({
            "month": month.isoformat(), "received": counts["received"],
            "rated": counts["rated"], "satisfied": counts["satisfied"],
            "satisfaction": share(counts["satisfied"], counts["rated"]),
            "handling_rated": counts["handling_rated"], "handling_satisfied": counts["handling_satisfied"],
            "handling": share(counts["handling_satisfied"], counts["handling_rated"]),
            "closed": counts["closed"], "on_time_closed": counts["on_time"], "open_late": counts["open_late"],
            "on_time": share(counts["on_time"], counts["closed"] + counts["open_late"]),
        })
    return lines


def _year_rates(lines: list[dict]) -> dict:
    """The year's figures of a row from its months: cases still late at the end of the row's last month are
    counted once, not once for every month they stayed open."""
    rated, satisfied = sum(m["rated"] for m in lines), sum(m["satisfied"] for m in lines)
    closed, on_time = sum(m["closed"] for m in lines), sum(m["on_time_closed"] for m in lines)
    late = lines[-1]["open_late"] if lines else 0
    handling_rated = sum(m["handling_rated"] for m in lines)
    handling_satisfied = sum(m["handling_satisfied"] for m in lines)
    return {"received": sum(m["received"] for m in lines), "rated": rated, "satisfied": satisfied,
            "satisfaction": share(satisfied, rated), "closed": closed, "on_time_closed": on_time, "late": late,
            "on_time": share(on_time, closed + late), "handling_rated": handling_rated,
            "handling_satisfied": handling_satisfied, "handling": share(handling_satisfied, handling_rated)}


def feedback_section(*, rows: AnnualRows) -> dict:
    """Feedback received in the year by kind (per row) and by channel, and the satisfaction index and on-time rate
    of each month and of the year, with the formulas of ``feedback.figures``. Three grouped queries."""
    months = rows.months
    where = rows.units_counted
    by_unit: dict[int, dict] = {}
    for unit_id, counts in feedback_counts(root=where, months=months).items():
        by_unit[unit_id] = {month: dict(values) for month, values in counts.get("months", {}).items()}
    for unit_id, by_month in feedback_month_counts(root=where, months=months).items():
        add_counts(by_unit.setdefault(unit_id, {}), by_month)
    per_row = rows.roll_up(by_unit)

    def has_figures(pk: int) -> bool:
        return any(counts.get("received") or counts.get("rated") for counts in per_row.get(pk, {}).values())

    table, year_blocks = [], []
    for unit in rows.shown(has_figures):
        unit_months = per_row.get(unit.pk, {})
        kinds = _summed(counts.get("kinds", {}) for counts in unit_months.values())
        year = _year_rates(_rate_months(unit_months, rows.months_of(unit.pk)))
        year_blocks.append(year)
        table.append({**rows.label(unit), "counts": [kinds.get(k, 0) for k in KINDS], "total": sum(kinds.values()),
                      "satisfaction": year["satisfaction"], "on_time": year["on_time"], "handling": year["handling"]})
    everything = {month: _summed(per_row[r].get(month, {}) for r in per_row) for month in months}
    kinds = _summed(counts.get("kinds", {}) for counts in everything.values())
    channels = _summed(counts.get("channels", {}) for counts in everything.values())
    rated, satisfied = sum(b["rated"] for b in year_blocks), sum(b["satisfied"] for b in year_blocks)
    closed, on_time = sum(b["closed"] for b in year_blocks), sum(b["on_time_closed"] for b in year_blocks)
    late = sum(b["late"] for b in year_blocks)
    handling_rated = sum(b["handling_rated"] for b in year_blocks)
    kind_totals = [kinds.get(k, 0) for k in KINDS]
    return {
        "kinds": KINDS,
        "channels": CHANNELS,
        "rows": table,
        "kind_totals": kind_totals,
        "channel_counts": [channels.get(c, 0) for c in CHANNELS],
        "total": sum(kind_totals),
        "months": _rate_months(everything, months),
        "rated": rated,
        "satisfaction": share(satisfied, rated),
        "closed": closed,
        "on_time": share(on_time, closed + late),
        "handling_rated": handling_rated,
        "handling": share(sum(b["handling_satisfied"] for b in year_blocks), handling_rated),
    }


# --- Commendations -------------------------------------------------------------------------------------------


def commendations_section(*, rows: AnnualRows) -> dict:
    """The year's approved quarterly commendation lists of the unit and the units beneath it (and of the units it
    was formed from, for the quarters they were in force), and everyone on them with the quarters they were
    commended in. Two queries."""
    lists = (
        CommendationList.objects.within_any([rows.root, *rows.former])
        .filter(year=rows.year, quarter__isnull=False, status=CommendationStatus.APPROVED)
        .select_related("unit", "approved_by")
        .annotate(included_count=Count("entries", filter=Q(entries__included=True)))
        .order_by("quarter", "unit__path")
    )

    def in_force(commendation_list: CommendationList) -> bool:
        # A list kept on a former unit counts only for a quarter the unit was still in force in.
        former = next((unit for unit in rows.former if is_within(commendation_list.unit, unit)), None)
        return former is None or former.valid_to is None or commendation_list.period.first_day <= former.valid_to

    kept = [commendation_list for commendation_list in lists if in_force(commendation_list)]
    entries = (
        CommendationEntry.objects.filter(commendation_list__in=[c.pk for c in kept], included=True)
        .select_related("staff", "staff_unit").order_by("commendation_list__quarter", "rank", "pk")
    )
    quarter_of = {c.pk: c.quarter for c in kept}
    people: dict[int, dict] = {}
    for entry in entries:
        person = people.setdefault(entry.staff_id, {
            "name": entry.staff.full_name, "staff_code": entry.staff.staff_code, "position": entry.staff.position,
            "unit": entry.staff_unit.name, "quarters": [],
        })
        person["unit"] = entry.staff_unit.name  # the unit of the latest quarter
        quarter = quarter_of[entry.commendation_list_id]
        if quarter not in person["quarters"]:
            person["quarters"].append(quarter)
    staff = sorted(people.values(), key=lambda p: (-len(p["quarters"]), *name_key(p["name"])))
    return {
        "lists": [
            {"list_id": c.pk, "unit": c.unit.name, "quarter": c.quarter,
             "approved_on": timezone.localtime(c.approved_at).date().isoformat() if c.approved_at else None,
             "approved_by": (c.approved_by.full_name or c.approved_by.username) if c.approved_by else "",
             "count": c.included_count}
            for c in kept
        ],
        "staff": [{**person, "times": len(person["quarters"])} for person in staff],
    }


def year_commendations_section(*, commendation_list: CommendationList) -> dict:
    """The year's commendation list of the unit, as the build step prepared it (drawn from the approved annual
    classification by the rule's annual terms, or left as approved), with its included entries, ranked: the
    quarterly report's section of a list, with the list's status, approval and rule."""
    section = list_section(commendation_list=commendation_list)
    approver = commendation_list.approved_by
    return {
        **section,
        "rule": commendation_list.rule.name,
        "approved_on": timezone.localtime(commendation_list.approved_at).date().isoformat()
        if commendation_list.approved_at else None,
        "approved_by": (approver.full_name or approver.username) if approver else "",
    }


def unit_summary(unit: Unit, rows: AnnualRows) -> dict:
    """The summary's heading: the unit, the year and the units it was formed from, as stored in
    ``AnnualReport.data``."""
    return {
        "unit": {"id": unit.pk, "name": unit.name, "public_code": unit.public_code},
        "year": rows.year,
        "first_day": rows.first_day.isoformat(),
        "last_day": rows.last_day.isoformat(),
        "months": [month.isoformat() for month in rows.months],
        "formed_from": [{"name": former.name, "until": former.valid_to.isoformat() if former.valid_to else None}
                        for former in rows.former],
    }


# --- Summaries as users see them -----------------------------------------------------------------------------


def annual_reports_visible_to(user):
    """Annual summaries of units in the user's scope, newest year first, with unit and requester joined."""
    reports = AnnualReport.objects.select_related("unit", "requested_by")
    return reports.visible_to(user).order_by("-year", "unit__path")


def annual_report_get_for_user(*, user, pk: int) -> AnnualReport:
    """One summary of a unit in the user's scope, or 404 (the same answer as a missing one)."""
    return get_object_or_404(annual_reports_visible_to(user), pk=pk)
