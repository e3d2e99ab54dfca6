"""Reads for sheets and ratings: scoped, joined, and constant in queries whatever the head count. Lists of
violations and what recording one offers are in ``evaluations.violations.selectors``."""

from __future__ import annotations

from dataclasses import dataclass
import datetime

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, prefetch_related_objects
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from core.dates import month_end, month_start
from evaluations.choices import Grade, SheetStatus
from evaluations.models import Rating, RatingSheet, Violation
from evaluations.ratings import scoring
from units.choices import Role
from units.models import Staff, Unit
from units.scope import Capability, scope_for
from units.validity import unit_is_open


def rating_sheet_get_for_user(*, user, pk: int) -> RatingSheet:
    """A sheet of a unit in the user's scope, or 404."""
    return get_object_or_404(
        RatingSheet.objects.visible_to(user).select_related(
            "unit", "unit__parent", "scheme", "submitted_by", "approved_by"
        ),
        pk=pk,
    )


def rating_sheet_list(*, user, unit: Unit | None = None) -> QuerySet:
    """Sheets of the units the user may see (of ``unit``'s subtree if given), newest month first."""
    sheets = RatingSheet.objects.visible_to(user).select_related("unit")
    if unit is not None:
        sheets = sheets.within(unit)
    return sheets.order_by("-month", "unit__name")


def rating_sheet_rows(*, sheet: RatingSheet) -> list[Rating]:
    """The sheet's rows in name order, each with its staff member and that month's violations
    (``row.month_violations``). Three queries whatever the number of staff."""
    month_violations = Prefetch(
        "staff__violations",
        queryset=Violation.objects.filter(occurred_on__gte=sheet.month, occurred_on__lte=month_end(sheet.month))
        .select_related("article")
        .order_by("occurred_on"),
        to_attr="month_violations",
    )
    return list(
        sheet.ratings.select_related("staff", "updated_by").prefetch_related(month_violations).order_by("staff__full_name", "staff_id")
    )


@dataclass
class GradeSummary:
    """The grade counts of a sheet's rows and the share of A against the cap."""

    counts: dict[str, int]
    total: int
    a_share_percent: float
    a_cap_percent: int

    @property
    def a_share_exceeded(self) -> bool:
        return self.total > 0 and self.a_share_percent > self.a_cap_percent


def grade_summary(*, sheet: RatingSheet, rows: list[Rating]) -> GradeSummary:
    """How many rows have each grade, and the share of A against the scheme's cap."""
    counts = dict.fromkeys(Grade.values, 0)
    for row in rows:
        counts[row.grade] += 1
    total = len(rows)
    share = round(100 * counts[Grade.A] / total, 1) if total else 0.0
    return GradeSummary(counts=counts, total=total, a_share_percent=share, a_cap_percent=sheet.scheme.a_share_cap_percent)


def staff_monthly_history(*, staff: Staff, months: int = 12, until: datetime.date | None = None) -> list[dict]:
    """The last ``months`` months of a staff member: grade, total, points and violations, newest first."""
    until = month_start(until or timezone.localdate())
    first = until
    for _ in range(months - 1):
        first = month_start(first - datetime.timedelta(days=1))
    ratings = {
        r.sheet.month: r
        for r in Rating.objects.filter(staff=staff, sheet__month__gte=first, sheet__month__lte=until).select_related("sheet")
    }
    violations: dict[datetime.date, list[Violation]] = {}
    for v in Violation.objects.filter(staff=staff, occurred_on__gte=first, occurred_on__lte=month_end(until)).select_related("article"):
        violations.setdefault(month_start(v.occurred_on), []).append(v)
    history, month = [], until
    for _ in range(months):
        history.append({"month": month, "rating": ratings.get(month), "violations": violations.get(month, [])})
        month = month_start(month - datetime.timedelta(days=1))
    return history


def needs_remark(grade: str) -> bool:
    """Below B the rater must give a remark."""
    return scoring.needs_remark(grade)


# --- Progress for the sheet list, the landing page and the staff page ---------------------------------

SUBMITTED_STATUSES = (SheetStatus.SUBMITTED, SheetStatus.APPROVED, SheetStatus.LOCKED)
APPROVED_STATUSES = (SheetStatus.APPROVED, SheetStatus.LOCKED)
RATING_CHANGES_SHOWN = 10


def this_and_last_month(today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    """The first days of this month and of the month before (of ``today``'s, by default today's)."""
    this = month_start(today or timezone.localdate())
    return this, month_start(this - datetime.timedelta(days=1))


# --- Reads for the sheet pages ------------------------------------------------------------------------


def with_grade_counts(sheets: QuerySet) -> QuerySet:
    """Sheets annotated with their row count, the count per grade and the rows below B still without a remark."""
    return sheets.annotate(
        row_count=Count("ratings"),
        count_a=Count("ratings", filter=Q(ratings__grade=Grade.A)),
        count_b=Count("ratings", filter=Q(ratings__grade=Grade.B)),
        count_c=Count("ratings", filter=Q(ratings__grade=Grade.C)),
        count_d=Count("ratings", filter=Q(ratings__grade=Grade.D)),
        missing_remarks=Count("ratings", filter=Q(ratings__grade__in=(Grade.C, Grade.D), ratings__remark="")),
    )


def rateable_units(*, user) -> list[Unit]:
    """Units with active staff on which the user may rate, in force last month or since (a unit dissolved before
    has no sheet to open); one query, none without the right to rate."""
    staffed = Staff.objects.active().filter(unit=OuterRef("pk"))
    _this, last = this_and_last_month()
    units = Unit.objects.where_user_can(user, Capability.RATE).filter(Exists(staffed)).exclude(valid_to__lt=last)
    return list(units.select_related("parent").order_by("path"))


def sheets_by_unit_and_month(*, units, months) -> dict[tuple[int, datetime.date], RatingSheet]:
    """The sheets of these units for these months, with their grade counts, by (unit id, month) (one query)."""
    sheets = with_grade_counts(RatingSheet.objects.filter(unit__in=[u.pk for u in units], month__in=months))
    return {(sheet.unit_id, sheet.month): sheet for sheet in sheets}


@dataclass
class UnitMonth:
    """A unit's sheet for one month, or ``None`` when nobody opened it yet."""

    unit: Unit
    month: datetime.date
    sheet: RatingSheet | None

    @property
    def is_submitted(self) -> bool:
        return self.sheet is not None and self.sheet.status in SUBMITTED_STATUSES

    @property
    def can_open(self) -> bool:
        """The sheet exists, or the unit existed in the month (a dissolved unit's month is not opened)."""
        return self.sheet is not None or unit_is_open(self.unit, self.month, until=month_end(self.month))

    @property
    def is_approved(self) -> bool:
        return self.sheet is not None and self.sheet.status in APPROVED_STATUSES


@dataclass
class WardStatus:
    """The sheets of the units under a district office for one month."""

    parent: Unit
    month: datetime.date
    lines: list[UnitMonth]

    @property
    def submitted(self) -> int:
        return sum(line.is_submitted for line in self.lines)

    @property
    def approved(self) -> int:
        return sum(line.is_approved for line in self.lines)


def ward_statuses(*, user, month: datetime.date) -> list[WardStatus]:
    """For each district office assignment of the user, its wards' sheets for ``month`` (two queries)."""
    offices = scope_for(user).assigned_unit_ids(roles=[Role.DISTRICT_OFFICE])
    if not offices:
        return []
    units = list(Unit.objects.filter(Q(parent_id__in=offices) | Q(pk__in=offices)).order_by("name"))
    sheets = sheets_by_unit_and_month(units=units, months=[month])
    by_id = {unit.pk: unit for unit in units}
    return [
        WardStatus(
            parent=by_id[office],
            month=month,
            lines=[UnitMonth(unit, month, sheets.get((unit.pk, month))) for unit in units if unit.parent_id == office],
        )
        for office in offices
        if office in by_id
    ]


def rating_row_get_for_user(*, user, pk: int) -> Rating:
    """A row of a sheet in the user's scope with its staff member, the sheet, its unit and scheme, or 404."""
    return get_object_or_404(
        Rating.objects.visible_to(user).select_related("sheet__unit", "sheet__scheme", "staff", "updated_by"), pk=pk
    )


def rating_own_get_for_user(*, user, pk: int) -> Rating:
    """A row of the logged-in staff member's own, or 404: nobody else's row is reachable this way, whatever
    their scope (a user who is not a staff member has none)."""
    if not user.staff_member_id:
        raise Http404
    return get_object_or_404(
        Rating.objects.select_related("sheet__unit", "sheet__scheme", "staff"), pk=pk, staff_id=user.staff_member_id
    )


def _load_row(pk: int) -> Rating:
    """One row as the sheet shows it: staff, last editor and the month's violations (``month_violations``)."""
    rating = Rating.objects.select_related("sheet__unit", "sheet__scheme", "staff", "updated_by").get(pk=pk)
    month = rating.sheet.month
    prefetch_related_objects(
        [rating],
        Prefetch(
            "staff__violations",
            queryset=Violation.objects.filter(occurred_on__gte=month, occurred_on__lte=month_end(month))
            .select_related("article")
            .order_by("occurred_on"),
            to_attr="month_violations",
        ),
    )
    return rating


def sheet_progress(*, sheet: RatingSheet, rows) -> dict:
    """The counts the sheet's header shows: grades, the A share against the cap, remarks still missing."""
    return {
        "summary": grade_summary(sheet=sheet, rows=rows),
        "missing_remarks": sum(1 for row in rows if scoring.needs_remark(row.grade) and not row.remark),
        "grade_labels": dict(Grade.choices),
    }


def staff_rating_changes(*, staff: Staff, limit: int = RATING_CHANGES_SHOWN, months: int = 12) -> list[dict]:
    """The latest changes to a staff member's ratings of the last ``months`` months, newest first: who, when,
    which month, total and grade before and after (one query)."""
    first = month_start(timezone.localdate())
    for _month in range(months - 1):
        first = month_start(first - datetime.timedelta(days=1))
    records = (
        Rating.history.filter(staff_id=staff.pk, sheet__month__gte=first)
        .select_related("history_user", "sheet")
        .order_by("id", "history_date", "history_id")
    )
    changes, previous = [], None
    for record in records:
        if previous is not None and previous.id == record.id:
            if (previous.points, previous.total, previous.grade, previous.remark) != (
                record.points, record.total, record.grade, record.remark
            ):
                changes.append(
                    {
                        "when": record.history_date,
                        "who": record.history_user,
                        "month": record.sheet.month,
                        "old_total": previous.total,
                        "new_total": record.total,
                        "old_grade": previous.grade,
                        "new_grade": record.grade,
                        "old_points": list(previous.points.values()),
                        "new_points": list(record.points.values()),
                        "remark": record.remark if record.remark != previous.remark else "",
                        "reason": record.history_change_reason or "",
                    }
                )
        previous = record
    changes.sort(key=lambda change: change["when"], reverse=True)
    return changes[:limit]


def home_rating_status(*, user, units) -> dict:
    """The landing page's rating tile and to-do list: this month's and last month's sheet of each of ``units``
    the user looks after as ward officer or unit head; for a district office, its wards' sheets of last month."""
    rating_roles = (Role.WARD_OFFICER, Role.UNIT_HEAD)
    own_ids = set(scope_for(user).assigned_unit_ids(roles=rating_roles))
    this, last = this_and_last_month()
    mine = [unit for unit in units if unit.pk in own_ids]
    sheets = sheets_by_unit_and_month(units=mine, months=[this, last]) if mine else {}
    return {
        "this_month": this,
        "last_month": last,
        "unit_months": [
            (unit, UnitMonth(unit, last, sheets.get((unit.pk, last))), UnitMonth(unit, this, sheets.get((unit.pk, this))))
            for unit in mine
        ],
        "wards": ward_statuses(user=user, month=last),
    }
