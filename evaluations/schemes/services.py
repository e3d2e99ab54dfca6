"""Writes of scoring schemes: create one for a jurisdiction, edit it in place while no sheet beyond draft uses it,
copy it into a new version from a later date, delete one no sheet uses.

Every write checks the right (``Capability.MANAGE_RULES`` on the scheme's jurisdiction; the national defaults are
the superusers'), validates everything before saving anything, runs in one transaction and is kept in the
scheme's history (its groups and criteria have none: the change to them is written into the history's reason).

A scheme decides how the sheets of its jurisdiction's subtree are graded from its effective date. A change that
would move a sheet to another scheme is checked sheet by sheet, with ``scheme_for`` before and after: an approved or
locked sheet is never re-graded (the change is refused); an open sheet (draft or submitted) moves to the scheme now
in force and is re-graded (``rating_sheet_rescore``), as are the drafts of a scheme edited in place.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
import datetime
from decimal import Decimal

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.validators import slug_re
from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.audit import delete_with_history, save_with_history
from core.dates import add_months, month_start
from evaluations.choices import GRADE_ORDER, AnnualMethod, CapKind, DisciplineForm, Grade, RatingPeriod, SheetStatus
from evaluations.models import Criterion, CriterionGroup, RatingSheet, ScoringScheme
from evaluations.ratings import scoring
from evaluations.ratings.services import rating_sheet_rescore, scheme_for
from evaluations.schemes.selectors import GRADED_STATUSES, can_manage_rules_of, points_text
from units.jurisdiction import ancestry_ids
from units.models import Unit, User

SCHEME_TOTAL = Decimal(100)  # the points the groups other than the bonus share
BONUS_MAX = scoring.TOTAL_CAP - SCHEME_TOTAL  # no total may pass TOTAL_CAP
MAX_GROUPS = 20
MAX_CRITERIA = 40
CODE_LENGTH = 30
FROZEN_STATUSES = (SheetStatus.APPROVED, SheetStatus.LOCKED)  # never re-graded by a change of scheme
EXAMPLES = 3  # sheets named in a refusal


@dataclass(frozen=True)
class CriterionValues:
    """One criterion of a group as typed: what the rater checks and its share of the group's points."""

    name: str
    max_points: Decimal | None


@dataclass(frozen=True)
class GroupValues:
    """One criterion group as typed: a code (the key of its points on every sheet), a name, its maximum points,
    whether it is a bonus, and its criteria."""

    code: str
    name: str
    max_points: Decimal | None
    is_bonus: bool = False
    criteria: tuple[CriterionValues, ...] = ()


SCHEME_FIELDS = (
    "name", "legal_basis", "effective_from", "period", "a_min", "b_min", "c_min", "cap_kind", "a_share_cap_percent",
    "exceptional_cap_percent", "cap_minor", "cap_serious", "cap_very_serious", "annual_method",
    "annual_min_rated_percent", "annual_d_period_cap", "annual_sanction_trigger", "annual_a_cap_percent",
    "baseline_percent",
)


@dataclass(frozen=True)
class SchemeValues:
    """Everything a scheme holds, as typed: its fields and its groups in order."""

    name: str
    effective_from: datetime.date | None
    legal_basis: str = ""
    period: str = RatingPeriod.MONTHLY
    a_min: Decimal | None = Decimal(90)
    b_min: Decimal | None = Decimal(70)
    c_min: Decimal | None = Decimal(50)
    cap_kind: str = CapKind.SHARE_OF_STAFF
    a_share_cap_percent: int | None = 30
    exceptional_cap_percent: int | None = None
    cap_minor: str = Grade.B
    cap_serious: str = Grade.C
    cap_very_serious: str = Grade.D
    annual_method: str = AnnualMethod.AVERAGE_POINTS
    annual_min_rated_percent: int | None = 50
    annual_d_period_cap: str = ""
    annual_sanction_trigger: str = ""
    annual_a_cap_percent: int | None = None
    baseline_percent: int | None = 80
    groups: tuple[GroupValues, ...] = ()

    @classmethod
    def of(cls, scheme: ScoringScheme) -> SchemeValues:
        """A stored scheme's values, its groups and criteria in order."""
        groups = tuple(
            GroupValues(
                code=group.code, name=group.name, max_points=group.max_points, is_bonus=group.is_bonus,
                criteria=tuple(CriterionValues(name=c.name, max_points=c.max_points)
                               for c in sorted(group.criteria.all(), key=lambda c: (c.order, c.pk))),
            )
            for group in sorted(scheme.groups.all(), key=lambda g: (g.order, g.pk))
        )
        return cls(**{name: getattr(scheme, name) for name in SCHEME_FIELDS}, groups=groups)

    def fields(self) -> dict:
        values = {name: getattr(self, name) for name in SCHEME_FIELDS}
        values["name"], values["legal_basis"] = self.name.strip(), self.legal_basis.strip()
        return values


@dataclass(frozen=True)
class SchemeSaved:
    """A saved scheme and how many open sheets the change re-graded."""

    scheme: ScoringScheme
    regraded_sheets: int = 0


# --- Validation ------------------------------------------------------------------------------------------------


def _has_one_decimal(value: Decimal) -> bool:
    return value == value.quantize(scoring.ONE_DECIMAL)


def _threshold_errors(values: SchemeValues, add) -> None:
    labels = {"a_min": Grade.A, "b_min": Grade.B, "c_min": Grade.C}
    fine = True
    for field, grade in labels.items():
        value = getattr(values, field)
        if value is None:
            add(field, _("Give the minimum points for %(grade)s.") % {"grade": grade})
        elif not Decimal(0) <= value <= SCHEME_TOTAL:
            add(field, _("The minimum for %(grade)s must lie between 0 and %(total)s points.")
                % {"grade": grade, "total": points_text(SCHEME_TOTAL)})
        elif not _has_one_decimal(value):
            add(field, _("Use at most one decimal."))
        else:
            continue
        fine = False
    if not fine:
        return
    if values.b_min >= values.a_min:
        add("b_min", _("The minimum for B (%(b)s) must be below the minimum for A (%(a)s).")
            % {"a": points_text(values.a_min), "b": points_text(values.b_min)})
    if values.c_min >= values.b_min:
        add("c_min", _("The minimum for C (%(c)s) must be below the minimum for B (%(b)s).")
            % {"b": points_text(values.b_min), "c": points_text(values.c_min)})


def _cap_errors(values: SchemeValues, add) -> None:
    if values.cap_kind not in CapKind.values:
        add("cap_kind", _("Choose what the cap on grade A is a share of."))
    cap, exceptional = values.a_share_cap_percent, values.exceptional_cap_percent
    if cap is None:
        add("a_share_cap_percent", _("Give the cap on the share of grade A, in percent."))
    elif not 0 <= cap <= 100:
        add("a_share_cap_percent", _("A cap is a percentage between 0 and 100."))
    if exceptional is not None:
        if not 0 <= exceptional <= 100:
            add("exceptional_cap_percent", _("A cap is a percentage between 0 and 100."))
        elif cap is not None and 0 <= cap <= 100 and exceptional < cap:
            add("exceptional_cap_percent",
                _("The cap for an exceptional unit (%(exceptional)s %%) cannot be below the usual cap (%(cap)s %%).")
                % {"exceptional": exceptional, "cap": cap})
    grades = {field: getattr(values, field) for field in ("cap_minor", "cap_serious", "cap_very_serious")}
    for field, grade in grades.items():
        if grade not in Grade.values:
            add(field, _("Choose a grade."))
    if all(grade in Grade.values for grade in grades.values()):
        rank = {field: GRADE_ORDER.index(grade) for field, grade in grades.items()}
        if rank["cap_serious"] < rank["cap_minor"]:
            add("cap_serious", _("A serious violation cannot allow a better grade than a minor one."))
        if rank["cap_very_serious"] < rank["cap_serious"]:
            add("cap_very_serious", _("A very serious violation cannot allow a better grade than a serious one."))


def _annual_errors(values: SchemeValues, add) -> None:
    """The annual rule: how the year's periods make the year's grade (evaluations.annual)."""
    if values.annual_method not in AnnualMethod.values:
        add("annual_method", _("Choose how the year's grade is computed."))
    share = values.annual_min_rated_percent
    if share is None or not 0 <= share <= 100:
        add("annual_min_rated_percent", _("A share is a percentage between 0 and 100."))
    if values.annual_d_period_cap and values.annual_d_period_cap not in Grade.values:
        add("annual_d_period_cap", _("Choose a grade."))
    if values.annual_sanction_trigger and values.annual_sanction_trigger not in DisciplineForm.values:
        add("annual_sanction_trigger", _("Choose a form of discipline."))
    cap = values.annual_a_cap_percent
    if cap is not None and not 0 <= cap <= 100:
        add("annual_a_cap_percent", _("A cap is a percentage between 0 and 100."))


def _points_error(value: Decimal | None, *, maximum: Decimal) -> str | None:
    """Why ``value`` cannot be the maximum points of a group or criterion (None: it can)."""
    if value is None:
        return _("give its maximum points")
    if value <= 0:
        return _("its maximum points must be above 0")
    if value > maximum:
        return _("its maximum points cannot pass %(max)s") % {"max": points_text(maximum)}
    if not _has_one_decimal(value):
        return _("use at most one decimal")
    return None


def _group_errors(groups: tuple[GroupValues, ...]) -> list[str]:
    errors = []
    if len(groups) > MAX_GROUPS:
        return [_("A scheme holds at most %(max)s groups.") % {"max": MAX_GROUPS}]
    if not any(not group.is_bonus for group in groups):
        errors.append(_("Add at least one criterion group that is not a bonus: the scheme's %(total)s points are shared among them.")
                      % {"total": points_text(SCHEME_TOTAL)})
    seen: set[str] = set()
    points_fine = True
    for position, group in enumerate(groups, 1):
        code, name = group.code.strip(), group.name.strip()
        label = name or code or _("number %(number)s") % {"number": position}
        if not code:
            errors.append(_("Group “%(group)s”: give it a code (letters without accents, digits, hyphens).") % {"group": label})
        elif len(code) > CODE_LENGTH or not slug_re.fullmatch(code):
            errors.append(
                _("Group “%(group)s”: the code “%(code)s” may only hold letters without accents, digits, hyphens and "
                  "underscores, %(max)s at most.") % {"group": label, "code": code, "max": CODE_LENGTH}
            )
        elif code.lower() in seen:
            errors.append(_("Two groups have the code “%(code)s”: each group needs a code of its own.") % {"code": code})
        seen.add(code.lower())
        if not name:
            errors.append(_("Group “%(group)s”: give it a name.") % {"group": label})
        elif len(name) > 200:
            errors.append(_("Group “%(group)s”: its name is too long (200 characters at most).") % {"group": label})
        problem = _points_error(group.max_points, maximum=BONUS_MAX if group.is_bonus else SCHEME_TOTAL)
        if problem:
            errors.append(_("Group “%(group)s”: %(problem)s.") % {"group": label, "problem": problem})
            points_fine = False
        errors.extend(_criteria_errors(group, label, group_points_fine=problem is None))
    if len(groups) <= MAX_GROUPS and points_fine and any(not g.is_bonus for g in groups):
        errors.extend(_total_errors(groups))
    return errors


def _total_errors(groups: tuple[GroupValues, ...]) -> list[str]:
    """The scheme's 100 points: the groups other than the bonus make 100 and a bonus of at most 10 comes on top
    (no total passes ``scoring.TOTAL_CAP``), or the bonus is part of the 100, as in Hanoi's Decision 3814
    (20 + 70 + 10)."""
    regular = sum((g.max_points for g in groups if not g.is_bonus), Decimal(0))
    bonus = sum((g.max_points for g in groups if g.is_bonus), Decimal(0))
    if bonus > BONUS_MAX:
        return [_("The bonus groups add up to %(sum)s points: at most %(max)s (no total may pass %(cap)s).")
                % {"sum": points_text(bonus), "max": points_text(BONUS_MAX), "cap": points_text(scoring.TOTAL_CAP)}]
    if regular == SCHEME_TOTAL or (bonus and regular + bonus == SCHEME_TOTAL):
        return []
    if not bonus:
        return [_("The groups add up to %(sum)s points: they must add up to %(total)s.")
                % {"sum": points_text(regular), "total": points_text(SCHEME_TOTAL)}]
    return [_("The groups other than the bonus add up to %(regular)s points, %(all)s with the bonus: one of the two "
              "must be %(total)s (a bonus on top of %(total)s points, or a bonus that is part of them).")
            % {"regular": points_text(regular), "all": points_text(regular + bonus), "total": points_text(SCHEME_TOTAL)}]


def _criteria_errors(group: GroupValues, label: str, *, group_points_fine: bool) -> list[str]:
    errors = []
    if len(group.criteria) > MAX_CRITERIA:
        return [_("Group “%(group)s”: at most %(max)s criteria.") % {"group": label, "max": MAX_CRITERIA}]
    fine = True
    for position, criterion in enumerate(group.criteria, 1):
        name = criterion.name.strip()
        criterion_label = name or _("number %(number)s") % {"number": position}
        if not name:
            errors.append(_("Group “%(group)s”, criterion %(number)s: give it a name.") % {"group": label, "number": position})
        elif len(name) > 300:
            errors.append(_("Group “%(group)s”, criterion %(number)s: its name is too long (300 characters at most).")
                          % {"group": label, "number": position})
        problem = _points_error(criterion.max_points, maximum=SCHEME_TOTAL)
        if problem:
            errors.append(_("Group “%(group)s”, criterion “%(criterion)s”: %(problem)s.")
                          % {"group": label, "criterion": criterion_label, "problem": problem})
            fine = False
    if group.criteria and fine and group_points_fine:
        total = sum((c.max_points for c in group.criteria), Decimal(0))
        if total != group.max_points:
            errors.append(_("Group “%(group)s”: its criteria add up to %(sum)s points, not the group's %(max)s.")
                          % {"group": label, "sum": points_text(total), "max": points_text(group.max_points)})
    return errors


def scheme_values_check(values: SchemeValues) -> None:
    """Raise a ValidationError listing everything wrong with ``values`` (by field; the groups' problems on top)."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if not values.name.strip():
        add("name", _("Give the scheme a name."))
    elif len(values.name.strip()) > 200:
        add("name", _("The name is too long (200 characters at most)."))
    if len(values.legal_basis.strip()) > 200:
        add("legal_basis", _("The legal basis is too long (200 characters at most)."))
    if values.effective_from is None:
        add("effective_from", _("Give the day the scheme takes effect."))
    if values.period not in RatingPeriod.values:
        add("period", _("Choose a monthly or a quarterly rating."))
    _threshold_errors(values, add)
    _cap_errors(values, add)
    if values.baseline_percent is None or not 0 <= values.baseline_percent <= 100:
        add("baseline_percent", _("The starting points are a percentage between 0 and 100."))
    _annual_errors(values, add)
    for message in _group_errors(values.groups):
        add(NON_FIELD_ERRORS, message)
    if errors:
        raise ValidationError(errors)


# --- Rights, the day, the sheets concerned ---------------------------------------------------------------------


def _require_manage(actor: User | None, jurisdiction: Unit | None) -> None:
    """403 unless ``actor`` manages the rules of ``jurisdiction`` (the national defaults: superusers). ``actor``
    None is the system itself."""
    if actor is not None and not can_manage_rules_of(actor, jurisdiction):
        raise PermissionDenied


def _jurisdiction_name(jurisdiction: Unit | None) -> str:
    return jurisdiction.name if jurisdiction is not None else _("The national default")


def _check_free_day(jurisdiction: Unit | None, day: datetime.date, *, shipped_for: str = "", exclude: int | None = None) -> None:
    same_day = ScoringScheme.objects.filter(effective_from=day)
    if jurisdiction is not None:
        same_day = same_day.filter(jurisdiction=jurisdiction)
    else:  # the national defaults, or the schemes waiting for the same province
        same_day = same_day.filter(jurisdiction__isnull=True, shipped_for=shipped_for)
    other = same_day.exclude(pk=exclude).first()
    if other is not None:
        raise ValidationError(
            {"effective_from": _("%(jurisdiction)s already has a scheme from %(date)s (“%(name)s”): two schemes of one "
                                 "jurisdiction cannot start on the same day.")
             % {"jurisdiction": _jurisdiction_name(jurisdiction), "date": date_format(day, "d/m/Y"), "name": other.name}},
            code="same_day",
        )


def _sheet_label(sheet: RatingSheet) -> str:
    return f"{sheet.unit.name} {sheet.month:%m/%Y}"


def _resolve(sheets: list[RatingSheet]) -> dict[int, int | None]:
    """The scheme ``scheme_for`` gives each sheet now. Sheets under the same jurisdictions with schemes, for the
    same month, share the answer: one call per distinct chain and month, not per sheet."""
    with_schemes = set(ScoringScheme.objects.filter(jurisdiction__isnull=False).values_list("jurisdiction_id", flat=True))
    answers: dict[tuple, int | None] = {}
    resolved = {}
    for sheet in sheets:
        key = (tuple(unit_id for unit_id in ancestry_ids(sheet.unit) if unit_id in with_schemes), sheet.month)
        if key not in answers:
            try:
                answers[key] = scheme_for(unit=sheet.unit, month=sheet.month).pk
            except ValidationError:  # no scheme at all
                answers[key] = None
        resolved[sheet.pk] = answers[key]
    return resolved


def _maxima_by_scheme(scheme_ids) -> dict[int, dict[str, Decimal]]:
    """Each scheme's groups' maximum points by code (what the rows of its sheets were typed against)."""
    maxima: dict[int, dict[str, Decimal]] = {}
    for scheme_id, code, max_points in CriterionGroup.objects.filter(scheme_id__in=scheme_ids).values_list("scheme_id", "code", "max_points"):
        maxima.setdefault(scheme_id, {})[code] = max_points
    return maxima


class _SheetWatch:
    """The sheets whose scheme a change of the schemes of ``jurisdiction`` (None: national) from ``since`` could
    alter, locked, with the scheme in force for each before the change; ``settle`` compares after the change."""

    def __init__(self, jurisdiction: Unit | None, since: datetime.date):
        # Two months earlier: a quarterly sheet is dated by the first month of its quarter.
        sheets = RatingSheet.objects.filter(month__gte=add_months(month_start(since), -2))
        if jurisdiction is not None:
            sheets = sheets.within(jurisdiction)
        self.sheets = list(sheets.select_for_update(of=("self",)).select_related("unit", "scheme").order_by("month", "unit__name"))
        self.before = _resolve(self.sheets)

    def settle(self, *, actor: User | None, reason: str, edited: ScoringScheme | None = None,
               edited_maxima: dict[str, Decimal] | None = None) -> int:
        """Refuse if an approved or locked sheet would change scheme; move the open ones to the scheme now in force
        and re-grade them, and the drafts of ``edited`` (a scheme changed in place, whose groups had
        ``edited_maxima`` before). Returns the sheets re-graded."""
        after = _resolve(self.sheets)
        moved = [s for s in self.sheets if after[s.pk] is not None and after[s.pk] != self.before[s.pk] and after[s.pk] != s.scheme_id]
        frozen = [s for s in moved if s.status in FROZEN_STATUSES]
        if frozen:
            raise ValidationError(
                {"effective_from": _("From this date, %(count)s approved or locked sheets would be graded by another scheme "
                                     "(%(examples)s). They are never re-graded: choose a later effective date.")
                 % {"count": len(frozen), "examples": ", ".join(_sheet_label(s) for s in frozen[:EXAMPLES])}},
                code="regrades_locked",
            )
        targets = ScoringScheme.objects.in_bulk({after[s.pk] for s in moved})
        other_period = [s for s in moved if targets[after[s.pk]].period != s.scheme.period]
        if other_period:
            raise ValidationError(
                {"effective_from": _("From this date, open sheets would move to a scheme with another rating period "
                                     "(%(examples)s): choose a later effective date, or finish those sheets first.")
                 % {"examples": ", ".join(_sheet_label(s) for s in other_period[:EXAMPLES])}},
                code="other_period",
            )
        maxima = _maxima_by_scheme({s.scheme_id for s in moved})
        if edited is not None:
            maxima[edited.pk] = edited_maxima or {}
        regraded = set()
        for sheet in moved:
            previous = maxima.get(sheet.scheme_id, {})
            sheet.scheme = targets[after[sheet.pk]]
            save_with_history(sheet, actor=actor, reason=_("Scheme now in force: %(name)s") % {"name": sheet.scheme.name},
                              update_fields=["scheme", "updated_at"])
            rating_sheet_rescore(sheet=sheet, actor=actor, reason=reason, previous_maxima=previous)
            regraded.add(sheet.pk)
        if edited is not None:
            for sheet in RatingSheet.objects.select_for_update().filter(scheme=edited, status=SheetStatus.DRAFT).exclude(pk__in=regraded):
                rating_sheet_rescore(sheet=sheet, actor=actor, reason=reason, previous_maxima=maxima[edited.pk])
                regraded.add(sheet.pk)
        return len(regraded)


# --- Groups and the history's reason -------------------------------------------------------------------------------


def _save_groups(scheme: ScoringScheme, groups: tuple[GroupValues, ...]) -> None:
    for order, values in enumerate(groups, 1):
        group = CriterionGroup.objects.create(
            scheme=scheme, code=values.code.strip(), name=values.name.strip(), max_points=values.max_points,
            is_bonus=values.is_bonus, order=order,
        )
        Criterion.objects.bulk_create(
            Criterion(group=group, name=criterion.name.strip(), max_points=criterion.max_points, order=index)
            for index, criterion in enumerate(values.criteria, 1)
        )


def _group_text(group: GroupValues) -> str:
    return f"{group.code.strip()} {points_text(group.max_points)}" + (" (+)" if group.is_bonus else "")


def _groups_changes(old: tuple[GroupValues, ...], new: tuple[GroupValues, ...]) -> str:
    """What changed in the groups, shortly: "tasks 70→60, +extra 10, −bonus, general: criteria"."""
    before = {g.code: g for g in old}
    after = {g.code.strip(): g for g in new}
    parts = []
    for code, group in after.items():
        previous = before.get(code)
        if previous is None:
            parts.append("+" + _group_text(group))
        elif previous.max_points != group.max_points:
            parts.append(f"{code} {points_text(previous.max_points)}→{points_text(group.max_points)}")
        elif (previous.name, previous.is_bonus, previous.criteria) != (group.name.strip(), group.is_bonus, _stripped(group.criteria)):
            parts.append(_("%(code)s: name or criteria") % {"code": code})
    parts.extend(f"−{code}" for code in before if code not in after)
    if [g.code for g in old] != list(after) and not parts:
        parts.append(_("order of the groups"))
    return ", ".join(parts)


def _stripped(criteria: tuple[CriterionValues, ...]) -> tuple[CriterionValues, ...]:
    return tuple(CriterionValues(name=c.name.strip(), max_points=c.max_points) for c in criteria)


def _reason(given: str, summary: str) -> str:
    return "; ".join(part for part in (given.strip(), summary) if part)


# --- The services -----------------------------------------------------------------------------------------------


def _create(*, actor: User | None, jurisdiction: Unit | None, values: SchemeValues, reason: str,
            shipped_for: str = "") -> SchemeSaved:
    scheme_values_check(values)
    _check_free_day(jurisdiction, values.effective_from, shipped_for=shipped_for)
    watch = _SheetWatch(jurisdiction, since=values.effective_from)
    scheme = ScoringScheme(jurisdiction=jurisdiction, shipped_for=shipped_for, **values.fields())
    scheme.full_clean()
    save_with_history(scheme, actor=actor, reason=reason)
    _save_groups(scheme, values.groups)
    regraded = watch.settle(actor=actor, reason=reason)
    return SchemeSaved(scheme=scheme, regraded_sheets=regraded)


@transaction.atomic
def scheme_create(*, actor: User | None, jurisdiction: Unit | None, values: SchemeValues) -> SchemeSaved:
    """A new scheme for ``jurisdiction`` (None: a national default, superusers only), in force there from its
    effective date until the jurisdiction's next one. Refused, with nothing saved, on any invalid value, on a day
    another scheme of the jurisdiction already starts, or when it would re-grade an approved or locked sheet."""
    _require_manage(actor, jurisdiction)
    summary = ", ".join(_group_text(group) for group in values.groups)
    return _create(actor=actor, jurisdiction=jurisdiction, values=values, reason=_("Created: %(groups)s") % {"groups": summary})


def scheme_graded_refusal(scheme: ScoringScheme) -> ValidationError | None:
    """Why ``scheme`` can no longer change in place (sheets beyond draft use it), or None."""
    graded = list(RatingSheet.objects.filter(scheme=scheme, status__in=GRADED_STATUSES).select_related("unit")
                  .order_by("-month", "unit__name")[:EXAMPLES])
    if not graded:
        return None
    count = RatingSheet.objects.filter(scheme=scheme, status__in=GRADED_STATUSES).count()
    return ValidationError(
        _("This scheme already grades %(count)s submitted, approved or locked sheets (%(examples)s): it can no longer "
          "change in place. Make a new version from a later date instead.")
        % {"count": count, "examples": ", ".join(_sheet_label(s) for s in graded)},
        code="in_use",
    )


@transaction.atomic
def scheme_update(*, actor: User | None, scheme: ScoringScheme, values: SchemeValues, reason: str = "") -> SchemeSaved:
    """Change a scheme in place: only while no sheet beyond draft uses it (else: a new version from a date). Draft
    sheets it grades are re-graded; a new effective date moves open sheets as ``scheme_create`` does."""
    scheme = ScoringScheme.objects.select_for_update(of=("self",)).select_related("jurisdiction").get(pk=scheme.pk)
    _require_manage(actor, scheme.jurisdiction)
    # Lock the sheets it grades first: a sheet submitted meanwhile waits, then counts.
    list(RatingSheet.objects.select_for_update().filter(scheme=scheme).values_list("pk", flat=True))
    refusal = scheme_graded_refusal(scheme)
    if refusal is not None:
        raise refusal
    scheme_values_check(values)
    _check_free_day(scheme.jurisdiction, values.effective_from, shipped_for=scheme.shipped_for, exclude=scheme.pk)
    old = SchemeValues.of(ScoringScheme.objects.prefetch_related("groups__criteria").get(pk=scheme.pk))
    watch = _SheetWatch(scheme.jurisdiction, since=min(scheme.effective_from, values.effective_from))
    for name, value in values.fields().items():
        setattr(scheme, name, value)
    scheme.full_clean()
    full_reason = _reason(reason, _groups_changes(old.groups, values.groups)) or _("Edited")
    save_with_history(scheme, actor=actor, reason=full_reason)
    scheme.groups.all().delete()
    _save_groups(scheme, values.groups)
    regraded = watch.settle(actor=actor, reason=full_reason, edited=scheme,
                            edited_maxima={group.code: group.max_points for group in old.groups})
    return SchemeSaved(scheme=scheme, regraded_sheets=regraded)


@transaction.atomic
def scheme_new_version(*, actor: User | None, scheme: ScoringScheme, effective_from: datetime.date | None,
                       name: str = "") -> SchemeSaved:
    """A copy of ``scheme`` (its groups and criteria) for the same jurisdiction from a later date, to edit before
    it takes effect; the original stays as it was for the sheets it graded."""
    _require_manage(actor, scheme.jurisdiction)
    if effective_from is None or effective_from <= scheme.effective_from:
        raise ValidationError(
            {"effective_from": _("A new version starts after the scheme it copies, which is in force from %(date)s.")
             % {"date": date_format(scheme.effective_from, "d/m/Y")}},
            code="not_later",
        )
    source = ScoringScheme.objects.prefetch_related("groups__criteria").get(pk=scheme.pk)
    values = replace(SchemeValues.of(source), effective_from=effective_from, name=name.strip() or source.name)
    reason = _("New version of “%(name)s” of %(date)s") % {"name": source.name, "date": date_format(source.effective_from, "d/m/Y")}
    # A scheme shipped for a province not imported yet stays waiting for it, as its copy does.
    return _create(actor=actor, jurisdiction=source.jurisdiction, values=values, reason=reason, shipped_for=source.shipped_for)


@transaction.atomic
def scheme_delete(*, actor: User | None, scheme: ScoringScheme, reason: str = "") -> None:
    """Delete a scheme no sheet uses (one that grades a sheet stays, for that sheet's sake). The last national
    default stays: every unit needs a scheme to fall back on."""
    scheme = ScoringScheme.objects.select_for_update(of=("self",)).select_related("jurisdiction").get(pk=scheme.pk)
    _require_manage(actor, scheme.jurisdiction)
    used = scheme.sheets.count()
    if used:
        raise ValidationError(_("This scheme grades %(count)s sheets: it cannot be deleted.") % {"count": used}, code="in_use")
    if scheme.is_national and not scheme.shipped_for:
        if not ScoringScheme.objects.filter(jurisdiction__isnull=True, shipped_for="").exclude(pk=scheme.pk).exists():
            raise ValidationError(_("This is the only national default: it cannot be deleted."), code="last_national")
    watch = _SheetWatch(scheme.jurisdiction, since=scheme.effective_from)
    full_reason = _reason(reason, _("Deleted “%(name)s”") % {"name": scheme.name})
    delete_with_history(scheme, actor=actor, reason=full_reason)
    watch.settle(actor=actor, reason=full_reason)
