"""Reads for the annual classification: who belongs to a unit's year, what their year is made of, the lists and
rows in the user's scope, and what a person's evaluation form shows. Constant in queries whatever the head count."""

from __future__ import annotations

from dataclasses import dataclass
import datetime

from django.db import models
from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone

from evaluations.annual import rules
from evaluations.choices import SANCTION_STATUSES, Grade, SheetStatus
from evaluations.models import AnnualClassification, AnnualList, DisciplinaryDecision, Rating, Violation
from units.models import Staff, StaffTransfer, Unit
from units.scope import Capability

# Only the results a unit has approved count for the year: a draft or submitted sheet may still change.
COUNTED_SHEET_STATUSES = (SheetStatus.APPROVED, SheetStatus.LOCKED)
FIRST_YEAR = 2000


def year_bounds(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


def year_is_valid(year: int) -> bool:
    """A year that can be classified: from 2000 to the current year (the year's list is drawn up in December)."""
    return FIRST_YEAR <= year <= timezone.localdate().year


def year_end_staff(*, unit: Unit, year: int) -> QuerySet:
    """Staff active on some day of ``year`` whose unit on 31 December was ``unit``: their current unit, unless a
    transfer took effect after the year's end (then the unit that transfer left). Staff who moved during the year
    are classified where they ended it."""
    start, end = year_bounds(year)
    moved_later = StaffTransfer.objects.filter(staff=OuterRef("pk"), effective_date__gt=end).order_by("effective_date", "id")
    return (
        Staff.objects.filter(active_from__lte=end)
        .exclude(active_to__lt=start)
        .filter(Q(unit=unit) | Q(transfers__effective_date__gt=end, transfers__from_unit=unit))
        .annotate(year_end_unit_id=Coalesce(
            Subquery(moved_later.values("from_unit_id")[:1]), F("unit_id"), output_field=models.BigIntegerField()
        ))
        .filter(year_end_unit_id=unit.pk)
        .distinct()
        .order_by("full_name", "pk")
    )


def year_ratings(*, staff_ids, year: int) -> dict[int, list[rules.RatedMonth]]:
    """Every approved or locked rating of these staff in ``year``, whichever unit rated them (one query)."""
    found: dict[int, list[rules.RatedMonth]] = {}
    rows = (
        Rating.objects.filter(staff_id__in=staff_ids, sheet__month__year=year, sheet__status__in=COUNTED_SHEET_STATUSES)
        .order_by("sheet__month", "pk")
        .values_list("staff_id", "sheet__month", "total", "grade", "sheet__unit__name")
    )
    for staff_id, month, total, grade, unit_name in rows:
        found.setdefault(staff_id, []).append(rules.RatedMonth(month=month, total=total, grade=grade, unit_name=unit_name))
    return found


def year_sanctions(*, staff_ids, year: int) -> dict[int, list[str]]:
    """The forms of discipline that stand against these staff with a decision dated in ``year`` (one query)."""
    found: dict[int, list[str]] = {}
    start, end = year_bounds(year)
    rows = DisciplinaryDecision.objects.filter(
        violation__staff_id__in=staff_ids, status__in=SANCTION_STATUSES, decision_date__gte=start, decision_date__lte=end
    ).values_list("violation__staff_id", "form")
    for staff_id, form in rows:
        found.setdefault(staff_id, []).append(form)
    return found


# --- Lists and rows in the user's scope ---------------------------------------------------------------------


def annual_list_for(*, unit: Unit, year: int) -> AnnualList | None:
    return AnnualList.objects.select_related(
        "unit", "unit__parent", "scheme", "computed_by", "submitted_by", "approved_by"
    ).filter(unit=unit, year=year).first()


def annual_lists_for_user(*, user, year: int | None = None) -> QuerySet:
    """The lists of the units the user may see, the latest year first."""
    lists = AnnualList.objects.visible_to(user).select_related("unit")
    if year is not None:
        lists = lists.filter(year=year)
    return lists.order_by("-year", "unit__path")


def annual_units_for_user(*, user) -> list[Unit]:
    """The units whose list the user may draw up (compute): those where they rate, with staff (one query)."""
    units = Unit.objects.where_user_can(user, Capability.RATE).filter(staff__isnull=False).distinct()
    return list(units.order_by("path"))


def annual_rows(*, annual_list: AnnualList) -> list[AnnualClassification]:
    """The list's rows in name order, with their staff member and who wrote what (one query)."""
    return list(
        annual_list.rows.select_related("staff", "self_assessed_by", "reviewed_by").order_by("staff__full_name", "staff_id")
    )


def annual_row_get_for_user(*, user, pk: int) -> AnnualClassification:
    """A row of a list in the user's scope, or the user's own row (a staff member sees their year), else 404."""
    rows = AnnualClassification.objects.select_related(
        "annual_list__unit", "annual_list__unit__parent", "annual_list__scheme", "staff", "staff__unit",
        "self_assessed_by", "reviewed_by", "annual_list__approved_by",
    )
    visible = Q(pk__in=AnnualClassification.objects.visible_to(user).values("pk"))
    if user.staff_member_id:
        visible |= Q(staff_id=user.staff_member_id)
    return get_object_or_404(rows.filter(visible), pk=pk)


def own_annual_rows(*, user) -> list[AnnualClassification]:
    """The logged-in staff member's own years, the latest first."""
    if not user.staff_member_id:
        return []
    return list(AnnualClassification.objects.filter(staff_id=user.staff_member_id).select_related("annual_list__unit").order_by("-year"))


def level_above(unit: Unit) -> Unit:
    """The unit whose officers approve ``unit``'s year list: its parent (a province's own list: itself)."""
    return unit.parent or unit


# --- The cap on a list ---------------------------------------------------------------------------------------


@dataclass
class CapSummary:
    """The grade counts of a list's rows as they stand, and how many A must change to keep within the cap."""

    counts: dict[str, int]
    classified: int
    not_classified: int
    cap_kind: str
    cap_percent: int
    excess: int

    @property
    def exceeded(self) -> bool:
        return self.excess > 0


def cap_summary(*, annual_list: AnnualList, rows: list[AnnualClassification]) -> CapSummary:
    grades = [row.grade for row in rows]
    counts = dict.fromkeys(Grade.values, 0)
    for grade in grades:
        if grade:
            counts[grade] += 1
    scheme = annual_list.scheme
    return CapSummary(
        counts=counts,
        classified=sum(counts.values()),
        not_classified=sum(1 for g in grades if not g),
        cap_kind=scheme.cap_kind,
        cap_percent=scheme.annual_cap_percent,
        excess=rules.a_excess(grades, cap_kind=scheme.cap_kind, cap_percent=scheme.annual_cap_percent),
    )


# --- The evaluation form of one person ----------------------------------------------------------------------


def row_year_violations(*, row: AnnualClassification) -> list[Violation]:
    """The staff member's violations of the year, with their article and disciplinary decision (one query)."""
    start, end = year_bounds(row.year)
    return list(
        Violation.objects.filter(staff_id=row.staff_id, occurred_on__gte=start, occurred_on__lte=end)
        .select_related("article", "unit", "discipline")
        .order_by("occurred_on", "pk")
    )


def row_year_sanctions(*, row: AnnualClassification) -> list[DisciplinaryDecision]:
    """The sanctions that stand against the staff member with a decision dated in the year (even for a violation
    of an earlier year), as the annual rule reads them (one query)."""
    start, end = year_bounds(row.year)
    return list(
        DisciplinaryDecision.objects.filter(
            violation__staff_id=row.staff_id, status__in=SANCTION_STATUSES, decision_date__gte=start, decision_date__lte=end
        ).select_related("violation").order_by("decision_date", "pk")
    )


def period_rows(*, row: AnnualClassification) -> list[dict]:
    """Every period of the year, rated or not, from the row's snapshot: start, points, grade, units."""
    rated = {p["start"]: p for p in row.periods}
    step = 12 // row.periods_expected if row.periods_expected else 1
    lines = []
    for index in range(row.periods_expected):
        start = datetime.date(row.year, 1 + index * step, 1)
        period = rated.get(start.isoformat())
        lines.append({
            "number": index + 1,
            "start": start,
            "points": period["points"] if period else None,
            "grade": period["grade"] if period else "",
            "units": period["units"] if period else [],
        })
    return lines


def annual_history(*, annual_list: AnnualList, limit: int = 50) -> list:
    """The latest changes to the list and its rows, newest first: who, when, what (three queries)."""
    list_changes = list(annual_list.history.select_related("history_user").order_by("-history_date")[:limit])
    row_changes = list(
        AnnualClassification.history.filter(annual_list_id=annual_list.pk)
        .select_related("history_user")
        .order_by("-history_date")[:limit]
    )
    staff_names = dict(Staff.objects.filter(pk__in={r.staff_id for r in row_changes}).values_list("pk", "full_name"))
    for change in row_changes:
        change.staff_name = staff_names.get(change.staff_id, "")
    return sorted(list_changes + row_changes, key=lambda c: c.history_date, reverse=True)[:limit]


def annual_row_history(*, row: AnnualClassification) -> list:
    return list(row.history.select_related("history_user").order_by("-history_date")[:30])

