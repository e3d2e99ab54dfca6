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
from evaluations.choices import Grade, RatingPeriod, SheetStatus
from evaluations.models import CapException, Rating, RatingSheet, Violation
from evaluations.ratings import periods, scoring
from units.choices import Role
from units.models import RoleAssignment, Staff, Unit
from units.scope import Capability, roles_with, scope_for
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
    sheets = RatingSheet.objects.visible_to(user).select_related("unit", "scheme")
    if unit is not None:
        sheets = sheets.within(unit)
    return sheets.order_by("-month", "unit__name")


def _period_violations(sheet: RatingSheet) -> Prefetch:
    """Each staff member's violations over the sheet's period (a month or a quarter), as ``month_violations``."""
    return Prefetch(
        "staff__violations",
        queryset=Violation.objects.filter(occurred_on__gte=sheet.month, occurred_on__lte=sheet.period_end)
        .select_related("article")
        .order_by("occurred_on"),
        to_attr="month_violations",
    )


def rating_sheet_rows(*, sheet: RatingSheet) -> list[Rating]:
    """The sheet's rows in name order, each with its staff member and the violations of the sheet's period
    (``row.month_violations``). Three queries whatever the number of staff."""
    return list(
        sheet.ratings.select_related("staff", "updated_by")
        .prefetch_related(_period_violations(sheet))
        .order_by("staff__full_name", "staff_id")
    )


def cap_exception_for(sheet: RatingSheet) -> CapException | None:
    """The exception that lets the sheet's unit exceed the usual cap in the sheet's period, if the level above
    decided one (one query)."""
    return CapException.objects.filter(unit_id=sheet.unit_id, month=sheet.month).select_related("decided_by").first()


@dataclass
class GradeSummary:
    """The grade counts of a sheet's rows and where grade A stands against the cap that applies."""

    counts: dict[str, int]
    total: int
    cap: scoring.CapCheck
    cap_message: str

    @property
    def a_share_percent(self) -> float:
        return self.cap.a_share_percent

    @property
    def a_cap_percent(self) -> int:
        return self.cap.percent

    @property
    def a_share_exceeded(self) -> bool:
        return self.cap.exceeded

    @property
    def share_of_good(self) -> bool:
        return self.cap.kind == scoring.CapKind.SHARE_OF_GOOD


def grade_summary(*, sheet: RatingSheet, rows: list[Rating], exceptional: bool = False) -> GradeSummary:
    """How many rows have each grade, and grade A against the scheme's cap (its exceptional cap when the unit is
    exceptional for the period)."""
    counts = dict.fromkeys(Grade.values, 0)
    for row in rows:
        counts[row.grade] += 1
    check = scoring.sheet_cap_check((row.grade for row in rows), scheme=sheet.scheme, exceptional=exceptional)
    return GradeSummary(
        counts=counts, total=len(rows), cap=check, cap_message=scoring.cap_message(check, scheme=sheet.scheme)
    )


def staff_monthly_history(*, staff: Staff, months: int = 12, until: datetime.date | None = None) -> list[dict]:
    """The last ``months`` months of a staff member: grade, total, points and violations, newest first (a
    quarterly sheet's grade shows on each month of its quarter)."""
    until = month_start(until or timezone.localdate())
    first = until
    for _ in range(months - 1):
        first = month_start(first - datetime.timedelta(days=1))
    # A quarterly sheet's rating answers for each month of its quarter; a monthly one for its month.
    ratings: dict[datetime.date, Rating] = {}
    for r in Rating.objects.filter(
        staff=staff, sheet__month__gte=periods.quarter_start(first), sheet__month__lte=until
    ).select_related("sheet__scheme").order_by("-sheet__scheme__period"):  # "quarterly" first: monthly ones win
        for month in periods.period_months(r.sheet.month, quarterly=r.sheet.is_quarterly):
            ratings[month] = r
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
    """The sheets covering these units' months, with their grade counts, by (unit id, month): a quarterly sheet
    answers for each month of its quarter; a monthly sheet of the very month comes first (one query)."""
    quarters = {periods.quarter_start(month) for month in months}
    sheets = with_grade_counts(
        RatingSheet.objects.filter(unit__in=[u.pk for u in units])
        .filter(Q(month__in=months) | Q(month__in=quarters, scheme__period=RatingPeriod.QUARTERLY))
        .select_related("scheme")
    )
    found: dict[tuple[int, datetime.date], RatingSheet] = {}
    for sheet in sorted(sheets, key=lambda sheet: not sheet.is_quarterly):  # monthly sheets last: they win
        for month in months:
            if sheet.month == month or (sheet.is_quarterly and periods.quarter_start(month) == sheet.month):
                found[(sheet.unit_id, month)] = sheet
    return found


def sheets_covering(sheets: QuerySet, month: datetime.date) -> QuerySet:
    """Of ``sheets``, those covering ``month``: its monthly sheets and the quarterly sheets of its quarter."""
    month = month_start(month)
    return sheets.filter(Q(month=month) | Q(month=periods.quarter_start(month), scheme__period=RatingPeriod.QUARTERLY))


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
    prefetch_related_objects([rating], _period_violations(rating.sheet))
    return rating


def sheet_progress(*, sheet: RatingSheet, rows, exception: CapException | None = None) -> dict:
    """The counts the sheet's header shows: grades, grade A against the cap (the exceptional one when
    ``exception`` is given), remarks still missing."""
    return {
        "summary": grade_summary(sheet=sheet, rows=rows, exceptional=exception is not None),
        "cap_exception": exception,
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


# --- Who rates a unit ---------------------------------------------------------------------------------------

RATERS_SHOWN = 5


@dataclass
class Rater:
    """Someone whose role lets them rate a unit's staff: their name, the role and the unit it is held on."""

    name: str
    role: str
    unit: str


def unit_raters(*, unit: Unit, limit: int = RATERS_SHOWN) -> list[Rater]:
    """The people who rate ``unit``'s staff (an assignment on it or above whose role rates), nearest unit first:
    what a refusal names when the reader's own role does not rate (one query)."""
    units = [unit.pk, *reversed(unit.ancestor_ids)]
    assignments = (
        RoleAssignment.objects.filter(unit_id__in=units, role__in=roles_with(Capability.RATE), user__is_active=True)
        .select_related("user", "unit")
    )
    nearest = sorted(assignments, key=lambda a: (units.index(a.unit_id), a.user.get_full_name() or a.user.username))
    return [Rater(name=a.user.get_full_name() or a.user.username, role=a.get_role_display(), unit=a.unit.name)
            for a in nearest[:limit]]


@dataclass
class RatedElsewhere:
    """A unit the user works for whose staff someone else rates: who, and this month's sheet when it exists."""

    unit: Unit
    raters: list[Rater]
    this_month: UnitMonth


def units_rated_by_others(*, user) -> list[RatedElsewhere]:
    """The units the user is assigned to, with active staff, that the user may not rate (a district office, an
    inspector): /ratings/ names who rates them and links to their sheet of this month (a few queries per unit; a user
    holds a handful of assignments)."""
    scope = scope_for(user)
    assigned = scope.assigned_unit_ids()
    if not assigned:
        return []
    staffed = Staff.objects.active().filter(unit=OuterRef("pk"))
    units = [unit for unit in Unit.objects.filter(pk__in=assigned).filter(Exists(staffed)).order_by("path")
             if not scope.can(Capability.RATE, unit)]
    if not units:
        return []
    this, _last = this_and_last_month()
    sheets = sheets_by_unit_and_month(units=units, months=[this])
    return [RatedElsewhere(unit=unit, raters=unit_raters(unit=unit), this_month=UnitMonth(unit, this, sheets.get((unit.pk, this))))
            for unit in units]
