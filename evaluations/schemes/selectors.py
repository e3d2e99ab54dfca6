"""Reads of scoring schemes for the pages where province administrators configure them.

Who sees which scheme (``schemes_visible_to``): a user with ``Capability.MANAGE_RULES`` sees the schemes of the
jurisdictions under their assignments (theirs to manage) and those their jurisdictions inherit — the schemes of
the units above them and the national defaults — read only. A scheme of another province is a 404, like a missing
one. National schemes are managed by superusers only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
import datetime
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from evaluations.choices import CapKind, SheetStatus
from evaluations.models import Criterion, CriterionGroup, RatingSheet, ScoringScheme
from evaluations.ratings import scoring
from units.jurisdiction import ancestry_ids, national_q, rule_in_force
from units.models import Unit
from units.scope import Capability, scope_for

# Sheets that count as "used" for a scheme: once submitted, a sheet's grades are someone's decision.
GRADED_STATUSES = (SheetStatus.SUBMITTED, SheetStatus.APPROVED, SheetStatus.LOCKED)


def points_text(value: Decimal) -> str:
    """Points without a useless decimal: 20, 18.5."""
    return f"{Decimal(value).normalize():f}"


# --- Who may see and manage ---------------------------------------------------------------------------------


def rule_jurisdictions_of(user) -> QuerySet:
    """The units the user may make schemes for: those they are assigned to with ``MANAGE_RULES`` (a superuser:
    the roots of the unit trees, the provinces and cities)."""
    scope = scope_for(user)
    if scope.is_global and not scope.assigned_unit_ids(capability=Capability.MANAGE_RULES):
        return Unit.objects.filter(parent__isnull=True).order_by("name")
    return Unit.objects.filter(pk__in=scope.assigned_unit_ids(capability=Capability.MANAGE_RULES)).order_by("path")


def can_manage_rules_of(user, jurisdiction: Unit | None) -> bool:
    """May ``user`` change the rules of ``jurisdiction`` (``None``: the national defaults, superusers only)."""
    scope = scope_for(user)
    if jurisdiction is None:
        return scope.is_global
    return scope.can(Capability.MANAGE_RULES, jurisdiction)


def schemes_visible_to(user) -> QuerySet:
    """Schemes the user may see on the rule pages: those of the jurisdictions under their ``MANAGE_RULES``
    assignments, and those these jurisdictions inherit (the units above them, the national defaults)."""
    scope = scope_for(user)
    schemes = ScoringScheme.objects.select_related("jurisdiction")
    if scope.is_global:
        return schemes
    assigned = list(Unit.objects.filter(pk__in=scope.assigned_unit_ids(capability=Capability.MANAGE_RULES)).only("path"))
    if not assigned:
        return schemes.none()
    managed = scope.filter_capable(ScoringScheme.objects.all(), Capability.MANAGE_RULES, "jurisdiction").values("pk")
    above = {unit_id for unit in assigned for unit_id in ancestry_ids(unit)}
    return schemes.filter(Q(pk__in=managed) | Q(jurisdiction_id__in=above) | national_q())


def groups_prefetch() -> Prefetch:
    """A scheme's groups in order, each with its criteria in order."""
    criteria = Prefetch("criteria", queryset=Criterion.objects.order_by("order", "pk"))
    return Prefetch("groups", queryset=CriterionGroup.objects.order_by("order", "pk").prefetch_related(criteria))


def scheme_get_for_user(*, user, pk: int) -> ScoringScheme:
    """A scheme the user may see, with its groups and their criteria, or 404."""
    return get_object_or_404(schemes_visible_to(user).prefetch_related(groups_prefetch()), pk=pk)


# --- Where a scheme stands ----------------------------------------------------------------------------------


class SchemeState:
    IN_FORCE = "in_force"
    UPCOMING = "upcoming"
    SUPERSEDED = "superseded"
    WAITING = "waiting"  # shipped for a province not imported yet


@dataclass
class SchemeRow:
    """A scheme as the list shows it: until when it is in force in its jurisdiction, whether it is in force today,
    whether the user may change it, and how many sheets it grades."""

    scheme: ScoringScheme
    until: datetime.date | None
    state: str
    can_manage: bool
    sheet_count: int
    graded_count: int

    @property
    def editable_in_place(self) -> bool:
        return self.can_manage and self.graded_count == 0

    @property
    def deletable(self) -> bool:
        return self.can_manage and self.sheet_count == 0

    @property
    def cap_text(self) -> str:
        return cap_rule_text(self.scheme)


def _jurisdiction_key(scheme: ScoringScheme) -> tuple:
    return (scheme.jurisdiction_id, scheme.shipped_for if scheme.jurisdiction_id is None else "")


def _states(schemes: Iterable[ScoringScheme], today: datetime.date) -> dict[int, tuple[datetime.date | None, str]]:
    """(last day in force, state) of each scheme within its own jurisdiction: a scheme runs until the day before
    the next one of the same jurisdiction."""
    by_jurisdiction: dict[tuple, list[ScoringScheme]] = {}
    for scheme in schemes:
        by_jurisdiction.setdefault(_jurisdiction_key(scheme), []).append(scheme)
    states = {}
    for (jurisdiction_id, shipped_for), group in by_jurisdiction.items():
        group.sort(key=lambda s: s.effective_from)
        for index, scheme in enumerate(group):
            following = group[index + 1] if index + 1 < len(group) else None
            until = following.effective_from - datetime.timedelta(days=1) if following else None
            if jurisdiction_id is None and shipped_for:
                state = SchemeState.WAITING
            elif scheme.effective_from > today:
                state = SchemeState.UPCOMING
            elif until is not None and until < today:
                state = SchemeState.SUPERSEDED
            else:
                state = SchemeState.IN_FORCE
            states[scheme.pk] = (until, state)
    return states


def with_sheet_counts(schemes: QuerySet) -> QuerySet:
    return schemes.annotate(
        sheet_count=Count("sheets"), graded_count=Count("sheets", filter=Q(sheets__status__in=GRADED_STATUSES))
    )


def scheme_rows(*, user, today: datetime.date | None = None) -> list[SchemeRow]:
    """Every scheme the user may see, the user's own (those they may change) first, then the inherited ones and the
    national defaults; the latest first within a jurisdiction. Two queries."""
    today = today or timezone.localdate()
    schemes = list(with_sheet_counts(schemes_visible_to(user)))
    states = _states(schemes, today)
    rows = [
        SchemeRow(
            scheme=scheme, until=states[scheme.pk][0], state=states[scheme.pk][1],
            can_manage=can_manage_rules_of(user, scheme.jurisdiction), sheet_count=scheme.sheet_count,
            graded_count=scheme.graded_count,
        )
        for scheme in schemes
    ]
    rows.sort(key=lambda row: row.scheme.effective_from, reverse=True)
    rows.sort(key=lambda row: (not row.can_manage, row.scheme.jurisdiction is None,
                               row.scheme.jurisdiction.path if row.scheme.jurisdiction else row.scheme.shipped_for))
    return rows


def scheme_row(*, user, scheme: ScoringScheme, today: datetime.date | None = None) -> SchemeRow:
    """One scheme's row (its state among its jurisdiction's schemes and its sheets)."""
    today = today or timezone.localdate()
    siblings = ScoringScheme.objects.filter(jurisdiction_id=scheme.jurisdiction_id, shipped_for=scheme.shipped_for)
    until, state = _states(list(siblings), today)[scheme.pk]
    counts = with_sheet_counts(ScoringScheme.objects.filter(pk=scheme.pk)).values("sheet_count", "graded_count").get()
    return SchemeRow(scheme=scheme, until=until, state=state, can_manage=can_manage_rules_of(user, scheme.jurisdiction),
                     **counts)


@dataclass
class JurisdictionInForce:
    """The scheme a jurisdiction of the user works under today, and whose it is."""

    unit: Unit
    scheme: ScoringScheme | None

    @property
    def is_inherited(self) -> bool:
        return self.scheme is not None and self.scheme.jurisdiction_id != self.unit.pk


def schemes_in_force(*, user, today: datetime.date | None = None) -> list[JurisdictionInForce]:
    """For each jurisdiction of the user, the scheme in force there today (its own, inherited or national)."""
    today = today or timezone.localdate()
    return [
        JurisdictionInForce(unit=unit, scheme=rule_in_force(ScoringScheme.objects.select_related("jurisdiction"), unit=unit, day=today))
        for unit in rule_jurisdictions_of(user)
    ]


def scheme_graded_sheets(scheme: ScoringScheme) -> QuerySet:
    """The sheets beyond draft that ``scheme`` grades (the reason it can no longer change in place)."""
    return RatingSheet.objects.filter(scheme=scheme, status__in=GRADED_STATUSES).select_related("unit").order_by("-month", "unit__name")


# --- The preview ------------------------------------------------------------------------------------------------


@dataclass
class SchemePreview:
    """A sample row graded by a scheme: total, grade by points, final grade (after a violation's cap)."""

    points: dict[str, Decimal]
    severity: str
    total: Decimal
    grade_by_points: str
    grade: str
    capped_by_violation: bool = field(init=False)

    def __post_init__(self):
        self.capped_by_violation = self.grade != self.grade_by_points


def scheme_preview(*, scheme: ScoringScheme, points: dict[str, Decimal], severity: str = "") -> SchemePreview:
    """Grade ``points`` (by group code) as a sheet graded by ``scheme`` would, with a violation of ``severity``
    in the period when given."""
    total = scoring.total_of(points)
    by_points, grade = scoring.final_grade(total, scheme=scheme, violation_severities=[severity] if severity else [])
    return SchemePreview(points=points, severity=severity, total=total, grade_by_points=by_points, grade=grade)


def max_grade_a(count: int, percent: int | None) -> int:
    """At most how many A a cap of ``percent`` allows out of ``count`` (rounded down: the share never exceeds it)."""
    return (count * percent) // 100 if percent is not None else count


def cap_rule_text(scheme: ScoringScheme) -> str:
    """The scheme's cap on grade A in a line: "A ≤ 30 % of the staff rated (40 % for an exceptional unit)"."""
    if scheme.cap_kind == CapKind.SHARE_OF_GOOD:
        text = _("A ≤ %(cap)s %% of those rated B") % {"cap": scheme.a_share_cap_percent}
    else:
        text = _("A ≤ %(cap)s %% of the staff rated") % {"cap": scheme.a_share_cap_percent}
    if scheme.exceptional_cap_percent is not None:
        text += " " + _("(%(cap)s %% for a unit marked exceptional for the period)") % {"cap": scheme.exceptional_cap_percent}
    return text


def cap_example_text(scheme: ScoringScheme, *, staff: int, good: int) -> str:
    """What the cap means for a sample unit: of ``staff`` rated, ``good`` rated B."""
    base = good if scheme.cap_kind == CapKind.SHARE_OF_GOOD else staff
    allowed = max_grade_a(base, scheme.a_share_cap_percent)
    if scheme.cap_kind == CapKind.SHARE_OF_GOOD:
        text = _("With %(good)s staff rated B, at most %(allowed)s may be graded A.") % {"good": good, "allowed": allowed}
    else:
        text = _("In a unit of %(staff)s staff rated, at most %(allowed)s may be graded A.") % {"staff": staff, "allowed": allowed}
    if scheme.exceptional_cap_percent is not None:
        text += " " + _("An exceptional unit: at most %(allowed)s.") % {
            "allowed": max_grade_a(base, scheme.exceptional_cap_percent)
        }
    return text


def effective_text(scheme: ScoringScheme, until: datetime.date | None) -> str:
    """"From 01/01/2026" or "01/01/2026 – 31/12/2026"."""
    start = date_format(scheme.effective_from, "d/m/Y")
    if until is None:
        return _("from %(start)s") % {"start": start}
    return _("%(start)s – %(end)s") % {"start": start, "end": date_format(until, "d/m/Y")}
