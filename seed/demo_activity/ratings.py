"""Demo monthly ratings of a period (the former units' first half of 2025, today's units since July 2025), and the
supervisors' violations.

Sheets move along draft → submitted → approved (→ locked) through ``rating_sheet_transition``, so each step is
checked (remarks below B, rights) and kept in the sheet's history. The rows are written graded, in bulk with
their history rows, instead of opening at full marks and calling ``rating_save`` for nearly every person: that
would be thousands of service calls, this is a few queries per sheet.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from core.audit import save_with_history
from core.dates import add_months, local_datetime
from evaluations.choices import Grade, SheetStatus, ViolationSource
from evaluations.models import Rating, RatingSheet, Violation
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


def _target_grades(unit_plan: UnitPlan, month: datetime.date, capped: set[int], grade_d_at) -> dict[int, str]:
    """Grade A for the stars and a few others (never above the 30% cap), mostly B, a few C, a rare D."""
    rng, staff = unit_plan.rng, unit_plan.staff
    cap = 30 * len(staff) // 100
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
    return grades


def _row_values(unit_plan: UnitPlan, member, target: str) -> tuple[dict[str, str], str]:
    rng = unit_plan.rng
    if target == Grade.A:
        star = member in unit_plan.stars
        bonus = rng.choice((2, 3, 4, 5, 6, 8)) if star else rng.choice((0, 0, 0, 1, 2))
        remark = rng.choice(STAR_REMARKS) if star else ""
        return {"discipline": _points(20), "tasks": _points(70), "bonus": _points(bonus)}, remark
    if target == Grade.B:
        return {"discipline": _points(rng.choice((20, 20, 19, 18, 17))), "tasks": _points(rng.randint(56, 69)),
                "bonus": _points(0)}, ""
    if target == Grade.C:
        return {"discipline": _points(rng.randint(14, 18)), "tasks": _points(rng.randint(38, 50)),
                "bonus": _points(0)}, rng.choice(C_REMARKS)
    return {"discipline": _points(rng.randint(10, 14)), "tasks": _points(rng.randint(20, 34)),
            "bonus": _points(0)}, rng.choice(D_REMARKS)


def _rate_sheet(plan: Plan, unit_plan: UnitPlan, month: datetime.date, rater, rated_at: datetime.datetime) -> tuple[RatingSheet, int]:
    """Open the unit's sheet for ``month`` with every row already graded: the sheet as ``rating_sheet_open``
    creates it, then its rows in one ``bulk_create_with_history`` (a creation row in each rating's history, by
    the rater) instead of rows at full marks followed by ``rating_save`` on almost every one of them."""
    sheet = save_with_history(RatingSheet(unit=unit_plan.unit, month=month, scheme=scheme_for(unit=unit_plan.unit, month=month)), actor=rater)
    violations: dict[int, list[tuple[str, str]]] = {}
    for staff_id, severity, description in Violation.objects.filter(
        unit=sheet.unit, occurred_on__gte=month, occurred_on__lt=add_months(month, 1)
    ).values_list("staff_id", "severity", "description"):
        violations.setdefault(staff_id, []).append((severity, description))
    targets = _target_grades(unit_plan, month, set(violations), plan.script.grade_d_at)
    rated = set(staff_rated_in(unit=sheet.unit, month=month).values_list("pk", flat=True))
    rows = []
    for member in unit_plan.staff:
        if member.pk not in rated:
            continue
        points, remark = _row_values(unit_plan, member, targets[member.pk])
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
    for unit_plan in plan.units:
        own = unit_plan.code == plan.officer_unit and actors.officer is not None and actors.head is not None
        rater, approver = (actors.officer, actors.head) if own else (actors.admin, actors.admin)
        for month in plan.months:
            moments = _moments(month, now)
            sheet, rows = _rate_sheet(plan, unit_plan, month, rater, moments["rated"])
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
