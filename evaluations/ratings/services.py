"""Writes for rating sheets (monthly, or quarterly when the scheme says so) and their ratings, the sheet's workflow
and the exceptions to the cap on grade A. Every rating change is kept (who, when, old, new). Violations are recorded
by ``evaluations.violations.services``, which regrades through ``rating_regrade``.

A sheet keeps the scheme it was opened with: a new scheme only reaches sheets opened once it is in force. A sheet
above its cap on grade A (``scoring.sheet_cap_check``) can be neither submitted nor approved; the level above may
mark a unit exceptional for a period (``cap_exception_decide``), and the scheme's exceptional cap then applies.
"""

from __future__ import annotations

from dataclasses import dataclass
import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _, gettext_noop
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from core.audit import CHANGE_REASON_LENGTH, save_with_history
from core.dates import add_months, month_end, month_start
from core.workflow import Transition, Workflow
from evaluations import notifications as evaluation_notifications
from evaluations.choices import PointsSource, RatingPeriod, SheetStatus
from evaluations.models import CapException, Rating, RatingSheet, ScoringScheme, Violation
from evaluations.ratings import periods, scoring
from evaluations.ratings.selectors import cap_exception_for
from units.jurisdiction import rule_in_force
from units.models import Staff, Unit, User
from units.scope import Capability, require, scope_for
from units.validity import unit_require_open


def scheme_for(*, unit: Unit, month: datetime.date) -> ScoringScheme:
    """The scheme in force for ``unit`` in ``month``: its jurisdiction's (the nearest up the tree with a scheme in
    force by the month's end), else the national default; before every scheme, the oldest national one."""
    scheme = rule_in_force(ScoringScheme.objects.all(), unit=unit, day=month_end(month))
    if scheme is None:
        raise ValidationError(_("No scoring scheme is defined."), code="no_scheme")
    return scheme


def staff_rated_in(*, unit: Unit, month: datetime.date, last_day: datetime.date | None = None):
    """Staff of ``unit`` active on at least one day from ``month``'s first day to ``last_day`` (the month's last day
    unless told: a quarterly sheet gives its quarter's): each gets a row on its sheet."""
    return Staff.objects.filter(unit=unit, active_from__lte=last_day or month_end(month)).exclude(active_to__lt=month)


def _violation_severities(staff_ids, sheet: RatingSheet) -> dict[int, list[str]]:
    """The severities of each staff member's violations over the sheet's period (a month or a quarter)."""
    severities: dict[int, list[str]] = {}
    for staff_id, severity in Violation.objects.filter(
        staff_id__in=staff_ids, occurred_on__gte=sheet.month, occurred_on__lte=sheet.period_end
    ).values_list("staff_id", "severity"):
        severities.setdefault(staff_id, []).append(severity)
    return severities


def _graded(scheme: ScoringScheme, points: dict[str, Decimal], severities: list[str]) -> tuple[Decimal, str, str]:
    total = scoring.total_of(points)
    by_points, grade = scoring.final_grade(total, scheme=scheme, violation_severities=severities)
    return total, by_points, grade


def sheet_covering(*, unit: Unit, month: datetime.date) -> RatingSheet | None:
    """The unit's sheet that covers ``month``: that month's, or the quarterly sheet of its quarter (one query)."""
    month = month_start(month)
    quarterly = Q(month=periods.quarter_start(month), scheme__period=RatingPeriod.QUARTERLY)
    sheets = list(RatingSheet.objects.filter(Q(month=month) | quarterly, unit=unit).select_related("scheme"))
    # A monthly sheet of that very month wins (opened before the unit's scheme became quarterly).
    return next((s for s in sheets if s.month == month), sheets[0] if sheets else None)


def _period_of(*, unit: Unit, month: datetime.date) -> tuple[datetime.date, ScoringScheme, RatingSheet | None]:
    """The period holding ``month`` for ``unit``: its first day, its scheme and its sheet (None if not opened). An
    opened sheet decides (it keeps its scheme); else the scheme in force in ``month``."""
    sheet = sheet_covering(unit=unit, month=month)
    if sheet is not None:
        return sheet.month, sheet.scheme, sheet
    scheme = scheme_for(unit=unit, month=month)
    return periods.period_start(month, quarterly=scheme.is_quarterly), scheme, None


@transaction.atomic
def rating_sheet_open(*, actor: User, unit: Unit, month: datetime.date) -> RatingSheet:
    """The unit's sheet for the period that holds ``month`` — the month, or its quarter when the scheme in force
    rates quarterly (any month of a quarter leads to the quarter's sheet) — created on first use with a row per
    staff member, under the scheme in force then (the sheet keeps it). Each row starts from the staff member's points
    of the period before, else from the scheme's baseline (``baseline_percent``); a self-assessment made later moves
    a row no rater has saved yet (``rating_self_assess``). Only ever called on an explicit action (a POST).

    Staff who joined since are added when an editable sheet is opened again. Bulk inserts: a constant
    number of queries whatever the head count.
    """
    month = month_start(month)
    start, scheme, sheet = _period_of(unit=unit, month=month)
    if sheet is None:
        require(actor, Capability.RATE, unit)
        if start > month_start(timezone.localdate()):
            message = (_("A quarter cannot be rated before it starts.") if scheme.is_quarterly
                       else _("A month cannot be rated before it starts."))
            raise ValidationError(message, code="future")
        if scheme.is_quarterly and RatingSheet.objects.filter(
            unit=unit, month__in=periods.period_months(start, quarterly=True)
        ).exists():
            # A month of the quarter was rated monthly, under the scheme before: a quarter's sheet would rate it twice.
            raise ValidationError(
                _("%(period)s cannot be opened: a month of it was already rated on a monthly sheet. Ask the province administrator to start the quarterly scheme with a quarter.")
                % {"period": periods.period_label(start, quarterly=True)},
                code="period_taken",
            )
        unit_require_open(unit, start, until=periods.period_end(start, quarterly=scheme.is_quarterly))
        sheet = save_with_history(RatingSheet(unit=unit, month=start, scheme=scheme), actor=actor)
    if sheet.is_editable and scope_for(actor).can(Capability.RATE, unit):
        _add_missing_rows(sheet, actor)
    return sheet


def _add_missing_rows(sheet: RatingSheet, actor: User) -> None:
    present = set(sheet.ratings.values_list("staff_id", flat=True))
    rated = staff_rated_in(unit=sheet.unit, month=sheet.month, last_day=sheet.period_end).only("id")
    newcomers = [s for s in rated if s.pk not in present]
    if not newcomers:
        return
    groups = list(sheet.scheme.groups.all())
    baseline = scoring.baseline_points(groups, percent=sheet.scheme.baseline_percent)
    ids = [s.pk for s in newcomers]
    severities = _violation_severities(ids, sheet)
    previous = _previous_points(ids, sheet)
    rows = []
    for staff in newcomers:
        carried = scoring.starting_points(groups, previous=previous.get(staff.pk))
        points, source = (carried, PointsSource.LAST_PERIOD) if carried is not None else (baseline, PointsSource.BASELINE)
        total, by_points, grade = _graded(sheet.scheme, points, severities.get(staff.pk, []))
        rows.append(
            Rating(sheet=sheet, staff=staff, points={k: str(v) for k, v in points.items()}, total=total,
                   grade=grade, grade_by_points=by_points, updated_by=actor, points_source=source)
        )
    bulk_create_with_history(rows, Rating, batch_size=500, default_user=actor)


def _previous_points(staff_ids, sheet: RatingSheet) -> dict[int, dict]:
    """Each staff member's points on their latest sheet of the three months before ``sheet`` (the period before,
    monthly or quarterly, in whatever unit they were), by staff id (one query)."""
    points: dict[int, dict] = {}
    for staff_id, values in (
        Rating.objects.filter(staff_id__in=staff_ids, sheet__month__lt=sheet.month,
                              sheet__month__gte=add_months(sheet.month, -3))
        .order_by("sheet__month", "pk").values_list("staff_id", "points")
    ):
        points[staff_id] = values  # the latest period wins
    return points


class StaleRating(ValidationError):
    """Someone else saved the row after this page loaded it."""


def _check_remark(grade: str, remark: str) -> None:
    if scoring.needs_remark(grade) and not remark.strip():
        raise ValidationError(
            {"remark": _("A remark is required for a grade below B (grade %(grade)s).") % {"grade": grade}}, code="remark"
        )


def parse_group_points(scheme: ScoringScheme, raw: dict, groups=None) -> dict[str, Decimal]:
    """Points per group from user input; every group must be present and valid, errors keyed by group code."""
    errors, points = {}, {}
    for group in groups if groups is not None else scheme.groups.all():
        try:
            points[group.code] = scoring.parse_points(raw.get(group.code), maximum=group.max_points, label=group.name)
        except ValidationError as error:
            errors[group.code] = error.messages
    if errors:
        raise ValidationError(errors)
    return points


@transaction.atomic
def rating_save(
    *, actor: User, rating: Rating, points: dict, remark: str, expected_version: int, groups=None
) -> Rating:
    """Save one row of a sheet. Refused when the sheet is not editable, on bad points, without a required
    remark, or when someone else saved the row since ``expected_version`` (nothing is overwritten silently)."""
    # Lock the row and its sheet only: PostgreSQL refuses FOR UPDATE on the nullable (outer-joined) updated_by,
    # and locking the shared scheme would serialise every save of the city.
    rating = (
        Rating.objects.select_for_update(of=("self", "sheet"))
        .select_related("sheet__scheme", "sheet__unit", "updated_by")
        .get(pk=rating.pk)
    )
    sheet = rating.sheet
    require(actor, Capability.RATE, sheet.unit)
    if not sheet.is_editable:
        raise ValidationError(_("This sheet is %(status)s and can no longer be changed.") % {"status": sheet.get_status_display()}, code="read_only")
    if rating.version != expected_version:
        raise StaleRating(_stale_text(rating), code="stale")
    parsed = parse_group_points(sheet.scheme, points, groups)
    total, by_points, grade = _graded(sheet.scheme, parsed, _violation_severities([rating.staff_id], sheet).get(rating.staff_id, []))
    _check_remark(grade, remark)
    rating.points = {k: str(v) for k, v in parsed.items()}
    rating.total, rating.grade_by_points, rating.grade = total, by_points, grade
    rating.remark = remark.strip()
    rating.version += 1
    rating.updated_by = actor
    rating.points_source = PointsSource.RATER
    save_with_history(rating, actor=actor)
    return rating


@dataclass(frozen=True)
class RowChange:
    """One row of a full-sheet save: the points as typed (by group code), the remark and the version the rater saw."""

    rating_id: int
    points: dict
    remark: str
    expected_version: int


@dataclass(frozen=True)
class RowRefusal:
    """Why one row of a full-sheet save was refused: the messages ``rating_save`` would give; ``stale`` when someone
    saved the row after ``expected_version`` (``updated_by``/``updated_at`` say who and when)."""

    rating_id: int
    messages: list[str]
    stale: bool = False
    updated_by: User | None = None
    updated_at: datetime.datetime | None = None


class RowsRefused(ValidationError):
    """A full-sheet save refused: nothing was saved; ``refusals`` lists every refused row in the order given."""

    def __init__(self, refusals: list[RowRefusal]):
        super().__init__([message for refusal in refusals for message in refusal.messages], code="rows_refused")
        self.refusals = refusals


@transaction.atomic
def rating_sheet_rows_save(*, actor: User, sheet: RatingSheet, changes: list[RowChange], groups=None) -> list[Rating]:
    """Save many rows of one sheet at once (a full-sheet save, the Excel upload) by the rules of ``rating_save`` —
    refused on a sheet no longer editable, on bad points, without a required remark, on a stale version — and all or
    nothing: if any row is refused, none is saved and ``RowsRefused`` lists them. A constant number of queries
    whatever the number of rows: one locked read of the rows (and their sheet), one of the period's violations, one
    bulk UPDATE and one bulk INSERT of the history rows (each naming ``actor``, as ``rating_save`` does)."""
    ids = [change.rating_id for change in changes]
    if len(set(ids)) != len(ids):
        raise ValueError("A row appears twice in one full-sheet save.")
    # Rows and their sheet locked, as rating_save locks them, in one statement (id order: no deadlock between two
    # saves of overlapping rows).
    rows = {
        rating.pk: rating
        for rating in Rating.objects.select_for_update(of=("self", "sheet"))
        .select_related("sheet__scheme", "sheet__unit", "updated_by")
        .filter(sheet_id=sheet.pk, pk__in=ids)
        .order_by("pk")
    }
    if not changes:
        return []
    locked = next(iter(rows.values()), None)
    locked_sheet = locked.sheet if locked is not None else RatingSheet.objects.select_related("unit", "scheme").get(pk=sheet.pk)
    require(actor, Capability.RATE, locked_sheet.unit)
    if not locked_sheet.is_editable:
        raise ValidationError(
            _("This sheet is %(status)s and can no longer be changed.") % {"status": locked_sheet.get_status_display()},
            code="read_only",
        )
    scheme = locked_sheet.scheme
    groups = list(groups) if groups is not None else list(scheme.groups.all())
    severities = _violation_severities([rating.staff_id for rating in rows.values()], locked_sheet)
    refusals, saved = [], []
    now = timezone.now()
    for change in changes:
        rating = rows.get(change.rating_id)
        if rating is None:
            raise Rating.DoesNotExist(f"Row {change.rating_id} is not on sheet {sheet.pk}.")
        if rating.version != change.expected_version:
            refusals.append(RowRefusal(change.rating_id, [_stale_text(rating)], stale=True,
                                       updated_by=rating.updated_by, updated_at=rating.updated_at))
            continue
        try:
            parsed = parse_group_points(scheme, change.points, groups)
            total, by_points, grade = _graded(scheme, parsed, severities.get(rating.staff_id, []))
            _check_remark(grade, change.remark)
        except ValidationError as error:
            refusals.append(RowRefusal(change.rating_id, error.messages))
            continue
        rating.points = {k: str(v) for k, v in parsed.items()}
        rating.total, rating.grade_by_points, rating.grade = total, by_points, grade
        rating.remark = change.remark.strip()
        rating.version += 1
        rating.updated_by = actor
        rating.points_source = PointsSource.RATER
        rating.updated_at = now  # bulk_update skips auto_now
        saved.append(rating)
    if refusals:
        raise RowsRefused(refusals)
    _update_rows(saved)
    Rating.history.bulk_history_create(saved, update=True, default_user=actor, default_date=now, batch_size=500)
    return saved


# The columns a full-sheet save writes, with their SQL types for the VALUES list.
_SAVED_COLUMNS = (("points", "jsonb"), ("total", "numeric"), ("grade_by_points", "varchar"), ("grade", "varchar"),
                  ("remark", "text"), ("version", "integer"), ("updated_by", "integer"), ("points_source", "varchar"),
                  ("updated_at", "timestamptz"))


def _update_rows(ratings: list[Rating], batch_size: int = 500) -> None:
    """One ``UPDATE … FROM (VALUES …)`` per 500 rows: Django's ``bulk_update`` writes a CASE per column and row,
    which PostgreSQL evaluates row by row (80 rows took a second)."""
    table = Rating._meta.db_table
    columns = [(Rating._meta.get_field(name), sql_type) for name, sql_type in _SAVED_COLUMNS]
    assignments = ", ".join(f'"{field.column}" = v."{field.column}"' for field, _type in columns)
    names = ", ".join(f'"{field.column}"' for field, _type in columns)
    row_sql = "(%s, " + ", ".join(f"%s::{sql_type}" for _field, sql_type in columns) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(ratings), batch_size):
            batch = ratings[start:start + batch_size]
            params = []
            for rating in batch:
                params.append(rating.pk)
                params.extend(field.get_db_prep_save(getattr(rating, field.attname), connection) for field, _type in columns)
            cursor.execute(
                f'UPDATE "{table}" AS r SET {assignments} FROM (VALUES {", ".join([row_sql] * len(batch))}) '
                f'AS v("id", {names}) WHERE r."id" = v."id"',
                params,
            )


def _stale_text(rating: Rating) -> str:
    who = rating.updated_by.get_full_name() if rating.updated_by else _("someone")
    return _("%(who)s changed this row at %(when)s, after you opened the page. Their values are shown; check them and save again.") % {
        "who": who, "when": date_format(timezone.localtime(rating.updated_at), "H:i")
    }


@transaction.atomic
def rating_self_assess(*, actor: User, rating: Rating, points: dict, remark: str = "") -> Rating:
    """A staff member's own proposal for their row, shown to the officer beside it (never the final grade)."""
    rating = Rating.objects.select_for_update().select_related("sheet__scheme").get(pk=rating.pk)
    if actor.staff_member_id != rating.staff_id:
        raise PermissionDenied
    if rating.sheet.status != SheetStatus.DRAFT:
        raise ValidationError(_("Self-assessment is closed: the sheet was already submitted."), code="read_only")
    parsed = parse_group_points(rating.sheet.scheme, points)
    rating.self_points = {k: str(v) for k, v in parsed.items()}
    rating.self_remark = remark.strip()
    rating.self_assessed_at = timezone.now()
    fields = ["self_points", "self_remark", "self_assessed_at", "updated_at"]
    if rating.points_source != PointsSource.RATER:
        # No rater saved the row yet: it starts from the self-assessment (the rater still decides). The version
        # moves, so a page opened before shows the new start instead of overwriting it unseen.
        severities = _violation_severities([rating.staff_id], rating.sheet).get(rating.staff_id, [])
        rating.total, rating.grade_by_points, rating.grade = _graded(rating.sheet.scheme, parsed, severities)
        rating.points = dict(rating.self_points)
        rating.points_source = PointsSource.SELF_ASSESSMENT
        rating.version += 1
        fields += ["points", "total", "grade_by_points", "grade", "points_source", "version"]
    save_with_history(rating, actor=actor, update_fields=fields)
    return rating


# --- Workflow ---------------------------------------------------------------------------------------------

# Each move names the capability it needs on the sheet's unit; returning or reopening a sheet asks for a reason.
SHEET_WORKFLOW = Workflow(
    [
        Transition("submit", (SheetStatus.DRAFT,), SheetStatus.SUBMITTED, capability=Capability.RATE),
        Transition("return", (SheetStatus.SUBMITTED,), SheetStatus.DRAFT, capability=Capability.APPROVE_SHEETS,
                   needs_reason=True),
        Transition("approve", (SheetStatus.SUBMITTED,), SheetStatus.APPROVED, capability=Capability.APPROVE_SHEETS),
        Transition("lock", (SheetStatus.APPROVED,), SheetStatus.LOCKED, capability=Capability.REOPEN_SHEETS),
        Transition("reopen", (SheetStatus.APPROVED, SheetStatus.LOCKED), SheetStatus.DRAFT,
                   capability=Capability.REOPEN_SHEETS, needs_reason=True),
    ]
)


def allowed_actions(*, user: User, sheet: RatingSheet) -> list[str]:
    """The moves ``user`` may make on ``sheet`` now, in workflow order (what the sheet's buttons offer)."""
    scope = scope_for(user)
    return [t.action for t in SHEET_WORKFLOW.actions_from(sheet.status) if scope.can(t.capability, sheet.unit)]


def _bad_transition(sheet: RatingSheet, action: str) -> ValidationError:
    return ValidationError(
        _("A %(status)s sheet cannot be %(action)s.")
        % {"status": sheet.get_status_display().lower(), "action": ACTION_LABELS[action]().lower()},
        code="bad_transition",
    )


@transaction.atomic
def rating_sheet_transition(*, actor: User, sheet: RatingSheet, action: str, reason: str = "") -> RatingSheet:
    """Move a sheet along draft → submitted → approved → locked (or back, with a reason). Submitting needs a
    remark on every row below B; submitting and approving need the sheet within its cap on grade A (the refusal
    names the cap and how many rows must change)."""
    if action not in SHEET_WORKFLOW:
        raise ValidationError(_("Unknown action."), code="unknown_action")
    # Only the sheet is locked: rating saves lock it too, so the rows checked below cannot change meanwhile.
    sheet = RatingSheet.objects.select_for_update(of=("self",)).select_related("unit", "scheme").get(pk=sheet.pk)
    require(actor, SHEET_WORKFLOW[action].capability, sheet.unit)
    # The move changes this locked copy only; a refusal below leaves the stored sheet as it was.
    transition = SHEET_WORKFLOW.move(sheet, action, refused=lambda: _bad_transition(sheet, action))
    if transition.needs_reason and not reason.strip():
        raise ValidationError({"reason": _("Give a reason.")}, code="reason")
    if action in CAPPED_ACTIONS:
        rows = list(sheet.ratings.select_related("staff").order_by("staff__full_name", "staff_id"))
        missing = [r.staff.full_name for r in rows if scoring.needs_remark(r.grade) and not r.remark]
        if action == "submit" and missing:
            raise ValidationError(
                _("A remark is missing for: %(names)s.") % {"names": ", ".join(missing)}, code="remark"
            )
        check = scoring.sheet_cap_check(
            (r.grade for r in rows), scheme=sheet.scheme, exceptional=cap_exception_for(sheet) is not None
        )
        if check.exceeded:
            raise ValidationError(
                _("%(action)s: refused. %(cap)s")
                % {"action": ACTION_LABELS[action](), "cap": scoring.cap_message(check, scheme=sheet.scheme)},
                code="cap",
            )
    now = timezone.now()
    if action == "submit":
        sheet.submitted_by, sheet.submitted_at = actor, now
    elif action == "approve":
        sheet.approved_by, sheet.approved_at = actor, now
    elif action == "lock":
        sheet.locked_at = now
    elif action == "reopen":
        sheet.approved_by = sheet.approved_at = sheet.locked_at = None
    sheet = save_with_history(sheet, actor=actor, reason=reason.strip() or ACTION_LABELS[action]())
    evaluation_notifications.sheet_moved(sheet, action=action, actor=actor, reason=reason.strip())
    return sheet


# Moves that are refused while the sheet is above its cap on grade A.
CAPPED_ACTIONS = ("submit", "approve")


def _label(text):
    return lambda: _(text)


ACTION_LABELS = {
    "submit": _label(gettext_noop("Submit")),
    "return": _label(gettext_noop("Return for correction")),
    "approve": _label(gettext_noop("Approve")),
    "lock": _label(gettext_noop("Lock")),
    "reopen": _label(gettext_noop("Reopen")),
}


@transaction.atomic
def rating_sheets_lock_approved(*, approved_before: datetime.datetime) -> int:
    """Lock sheets approved before the given moment (run by Celery beat). Returns how many were locked."""
    sheets = list(RatingSheet.objects.select_for_update().filter(status=SheetStatus.APPROVED, approved_at__lt=approved_before))
    now = timezone.now()
    for sheet in sheets:
        sheet.status, sheet.locked_at = SheetStatus.LOCKED, now
        save_with_history(sheet, actor=None, reason="auto-lock", update_fields=["status", "locked_at", "updated_at"])
    return len(sheets)


# --- Regrading after a violation ---------------------------------------------------------------------------


def rating_regrade(*, staff: Staff, month: datetime.date, actor: User | None) -> Rating | None:
    """Recompute a staff member's grade on the sheet covering ``month`` (that month's, or its quarter's) after a
    violation, when the sheet is still editable."""
    month = month_start(month)
    quarterly = Q(sheet__month=periods.quarter_start(month), sheet__scheme__period=RatingPeriod.QUARTERLY)
    rating = (
        Rating.objects.select_for_update(of=("self",))
        .select_related("sheet__scheme")
        .filter(Q(sheet__month=month) | quarterly, staff=staff, sheet__status__in=(SheetStatus.DRAFT, SheetStatus.SUBMITTED))
        .order_by("-sheet__month")
        .first()
    )
    if rating is None:
        return None
    severities = _violation_severities([staff.pk], rating.sheet).get(staff.pk, [])
    points = {k: Decimal(v) for k, v in rating.points.items()}
    total, by_points, grade = _graded(rating.sheet.scheme, points, severities)
    if (total, by_points, grade) != (rating.total, rating.grade_by_points, rating.grade):
        rating.total, rating.grade_by_points, rating.grade = total, by_points, grade
        rating.version += 1
        save_with_history(rating, actor=actor, reason="violation")
    return rating


# --- Re-grading after the scheme changed ------------------------------------------------------------------


def rating_sheet_rescore(*, sheet: RatingSheet, actor: User | None, reason: str, previous_maxima: dict[str, Decimal]) -> int:
    """Re-grade every row of an editable sheet by its scheme as it is now (the scheme was edited, or the sheet moved
    to the scheme now in force); ``previous_maxima`` are the groups' maximum points the rows were typed against.
    Rows start at full marks and officers type deductions, so a group kept (by code) keeps its deduction against
    its new maximum (full marks stay full marks); a bonus keeps its points up to its new maximum; a new group starts
    at its default, a removed one is dropped. A changed row's version grows (a page opened before is stale).
    Called by ``evaluations.schemes.services``; returns how many rows changed."""
    if not sheet.is_editable:
        raise ValidationError(_("This sheet is %(status)s and can no longer be changed.") % {"status": sheet.get_status_display()}, code="read_only")
    groups = list(sheet.scheme.groups.all())
    rows = list(sheet.ratings.all())
    severities = _violation_severities([row.staff_id for row in rows], sheet)
    changed = []
    for row in rows:
        points = {}
        for group in groups:
            if group.code not in row.points or group.code not in previous_maxima:
                points[group.code] = group.default_points
            elif group.is_bonus:
                points[group.code] = min(Decimal(row.points[group.code]), group.max_points)
            else:
                deduction = Decimal(previous_maxima[group.code]) - Decimal(row.points[group.code])
                points[group.code] = min(max(group.max_points - deduction, Decimal(0)), group.max_points)
        total, by_points, grade = _graded(sheet.scheme, points, severities.get(row.staff_id, []))
        stored = {code: str(value) for code, value in points.items()}
        if (stored, total, by_points, grade) != (row.points, row.total, row.grade_by_points, row.grade):
            row.points, row.total, row.grade_by_points, row.grade = stored, total, by_points, grade
            row.version += 1
            changed.append(row)
    bulk_update_with_history(
        changed, Rating, ["points", "total", "grade_by_points", "grade", "version"], batch_size=500,
        default_user=actor, default_change_reason=reason[:100],
    )
    return len(changed)


# --- Exceptional units: a higher cap on grade A for one period ----------------------------------------------


def can_decide_cap_exception(*, user: User, unit: Unit) -> bool:
    """Only the level above decides: an assignment granting DECIDE_CAP_EXCEPTIONS on an ancestor of ``unit`` (not
    on the unit itself), and never a member of the unit's own staff."""
    if not scope_for(user).can_from_above(Capability.DECIDE_CAP_EXCEPTIONS, unit):
        return False
    return not (user.staff_member_id and Staff.objects.filter(pk=user.staff_member_id, unit=unit).exists())


def _require_level_above(actor: User, unit: Unit) -> None:
    if not can_decide_cap_exception(user=actor, unit=unit):
        raise PermissionDenied


def _reason_required(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason.")}, code="reason")
    return reason


def _refuse_if_final(sheet: RatingSheet | None) -> None:
    # An approved or locked sheet was checked against the cap that applied then; changing the cap under it would
    # leave it approved above its cap (or the exception pointless). Reopening comes first.
    if sheet is not None and not sheet.is_editable:
        raise ValidationError(
            _("The sheet of %(period)s is already %(status)s. Reopen it before changing its cap.")
            % {"period": sheet.period_label, "status": sheet.get_status_display().lower()},
            code="read_only",
        )


@transaction.atomic
def cap_exception_decide(*, actor: User, unit: Unit, month: datetime.date, reason: str) -> CapException:
    """Mark ``unit`` exceptional for the period holding ``month`` (its month, or its quarter under a quarterly
    scheme): its sheet of that period is then capped by the scheme's ``exceptional_cap_percent``. Decided by the
    level above with a reason, kept in the exception's history. Refused when the scheme allows no exceptions,
    for a period not started yet, when the unit already is exceptional then, or once the sheet is approved."""
    _require_level_above(actor, unit)
    reason = _reason_required(reason)
    start, scheme, sheet = _period_of(unit=unit, month=month_start(month))
    label = periods.period_label(start, quarterly=scheme.is_quarterly)
    if scheme.exceptional_cap_percent is None:
        raise ValidationError(
            _("%(scheme)s allows no exceptional units: its cap on grade A (%(cap)s%%) applies to every unit.")
            % {"scheme": scoring.scheme_rule_label(scheme), "cap": scheme.a_share_cap_percent},
            code="no_exceptional_cap",
        )
    if start > month_start(timezone.localdate()):
        raise ValidationError(
            _("%(period)s has not started: an exception is decided for a period under way or past.") % {"period": label},
            code="future",
        )
    if sheet is not None:
        sheet = RatingSheet.objects.select_for_update(of=("self",)).select_related("scheme").get(pk=sheet.pk)
    _refuse_if_final(sheet)
    if CapException.objects.filter(unit=unit, month=start).exists():
        raise ValidationError(
            _("%(unit)s is already an exceptional unit for %(period)s.") % {"unit": unit.name, "period": label},
            code="exists",
        )
    exception = CapException(unit=unit, month=start, reason=reason, decided_by=actor)
    exception.full_clean()
    exception = save_with_history(exception, actor=actor, reason=reason)
    evaluation_notifications.cap_exception_decided(exception, actor=actor)
    return exception


@transaction.atomic
def cap_exception_revoke(*, actor: User, exception: CapException, reason: str) -> None:
    """Withdraw an exception (the scheme's usual cap applies again), by the level above, with a reason kept in
    the exception's history. Refused once the sheet of that period is approved or locked."""
    exception = CapException.objects.select_for_update().select_related("unit").get(pk=exception.pk)
    _require_level_above(actor, exception.unit)
    reason = _reason_required(reason)
    sheet = sheet_covering(unit=exception.unit, month=exception.month)
    if sheet is not None:
        sheet = RatingSheet.objects.select_for_update(of=("self",)).select_related("scheme").get(pk=sheet.pk)
    _refuse_if_final(sheet)
    # django-simple-history records the deletion with the user and reason set on the instance.
    exception._history_user = actor
    exception._change_reason = reason[: CHANGE_REASON_LENGTH]
    exception.delete()
