"""Demo inspection: the team's visit of the script (Q3, to Phường Thanh Xuân), closed, with two findings.

A failed attitude item names a one-stop desk worker (a violation in August); a failed office item (the
feedback box is never opened) concerns the unit. One corrective action is done and verified, the other is
still open and overdue. Everything goes through the inspection services; the dates they stamp (now) are set
back afterwards, since ``action_create`` refuses a due date in the past.
"""

from __future__ import annotations

import datetime

from core.dates import local_datetime
from evaluations.choices import CheckResult, ItemKind, Severity, VisitKind
from evaluations.inspections import services as inspection_actions, services as inspection_services
from evaluations.models import ChecklistResult, CorrectiveAction, Finding, InspectionTeam, InspectionVisit, Violation
from evaluations.violations.selectors import code_articles
from seed.demo_activity.common import Plan
from seed.demo_activity.ratings import backdate_violation

FAILED_ARTICLE = 4  # Điều 4. Tinh thần, thái độ làm việc
RESPONSIBILITY_ARTICLE = 8  # Điều 8. Trách nhiệm thực hiện
FAILED_OFFICE_TEXT = "Có hòm thư góp ý"
DESK_POSITION = "Nhân viên hợp đồng Bộ phận Một cửa"
QUARTER_NUMERALS = ("I", "II", "III", "IV")


def inspection_seed(plan: Plan, team: InspectionTeam) -> InspectionVisit | None:
    """The visit, its results, findings and corrective actions; None when the script has none, or its day is still
    to come."""
    if plan.script.inspection is None or plan.actors.inspector is None:
        return None
    code, month, day_of_month = plan.script.inspection
    day = datetime.date(plan.today.year, month, day_of_month)
    inspector, ward = plan.actors.inspector, plan.unit(code)
    if day >= plan.today or ward is None:
        return None
    visit = inspection_services.visit_plan(
        actor=inspector, team=team, unit=ward.unit, kind=VisitKind.SCHEDULED, scheduled_at=local_datetime(day, 8, 30),
        subject=f"Kiểm tra việc thực hiện Quy tắc ứng xử quý {QUARTER_NUMERALS[(month - 1) // 3]}/{day.year} tại UBND {ward.unit.name.lower()}",
    )
    visit = inspection_services.visit_start(actor=inspector, visit=visit)
    results = list(ChecklistResult.objects.filter(visit=visit).select_related("item__article").order_by("item__order"))
    failed = {}
    for row in results:
        article_fails = row.item.kind == ItemKind.ARTICLE and row.item.article.number == FAILED_ARTICLE
        office_fails = row.item.kind == ItemKind.OFFICE and row.item.text.startswith(FAILED_OFFICE_TEXT)
        note = ""
        if article_fails:
            note = "Cán bộ bộ phận một cửa thiếu niềm nở, để công dân chờ lâu mà không hướng dẫn"
        elif office_fails:
            note = "Hòm thư góp ý không được mở từ tháng 5, không có sổ theo dõi"
        inspection_services.result_record(
            actor=inspector, visit=visit, item_id=row.item_id, result=CheckResult.FAIL if note else CheckResult.PASS, note=note,
        )
        if note:
            failed["article" if article_fails else "office"] = row
    person = ward.pick_ordinary(prefer_position=DESK_POSITION)
    about_staff = inspection_services.finding_create(
        actor=inspector, visit=visit, result=failed["article"], article=failed["article"].item.article,
        severity=Severity.MINOR, staff=[person] if person else [],
        description=f"{person.full_name if person else 'Cán bộ một cửa'} có thái độ thiếu niềm nở, không hướng dẫn công dân nộp hồ sơ",
    )
    about_unit = inspection_services.finding_create(
        actor=inspector, visit=visit, result=failed["office"], article=code_articles(unit=ward.unit, day=plan.today).get(number=RESPONSIBILITY_ARTICLE),
        severity=Severity.MINOR, description="Hòm thư góp ý không được mở định kỳ, không có sổ theo dõi ý kiến của công dân",
    )
    inspection_services.visit_close(
        actor=inspector, visit=visit, summary="Đơn vị cơ bản thực hiện tốt Quy tắc ứng xử; còn 02 tồn tại cần khắc phục.",
    )
    future = plan.today + datetime.timedelta(days=7)
    done = inspection_actions.action_create(
        actor=inspector, finding=about_unit, owner_unit=ward.unit, due_on=future,
        description="Mở hòm thư góp ý hằng tuần, lập sổ theo dõi và xử lý các ý kiến của công dân",
    )
    done = inspection_actions.action_mark_done(
        actor=plan.actors.admin, action=done, evidence="Đã lập sổ theo dõi; hòm thư được mở vào thứ Sáu hằng tuần",
    )
    inspection_actions.action_verify(actor=inspector, action=done, accepted=True)
    still_open = inspection_actions.action_create(
        actor=inspector, finding=about_staff, owner_unit=ward.unit, due_on=future,
        description="Tổ chức kiểm điểm, rút kinh nghiệm đối với cán bộ vi phạm và báo cáo kết quả bằng văn bản",
    )
    _backdate(visit, day, [about_staff, about_unit], done, still_open)
    return visit


def _backdate(visit, day, findings, done, still_open) -> None:
    # The services stamp now() and refuse past due dates; the visit took place in August, so its dates, the
    # actions' due dates and the history rows are set back to when things happened.
    planned, started, closed = local_datetime(day - datetime.timedelta(days=14), 9), local_datetime(day, 8, 35), local_datetime(day, 11, 15)
    InspectionVisit.objects.filter(pk=visit.pk).update(created_at=planned, started_at=started, closed_at=closed)
    visit_history = list(visit.history.order_by("history_id").values_list("history_id", flat=True))
    for history_id, moment in zip(visit_history, [planned, started, closed], strict=False):
        InspectionVisit.history.filter(history_id=history_id).update(history_date=moment)
    InspectionVisit.history.filter(id=visit.pk, started_at__isnull=False).update(started_at=started)
    InspectionVisit.history.filter(id=visit.pk, closed_at__isnull=False).update(closed_at=closed)
    ChecklistResult.history.filter(visit_id=visit.pk).update(history_date=local_datetime(day, 10))
    found = local_datetime(day, 10, 30)
    Finding.objects.filter(pk__in=[f.pk for f in findings]).update(created_at=found)
    Finding.history.filter(id__in=[f.pk for f in findings]).update(history_date=found)
    for violation in Violation.objects.filter(finding__in=findings):
        backdate_violation(violation, found)
    set_on = local_datetime(day + datetime.timedelta(days=1), 14)
    done_on, verified_on = local_datetime(day + datetime.timedelta(days=19), 16), local_datetime(day + datetime.timedelta(days=23), 9)
    due_done, due_open = day + datetime.timedelta(days=21), day + datetime.timedelta(days=41)
    CorrectiveAction.objects.filter(pk=done.pk).update(created_at=set_on, due_on=due_done, done_at=done_on, verified_at=verified_on)
    CorrectiveAction.objects.filter(pk=still_open.pk).update(created_at=set_on, due_on=due_open)
    for action, moments in ((done, [set_on, done_on, verified_on]), (still_open, [set_on])):
        rows = list(CorrectiveAction.history.filter(id=action.pk).order_by("history_id").values_list("history_id", flat=True))
        for history_id, moment in zip(rows, moments, strict=False):
            CorrectiveAction.history.filter(history_id=history_id).update(history_date=moment)
    CorrectiveAction.history.filter(id=done.pk).update(due_on=due_done)
    CorrectiveAction.history.filter(id=still_open.pk).update(due_on=due_open)
