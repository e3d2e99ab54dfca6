"""The commendation lists (biểu dương, khen thưởng) of a quarter and of a year: who the rule picks, and the draft
list kept in step.

The rule is data (``CommendationRule``, the one in force on the period's first day): its quarterly fields judge a
quarter, its ``annual_*`` fields a year (``RuleTerms``). A quarter's figures come from the monthly ratings:
everyone rated in the quarter in a unit of the subtree, with grades by month and total score (one query),
violations (one), praise and substantiated complaints (one). A year's come from the annual classification:
everyone classified on an approved list of the year in the subtree, with the final grade and the year's average
points (one query), disciplinary sanctions decided in the year (one), praise and substantiated complaints (one).
A constant number of grouped queries, whatever the number of staff. The review services (remove, add, restore,
approve) are in ``reports.commendations.services``, the same for both.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from core.audit import save_with_history
from core.quarters import Period, Quarter, Year
from core.text import fold_diacritics
from evaluations.choices import GRADE_ORDER
from evaluations.figures import staff_annual_grades, staff_quarter_ratings, staff_with_sanctions, staff_with_violations
from feedback.figures import staff_case_counts
from reports import notifications as report_notifications
from reports.choices import CommendationStatus, EntrySource
from reports.models import CommendationEntry, CommendationList, CommendationRule
from units.jurisdiction import rule_in_force

NOT_RATED = "-"  # a month without a rating, in ``grades``: it never counts as a good month
FIGURE_FIELDS = ["staff_unit", "total_score", "months_rated", "grades", "praise_count", "rank"]


@dataclass(frozen=True)
class RuleTerms:
    """What a rule asks of one period: its quarterly fields for a quarter's list, its ``annual_*`` ones for a
    year's. ``grades_required`` good grades among ``grades`` (one per month of a quarter, the year's final grade for
    a year); a year's grade already reflects the year's violations, so only a sanction or a complaint can exclude."""

    min_grade: str
    grades_required: int
    allow_violations: bool
    allow_sanctions: bool
    allow_substantiated_complaints: bool
    quota_percent: int
    quota_min: int

    @classmethod
    def of(cls, rule: CommendationRule, period: Period) -> RuleTerms:
        if isinstance(period, Year):
            return cls(
                min_grade=rule.annual_min_grade, grades_required=1, allow_violations=True,
                allow_sanctions=rule.annual_allow_sanctions,
                allow_substantiated_complaints=rule.annual_allow_substantiated_complaints,
                quota_percent=rule.annual_quota_percent, quota_min=rule.annual_quota_min,
            )
        return cls(
            min_grade=rule.min_grade, grades_required=rule.months_required, allow_violations=rule.allow_violations,
            allow_sanctions=True, allow_substantiated_complaints=rule.allow_substantiated_complaints,
            quota_percent=rule.quota_percent, quota_min=rule.quota_min,
        )


@dataclass
class StaffFigures:
    """One staff member's period, as the rule reads it: for a quarter, a grade per month and the total points; for
    a year, the final grade of the year's classification and its average points."""

    staff_id: int
    full_name: str
    staff_unit_id: int | None
    grades: str = NOT_RATED * 3
    months_rated: int = 0
    total_score: Decimal = Decimal(0)
    praise_count: int = 0
    has_violation: bool = False
    has_sanction: bool = False
    has_substantiated_complaint: bool = False

    @classmethod
    def blank(cls, *, period: Period, staff_id: int, full_name: str, staff_unit_id: int | None) -> StaffFigures:
        """Someone with no figures in the period (not rated, not classified)."""
        slots = 1 if isinstance(period, Year) else 3
        return cls(staff_id=staff_id, full_name=full_name, staff_unit_id=staff_unit_id, grades=NOT_RATED * slots)

    def good_months(self, min_grade: str) -> int:
        worst_accepted = GRADE_ORDER.index(min_grade)
        return sum(1 for grade in self.grades if grade != NOT_RATED and GRADE_ORDER.index(grade) <= worst_accepted)

    def meets(self, terms: RuleTerms) -> bool:
        return (
            self.good_months(terms.min_grade) >= terms.grades_required
            and (terms.allow_violations or not self.has_violation)
            and (terms.allow_sanctions or not self.has_sanction)
            and (terms.allow_substantiated_complaints or not self.has_substantiated_complaint)
        )

    @property
    def sort_key(self):
        return (-self.total_score, -self.praise_count, *name_key(self.full_name), self.staff_id)


def name_key(name: str) -> tuple[str, str]:
    """Vietnamese alphabetical order: letters first ("Khải" before "Khánh"), tone marks only to break ties."""
    return fold_diacritics(name).casefold(), name


def _period(period: Period | None, quarter: Quarter | None) -> Period:
    # ``quarter=`` is the name callers used before the year's lists; ``period=`` takes a quarter or a year.
    found = period if period is not None else quarter
    if found is None:
        raise TypeError("a period (a Quarter or a Year) is required")
    return found


def commendation_rule_for(*, unit, period: Period | None = None, quarter: Quarter | None = None) -> CommendationRule:
    """The rule in force for ``unit`` on the period's first day (a quarter's, or 1 January for a year's list): its
    jurisdiction's (the nearest up the tree), else the national default; before every rule, the oldest national
    one (a period still gets judged)."""
    period = _period(period, quarter)
    rule = rule_in_force(CommendationRule.objects.all(), unit=unit, day=period.first_day)
    if rule is None:
        raise ValidationError(_("No commendation rule is defined."))
    return rule


def quarter_figures(*, unit, quarter: Quarter, staff_ids=None) -> dict[int, StaffFigures]:
    """Figures of everyone rated in the quarter on a submitted (or later) sheet of a unit in ``unit``'s subtree
    (or only of ``staff_ids``), keyed by staff id, from the counters of ``evaluations.figures`` (grades and total
    score, violations) and ``feedback.figures`` (praise, substantiated complaints). Three grouped queries, however
    many staff.

    A draft sheet is still being filled in, so it does not count as a rating yet. The staff member's unit is
    the unit of their latest sheet in the quarter: the quota counts there."""
    figures: dict[int, StaffFigures] = {}
    for staff_id, rated in staff_quarter_ratings(root=unit, months=quarter.months, staff_ids=staff_ids).items():
        units = [unit_id for unit_id in rated["units"] if unit_id is not None]
        figures[staff_id] = StaffFigures(
            staff_id=staff_id,
            full_name=rated["full_name"],
            staff_unit_id=units[-1],
            grades="".join(grade or NOT_RATED for grade in rated["grades"]),
            months_rated=rated["months_rated"],
            total_score=rated["score"] or Decimal(0),
        )
    if not figures:
        return figures
    ids = list(figures)
    for staff_id in staff_with_violations(staff_ids=ids, first_day=quarter.first_day, last_day=quarter.last_day):
        figures[staff_id].has_violation = True
    _add_cases(figures, quarter)
    return figures


def year_figures(*, unit, year: Year, staff_ids=None) -> dict[int, StaffFigures]:
    """Figures of everyone classified (a final grade) on an approved annual classification list of the year of a
    unit in ``unit``'s subtree (or only of ``staff_ids``), keyed by staff id: the final grade, the year's average
    points and periods rated (``evaluations.figures.staff_annual_grades``), disciplinary sanctions decided in the
    year, praise and substantiated complaints of the year. Three grouped queries, however many staff.

    No approved list in the subtree: nobody. The staff member's unit is that of their list: the quota counts there."""
    figures: dict[int, StaffFigures] = {}
    for staff_id, row in staff_annual_grades(root=unit, year=year.year, staff_ids=staff_ids).items():
        figures[staff_id] = StaffFigures(
            staff_id=staff_id,
            full_name=row["full_name"],
            staff_unit_id=row["unit_id"],
            grades=row["grade"],
            months_rated=row["periods_rated"],
            total_score=row["average_points"] or Decimal(0),
        )
    if not figures:
        return figures
    for staff_id in staff_with_sanctions(staff_ids=list(figures), first_day=year.first_day, last_day=year.last_day):
        figures[staff_id].has_sanction = True
    _add_cases(figures, year)
    return figures


def _add_cases(figures: dict[int, StaffFigures], period: Period) -> None:
    cases = staff_case_counts(staff_ids=list(figures), first_day=period.first_day, last_day=period.last_day)
    for staff_id, counts in cases.items():
        figures[staff_id].praise_count = counts["praise"]
        figures[staff_id].has_substantiated_complaint = counts["complaints"] > 0


def period_figures(*, unit, period: Period, staff_ids=None) -> dict[int, StaffFigures]:
    """``quarter_figures`` for a quarter, ``year_figures`` for a year."""
    if isinstance(period, Year):
        return year_figures(unit=unit, year=period, staff_ids=staff_ids)
    return quarter_figures(unit=unit, quarter=period, staff_ids=staff_ids)


def unit_quota(terms: RuleTerms, rated: int) -> int:
    """How many of a unit's ``rated`` (a year: classified) staff the rule may pick: ``quota_percent`` of them,
    rounded down, and never fewer than ``quota_min``."""
    return max(terms.quota_min, rated * terms.quota_percent // 100)


def commendation_candidates(*, unit, period: Period, rule: CommendationRule) -> list[StaffFigures]:
    """Whom the rule picks, best first: those meeting it, ranked by points (a quarter's total, a year's average),
    then praise, then name, and cut by each unit's quota (counted on the staff rated, or classified, in that
    unit)."""
    terms = RuleTerms.of(rule, period)
    figures = period_figures(unit=unit, period=period)
    rated_per_unit = Counter(f.staff_unit_id for f in figures.values())
    taken: Counter = Counter()
    picked = []
    for fig in sorted((f for f in figures.values() if f.meets(terms)), key=lambda f: f.sort_key):
        if taken[fig.staff_unit_id] < unit_quota(terms, rated_per_unit[fig.staff_unit_id]):
            taken[fig.staff_unit_id] += 1
            picked.append(fig)
    return picked


def _apply_figures(entry: CommendationEntry, fig: StaffFigures) -> bool:
    """Copy the figures onto the entry; whether anything changed (unchanged entries get no history row)."""
    values = {
        "staff_unit_id": fig.staff_unit_id or entry.staff_unit_id,
        "total_score": fig.total_score,
        "months_rated": fig.months_rated,
        "grades": fig.grades,
        "praise_count": fig.praise_count,
    }
    changed = any(getattr(entry, name) != value for name, value in values.items())
    for name, value in values.items():
        setattr(entry, name, value)
    return changed


def rank_entries(entries: list[CommendationEntry], names: dict[int, str]) -> None:
    """Number the included entries 1, 2, … by score, praise, name; removed ones keep no rank."""
    included = sorted(
        (e for e in entries if e.included),
        key=lambda e: (-e.total_score, -e.praise_count, *name_key(names.get(e.staff_id, "")), e.staff_id),
    )
    for entry in entries:
        entry.rank = None
    for position, entry in enumerate(included, start=1):
        entry.rank = position


def _record_deletions(entries: list[CommendationEntry], *, actor, reason: str) -> None:
    """History rows for entries dropped by a refresh (a queryset delete writes none)."""
    History = CommendationEntry.history.model
    now = timezone.now()
    History.objects.bulk_create(
        History(
            history_date=now, history_user=actor, history_change_reason=reason, history_type="-",
            **{field.attname: getattr(entry, field.attname) for field in CommendationEntry.history.model.tracked_fields},
        )
        for entry in entries
    )


def _sync_entries(*, commendation_list: CommendationList, unit, period: Period, rule: CommendationRule, actor) -> None:
    picked = commendation_candidates(unit=unit, period=period, rule=rule)
    existing = {e.staff_id: e for e in commendation_list.entries.select_related("staff")}
    picked_ids = {fig.staff_id for fig in picked}
    # Hand-made decisions (removed by the office, added by hand) stay; their figures are refreshed.
    kept_ids = [sid for sid, e in existing.items() if e.source == EntrySource.MANUAL or not e.included]
    kept_figures = period_figures(unit=unit, period=period, staff_ids=kept_ids) if kept_ids else {}
    stale = [e for sid, e in existing.items() if sid not in picked_ids and sid not in kept_ids]
    names = {sid: e.staff.full_name for sid, e in existing.items()}
    changed, new = [], []
    for fig in picked:
        names[fig.staff_id] = fig.full_name
        entry = existing.get(fig.staff_id)
        if entry is None:
            entry = CommendationEntry(commendation_list=commendation_list, staff_id=fig.staff_id, source=EntrySource.RULE)
            _apply_figures(entry, fig)
            new.append(entry)
        elif _apply_figures(entry, fig):
            changed.append(entry)
    for sid in kept_ids:
        if sid in picked_ids:
            continue
        entry = existing[sid]
        fig = kept_figures.get(sid) or StaffFigures.blank(
            period=period, staff_id=sid, full_name=names[sid], staff_unit_id=entry.staff_unit_id
        )
        if _apply_figures(entry, fig):
            changed.append(entry)
    stale_ids = {e.pk for e in stale}
    kept = [e for e in existing.values() if e.pk not in stale_ids]
    before = {e.pk: e.rank for e in kept}
    rank_entries(kept + new, names)
    changed_ids = {e.pk for e in changed}
    changed += [e for e in kept if e.pk not in changed_ids and e.rank != before[e.pk]]
    reason = _("Recomputed by the rule")
    if stale:
        _record_deletions(stale, actor=actor, reason=reason)
        CommendationEntry.objects.filter(pk__in=[e.pk for e in stale]).delete()
    if changed:
        bulk_update_with_history(
            changed, CommendationEntry, FIGURE_FIELDS, default_user=actor, default_change_reason=reason
        )
    if new:
        bulk_create_with_history(new, CommendationEntry, default_user=actor, default_change_reason=reason)


def commendation_list_generate(
    *, unit, period: Period | None = None, actor=None, quarter: Quarter | None = None
) -> CommendationList:
    """The DRAFT commendation list of ``unit``'s subtree for ``period`` (a ``Quarter``, or a ``Year`` for the year's
    list), created or refreshed.

    Refreshing recomputes the rule's entries and keeps what the reviewing office decided by hand (entries it
    removed or added, with their reasons). An approved list is returned unchanged. Idempotent: one list per
    unit and period, locked while it is refreshed."""
    period = _period(period, quarter)
    if period.is_future():
        if isinstance(period, Year):
            raise ValidationError(_("This year has not started yet."), code="future")
        raise ValidationError(_("This quarter has not started yet."), code="future")
    rule = commendation_rule_for(unit=unit, period=period)
    with transaction.atomic():
        commendation_list, created = CommendationList.objects.get_or_create(
            unit=unit, **CommendationList.period_lookup(period), defaults={"rule": rule}
        )
        commendation_list = CommendationList.objects.select_for_update().select_related("unit", "rule").get(
            pk=commendation_list.pk
        )
        if commendation_list.status == CommendationStatus.APPROVED:
            return commendation_list
        _sync_entries(commendation_list=commendation_list, unit=unit, period=period, rule=rule, actor=actor)
        commendation_list.rule = rule
        commendation_list.generated_at = timezone.now()
        save_with_history(commendation_list, actor=actor, reason=_("Generated") if created else _("Refreshed"))
        if created:
            report_notifications.commendation_awaiting(commendation_list, actor=actor)
    return commendation_list


def commendation_entries(*, commendation_list: CommendationList) -> list[CommendationEntry]:
    """The entries on the list (included), in rank order, with staff and unit joined."""
    return list(
        commendation_list.entries.filter(included=True)
        .select_related("staff", "staff_unit")
        .order_by("rank", "staff__full_name", "id")
    )


def commendation_entry_rows(*, commendation_list: CommendationList) -> list[CommendationEntry]:
    """Every entry, removed ones too (after the included ones), for the review page."""
    return list(
        commendation_list.entries.select_related("staff", "staff_unit", "changed_by")
        .order_by("-included", "rank", "staff__full_name", "id")
    )
