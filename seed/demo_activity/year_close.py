"""What the year's close (December) needs besides the months' activity, seeded on every run where it is missing:

- the disciplinary decision of the script (``ActivityScript.sanction``) on its violation of this year, proposed and
  decided by the oversight office through the discipline services, dated a few weeks after the violation;
- the quarterly commendation lists of the plan's wards (today's since the reform, the former ones in their first
  half of 2025), computed from the rule and approved by the oversight office, for the plan's quarters up to the
  one before the last finished quarter (the last one is built with its quarterly report, which prepares its list:
  the demo leaves that to its users).

The year's own close — the annual classification, the annual summary and the year's commendation list — is left
to the demo users (README, *The year's close*). Idempotent: a decision or a list already there is left alone.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from core.dates import local_datetime
from core.quarters import Quarter
from evaluations.choices import ViolationSource
from evaluations.discipline.services import discipline_follow_up, discipline_propose, discipline_transition
from evaluations.models import DisciplinaryDecision, Violation
from reports.commendations.figures import commendation_list_generate
from reports.commendations.services import commendation_list_approve
from reports.models import CommendationList
from seed.demo_activity.common import Plan

DECIDED_AFTER_DAYS = 21
FOLLOW_UP = "Đã tổ chức kiểm điểm; cán bộ nghiêm túc nhận khuyết điểm, cam kết không tái phạm. Tiếp tục theo dõi đến hết năm."


def sanction_seed(plan: Plan) -> int:
    """The script's disciplinary decision, once; 1 when it was created, 0 otherwise (none in the script, its
    violation not recorded, already handled, or its decision day still to come)."""
    script, office, today = plan.script, plan.actors.office, plan.today
    if script.sanction is None:
        return 0
    code, month, form = script.sanction
    unit_plan = plan.unit(code)
    if unit_plan is None:
        return 0
    ward = unit_plan.unit
    violation = (
        Violation.objects.filter(unit=ward, source=ViolationSource.SUPERVISOR, occurred_on__year=today.year,
                                 occurred_on__month=month)
        .order_by("occurred_on", "pk").first()
    )
    if violation is None or DisciplinaryDecision.objects.filter(violation=violation).exists():
        return 0
    decided_on = violation.occurred_on + datetime.timedelta(days=DECIDED_AFTER_DAYS)
    if decided_on > today:
        return 0
    decision = discipline_propose(actor=office, violation=violation, form=form)
    decision = discipline_transition(
        actor=office, decision=decision, action="decide", form=form,
        decision_number=f"{decided_on:%d%m}/QĐ-UBND", decision_date=decided_on,
        issuer=f"Chủ tịch Ủy ban nhân dân {ward.name}",
    )
    decision = discipline_follow_up(actor=office, decision=decision, follow_up=FOLLOW_UP)
    # The services stamp now(); the decision was proposed a week after the violation, signed on its day, and its
    # follow-up written two weeks later.
    proposed_at = local_datetime(violation.occurred_on + datetime.timedelta(days=7), 10)
    decided_at = local_datetime(decided_on, 15)
    followed_at = min(local_datetime(decided_on + datetime.timedelta(days=14), 9), timezone.now())
    DisciplinaryDecision.objects.filter(pk=decision.pk).update(created_at=proposed_at)
    history = decision.history.all()
    history.filter(history_type="+").update(history_date=proposed_at)
    history.filter(history_type="~", follow_up="").update(history_date=decided_at)
    history.filter(history_type="~").exclude(follow_up="").update(history_date=followed_at)
    return 1


def commendations_seed(plan: Plan) -> int:
    """Each ward's quarterly commendation list for the quarters the plan rates in full, up to the one before the
    last finished quarter, computed and approved by the oversight office; returns how many lists it created."""
    last_finished = Quarter.last_finished(plan.today)
    months, created = set(plan.months), 0
    quarter = Quarter.of(plan.months[0])
    while quarter < last_finished:
        wards = [unit_plan.unit for unit_plan in plan.wards] if set(quarter.months) <= months else []
        for ward in wards:
            if CommendationList.objects.filter(unit=ward, **CommendationList.period_lookup(quarter)).exists():
                continue
            commendation_list = commendation_list_generate(unit=ward, period=quarter, actor=plan.actors.office)
            commendation_list_approve(actor=plan.actors.office, commendation_list=commendation_list)
            _backdate_list(commendation_list, quarter)
            created += 1
        quarter = quarter.next()
    return created


def _backdate_list(commendation_list: CommendationList, quarter: Quarter) -> None:
    # Computed with the quarter's report (day 5 after it ended) and approved at the quarterly review, two weeks on.
    generated_at = local_datetime(quarter.last_day + datetime.timedelta(days=5), 2)
    approved_at = local_datetime(quarter.last_day + datetime.timedelta(days=20), 15)
    CommendationList.objects.filter(pk=commendation_list.pk).update(generated_at=generated_at, approved_at=approved_at)
    history = commendation_list.history.all()
    history.filter(status="draft").update(history_date=generated_at, generated_at=generated_at)
    history.filter(status="approved").update(history_date=approved_at, generated_at=generated_at, approved_at=approved_at)
    commendation_list.entries.model.history.filter(commendation_list_id=commendation_list.pk).update(history_date=generated_at)
