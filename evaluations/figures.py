"""Counters of evaluations for the figures engine (the dashboard, the quarterly report, the annual summary, the
commendation rule): plain counts over a unit's subtree and a period, grouped in the database, keyed by unit id (and
month where the period has months), or by staff id for the commendation rule.

Only sheets sent for approval (or later) count as ratings: a draft holds every row at full marks until the ward
types the deviations. Only inspection visits that took place count: a planned visit, surprise or not, has no
findings and is never shown to the inspected unit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
import datetime

from django.db.models import Count, Max, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from core.dates import month_bounds, month_end
from evaluations.choices import SANCTION_STATUSES, ActionStatus, AnnualStatus, VisitKind, VisitStatus
from evaluations.models import (
    AnnualClassification,
    AnnualList,
    CorrectiveAction,
    DisciplinaryDecision,
    Finding,
    InspectionVisit,
    Rating,
    RatingSheet,
    Violation,
)
from evaluations.ratings.selectors import APPROVED_STATUSES, SUBMITTED_STATUSES
from units.models import Unit

TOOK_PLACE = (VisitStatus.IN_PROGRESS, VisitStatus.CLOSED)

# A unit's subtree, or the subtrees of several units (a current unit and the legacy units it was formed from).
Roots = Unit | QuerySet | Sequence[Unit]


def _within(queryset: QuerySet, root: Roots) -> QuerySet:
    """Rows of ``root``'s subtree; of the units of a queryset of units (``ScopedQuerySet.under``: a current unit with
    the former units it was formed from); or of the subtrees of each of a list of roots."""
    if isinstance(root, Unit | QuerySet):
        return queryset.under(root)
    return queryset.within_any(root)


def _local_month(value: datetime.datetime | datetime.date) -> datetime.date:
    """The first day of the month of a ``TruncMonth`` value (a moment is read in the portal's time zone)."""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date()
    return value.replace(day=1)


# --- Ratings ------------------------------------------------------------------------------------------------


def rating_sheet_counts(*, root: Roots, months: Sequence[datetime.date]) -> dict[int, dict[datetime.date, dict[str, int]]]:
    """Sheets of ``months`` in ``root``'s subtree, ``{unit_id: {month: {"sheets", "submitted", "approved",
    "sheet_id"}}}``: all sheets, those submitted (or later), those approved (or locked), and the id of the unit's
    latest sheet of the month (an id, not a count). One query."""
    sheets = (
        _within(RatingSheet.objects, root).filter(month__in=months).order_by().values("unit_id", "month")
        .annotate(
            sheets=Count("pk"),
            submitted=Count("pk", filter=Q(status__in=SUBMITTED_STATUSES)),
            approved=Count("pk", filter=Q(status__in=APPROVED_STATUSES)),
            sheet_id=Max("pk"),
        )
    )
    counts: dict[int, dict[datetime.date, dict[str, int]]] = {}
    for values in sheets:
        counts.setdefault(values["unit_id"], {})[values["month"]] = {
            key: values[key] for key in ("sheets", "submitted", "approved", "sheet_id")
        }
    return counts


def grade_counts(*, root: Roots, months: Sequence[datetime.date]) -> dict[int, dict[datetime.date, dict[str, int]]]:
    """Ratings on submitted (or later) sheets of ``months`` in ``root``'s subtree, by grade:
    ``{unit_id: {month: {grade: n}}}`` (the unit of the sheet). One query."""
    ratings = (
        _within(Rating.objects, root).filter(sheet__month__in=months, sheet__status__in=SUBMITTED_STATUSES)
        .order_by().values_list("sheet__unit_id", "sheet__month", "grade").annotate(n=Count("pk"))
    )
    counts: dict[int, dict[datetime.date, dict[str, int]]] = {}
    for unit_id, month, grade, n in ratings:
        by_grade = counts.setdefault(unit_id, {}).setdefault(month, {})
        by_grade[grade] = by_grade.get(grade, 0) + n
    return counts


def last_rated_months(*, root: Unit, until: datetime.date) -> dict[int, datetime.date]:
    """For each unit of ``root``'s subtree with a submitted (or later) sheet of ``until``'s month or before, the
    month of its latest one. One query."""
    lasts = (
        RatingSheet.objects.within(root).filter(status__in=SUBMITTED_STATUSES, month__lte=until)
        .order_by().values("unit_id").annotate(last=Max("month"))
    )
    return {values["unit_id"]: values["last"] for values in lasts}


def staff_quarter_ratings(
    *, root: Unit, months: Sequence[datetime.date], staff_ids: Iterable[int] | None = None
) -> dict[int, dict]:
    """Everyone rated in ``months`` on a submitted (or later) sheet of ``root``'s subtree (or only ``staff_ids``),
    by staff id: ``{"full_name", "score" (the sum of the totals), "months_rated", "grades", "units"}``, the last two
    with one entry per month (``None`` when not rated that month). Of two ratings in one month (a transfer
    mid-month) the worse grade is kept. One query."""
    ratings = Rating.objects.within(root).filter(sheet__month__in=months, sheet__status__in=SUBMITTED_STATUSES)
    if staff_ids is not None:
        ratings = ratings.filter(staff_id__in=staff_ids)
    per_month = {}
    for i, month in enumerate(months):
        per_month[f"grade_{i}"] = Max("grade", filter=Q(sheet__month=month))  # "B" > "A": Max keeps the worse
        per_month[f"unit_{i}"] = Max("sheet__unit_id", filter=Q(sheet__month=month))
    rows = (
        ratings.order_by()
        .values("staff_id", "staff__full_name")
        .annotate(score=Sum("total"), rated=Count("sheet__month", distinct=True), **per_month)
    )
    return {
        row["staff_id"]: {
            "full_name": row["staff__full_name"],
            "score": row["score"],
            "months_rated": row["rated"],
            "grades": [row[f"grade_{i}"] for i in range(len(months))],
            "units": [row[f"unit_{i}"] for i in range(len(months))],
        }
        for row in rows
    }


# --- Violations ---------------------------------------------------------------------------------------------


def violation_counts(*, root: Unit, first_day: datetime.date, last_day: datetime.date) -> dict[int, dict[str, int]]:
    """Violations that occurred from ``first_day`` to ``last_day`` in ``root``'s subtree, ``{unit_id: {severity:
    n}}``. One query."""
    violations = (
        Violation.objects.within(root).filter(occurred_on__gte=first_day, occurred_on__lte=last_day)
        .order_by().values_list("unit_id", "severity").annotate(n=Count("pk"))
    )
    counts: dict[int, dict[str, int]] = {}
    for unit_id, severity, n in violations:
        counts.setdefault(unit_id, {})[severity] = n
    return counts


def violation_counts_by_article(*, root: Unit, first_day: datetime.date, last_day: datetime.date) -> dict[int, dict]:
    """The same violations by article of the code, ``{article_id: {"number", "title", "code" (the decision number
    of the code), "counts": {severity: n}}}``, in the order of the codes and of their articles. One query."""
    violations = (
        Violation.objects.within(root).filter(occurred_on__gte=first_day, occurred_on__lte=last_day).order_by()
        .values_list("article_id", "article__number", "article__title",
                     "article__chapter__version__code__decision_number", "severity")
        .annotate(n=Count("pk"))
        .order_by("article__chapter__version__code__decision_number", "article__number", "article_id")
    )
    by_article: dict[int, dict] = {}
    for article_id, number, title, decision, severity, n in violations:
        entry = by_article.setdefault(article_id, {"number": number, "title": title, "code": decision, "counts": {}})
        entry["counts"][severity] = entry["counts"].get(severity, 0) + n
    return by_article


def violation_counts_by_month(
    *, root: Unit | QuerySet, first_day: datetime.date, last_day: datetime.date
) -> dict[int, dict[datetime.date, int]]:
    """Violations that occurred from ``first_day`` to ``last_day`` under ``root`` (a unit's subtree, or a queryset of
    units), ``{unit_id: {month: n}}``. One query."""
    violations = (
        _within(Violation.objects, root).filter(occurred_on__gte=first_day, occurred_on__lte=last_day)
        .annotate(month=TruncMonth("occurred_on")).order_by().values_list("unit_id", "month").annotate(n=Count("pk"))
    )
    counts: dict[int, dict[datetime.date, int]] = {}
    for unit_id, month, n in violations:
        counts.setdefault(unit_id, {})[month] = n
    return counts


def violation_month_counts(*, root: Roots, months: Sequence[datetime.date]) -> dict[int, dict[datetime.date, dict[str, int]]]:
    """Violations that occurred in ``months`` (first days) in ``root``'s subtree (or several subtrees), by unit id,
    month and severity: ``{unit_id: {month: {severity: n}}}``. One query."""
    months = set(months)
    if not months:
        return {}
    violations = (
        _within(Violation.objects, root).filter(occurred_on__gte=min(months), occurred_on__lte=month_end(max(months)))
        .annotate(month=TruncMonth("occurred_on")).order_by().values_list("unit_id", "month", "severity")
        .annotate(n=Count("pk"))
    )
    counts: dict[int, dict[datetime.date, dict[str, int]]] = {}
    for unit_id, month, severity, n in violations:
        month = _local_month(month)
        if month in months:
            by_severity = counts.setdefault(unit_id, {}).setdefault(month, {})
            by_severity[severity] = by_severity.get(severity, 0) + n
    return counts


def staff_with_violations(*, staff_ids: Iterable[int], first_day: datetime.date, last_day: datetime.date) -> set[int]:
    """Which of ``staff_ids`` have a violation that occurred from ``first_day`` to ``last_day``. One query."""
    violators = Violation.objects.filter(
        staff_id__in=staff_ids, occurred_on__gte=first_day, occurred_on__lte=last_day
    ).order_by().values_list("staff_id", flat=True).distinct()
    return set(violators)


def staff_with_sanctions(*, staff_ids: Iterable[int], first_day: datetime.date, last_day: datetime.date) -> set[int]:
    """Which of ``staff_ids`` have a disciplinary sanction that stands (decided, under appeal or closed) with a
    decision dated from ``first_day`` to ``last_day``, whatever the violation's date. One query."""
    sanctioned = DisciplinaryDecision.objects.filter(
        violation__staff_id__in=staff_ids, status__in=SANCTION_STATUSES,
        decision_date__gte=first_day, decision_date__lte=last_day,
    ).order_by().values_list("violation__staff_id", flat=True).distinct()
    return set(sanctioned)


# --- The annual classification -------------------------------------------------------------------------------


def staff_annual_grades(*, root: Roots, year: int, staff_ids: Iterable[int] | None = None) -> dict[int, dict]:
    """Everyone classified (a final grade) on an approved annual classification list of ``year`` of a unit in
    ``root``'s subtree (or only ``staff_ids``), by staff id: ``{"full_name", "unit_id" (the list's unit), "grade"
    (final), "average_points", "periods_rated"}``. A list not yet approved by the level above counts for nobody.
    One query."""
    rows = _within(AnnualClassification.objects, root).filter(
        year=year, annual_list__status=AnnualStatus.APPROVED
    ).exclude(final_grade="")
    if staff_ids is not None:
        rows = rows.filter(staff_id__in=staff_ids)
    values = rows.order_by().values_list(
        "staff_id", "staff__full_name", "annual_list__unit_id", "final_grade", "average_points", "periods_rated"
    )
    return {
        staff_id: {"full_name": name, "unit_id": unit_id, "grade": grade, "average_points": points,
                   "periods_rated": periods}
        for staff_id, name, unit_id, grade, points, periods in values
    }


def annual_grade_counts(*, root: Roots, year: int) -> dict[int, dict[str, int]]:
    """Final grades on the approved annual classification lists of ``year`` in ``root``'s subtree, by the list's
    unit id: ``{unit_id: {grade: n, "not_classified": n}}`` (a row without a final grade: too few periods rated).
    One query."""
    rows = (
        _within(AnnualClassification.objects, root).filter(year=year, annual_list__status=AnnualStatus.APPROVED)
        .order_by().values_list("annual_list__unit_id", "final_grade").annotate(n=Count("pk"))
    )
    counts: dict[int, dict[str, int]] = {}
    for unit_id, grade, n in rows:
        key = grade or "not_classified"
        by_grade = counts.setdefault(unit_id, {})
        by_grade[key] = by_grade.get(key, 0) + n
    return counts


def annual_list_statuses(*, root: Roots, year: int) -> dict[int, str]:
    """The status of each annual classification list of ``year`` in ``root``'s subtree, by its unit id (open,
    submitted, approved). One query."""
    return dict(_within(AnnualList.objects, root).filter(year=year).order_by().values_list("unit_id", "status"))


# --- Inspections --------------------------------------------------------------------------------------------

INSPECTION_KEYS = ("visits", "scheduled", "surprise", "findings", "actions_done", "actions_open", "actions_overdue")


def inspection_counts(
    *, root: Unit, start: datetime.datetime, end: datetime.datetime, today: datetime.date
) -> dict[int, dict[str, int]]:
    """Inspection visits of ``root``'s subtree scheduled from ``start`` (included) to ``end`` (excluded) that took
    place, their findings and the corrective actions set on them, by the visited unit's id: ``{"visits",
    "scheduled", "surprise", "findings", "actions_done", "actions_open", "actions_overdue"}`` (overdue: open and due
    before ``today``); a unit has only the keys it has rows for. Three queries."""
    visits = InspectionVisit.objects.within(root).filter(scheduled_at__gte=start, scheduled_at__lt=end).exclude(
        status=VisitStatus.PLANNED
    )
    counts: dict[int, dict[str, int]] = {}

    def add(unit_id: int, key: str, n: int) -> None:
        figures = counts.setdefault(unit_id, {})
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
    return counts


def inspection_month_counts(
    *, root: Roots, months: Sequence[datetime.date], today: datetime.date
) -> dict[int, dict[datetime.date, dict[str, int]]]:
    """What ``inspection_counts`` counts, by the visited unit's id and the month (first day, in the portal's time
    zone) the visit was scheduled in, for the visits of ``months`` in ``root``'s subtree (or several subtrees) that
    took place: ``{unit_id: {month: {"visits", "scheduled", "surprise", "findings", "actions_done", "actions_open",
    "actions_overdue"}}}``; a month has only the keys it has rows for. Three queries."""
    months = set(months)
    if not months:
        return {}
    start, _end = month_bounds(min(months))
    _start, end = month_bounds(max(months))
    visits = _within(InspectionVisit.objects, root).filter(scheduled_at__gte=start, scheduled_at__lt=end).exclude(
        status=VisitStatus.PLANNED
    )
    counts: dict[int, dict[datetime.date, dict[str, int]]] = {}

    def add(unit_id: int, month, key: str, n: int) -> None:
        month = _local_month(month)
        if month in months:
            figures = counts.setdefault(unit_id, {}).setdefault(month, {})
            figures[key] = figures.get(key, 0) + n

    by_visit = visits.annotate(month=TruncMonth("scheduled_at")).order_by()
    for unit_id, month, kind, n in by_visit.values_list("unit_id", "month", "kind").annotate(n=Count("pk")):
        add(unit_id, month, "visits", n)
        add(unit_id, month, "surprise" if kind == VisitKind.SURPRISE else "scheduled", n)
    findings = Finding.objects.filter(visit__in=visits.values("pk")).annotate(month=TruncMonth("visit__scheduled_at"))
    for unit_id, month, n in findings.order_by().values_list("visit__unit_id", "month").annotate(n=Count("pk")):
        add(unit_id, month, "findings", n)
    actions = CorrectiveAction.objects.filter(finding__visit__in=visits.values("pk")).annotate(
        month=TruncMonth("finding__visit__scheduled_at")
    )
    for unit_id, month, status, late, n in actions.order_by().values_list(
        "finding__visit__unit_id", "month", "status"
    ).annotate(late=Count("pk", filter=Q(due_on__lt=today)), n=Count("pk")):
        if status == ActionStatus.OPEN:
            add(unit_id, month, "actions_open", n)
            add(unit_id, month, "actions_overdue", late)
        else:
            add(unit_id, month, "actions_done", n)
    return counts


def open_action_counts(*, root: Unit, today: datetime.date) -> dict[int, dict[str, int]]:
    """Corrective actions owned by units of ``root``'s subtree, set on visits that took place, still open:
    ``{owner_unit_id: {"open", "overdue"}}`` (overdue: due before ``today``). One query."""
    actions = (
        CorrectiveAction.objects.within(root).filter(finding__visit__status__in=TOOK_PLACE)
        .order_by().values("owner_unit_id")
        .annotate(open=Count("pk", filter=Q(status=ActionStatus.OPEN)),
                  overdue=Count("pk", filter=Q(status=ActionStatus.OPEN, due_on__lt=today)))
    )
    return {values["owner_unit_id"]: {"open": values["open"], "overdue": values["overdue"]} for values in actions}
