"""Synthetic violations, monthly rating sheets and ratings (6 million rows at city scale, written with COPY).

Every sheet of the period is locked, except last month's, approved and waiting for its lock; the current month
has none yet. Per sheet: A for 12–28% of the staff and never above the scheme's 30% cap, a few C (3.5%) and a
rare D (0.3%), the rest B; points consistent with the grade by points; a violation in the month caps the grade as
the scheme says, and every grade below B carries a remark. History tables are left out: synthetic rows have no
author whose changes an audit trail could show, and the history would double the volume for nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
import datetime
import json
import random

from django.utils import timezone

from core.dates import local_datetime, month_end
from evaluations.choices import Grade, Severity, SheetStatus, ViolationSource
from evaluations.models import Rating, RatingSheet, Violation
from evaluations.ratings import scoring
from evaluations.ratings.services import scheme_for
from pledges.models import Article
from seed.synthetic.copy import copy_lines, copy_rows, reserve_ids, text
from seed.synthetic.plan import Plan
from seed.synthetic.staff import Person

VIOLATIONS_PER_RATING = 0.003
SEVERITIES = {Severity.MINOR: 80, Severity.SERIOUS: 17, Severity.VERY_SERIOUS: 3}
SUPERVISOR_CASES = (
    ("Không đeo thẻ công chức khi tiếp công dân tại bộ phận một cửa", "Nhắc nhở, yêu cầu chấn chỉnh ngay"),
    ("Trả lời điện thoại của công dân với lời lẽ thiếu chuẩn mực", "Nhắc nhở trong cuộc họp giao ban"),
    ("Tự ý bỏ vị trí làm việc trong giờ hành chính, không báo cáo lãnh đạo", "Kiểm điểm trước tập thể cơ quan"),
    ("Uống rượu bia vào giờ nghỉ trưa của ngày làm việc", "Nhắc nhở, cán bộ cam kết không tái phạm"),
    ("Chậm trễ, gây phiền hà khi hướng dẫn hồ sơ cho công dân", "Nhắc nhở"),
)
C_REMARKS = ("Chậm tiến độ giải quyết hồ sơ, để công dân phải đi lại nhiều lần",
             "Đi muộn nhiều lần trong tháng, chưa chấp hành nghiêm thời gian làm việc",
             "Chưa hoàn thành đúng hạn một số nhiệm vụ được giao")
D_REMARKS = ("Không hoàn thành nhiệm vụ được giao; để quá hạn nhiều hồ sơ của công dân",
             "Tự ý bỏ vị trí làm việc nhiều lần dù đã được nhắc nhở")
A_REMARKS = ("Có sáng kiến rút ngắn thời gian trả kết quả hồ sơ", "Được công dân khen ngợi về thái độ phục vụ")
VIOLATION_FIELDS = ["id", "staff", "unit", "occurred_on", "article", "severity", "source", "description",
                    "action_taken", "recorded_by", "finding", "created_at"]
SHEET_FIELDS = ["id", "unit", "month", "scheme", "status", "submitted_by", "submitted_at", "approved_by", "approved_at",
                "locked_at", "created_at", "updated_at"]
# In the order of the pre-formatted parts: points, total and grade by points come as one piece.
RATING_FIELDS = ["id", "sheet", "staff", "points", "total", "grade_by_points", "grade", "remark", "self_points",
                 "self_remark", "self_assessed_at", "version", "updated_by", "updated_at"]


@dataclass
class ViolationSpec:
    """A violation to write; the inspection and feedback generators add theirs before the ratings read them."""

    staff_id: int
    unit_id: int
    occurred_on: datetime.date
    severity: str
    source: str
    description: str
    action_taken: str = ""
    finding_id: int | None = None
    id: int = 0


def staff_articles() -> list[Article]:
    """Articles of the published staff code (522/QĐ-UBND), which violations refer to."""
    return list(Article.objects.filter(chapter__version__status="published", chapter__version__code__audience="staff")
                .order_by("number"))


def pick_severity(rng: random.Random) -> str:
    return rng.choices(list(SEVERITIES), list(SEVERITIES.values()))[0]


def _poisson(rng: random.Random, mean: float) -> int:
    """A small Poisson draw by inversion (the means here are below 2)."""
    limit, product, count = 2.718281828459045 ** -mean, rng.random(), 0
    while product > limit:
        product *= rng.random()
        count += 1
    return count


def supervisor_violations(plan: Plan, people: dict[int, list[Person]]) -> list[ViolationSpec]:
    """A few violations per thousand ratings, recorded by supervisors, spread over the months and wards."""
    rng = plan.rng("violations")
    specs = []
    for ward in plan.wards:
        for month in plan.months:
            last = month_end(month)
            for _n in range(_poisson(rng, plan.staff_per_ward * VIOLATIONS_PER_RATING * 0.7)):
                person = rng.choice(people[ward.pk])
                if not person.active_in(month, last):
                    continue
                description, action = rng.choice(SUPERVISOR_CASES)
                day = month + datetime.timedelta(days=rng.randrange(last.day))
                specs.append(ViolationSpec(person.id, plan.unit_or_ward(ward, day), day,
                                           pick_severity(rng), ViolationSource.SUPERVISOR, description, action))
    return specs


def violations_write(plan: Plan, specs: list[ViolationSpec], articles: list[Article]) -> int:
    """Give every violation its id (in place) and write them all (COPY)."""
    rng = plan.rng("violation-articles")
    first = reserve_ids(Violation, len(specs))
    rows = []
    for offset, spec in enumerate(specs):
        spec.id = first + offset
        rows.append((spec.id, spec.staff_id, spec.unit_id, spec.occurred_on, rng.choice(articles).pk, spec.severity,
                     spec.source, spec.description, spec.action_taken, plan.author.pk, spec.finding_id,
                     local_datetime(spec.occurred_on + datetime.timedelta(days=1), 10)))
    return copy_rows(Violation, VIOLATION_FIELDS, rows)


def _combos(scheme) -> dict[str, list[str]]:
    """Pre-formatted "points<TAB>total<TAB>grade by points" parts for each target grade."""

    def part(discipline: int, tasks: int, bonus: int) -> str:
        points = {"discipline": f"{discipline}.0", "tasks": f"{tasks}.0", "bonus": f"{bonus}.0"}
        total = scoring.total_of({k: int(v[:-2]) for k, v in points.items()})
        by_points = scoring.grade_by_points(total, a_min=scheme.a_min, b_min=scheme.b_min, c_min=scheme.c_min)
        return f"{text(json.dumps(points))}\t{total}\t{by_points}", by_points

    combos: dict[str, list[tuple[str, str]]] = {grade: [] for grade in Grade.values}
    grids = {
        Grade.A: [(20, 70, b) for b in (0, 0, 0, 1, 2, 2, 3, 4, 5, 6, 8)],
        Grade.B: [(d, t, 0) for d in (20, 20, 19, 18, 17) for t in range(56, 70)],
        Grade.C: [(d, t, 0) for d in range(14, 19) for t in range(38, 51)],
        Grade.D: [(d, t, 0) for d in range(10, 15) for t in range(20, 35)],
    }
    for grid in grids.values():
        for values in grid:
            formatted, by_points = part(*values)
            combos[by_points].append((formatted, by_points))
    return combos


def _sheet_moments(month: datetime.date, last_month: datetime.date, now: datetime.datetime) -> dict:
    following = month_end(month) + datetime.timedelta(days=1)
    locked = month != last_month
    moments = {
        "created": local_datetime(month + datetime.timedelta(days=24), 8),
        "submitted": local_datetime(following + datetime.timedelta(days=2), 16),
        "approved": local_datetime(following + datetime.timedelta(days=4), 14),
        "locked": local_datetime(following + datetime.timedelta(days=11), 9) if locked else None,
    }
    return {name: min(moment, now) if moment else None for name, moment in moments.items()}


def ratings_seed(plan: Plan, people: dict[int, list[Person]], violations: list[ViolationSpec]) -> tuple[int, int]:
    """Write every ward's sheet and ratings for every month; returns (sheets, ratings)."""
    rng = plan.rng("ratings")
    now = timezone.now()
    author = plan.author.pk
    # A sheet per ward and month, in the unit of that month (the legacy ward before the reform; none when unknown).
    units = {(ward.pk, month): plan.unit_on(ward, month) for ward in plan.wards for month in plan.months}
    units = {key: unit for key, unit in units.items() if unit is not None}
    first_sheet = reserve_ids(RatingSheet, len(units))
    capped: dict[tuple[int, datetime.date], list[ViolationSpec]] = {}
    for spec in violations:
        capped.setdefault((spec.staff_id, spec.occurred_on.replace(day=1)), []).append(spec)
    sheets, sheet_ids = [], {}
    # The synthetic wards all lie in one province: they share its scheme for each month.
    schemes = {month: scheme_for(unit=plan.wards[0], month=month) for month in plan.months}
    for offset, ((ward_id, month), unit_id) in enumerate(units.items()):
        sheet_id = first_sheet + offset
        sheet_ids[(ward_id, month)] = sheet_id
        moments = _sheet_moments(month, plan.months[-1], now)
        sheets.append((
            sheet_id, unit_id, month, schemes[month].pk,
            SheetStatus.LOCKED if moments["locked"] else SheetStatus.APPROVED,
            author, moments["submitted"], author, moments["approved"], moments["locked"], moments["created"],
            moments["locked"] or moments["approved"],
        ))
    copy_rows(RatingSheet, SHEET_FIELDS, sheets)

    # Ids: count first (who is active when), so the block can be reserved and rows streamed without a list.
    active = {
        (ward.pk, month): [p for p in people[ward.pk] if p.active_in(month, month_end(month))]
        for ward in plan.wards for month in plan.months if (ward.pk, month) in sheet_ids
    }
    rating_count = sum(len(staff) for staff in active.values())
    next_id = reserve_ids(Rating, rating_count)
    combos_by_scheme = {scheme.pk: (_combos(scheme), scheme) for scheme in set(schemes.values())}

    def lines():
        nonlocal next_id
        for ward in plan.wards:
            for month in plan.months:
                if (ward.pk, month) not in sheet_ids:
                    continue
                combos, scheme = combos_by_scheme[schemes[month].pk]
                staff = active[(ward.pk, month)]
                sheet_id = sheet_ids[(ward.pk, month)]
                stamp = text(_sheet_moments(month, plan.months[-1], now)["submitted"] - datetime.timedelta(days=1))
                a_cap = scheme.a_share_cap_percent * len(staff) // 100
                a_share = rng.uniform(0.12, 0.28)
                a_given = 0
                for person in staff:
                    roll = rng.random()
                    if roll < a_share and a_given < a_cap:
                        target = Grade.A
                        a_given += 1
                    elif roll > 0.962:
                        target = Grade.D if roll > 0.997 else Grade.C
                    else:
                        target = Grade.B
                    formatted, by_points = rng.choice(combos[target])
                    grade, remark = by_points, ""
                    found = capped.get((person.id, month))
                    if found:
                        grade = scoring.worst(by_points, *(scheme.cap_for(v.severity) for v in found))
                        if scoring.needs_remark(grade):
                            remark = "Vi phạm Quy tắc ứng xử: " + "; ".join(v.description for v in found)
                    if not remark:
                        if grade == Grade.C:
                            remark = rng.choice(C_REMARKS)
                        elif grade == Grade.D:
                            remark = rng.choice(D_REMARKS)
                        elif grade == Grade.A and roll < 0.02:
                            remark = rng.choice(A_REMARKS)
                    yield (f"{next_id}\t{sheet_id}\t{person.id}\t{formatted}\t{grade}\t{text(remark)}"
                           f"\t\\N\t\t\\N\t1\t{author}\t{stamp}\n")
                    next_id += 1

    written = copy_lines(Rating, RATING_FIELDS, lines())
    return len(sheets), written
