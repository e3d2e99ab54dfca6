"""The disciplinary handling of a violation, on the violation's page: propose, decide (number, date, who signed),
appeal, decide again, close or cancel, and the follow-up, each kept in the history; wrong input saves nothing."""

import datetime

from django.urls import reverse
import pytest

from evaluations.choices import DisciplineForm, DisciplineStatus
from evaluations.discipline import services
from evaluations.models import DisciplinaryDecision
from tests.builders import record_violation
from tests.factories import StaffFactory
from tests.helpers import client_for, days

pytestmark = pytest.mark.django_db


@pytest.fixture
def violation(thanh_xuan_bac, ward_officer):
    staff = StaffFactory(unit=thanh_xuan_bac, full_name="Phạm Văn Kỷ Luật")
    return record_violation(actor=ward_officer, staff=staff, day=days(-20), description="Uống rượu trong giờ làm việc")


def page(violation):
    return reverse("evaluations:violation_detail", args=[violation.pk])


def post(client, violation, **data):
    return client.post(page(violation), data)


def test_an_officer_takes_a_violation_through_its_handling(client, ward_officer, violation):
    client = client_for(client, ward_officer)
    assert "Propose a form of discipline" in client.get(page(violation)).content.decode()

    assert post(client, violation, action="propose", form="warning", follow_up="Họp kiểm điểm ngày 20").status_code == 302
    decision = DisciplinaryDecision.objects.get(violation=violation)
    assert (decision.status, decision.form) == (DisciplineStatus.PROPOSED, DisciplineForm.WARNING)

    answer = post(client, violation, action="decide", form="warning", decision_number="", decision_date="")
    assert answer.status_code == 400
    assert "Enter the number of the decision." in answer.content.decode()
    assert "Enter the date of the decision." in answer.content.decode()
    decision.refresh_from_db()
    assert decision.status == DisciplineStatus.PROPOSED

    decided_on = days(-3)
    answer = post(client, violation, action="decide", form="warning", decision_number="15/QĐ-UBND",
                  decision_date=decided_on.isoformat(), issuer="Chủ tịch UBND phường")
    assert answer.status_code == 302
    decision.refresh_from_db()
    assert (decision.status, decision.decision_number, decision.decision_date) == (
        DisciplineStatus.DECIDED, "15/QĐ-UBND", decided_on
    )

    assert post(client, violation, action="appeal", **{"appeal-reason": ""}).status_code == 400
    assert post(client, violation, action="appeal", **{"appeal-reason": "Đương sự khiếu nại"}).status_code == 302
    # The appeal lightens the sanction: a new decision replaces the first.
    assert post(client, violation, action="decide", form="reprimand", decision_number="18/QĐ-UBND",
                decision_date=days(-1).isoformat()).status_code == 302
    assert post(client, violation, action="follow_up", follow_up="Đã thông báo kết quả.").status_code == 302
    assert post(client, violation, action="close", **{"close-reason": ""}).status_code == 302

    decision.refresh_from_db()
    assert (decision.status, decision.form, decision.decision_number) == (
        DisciplineStatus.CLOSED, DisciplineForm.REPRIMAND, "18/QĐ-UBND"
    )
    shown = client.get(page(violation)).content.decode()
    assert "Đương sự khiếu nại" in shown  # the appeal's reason, in the history
    assert "Họp kiểm điểm ngày 20" in shown and "Đã thông báo kết quả." in shown  # both versions of the follow-up
    assert shown.count("<li class=\"mb-1\">") == 6  # proposed, decided, appealed, decided, follow-up, closed
    listed = client.get(reverse("evaluations:violation_list")).content.decode()
    assert "Reprimand · Closed" in listed and "18/QĐ-UBND" in listed


def test_a_decision_is_not_dated_in_the_future_nor_before_the_violation(ward_officer, violation):
    decision = services.discipline_propose(actor=ward_officer, violation=violation, form=DisciplineForm.REPRIMAND)
    for day in (days(1), violation.occurred_on - datetime.timedelta(days=1)):
        with pytest.raises(Exception) as refused:
            services.discipline_transition(actor=ward_officer, decision=decision, action="decide",
                                           form=DisciplineForm.REPRIMAND, decision_number="1/QĐ", decision_date=day)
        assert "decision_date" in refused.value.message_dict
    decision.refresh_from_db()
    assert decision.status == DisciplineStatus.PROPOSED and decision.decision_number == ""


def test_steps_out_of_order_are_refused(client, ward_officer, violation):
    client = client_for(client, ward_officer)
    post(client, violation, action="propose", form="reprimand")
    answer = post(client, violation, action="close", **{"close-reason": ""})
    assert answer.status_code == 400
    assert "cannot take the step" in answer.content.decode()
    assert post(client, violation, action="propose", form="warning").status_code == 400  # one handling per violation
    assert DisciplinaryDecision.objects.get(violation=violation).status == DisciplineStatus.PROPOSED


def test_a_proposal_may_end_without_discipline(ward_officer, violation):
    decision = services.discipline_propose(actor=ward_officer, violation=violation, form=DisciplineForm.WARNING)
    decision = services.discipline_transition(actor=ward_officer, decision=decision, action="cancel",
                                              reason="Hội đồng kỷ luật không đề nghị xử lý")
    assert decision.status == DisciplineStatus.CANCELLED
    assert services.allowed_actions(user=ward_officer, decision=decision) == []


def test_outside_the_scope_a_violation_does_not_exist(client, ward_officer, phuc_xa, city_admin):
    foreign = record_violation(actor=city_admin, staff=StaffFactory(unit=phuc_xa))
    client = client_for(client, ward_officer)
    assert client.get(page(foreign)).status_code == 404
    assert post(client, foreign, action="propose", form="warning").status_code == 404
    assert not DisciplinaryDecision.objects.exists()


def test_the_page_reads_the_handling_in_vietnamese(client, ward_officer, violation):
    services.discipline_propose(actor=ward_officer, violation=violation, form=DisciplineForm.DEMOTION)
    client.force_login(ward_officer)
    shown = client.get(page(violation)).content.decode()
    assert "Giáng chức" in shown and "Xử lý kỷ luật" in shown
