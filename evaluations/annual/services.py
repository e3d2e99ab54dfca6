"""Writes for the annual classification: (re)computing a unit's year list, the staff member's self-assessment,
the unit head's review of each row, and the list's workflow. Every change is kept (simple-history).

Who does what:
- computing (and recomputing) the list: ``RATE`` on the unit (the ward's officer or head), while the list is open;
- the self-assessment: the staff member themselves, or an officer with ``RATE`` on the unit recording a paper form;
- the review of each row and submitting the list: ``APPROVE_SHEETS`` on the unit (its head);
- returning, approving (which locks the list) and reopening: ``REOPEN_SHEETS`` on the level above — the unit's
  parent (a province's own list: the province). It is the capability that already means "the level above that
  controls a unit's ratings once approved" (it locks and reopens monthly sheets); district offices and city
  administrators hold it, unit heads do not, so no head approves their own unit's year.

The cap on the share of A (the scheme's cap kind, its annual percentage) is checked when the head submits and
when the level above approves: a list above it is refused, saying how many A must change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_noop
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from core.audit import save_with_history
from core.workflow import Transition, Workflow
from evaluations.annual import rules
from evaluations.annual.selectors import (
    cap_summary,
    level_above,
    year_end_staff,
    year_is_valid,
    year_ratings,
    year_sanctions,
)
from evaluations.choices import AnnualStatus, CapKind, Grade
from evaluations.models import AnnualClassification, AnnualList
from evaluations.ratings.services import scheme_for
from units.models import Unit, User
from units.scope import Capability, require, scope_for

COMPUTED_FIELDS = (
    "periods", "periods_expected", "periods_rated", "average_points", "grade_by_points", "ceiling", "triggers",
    "computed_grade",
)


@dataclass
class ComputeResult:
    """What a computation did: rows added, changed, removed, and staff left where another unit's list decided them."""

    annual_list: AnnualList
    added: int = 0
    changed: int = 0
    removed: int = 0
    kept_elsewhere: list[str] = field(default_factory=list)


def _fill(row: AnnualClassification, result: rules.YearResult) -> None:
    row.periods = [p.as_json() for p in result.periods]
    row.periods_expected = result.periods_expected
    row.periods_rated = result.periods_rated
    row.average_points = result.average_points
    row.grade_by_points = result.grade_by_points
    row.ceiling = result.ceiling
    row.triggers = list(result.triggers)
    row.computed_grade = result.grade


def _computed(row: AnnualClassification) -> tuple:
    return tuple(getattr(row, name) for name in COMPUTED_FIELDS)


def _not_open_error(annual_list: AnnualList) -> ValidationError:
    if annual_list.is_locked:
        return ValidationError(_("The list of %(year)s is approved and locked: it can no longer change.")
                               % {"year": annual_list.year}, code="locked")
    return ValidationError(_("The list of %(year)s was submitted to the level above: it changes only if returned.")
                           % {"year": annual_list.year}, code="submitted")


@transaction.atomic
def annual_list_compute(*, actor: User | None, unit: Unit, year: int) -> ComputeResult:
    """Draw up (or redraw) ``unit``'s list of ``year`` from the ratings and sanctions of the year, by the annual
    rule of the scheme in force for the unit in December. Idempotent: a second run changes nothing. What people
    wrote (self-assessments, the head's reviews) stays; refused once the list is submitted or locked.

    Staff who moved into the unit during the year join its list with all their ratings of the year; a row of
    theirs on another unit's open list moves here with what was written on it, one on a submitted or approved
    list stays there. Rows of staff no longer at the unit at the year's end go when nobody wrote on them."""
    require(actor, Capability.RATE, unit)
    if not year_is_valid(year):
        raise ValidationError(_("A year can be classified from 2000 to the current year."), code="year")
    scheme = scheme_for(unit=unit, month=datetime.date(year, 12, 1))
    # One computation of a unit at a time: two first runs would both create the list.
    Unit.objects.select_for_update().filter(pk=unit.pk).first()
    annual_list = AnnualList.objects.select_for_update().filter(unit=unit, year=year).first()
    if annual_list is None:
        annual_list = AnnualList(unit=unit, year=year, scheme=scheme)
    elif not annual_list.is_open:
        raise _not_open_error(annual_list)
    annual_list.scheme = scheme
    annual_list.computed_at, annual_list.computed_by = timezone.now(), actor
    save_with_history(annual_list, actor=actor, reason=_("Computed"))

    rule = rules.AnnualRule.of(scheme)
    staff = list(year_end_staff(unit=unit, year=year))
    ids = [s.pk for s in staff]
    ratings = year_ratings(staff_ids=ids, year=year)
    sanctions = year_sanctions(staff_ids=ids, year=year)
    existing = {
        row.staff_id: row
        for row in AnnualClassification.objects.select_for_update(of=("self",))
        .select_related("annual_list")
        .filter(year=year, staff_id__in=ids)
    }
    result = ComputeResult(annual_list=annual_list)
    to_create, to_update = [], []
    for person in staff:
        year_result = rules.classify_year(ratings.get(person.pk, []), rule=rule, sanctions=sanctions.get(person.pk, []))
        row = existing.get(person.pk)
        if row is None:
            row = AnnualClassification(annual_list=annual_list, staff=person, year=year)
            _fill(row, year_result)
            to_create.append(row)
            continue
        moved = row.annual_list_id != annual_list.pk
        if moved and not row.annual_list.is_open:
            result.kept_elsewhere.append(person.full_name)
            continue
        before = _computed(row)
        _fill(row, year_result)
        if moved or _computed(row) != before:
            row.annual_list = annual_list
            to_update.append(row)
    gone = annual_list.rows.exclude(staff_id__in=ids) if annual_list.pk else AnnualClassification.objects.none()
    removable = [row for row in gone.select_for_update() if not row.has_human_input]
    for row in removable:
        row._history_user = actor
        row.delete()
    if to_create:
        bulk_create_with_history(to_create, AnnualClassification, batch_size=500, default_user=actor,
                                 default_change_reason=_("Computed"))
    if to_update:
        bulk_update_with_history(to_update, AnnualClassification, ["annual_list", *COMPUTED_FIELDS], batch_size=500,
                                 default_user=actor, default_change_reason=_("Computed"))
    result.added, result.changed, result.removed = len(to_create), len(to_update), len(removable)
    return result


def _locked_row(row: AnnualClassification) -> AnnualClassification:
    row = (
        AnnualClassification.objects.select_for_update(of=("self",))
        .select_related("annual_list__unit", "annual_list__scheme", "staff")
        .get(pk=row.pk)
    )
    if not row.annual_list.is_open:
        raise _not_open_error(row.annual_list)
    return row


def _grade_or_blank(value: str, *, field_name: str) -> str:
    value = (value or "").strip().upper()
    if value and value not in Grade.values:
        raise ValidationError({field_name: _("Choose a grade from A to D.")}, code="grade")
    return value


@transaction.atomic
def annual_self_assess(*, actor: User, row: AnnualClassification, grade: str, comment: str) -> AnnualClassification:
    """The staff member's self-assessment of their year: a comment and the grade they propose. Written by the
    staff member, or by an officer who rates the unit from the paper form; only while the list is open."""
    row = _locked_row(row)
    if actor.staff_member_id != row.staff_id and not scope_for(actor).can(Capability.RATE, row.annual_list.unit):
        raise PermissionDenied
    grade = _grade_or_blank(grade, field_name="self_grade")
    comment = (comment or "").strip()
    if grade and not row.is_classified:
        raise ValidationError({"self_grade": _("%(name)s is not classified this year (too few periods rated): "
                                               "leave the grade empty.") % {"name": row.staff.full_name}},
                              code="not_classified")
    if not grade and row.is_classified:
        raise ValidationError({"self_grade": _("Propose a grade for the year.")}, code="required")
    if not comment:
        raise ValidationError({"self_comment": _("Write the self-assessment: results, strengths and shortcomings.")},
                              code="required")
    row.self_grade, row.self_comment = grade, comment
    row.self_assessed_by, row.self_assessed_at = actor, timezone.now()
    return save_with_history(row, actor=actor, reason=_("Self-assessment"))


@transaction.atomic
def annual_review(*, actor: User, row: AnnualClassification, grade: str, comment: str) -> AnnualClassification:
    """The unit head's review of a row: the grade they propose (empty: the computed one) and their comment.
    Never better than the rule allows (a sanction, a period rated D); a grade other than the computed one needs a
    comment; someone not classified gets no grade."""
    row = _locked_row(row)
    require(actor, Capability.APPROVE_SHEETS, row.annual_list.unit)
    grade = _grade_or_blank(grade, field_name="reviewed_grade")
    comment = (comment or "").strip()
    if grade and not row.is_classified:
        raise ValidationError({"reviewed_grade": _("%(name)s is not classified this year (too few periods rated): "
                                                   "leave the grade empty.") % {"name": row.staff.full_name}},
                              code="not_classified")
    if grade and row.ceiling and rules.is_better(grade, row.ceiling):
        raise ValidationError({"reviewed_grade": _("The rule allows %(name)s at best %(ceiling)s this year (%(why)s).")
                               % {"name": row.staff.full_name, "ceiling": row.ceiling, "why": _why(row)}}, code="ceiling")
    if grade and grade != row.computed_grade and not comment:
        raise ValidationError({"review_comment": _("Say why the grade differs from the computed %(grade)s.")
                               % {"grade": row.computed_grade}}, code="comment")
    row.reviewed_grade, row.review_comment = grade, comment
    row.reviewed_by, row.reviewed_at = actor, timezone.now()
    return save_with_history(row, actor=actor, reason=_("Reviewed by the head"))


def _why(row: AnnualClassification) -> str:
    return "; ".join(str(rules.TRIGGER_LABELS[code]) for code in row.triggers if code in rules.TRIGGER_LABELS)


# --- Workflow ---------------------------------------------------------------------------------------------

# Submitting is the head's, on the unit; the other moves are the level above's (checked on ``level_above``).
ANNUAL_WORKFLOW = Workflow(
    [
        Transition("submit", (AnnualStatus.OPEN,), AnnualStatus.SUBMITTED, capability=Capability.APPROVE_SHEETS),
        Transition("return", (AnnualStatus.SUBMITTED,), AnnualStatus.OPEN, capability=Capability.REOPEN_SHEETS,
                   needs_reason=True),
        Transition("approve", (AnnualStatus.SUBMITTED,), AnnualStatus.APPROVED, capability=Capability.REOPEN_SHEETS),
        Transition("reopen", (AnnualStatus.APPROVED,), AnnualStatus.OPEN, capability=Capability.REOPEN_SHEETS,
                   needs_reason=True),
    ]
)
LEVEL_ABOVE_ACTIONS = frozenset({"return", "approve", "reopen"})


def _label(text):
    return lambda: _(text)


ACTION_LABELS = {
    "submit": _label(gettext_noop("Submit to the level above")),
    "return": _label(gettext_noop("Return for correction")),
    "approve": _label(gettext_noop("Approve and lock")),
    "reopen": _label(gettext_noop("Reopen")),
}


def acting_unit(annual_list: AnnualList, action: str) -> Unit:
    """The unit on which ``action`` is checked: the list's own, or the level above's."""
    return level_above(annual_list.unit) if action in LEVEL_ABOVE_ACTIONS else annual_list.unit


def allowed_actions(*, user: User, annual_list: AnnualList) -> list[str]:
    """The moves ``user`` may make on the list now, in workflow order (what its buttons offer)."""
    scope = scope_for(user)
    return [
        t.action for t in ANNUAL_WORKFLOW.actions_from(annual_list.status)
        if scope.can(t.capability, acting_unit(annual_list, t.action))
    ]


def _check_rows(annual_list: AnnualList, rows: list[AnnualClassification]) -> None:
    """Refuse a list that is empty, above the rule's ceiling on a row, or above the cap on the share of A."""
    if not rows:
        raise ValidationError(_("The list has nobody on it: compute it first."), code="empty")
    above = [row.staff.full_name for row in rows if row.grade and row.ceiling and rules.is_better(row.grade, row.ceiling)]
    if above:
        raise ValidationError(_("The grade is better than the rule allows for: %(names)s. Review these rows again.")
                              % {"names": ", ".join(above)}, code="ceiling")
    summary = cap_summary(annual_list=annual_list, rows=rows)
    if summary.exceeded:
        if summary.cap_kind == CapKind.SHARE_OF_GOOD:
            message = _("Grade A may be given to at most %(cap)s%% of those rated B: %(count)s of the %(a)s grades A "
                        "must change before the list can go on.")
        else:
            message = _("Grade A may be given to at most %(cap)s%% of the staff classified: %(count)s of the %(a)s "
                        "grades A must change before the list can go on.")
        raise ValidationError(message % {"cap": summary.cap_percent, "count": summary.excess,
                                         "a": summary.counts[Grade.A]}, code="cap")


def _bad_transition(annual_list: AnnualList, action: str) -> ValidationError:
    return ValidationError(
        _("A list that is %(status)s cannot be %(action)s.")
        % {"status": annual_list.get_status_display().lower(), "action": ACTION_LABELS[action]().lower()},
        code="bad_transition",
    )


@transaction.atomic
def annual_list_transition(*, actor: User, annual_list: AnnualList, action: str, reason: str = "") -> AnnualList:
    """Move a year list along open → submitted → approved (locked), or back with a reason. Approving sets each
    row's final grade to the grade as reviewed; reopening clears the final grades."""
    if action not in ANNUAL_WORKFLOW:
        raise ValidationError(_("Unknown action."), code="unknown_action")
    annual_list = (
        AnnualList.objects.select_for_update(of=("self",)).select_related("unit", "unit__parent", "scheme").get(pk=annual_list.pk)
    )
    require(actor, ANNUAL_WORKFLOW[action].capability, acting_unit(annual_list, action))
    transition = ANNUAL_WORKFLOW.move(annual_list, action, refused=lambda: _bad_transition(annual_list, action))
    if transition.needs_reason and not reason.strip():
        raise ValidationError({"reason": _("Give a reason.")}, code="reason")
    rows = list(annual_list.rows.select_for_update(of=("self",)).select_related("staff"))
    now = timezone.now()
    if action in ("submit", "approve"):
        _check_rows(annual_list, rows)
    if action == "submit":
        annual_list.submitted_by, annual_list.submitted_at = actor, now
    elif action == "approve":
        annual_list.approved_by, annual_list.approved_at = actor, now
        for row in rows:
            row.final_grade = row.reviewed_grade or row.computed_grade
        bulk_update_with_history(rows, AnnualClassification, ["final_grade"], default_user=actor,
                                 default_change_reason=_("Approved"))
    elif action == "reopen":
        annual_list.approved_by = annual_list.approved_at = None
        for row in rows:
            row.final_grade = ""
        bulk_update_with_history(rows, AnnualClassification, ["final_grade"], default_user=actor,
                                 default_change_reason=_("Reopen"))
    return save_with_history(annual_list, actor=actor, reason=reason.strip() or ACTION_LABELS[action]())
