"""Synthetic inspections: a team per district, about one visit a year to each ward (a quarter of them by
surprise), the default checklist gone through, findings on failed items (some naming staff, each with a violation
that caps the month's grade) and corrective actions, mostly verified, some done, some open and overdue.

Visits of the coming weeks stay planned. Written with COPY and without history rows (no author to show).
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from core.dates import local_datetime, month_end
from evaluations.choices import ActionStatus, CheckResult, ItemKind, ViolationSource, VisitKind, VisitStatus
from evaluations.models import (
    ChecklistResult,
    ChecklistTemplate,
    CorrectiveAction,
    Finding,
    InspectionTeam,
    InspectionVisit,
)
from seed.synthetic.copy import copy_rows, reserve_ids
from seed.synthetic.plan import Plan
from seed.synthetic.ratings import ViolationSpec, pick_severity
from seed.synthetic.staff import Person

FAIL_SHARE = 0.06
NAMED_SHARE = 0.6
ACTIONS = ("Niêm yết lại Quy tắc ứng xử tại bộ phận một cửa", "Tổ chức quán triệt lại Quy tắc ứng xử trong cơ quan",
           "Bổ sung thẻ công chức, nhắc nhở cán bộ đeo thẻ", "Kiểm điểm cán bộ vi phạm, báo cáo kết quả")
VISIT_FIELDS = ["id", "team", "unit", "kind", "scheduled_at", "subject", "checklist", "status", "started_at",
                "closed_at", "summary", "created_by", "created_at"]
RESULT_FIELDS = ["id", "visit", "item", "result", "note", "updated_by", "updated_at"]
FINDING_FIELDS = ["id", "visit", "result", "description", "article", "severity", "created_by", "created_at"]
ACTION_FIELDS = ["finding", "description", "owner_unit", "due_on", "status", "evidence", "evidence_file", "done_by",
                 "done_at", "verified_by", "verified_at", "created_at"]


def inspections_seed(plan: Plan, people: dict[int, list[Person]], articles) -> tuple[int, list[ViolationSpec]]:
    """Write teams, visits, results, findings and actions; returns (visits, the violations of named findings)."""
    rng = plan.rng("inspections")
    now, today, author = timezone.now(), plan.today, plan.author.pk
    template = ChecklistTemplate.objects.filter(is_default=True).first()
    if template is None:
        return 0, []
    items = list(template.items.order_by("order"))
    teams = {}
    for district in plan.districts:
        team = InspectionTeam(name=f"Tổ kiểm tra công vụ — {district.name}", owner_unit=district, leader=plan.author)
        teams[district.pk] = team
    # bulk_create skips the history rows (and the members): a synthetic team has no author to audit.
    InspectionTeam.objects.bulk_create(teams.values())

    years = max(1, round(len(plan.months) / 12))
    span = (plan.last_day - plan.first_day).days + 60  # a few visits are still ahead, planned
    planned = [(ward, plan.first_day + datetime.timedelta(days=rng.randrange(span))) for ward in plan.wards
               for _visit in range(years)]
    first_visit = reserve_ids(InspectionVisit, len(planned))
    first_result = reserve_ids(ChecklistResult, len(planned) * len(items))
    visits, results, findings, finding_staff, actions, violations = [], [], [], [], [], []
    finding_specs = []
    for v, (ward, day) in enumerate(planned):
        visit_id = first_visit + v
        kind = VisitKind.SURPRISE if rng.random() < 0.25 else VisitKind.SCHEDULED
        scheduled = local_datetime(day, rng.choice((8, 9, 10, 14, 15)))
        took_place = day < today - datetime.timedelta(days=3)
        status = VisitStatus.CLOSED if took_place else VisitStatus.PLANNED
        visits.append((
            visit_id, teams[ward.parent_id].pk, plan.unit_or_ward(ward, day), kind, scheduled,
            f"Kiểm tra việc thực hiện Quy tắc ứng xử tại {ward.name}", template.pk, status,
            scheduled if took_place else None, scheduled + datetime.timedelta(hours=3) if took_place else None,
            "Đơn vị cơ bản thực hiện tốt Quy tắc ứng xử." if took_place else "", author,
            min(scheduled - datetime.timedelta(days=7), now),
        ))
        if not took_place:
            continue
        for i, item in enumerate(items):
            result_id = first_result + v * len(items) + i
            failed = rng.random() < FAIL_SHARE
            results.append((result_id, visit_id, item.pk, CheckResult.FAIL if failed else CheckResult.PASS,
                            "Chưa đạt yêu cầu" if failed else "", author, scheduled + datetime.timedelta(hours=1)))
            if failed:
                finding_specs.append((visit_id, result_id, ward, day, scheduled, item))
    first_finding = reserve_ids(Finding, len(finding_specs))
    for f, (visit_id, result_id, ward, day, scheduled, item) in enumerate(finding_specs):
        finding_id = first_finding + f
        severity = pick_severity(rng)
        article = item.article if item.kind == ItemKind.ARTICLE and item.article_id else rng.choice(articles)
        description = f"Không đạt: {item.text}"
        findings.append((finding_id, visit_id, result_id, description, article.pk, severity, author,
                         scheduled + datetime.timedelta(hours=2)))
        month = day.replace(day=1)
        active = [p for p in people[ward.pk] if p.active_in(month, month_end(month))]
        if active and rng.random() < NAMED_SHARE:
            person = rng.choice(active)
            finding_staff.append((finding_id, person.id))
            violations.append(ViolationSpec(person.id, plan.unit_or_ward(ward, day), day, severity, ViolationSource.INSPECTION,
                                            description, "Yêu cầu khắc phục theo kết luận kiểm tra", finding_id))
        due = day + datetime.timedelta(days=30)
        roll = rng.random()
        status = ActionStatus.VERIFIED if roll < 0.7 else ActionStatus.DONE if roll < 0.85 else ActionStatus.OPEN
        if due >= today and status != ActionStatus.OPEN and rng.random() < 0.5:
            status = ActionStatus.OPEN
        done_at = local_datetime(min(due, today) - datetime.timedelta(days=rng.randint(1, 10)), 15) if status != ActionStatus.OPEN else None
        done_at = max(done_at, scheduled + datetime.timedelta(days=1)) if done_at else None
        actions.append((finding_id, rng.choice(ACTIONS), plan.unit_or_ward(ward, day), due, status,
                        "Đã thực hiện, có biên bản kèm theo" if done_at else "", "",
                        author if done_at else None, done_at,
                        author if status == ActionStatus.VERIFIED else None,
                        done_at + datetime.timedelta(days=2) if status == ActionStatus.VERIFIED else None,
                        scheduled + datetime.timedelta(hours=2)))
    copy_rows(InspectionVisit, VISIT_FIELDS, visits)
    copy_rows(ChecklistResult, RESULT_FIELDS, results)
    copy_rows(Finding, FINDING_FIELDS, findings)
    copy_rows(Finding.staff.through, ["finding", "staff"], finding_staff)
    copy_rows(CorrectiveAction, ACTION_FIELDS, actions)
    return len(visits), violations
