"""The figures of a quarterly review (sơ kết quý) of a unit's subtree, computed in the database.

Each selector returns one section as plain JSON-ready data (numbers, strings, ISO dates), so the build job can
store it in ``QuarterlyReport.data`` for the page and write it to the workbook. Rows are the units directly
beneath the report's unit (``units.rollup.Rollup``), plus the unit itself when its own offices have figures.
Every section costs a fixed number of grouped queries, however many units and months there are.
"""

from __future__ import annotations

import datetime

from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from core.quarters import Quarter
from evaluations.choices import GRADE_ORDER, ActionStatus, Severity, SheetStatus, VisitKind, VisitStatus
from evaluations.models import CorrectiveAction, Finding, InspectionVisit, Rating, RatingSheet, Violation
from feedback.choices import Channel, FeedbackKind
from feedback.models import FeedbackCase, KioskVote
from feedback.staff.selectors import month_bounds, on_time_counts, satisfaction_counts, share as percent_share
from pledges.models import PledgeCampaign
from pledges.selectors import campaign_coverage
from reports.models import QuarterlyReport
from units.choices import DISTRICT_KINDS, GRASSROOTS_KINDS, UnitKind
from units.models import Unit
from units.rollup import Rollup
from units.scope import Capability

GRADES = [str(grade) for grade in GRADE_ORDER]
SEVERITIES = [str(s) for s in Severity.values]
KINDS = [str(k) for k in FeedbackKind.values]
CHANNELS = [str(c) for c in Channel.values]
# A draft sheet holds every row at full marks until the ward types the deviations: only sheets sent for
# approval (or later) count in the distribution.
RATED_STATUSES = (SheetStatus.SUBMITTED, SheetStatus.APPROVED, SheetStatus.LOCKED)
APPROVED_STATUSES = (SheetStatus.APPROVED, SheetStatus.LOCKED)


def share(part: int, whole: int) -> float | None:
    """``feedback.staff.selectors.share`` to one decimal, as the report prints it."""
    percent = percent_share(part, whole)
    return None if percent is None else round(percent, 1)


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


def coverage_section(*, unit: Unit, quarter: Quarter) -> list[dict]:
    """Pledge coverage of the campaigns of the quarter's year whose scope covers ``unit`` (a city campaign
    covers a district): signed / expected per row. One query, then three per campaign."""
    campaigns = PledgeCampaign.objects.filter(year=quarter.year, scope_unit_id__in=[*unit.ancestor_ids, unit.pk])
    sections = []
    for campaign in campaigns.select_related("scope_unit").order_by("opens_on", "pk"):
        coverage = campaign_coverage(campaign=campaign, root=unit)
        rows = [
            {"unit": row.unit.name, "unit_id": row.unit.pk, "expected": row.expected, "signed": row.signed,
             "unsigned": row.unsigned, "percent": row.percent}
            for row in coverage.children
            if row.expected or row.signed
        ]
        sections.append({
            "campaign": campaign.title,
            "campaign_id": campaign.pk,
            "opens_on": campaign.opens_on.isoformat(),
            "closes_on": campaign.closes_on.isoformat(),
            "target": campaign.target_percent,
            "rows": rows,
            "total": {"expected": coverage.expected, "signed": coverage.signed, "unsigned": coverage.unsigned,
                      "percent": coverage.percent},
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
    root, months = rows.rollup.root, list(quarter.months)
    grades = (
        Rating.objects.filter(sheet__unit__path__startswith=root.path, sheet__month__in=months,
                              sheet__status__in=RATED_STATUSES)
        .order_by().values_list("sheet__unit_id", "sheet__month", "grade").annotate(n=Count("pk"))
    )
    sheets = (
        RatingSheet.objects.filter(unit__path__startswith=root.path, month__in=months)
        .order_by().values_list("unit_id", "month", "status").annotate(n=Count("pk"))
    )
    per_row: dict[int, dict[datetime.date, dict]] = {}

    def bucket(unit_id, month):
        row = rows.rollup.row_id(unit_id)
        return per_row.setdefault(row, {}).setdefault(month, {}) if row is not None else {}

    for unit_id, month, grade, n in grades:
        counts = bucket(unit_id, month)
        counts[grade] = counts.get(grade, 0) + n
    for unit_id, month, status, n in sheets:
        counts = bucket(unit_id, month)
        counts["sheets"] = counts.get("sheets", 0) + n
        if status in RATED_STATUSES:
            counts["submitted"] = counts.get("submitted", 0) + n
        if status in APPROVED_STATUSES:
            counts["approved"] = counts.get("approved", 0) + n

    def summed(blocks: list[dict]) -> dict:
        total: dict = {}
        for block in blocks:
            for key, value in block.items():
                total[key] = total.get(key, 0) + value
        return total

    table = []
    for unit in rows.shown(lambda pk: bool(per_row.get(pk))):
        by_month = per_row.get(unit.pk, {})
        table.append({
            "unit": unit.name,
            "unit_id": unit.pk,
            "months": [_grade_block(by_month.get(month, {})) for month in months],
            "quarter": _grade_block(summed(list(by_month.values()))),
        })
    month_totals = [_grade_block(summed([per_row[r].get(month, {}) for r in per_row])) for month in months]
    return {
        "grades": GRADES,
        "months": [month.isoformat() for month in months],
        "rows": table,
        "month_totals": month_totals,
        "total": _grade_block(summed([block for r in per_row.values() for block in r.values()])),
    }


def violations_section(*, rows: ReportRows, quarter: Quarter) -> dict:
    """Violations that occurred in the quarter, by article of the code and severity, and per row. Two
    grouped queries."""
    root = rows.rollup.root
    violations = Violation.objects.filter(
        unit__path__startswith=root.path, occurred_on__gte=quarter.first_day, occurred_on__lte=quarter.last_day
    ).order_by()
    by_article: dict[int, dict] = {}
    for article_id, number, title, decision, severity, n in violations.values_list(
        "article_id", "article__number", "article__title", "article__chapter__version__code__decision_number", "severity"
    ).annotate(n=Count("pk")).order_by("article__chapter__version__code__decision_number", "article__number", "article_id"):
        entry = by_article.setdefault(article_id, {"article": f"Điều {number}. {title}", "code": decision,
                                                   "counts": [0] * len(SEVERITIES), "total": 0})
        entry["counts"][SEVERITIES.index(severity)] += n
        entry["total"] += n
    per_row = rows.rollup.sum_by_row_and_key(violations.values_list("unit_id", "severity").annotate(n=Count("pk")))
    table = rows.table(
        {row: {"counts": [keys.get(s, 0) for s in SEVERITIES], "total": sum(keys.values())} for row, keys in per_row.items()},
        {"counts": [0] * len(SEVERITIES), "total": 0},
    )
    totals = [sum(entry["counts"][i] for entry in by_article.values()) for i in range(len(SEVERITIES))]
    return {"severities": SEVERITIES, "by_article": list(by_article.values()), "rows": table,
            "totals": totals, "total": sum(totals)}


def inspections_section(*, rows: ReportRows, quarter: Quarter, today: datetime.date | None = None) -> dict:
    """Inspection visits that took place in the quarter (a planned visit, surprise or not, is never counted:
    the report may reach the inspected unit), their findings and the corrective actions set on them, done,
    open and overdue. Three grouped queries."""
    root, today = rows.rollup.root, today or timezone.localdate()
    start, end = _quarter_instants(quarter)
    visits = InspectionVisit.objects.filter(
        unit__path__startswith=root.path, scheduled_at__gte=start, scheduled_at__lt=end
    ).exclude(status=VisitStatus.PLANNED)
    per_row: dict[int, dict] = {}

    def add(unit_id, key, n):
        row = rows.rollup.row_id(unit_id)
        if row is not None:
            figures = per_row.setdefault(row, {})
            figures[key] = figures.get(key, 0) + n

    for unit_id, kind, n in visits.order_by().values_list("unit_id", "kind").annotate(n=Count("pk")):
        add(unit_id, "visits", n)
        add(unit_id, "surprise" if kind == VisitKind.SURPRISE else "scheduled", n)
    findings = Finding.objects.filter(visit__in=visits.values("pk")).order_by()
    for unit_id, n in findings.values_list("visit__unit_id").annotate(n=Count("pk")):
        add(unit_id, "findings", n)
    actions = CorrectiveAction.objects.filter(finding__visit__in=visits.values("pk")).order_by()
    for unit_id, status, late, n in actions.values_list("finding__visit__unit_id", "status").annotate(
        late=Count("pk", filter=Q(due_on__lt=today)), n=Count("pk")
    ):
        if status == ActionStatus.OPEN:
            add(unit_id, "actions_open", n)
            add(unit_id, "actions_overdue", late)
        else:
            add(unit_id, "actions_done", n)
    keys = ("visits", "scheduled", "surprise", "findings", "actions_done", "actions_open", "actions_overdue")
    empty = dict.fromkeys(keys, 0)
    table = rows.table(per_row, empty)
    total = {key: sum(figures.get(key, 0) for figures in per_row.values()) for key in keys}
    return {"rows": table, "total": total, "as_of": today.isoformat()}


def feedback_section(*, rows: ReportRows, quarter: Quarter) -> dict:
    """Feedback received in the quarter by kind (per row) and by channel; the satisfaction index and the on-time
    rate of each month and of the quarter, with the formulas of ``feedback.staff.selectors``. Four grouped queries."""
    root, months = rows.rollup.root, list(quarter.months)
    start, end = _quarter_instants(quarter)
    subtree = Q(unit__path__startswith=root.path)
    received = FeedbackCase.objects.filter(subtree, received_at__gte=start, received_at__lt=end).order_by()
    per_row = rows.rollup.sum_by_row_and_key(received.values_list("unit_id", "kind").annotate(n=Count("pk")))
    by_channel = dict(received.values_list("channel").annotate(n=Count("pk")))

    case_counts, vote_counts = {}, {}
    for i, month in enumerate(months):
        on_cases, on_votes = satisfaction_counts(month, f"_{i}")
        case_counts.update(on_cases, **on_time_counts(month, f"_{i}"))
        vote_counts.update(on_votes)
    per_unit_cases = FeedbackCase.objects.filter(subtree).order_by().values("unit_id").annotate(**case_counts)
    per_unit_votes = KioskVote.objects.filter(subtree).order_by().values("unit_id").annotate(**vote_counts)
    rates: dict[int, dict[str, int]] = {}
    for group in [*per_unit_cases, *per_unit_votes]:
        row = rows.rollup.row_id(group["unit_id"])
        if row is None:
            continue
        for key, value in group.items():
            if key != "unit_id":
                rates.setdefault(row, {})[key] = rates.setdefault(row, {}).get(key, 0) + value

    def rate_block(counts: dict) -> dict:
        get = lambda key: counts.get(key, 0)  # noqa: E731 - a short local accessor
        monthly = [
            {"month": month.isoformat(),
             "rated": get(f"rated_{i}"), "satisfied": get(f"satisfied_{i}"),
             "satisfaction": share(get(f"satisfied_{i}"), get(f"rated_{i}")),
             "closed": get(f"closed_{i}"), "on_time_closed": get(f"on_time_{i}"), "open_late": get(f"open_late_{i}"),
             "on_time": share(get(f"on_time_{i}"), get(f"closed_{i}") + get(f"open_late_{i}"))}
            for i, month in enumerate(months)
        ]
        rated, satisfied = sum(m["rated"] for m in monthly), sum(m["satisfied"] for m in monthly)
        closed, on_time = sum(m["closed"] for m in monthly), sum(m["on_time_closed"] for m in monthly)
        # Cases late at the end of the quarter are counted once, not once for every month they stayed open.
        late = monthly[-1]["open_late"]
        return {"months": monthly, "satisfaction": share(satisfied, rated), "on_time": share(on_time, closed + late),
                "rated": rated, "closed": closed}

    all_rates: dict[str, int] = {}
    for counts in rates.values():
        for key, value in counts.items():
            all_rates[key] = all_rates.get(key, 0) + value
    table = []
    for unit in rows.shown(lambda pk: bool(per_row.get(pk)) or bool(rates.get(pk))):
        kinds = per_row.get(unit.pk, {})
        block = rate_block(rates.get(unit.pk, {}))
        table.append({"unit": unit.name, "unit_id": unit.pk, "counts": [kinds.get(k, 0) for k in KINDS],
                      "total": sum(kinds.values()), "satisfaction": block["satisfaction"], "on_time": block["on_time"]})
    kind_totals = [sum(keys.get(k, 0) for keys in per_row.values()) for k in KINDS]
    return {
        "kinds": KINDS,
        "channels": CHANNELS,
        "rows": table,
        "kind_totals": kind_totals,
        "channel_counts": [by_channel.get(c, 0) for c in CHANNELS],
        "total": sum(kind_totals),
        **rate_block(all_rates),
    }


def commendations_section(*, unit: Unit, quarter: Quarter) -> dict:
    """The quarter's commendation list of the unit (created or refreshed while a draft; an approved list is
    left as approved) and its included entries, ranked."""
    from reports.commendations.figures import commendation_entries, commendation_list_generate

    commendation_list = commendation_list_generate(unit=unit, quarter=quarter, actor=None)
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
    """Units whose report the user may request (where they hold BUILD_REPORTS), in tree order."""
    kinds = (UnitKind.CENTRAL_CITY, UnitKind.PROVINCE, *DISTRICT_KINDS, *GRASSROOTS_KINDS)
    units = Unit.objects.filter(kind__in=kinds).only("id", "name", "public_code", "path", "structure", "kind")
    return units.where_user_can(user, Capability.BUILD_REPORTS).order_by("path")
