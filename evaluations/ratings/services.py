"""Writes for monthly sheets and their ratings, and the sheet's workflow. Every rating change is kept (who, when,
old, new). Violations are recorded by ``evaluations.violations.services``, which regrades through ``rating_regrade``."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _, gettext_noop
from simple_history.utils import bulk_create_with_history

from core.audit import save_with_history
from core.dates import month_end, month_start
from core.workflow import Transition, Workflow
from evaluations.choices import SheetStatus
from evaluations.models import Rating, RatingSheet, ScoringScheme, Violation
from evaluations.ratings import scoring
from units.models import Staff, Unit, User
from units.scope import Capability, require, scope_for
from units.validity import unit_require_open


def scheme_for_month(month: datetime.date) -> ScoringScheme:
    """The scheme in force on the month's first day (the oldest one for months before any scheme)."""
    scheme = ScoringScheme.objects.filter(effective_from__lte=month_end(month)).order_by("-effective_from").first()
    return scheme or ScoringScheme.objects.order_by("effective_from").first()


def staff_rated_in(*, unit: Unit, month: datetime.date):
    """Staff of ``unit`` active on at least one day of the month: each gets a row on its sheet."""
    return Staff.objects.filter(unit=unit, active_from__lte=month_end(month)).exclude(active_to__lt=month)


def _violation_severities(staff_ids, month: datetime.date) -> dict[int, list[str]]:
    severities: dict[int, list[str]] = {}
    for staff_id, severity in Violation.objects.filter(
        staff_id__in=staff_ids, occurred_on__gte=month, occurred_on__lte=month_end(month)
    ).values_list("staff_id", "severity"):
        severities.setdefault(staff_id, []).append(severity)
    return severities


def _graded(scheme: ScoringScheme, points: dict[str, Decimal], severities: list[str]) -> tuple[Decimal, str, str]:
    total = scoring.total_of(points)
    by_points, grade = scoring.final_grade(total, scheme=scheme, violation_severities=severities)
    return total, by_points, grade


@transaction.atomic
def rating_sheet_open(*, actor: User, unit: Unit, month: datetime.date) -> RatingSheet:
    """The unit's sheet for ``month``, created on first use with a row per staff member at full marks.

    Staff who joined since are added when an editable sheet is opened again. Bulk inserts: a constant
    number of queries whatever the head count.
    """
    month = month_start(month)
    sheet = RatingSheet.objects.filter(unit=unit, month=month).select_related("scheme").first()
    if sheet is None:
        require(actor, Capability.RATE, unit)
        if month > month_start(timezone.localdate()):
            raise ValidationError(_("A month cannot be rated before it starts."), code="future")
        unit_require_open(unit, month, until=month_end(month))
        sheet = save_with_history(RatingSheet(unit=unit, month=month, scheme=scheme_for_month(month)), actor=actor)
    if sheet.is_editable and scope_for(actor).can(Capability.RATE, unit):
        _add_missing_rows(sheet, actor)
    return sheet


def _add_missing_rows(sheet: RatingSheet, actor: User) -> None:
    present = set(sheet.ratings.values_list("staff_id", flat=True))
    newcomers = [s for s in staff_rated_in(unit=sheet.unit, month=sheet.month).only("id") if s.pk not in present]
    if not newcomers:
        return
    groups = list(sheet.scheme.groups.all())
    points = {g.code: g.default_points for g in groups}
    severities = _violation_severities([s.pk for s in newcomers], sheet.month)
    rows = []
    for staff in newcomers:
        total, by_points, grade = _graded(sheet.scheme, points, severities.get(staff.pk, []))
        rows.append(
            Rating(sheet=sheet, staff=staff, points={k: str(v) for k, v in points.items()}, total=total,
                   grade=grade, grade_by_points=by_points, updated_by=actor)
        )
    bulk_create_with_history(rows, Rating, batch_size=500, default_user=actor)


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
        who = rating.updated_by.get_full_name() if rating.updated_by else _("someone")
        raise StaleRating(
            _("%(who)s changed this row at %(when)s, after you opened the page. Their values are shown; check them and save again.")
            % {"who": who, "when": date_format(timezone.localtime(rating.updated_at), "H:i")},
            code="stale",
        )
    parsed = parse_group_points(sheet.scheme, points, groups)
    total, by_points, grade = _graded(sheet.scheme, parsed, _violation_severities([rating.staff_id], sheet.month).get(rating.staff_id, []))
    _check_remark(grade, remark)
    rating.points = {k: str(v) for k, v in parsed.items()}
    rating.total, rating.grade_by_points, rating.grade = total, by_points, grade
    rating.remark = remark.strip()
    rating.version += 1
    rating.updated_by = actor
    save_with_history(rating, actor=actor)
    return rating


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
    save_with_history(rating, actor=actor, update_fields=["self_points", "self_remark", "self_assessed_at", "updated_at"])
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
    """Move a sheet along draft → submitted → approved → locked (or back, with a reason)."""
    if action not in SHEET_WORKFLOW:
        raise ValidationError(_("Unknown action."), code="unknown_action")
    sheet = RatingSheet.objects.select_for_update().select_related("unit").get(pk=sheet.pk)
    require(actor, SHEET_WORKFLOW[action].capability, sheet.unit)
    # The move changes this locked copy only; a refusal below leaves the stored sheet as it was.
    transition = SHEET_WORKFLOW.move(sheet, action, refused=lambda: _bad_transition(sheet, action))
    if transition.needs_reason and not reason.strip():
        raise ValidationError({"reason": _("Give a reason.")}, code="reason")
    if action == "submit":
        missing = [r.staff.full_name for r in sheet.ratings.select_related("staff") if scoring.needs_remark(r.grade) and not r.remark]
        if missing:
            raise ValidationError(
                _("A remark is missing for: %(names)s.") % {"names": ", ".join(missing)}, code="remark"
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
    return save_with_history(sheet, actor=actor, reason=reason.strip() or ACTION_LABELS[action]())


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
    """Recompute a staff member's grade for a month (after a violation) when the sheet is still editable."""
    rating = (
        Rating.objects.select_for_update()
        .select_related("sheet__scheme")
        .filter(staff=staff, sheet__month=month, sheet__status__in=(SheetStatus.DRAFT, SheetStatus.SUBMITTED))
        .first()
    )
    if rating is None:
        return None
    severities = _violation_severities([staff.pk], month).get(staff.pk, [])
    points = {k: Decimal(v) for k, v in rating.points.items()}
    total, by_points, grade = _graded(rating.sheet.scheme, points, severities)
    if (total, by_points, grade) != (rating.total, rating.grade_by_points, rating.grade):
        rating.total, rating.grade_by_points, rating.grade = total, by_points, grade
        rating.version += 1
        save_with_history(rating, actor=actor, reason="violation")
    return rating
