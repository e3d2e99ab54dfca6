"""Demo monthly ratings of a period (the former units' first half of 2025, today's units since July 2025), and the
supervisors' violations.

Sheets move along draft → submitted → approved (→ locked) through ``rating_sheet_transition``, so each step is
checked (remarks below B, rights) and kept in the sheet's history. The rows are written graded, in bulk with
their history rows, instead of opening at full marks and calling ``rating_save`` for nearly every person: that
would be thousands of service calls, this is a few queries per sheet.

Each sheet is graded by the scheme in force for its unit (Hanoi's 3814-QĐ/TU, Decree 335/2025 elsewhere): the
points go into that scheme's groups and the share of A keeps within that scheme's cap, of its kind (a share of the
staff, or of those rated B).
"""

from __future__ import annotations

from dataclasses import dataclass
import datetime
from decimal import Decimal

from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from core.audit import save_with_history
from core.dates import add_months, local_datetime
from evaluations.annual.rules import a_excess
from evaluations.choices import CapKind, Grade, SheetStatus, ViolationSource
from evaluations.models import CriterionGroup, Rating, RatingSheet, ScoringScheme, Violation
from evaluations.ratings import scoring
from evaluations.ratings.services import rating_sheet_transition, scheme_for, staff_rated_in
from evaluations.violations.selectors import code_articles
from evaluations.violations.services import violation_record
from seed.demo_activity.common import Plan, UnitPlan

ONE_DECIMAL = Decimal("0.1")

C_SHARE = 0.035
C_REMARKS = (
    "Chậm tiến độ giải quyết hồ sơ, để công dân phải đi lại nhiều lần",
    "Đi muộn nhiều lần trong tháng, chưa chấp hành nghiêm thời gian làm việc",
    "Chất lượng tham mưu văn bản chưa đạt yêu cầu, phải sửa nhiều lần",
    "Chưa hoàn thành đúng hạn một số nhiệm vụ được giao",
)
D_REMARKS = (
    "Không hoàn thành nhiệm vụ được giao; để quá hạn nhiều hồ sơ của công dân",
    "Tự ý bỏ vị trí làm việc nhiều lần dù đã được nhắc nhở",
)
STAR_REMARKS = (
    "Có sáng kiến rút ngắn thời gian trả kết quả hồ sơ",
    "Được công dân khen ngợi về thái độ phục vụ",
    "Hoàn thành xuất sắc nhiệm vụ được giao",
    "",
)


def _points(value) -> str:
    return str(Decimal(value).quantize(ONE_DECIMAL))


def violations_seed(plan: Plan) -> int:
    """The supervisors' violations of the script in the period, through ``violation_record`` (before the sheets
    exist, so the ratings read them when they are graded)."""
    created = 0
    for spec in plan.script.violations:
        unit_plan = plan.unit(spec.unit)
        for year in plan.years:
            occurred_on = datetime.date(year, spec.month, spec.day)
            if unit_plan is None or occurred_on.replace(day=1) not in plan.months:
                continue
            person = unit_plan.pick_ordinary()
            if person is None:
                continue
            violation = violation_record(
                actor=plan.actors.office, staff=person, occurred_on=occurred_on,
                article=code_articles(unit=unit_plan.unit, day=occurred_on).get(number=spec.article), severity=spec.severity, source=ViolationSource.SUPERVISOR,
                description=spec.description, action_taken=spec.action_taken,
            )
            backdate_violation(violation, local_datetime(occurred_on + datetime.timedelta(days=1), 10))
            created += 1
    return created


def backdate_violation(violation: Violation, when: datetime.datetime) -> None:
    # The service stamps now(); the demo's violations happened months ago, and pages show when they were recorded.
    Violation.objects.filter(pk=violation.pk).update(created_at=when)
    violation.history.update(history_date=when)


def a_cap(scheme: ScoringScheme, head_count: int) -> int:
    """The most grade A a unit of ``head_count`` people may have under ``scheme``'s cap, everyone else rated B:
    Hanoi's 30 % of the staff, or Decree 335's 20 % of those rated B (A ≤ 20 % × (n − A))."""
    percent = scheme.a_share_cap_percent
    if scheme.cap_kind == CapKind.SHARE_OF_GOOD:
        return percent * head_count // (100 + percent)
    return percent * head_count // 100


def _target_grades(
    unit_plan: UnitPlan, month: datetime.date, capped: set[int], grade_d_at, scheme: ScoringScheme
) -> dict[int, str]:
    """Grade A for the stars and a few others (never above the scheme's cap), mostly B, a few C, a rare D."""
    rng, staff = unit_plan.rng, unit_plan.staff
    cap = a_cap(scheme, len(staff))
    grades = {member.pk: Grade.B for member in staff}
    a_ids = [member.pk for member in unit_plan.stars if member.pk not in capped][:cap]
    wanted = min(cap, len(a_ids) + rng.randint(1, max(1, round(len(staff) * 0.12))))
    others = sorted(
        (m for m in staff if m not in unit_plan.stars and m.pk not in capped),
        key=lambda m: unit_plan.merit[m.pk] + rng.random() * 0.6, reverse=True,
    )
    a_ids += [m.pk for m in others[: max(0, wanted - len(a_ids))]]
    for pk in a_ids:
        grades[pk] = Grade.A
    for member in staff:
        if grades[member.pk] == Grade.B and rng.random() < C_SHARE:
            grades[member.pk] = Grade.C
    if (unit_plan.code, month.month) in grade_d_at:
        ordinary = [m for m in others if grades[m.pk] != Grade.A]
        if ordinary:
            grades[ordinary[-1].pk] = Grade.D
    # C and D are taken from B: under a cap counted against those rated B, the A least deserved go back to B.
    excess = a_excess(grades.values(), cap_kind=scheme.cap_kind, cap_percent=scheme.a_share_cap_percent)
    if excess:
        star_ids = {member.pk for member in unit_plan.stars}
        rated_a = sorted((pk for pk, grade in grades.items() if grade == Grade.A),
                         key=lambda pk: (pk in star_ids, unit_plan.merit[pk]))
        for pk in rated_a[:excess]:
            grades[pk] = Grade.B
    return grades


@dataclass(frozen=True)
class _Layout:
    """Where a row's points go in a scheme: the group of conduct (Hanoi's discipline and ethics, Decree 335's
    general criteria), the task results (the largest group), the bonus if the scheme has one, and how far full
    marks lie above the threshold of A (Hanoi: 90 of 90; Decree 335: 100 of 90). The demo's rows are drawn for
    schemes graded 90 / 70 / 50 like these two."""

    groups: tuple[CriterionGroup, ...]
    conduct: CriterionGroup | None
    tasks: CriterionGroup
    bonus: CriterionGroup | None
    headroom: int

    @classmethod
    def of(cls, scheme: ScoringScheme) -> _Layout:
        groups = tuple(scheme.groups.order_by("order", "pk"))
        scored = [group for group in groups if not group.is_bonus]
        tasks = max(scored, key=lambda group: group.max_points)  # the first of the largest
        conduct = next((group for group in scored if group is not tasks), None)
        bonus = next((group for group in groups if group.is_bonus), None)
        headroom = int(sum(group.max_points for group in scored) - scheme.a_min)
        return cls(groups=groups, conduct=conduct, tasks=tasks, bonus=bonus, headroom=headroom)

    def points(self, *, conduct, tasks, bonus) -> dict[str, str]:
        """Every group's points: ``conduct``, ``tasks`` and ``bonus`` where they go, full marks elsewhere."""
        values = {group.code: group.default_points for group in self.groups}
        if self.conduct is not None:
            values[self.conduct.code] = conduct
        values[self.tasks.code] = tasks
        if self.bonus is not None:
            values[self.bonus.code] = bonus
        return {code: _points(value) for code, value in values.items()}


def _row_values(unit_plan: UnitPlan, member, target: str, layout: _Layout) -> tuple[dict[str, str], str]:
    rng = unit_plan.rng
    conduct_max = int(layout.conduct.max_points) if layout.conduct is not None else 0
    tasks_max, room = int(layout.tasks.max_points), layout.headroom
    if target == Grade.A:
        star = member in unit_plan.stars
        bonus = rng.choice((2, 3, 4, 5, 6, 8)) if star else rng.choice((0, 0, 0, 1, 2))
        remark = rng.choice(STAR_REMARKS) if star else ""
        return layout.points(conduct=conduct_max, tasks=tasks_max, bonus=bonus), remark
    if target == Grade.B:
        conduct = conduct_max - rng.choice((0, 0, 1, 2, 3))
        return layout.points(conduct=conduct, tasks=rng.randint(tasks_max - 14 - room, tasks_max - 1 - room), bonus=0), ""
    if target == Grade.C:
        conduct = rng.randint(conduct_max - 6, conduct_max - 2)
        tasks = rng.randint(tasks_max - 32 - room, tasks_max - 20 - room)
        return layout.points(conduct=conduct, tasks=tasks, bonus=0), rng.choice(C_REMARKS)
    conduct = rng.randint(conduct_max - 10, conduct_max - 6)
    tasks = rng.randint(tasks_max - 50 - room, tasks_max - 36 - room)
    return layout.points(conduct=conduct, tasks=tasks, bonus=0), rng.choice(D_REMARKS)


def _rate_sheet(
    plan: Plan, unit_plan: UnitPlan, month: datetime.date, rater, rated_at: datetime.datetime, layouts: dict[int, _Layout]
) -> tuple[RatingSheet, int]:
    """Open the unit's sheet for ``month`` with every row already graded: the sheet as ``rating_sheet_open``
    creates it, then its rows in one ``bulk_create_with_history`` (a creation row in each rating's history, by
    the rater) instead of rows at full marks followed by ``rating_save`` on almost every one of them."""
    sheet = save_with_history(RatingSheet(unit=unit_plan.unit, month=month, scheme=scheme_for(unit=unit_plan.unit, month=month)), actor=rater)
    if sheet.scheme_id not in layouts:
        layouts[sheet.scheme_id] = _Layout.of(sheet.scheme)
    violations: dict[int, list[tuple[str, str]]] = {}
    for staff_id, severity, description in Violation.objects.filter(
        unit=sheet.unit, occurred_on__gte=month, occurred_on__lt=add_months(month, 1)
    ).values_list("staff_id", "severity", "description"):
        violations.setdefault(staff_id, []).append((severity, description))
    targets = _target_grades(unit_plan, month, set(violations), plan.script.grade_d_at, sheet.scheme)
    rated = set(staff_rated_in(unit=sheet.unit, month=month).values_list("pk", flat=True))
    rows = []
    for member in unit_plan.staff:
        if member.pk not in rated:
            continue
        points, remark = _row_values(unit_plan, member, targets[member.pk], layouts[sheet.scheme_id])
        total = scoring.total_of({code: Decimal(value) for code, value in points.items()})
        severities = [severity for severity, _description in violations.get(member.pk, [])]
        by_points, grade = scoring.final_grade(total, scheme=sheet.scheme, violation_severities=severities)
        if severities:
            remark = "Vi phạm Quy tắc ứng xử: " + "; ".join(d for _s, d in violations[member.pk])
        rows.append(Rating(
            sheet=sheet, staff=member, points=points, total=total, grade_by_points=by_points, grade=grade,
            remark=remark, updated_by=rater,
        ))
    bulk_create_with_history(rows, Rating, batch_size=500, default_user=rater, default_date=rated_at)
    return sheet, len(rows)


def _moments(month: datetime.date, now: datetime.datetime) -> dict[str, datetime.datetime]:
    """When the month's sheets were opened, filled, submitted, approved and locked (never after now)."""
    following = add_months(month, 1)
    moments = {
        "created": local_datetime(month + datetime.timedelta(days=24), 8),
        "rated": local_datetime(following + datetime.timedelta(days=1), 10),
        "submitted": local_datetime(following + datetime.timedelta(days=2), 16),
        "approved": local_datetime(following + datetime.timedelta(days=4), 14),
        "locked": local_datetime(following + datetime.timedelta(days=11), 9),
    }
    today = timezone.localdate(now)
    if following == today.replace(day=1):  # last month: approved lately, not locked yet
        moments["approved"] = max(moments["approved"], local_datetime(today - datetime.timedelta(days=2), 14))
    return {name: min(moment, now) for name, moment in moments.items()}


def ratings_seed(plan: Plan) -> tuple[int, int]:
    """Rate every unit for every month of the plan; returns (sheets, ratings) created.

    Sheets up to the month before last are locked; last month's are approved and await locking. The demo ward
    officer rates their ward and its head approves; the city administrator does it for the other units; the
    oversight office locks.
    """
    actors, now = plan.actors, timezone.now()
    sheets_by_month: dict[datetime.date, list[int]] = {}
    last_month = add_months(plan.today.replace(day=1), -1)
    locked_months = {month for month in plan.months if month < last_month}
    ratings = 0
    layouts: dict[int, _Layout] = {}  # by scheme id
    for unit_plan in plan.units:
        own = unit_plan.code == plan.officer_unit and actors.officer is not None and actors.head is not None
        rater, approver = (actors.officer, actors.head) if own else (actors.admin, actors.admin)
        for month in plan.months:
            moments = _moments(month, now)
            sheet, rows = _rate_sheet(plan, unit_plan, month, rater, moments["rated"], layouts)
            ratings += rows
            sheet = rating_sheet_transition(actor=rater, sheet=sheet, action="submit")
            sheet = rating_sheet_transition(actor=approver, sheet=sheet, action="approve")
            if month in locked_months:
                rating_sheet_transition(actor=actors.office, sheet=sheet, action="lock")
            sheets_by_month.setdefault(month, []).append(sheet.pk)
    for month, ids in sheets_by_month.items():
        _backdate_sheets(ids, _moments(month, now), locked=month in locked_months)
    return sum(len(ids) for ids in sheets_by_month.values()), ratings


def _backdate_sheets(ids: list[int], moments: dict[str, datetime.datetime], *, locked: bool) -> None:
    # The services stamp now(); a demo of a year's work needs each step on its own day, in the sheet, its rows
    # and their history (what the staff page and the sheet's history show).
    stamps = {"created_at": moments["created"], "submitted_at": moments["submitted"], "approved_at": moments["approved"]}
    if locked:
        stamps["locked_at"] = moments["locked"]
    RatingSheet.objects.filter(pk__in=ids).update(**stamps)
    history = RatingSheet.history.filter(id__in=ids)
    history.filter(history_type="+").update(history_date=moments["created"])
    for status, moment in (
        (SheetStatus.SUBMITTED, "submitted"), (SheetStatus.APPROVED, "approved"), (SheetStatus.LOCKED, "locked")
    ):
        history.filter(history_type="~", status=status).update(history_date=moments[moment])
    for field in ("submitted_at", "approved_at", "locked_at"):
        if field in stamps:
            history.filter(**{f"{field}__isnull": False}).update(**{field: stamps[field]})
    Rating.objects.filter(sheet_id__in=ids).update(updated_at=moments["rated"])
