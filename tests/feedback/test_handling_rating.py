"""The citizen rates the handling of a resolved case (1–5, a comment, once) and may reopen it within
FEEDBACK_REOPEN_DAYS with a reason: it goes back to the inbox flagged reopened, with a new due date, and no longer
counts as answered on time. Every bad input gets a clear translated answer, nothing is saved, never a 500."""

import datetime

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation
import pytest

from feedback.choices import CaseStatus, CitizenEvent
from feedback.citizen import services
from feedback.figures import handling_satisfaction, on_time_rate, unit_feedback_months
from feedback.models import FeedbackCase
from feedback.public.services import due_date_for, tracking_code_new
from tests.builders import make_user
from tests.factories import FeedbackCaseFactory
from tests.helpers import client_for, in_page, local_at, this_month, today
from units.choices import Role

pytestmark = pytest.mark.django_db


def resolved_case(unit, *, closed_days_ago=1, **fields):
    closed = timezone.now() - datetime.timedelta(days=closed_days_ago)
    fields.setdefault("received_at", closed - datetime.timedelta(days=3))
    fields.setdefault("due_on", today() + datetime.timedelta(days=5))
    return FeedbackCaseFactory(unit=unit, tracking_code=tracking_code_new(), status=CaseStatus.RESOLVED,
                               public_reply="Đơn vị đã xử lý.", closed_at=closed, **fields)


def track_url(case, action=""):
    name = {"": "feedback:track_detail", "rate": "feedback:track_rate", "reopen": "feedback:track_reopen"}[action]
    return reverse(name, kwargs={"code": case.tracking_code})


def snapshot(case):
    case = FeedbackCase.objects.get(pk=case.pk)
    return (case.status, case.handling_rating, case.handling_comment, case.handling_rated_at, case.reopen_count,
            case.reopened_at, case.reopen_reason, case.due_on, case.closed_at, case.history.count())


# --- Rating -------------------------------------------------------------------------------------------------


def test_the_tracking_page_of_a_resolved_case_asks_for_a_rating_and_offers_to_reopen(client, phuong_thanh_xuan, address):
    case = resolved_case(phuong_thanh_xuan, with_contact=True)
    before = snapshot(case)
    page = client.get(track_url(case), REMOTE_ADDR=address)
    html = page.content.decode()
    assert page.status_code == 200
    assert in_page("Rate the handling") in html and in_page("Reopen my feedback") in html
    assert case.contact_email not in html and case.contact_phone not in html and case.text not in html
    assert snapshot(case) == before  # reading it writes nothing


def test_an_open_case_offers_neither(client, phuong_thanh_xuan, address):
    case = FeedbackCaseFactory(unit=phuong_thanh_xuan, tracking_code=tracking_code_new(), status=CaseStatus.IN_PROGRESS)
    html = client.get(track_url(case), REMOTE_ADDR=address).content.decode()
    assert in_page("Rate the handling") not in html and in_page("Reopen my feedback") not in html


def test_the_citizen_rates_once(client, phuong_thanh_xuan, address):
    case = resolved_case(phuong_thanh_xuan)
    response = client.post(track_url(case, "rate"), {"rating": "2", "comment": "Trả lời chung chung."}, REMOTE_ADDR=address)
    assert response.status_code == 302 and response.url == track_url(case) + "?done=rated"
    case.refresh_from_db()
    assert (case.handling_rating, case.handling_comment) == (2, "Trả lời chung chung.") and case.handling_rated_at
    page = client.get(response.url, REMOTE_ADDR=address).content.decode()
    assert in_page("Thank you: your rating of the handling has been recorded.") in page
    assert in_page("Rate the handling") not in page

    before = snapshot(case)
    again = client.post(track_url(case, "rate"), {"rating": "5"}, REMOTE_ADDR=address)
    assert again.status_code == 400
    assert in_page("The handling of this case has already been rated.") in again.content.decode()
    assert snapshot(case) == before


@pytest.mark.parametrize("data", [{"rating": "0"}, {"rating": "6"}, {"rating": "abc"}, {"rating": ""}, {},
                                  {"rating": "3", "comment": "x" * 2001}, {"rating": "3\x00"}])
def test_bad_ratings_are_refused_with_nothing_saved(client, phuong_thanh_xuan, address, data):
    case = resolved_case(phuong_thanh_xuan)
    before = snapshot(case)
    response = client.post(track_url(case, "rate"), data, REMOTE_ADDR=address)
    assert response.status_code == 400
    assert snapshot(case) == before


@pytest.mark.parametrize("status", [CaseStatus.NEW, CaseStatus.IN_PROGRESS, CaseStatus.REJECTED])
def test_an_unresolved_case_cannot_be_rated_or_reopened(client, phuong_thanh_xuan, address, status):
    case = FeedbackCaseFactory(unit=phuong_thanh_xuan, tracking_code=tracking_code_new(), status=status,
                               rejection_reason="spam" if status == CaseStatus.REJECTED else "")
    before = snapshot(case)
    for action, data in (("rate", {"rating": "1"}), ("reopen", {"reason": "Chưa xử lý"})):
        response = client.post(track_url(case, action), data, REMOTE_ADDR=address)
        assert response.status_code == 400
        assert in_page("Only a resolved case can be rated or reopened.") in response.content.decode()
    assert snapshot(case) == before


@pytest.mark.parametrize("code", ["ACEFGHKMNP", "not-a-code", "x" * 300])
def test_an_unknown_code_is_a_404_like_the_lookup(client, address, code, hanoi):
    for action in ("rate", "reopen"):
        response = client.post(f"/feedback/track/{code}/{action}/", {"rating": "1", "reason": "x"}, REMOTE_ADDR=address)
        assert response.status_code == 404
    assert not FeedbackCase.objects.exists()


def test_a_get_on_the_actions_is_refused(client, phuong_thanh_xuan, address):
    case = resolved_case(phuong_thanh_xuan)
    assert client.get(track_url(case, "rate"), REMOTE_ADDR=address).status_code == 405


# --- Reopening ----------------------------------------------------------------------------------------------


def test_reopening_returns_the_case_to_the_inbox_flagged_with_a_new_due_date(
    client, phuong_thanh_xuan, address, django_capture_on_commit_callbacks
):
    case = resolved_case(phuong_thanh_xuan, with_contact=True)
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(track_url(case, "reopen"), {"reason": "Cán bộ vẫn chưa trả hồ sơ."}, REMOTE_ADDR=address)
    assert response.status_code == 302 and response.url.endswith("?done=reopened")
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_PROGRESS and case.closed_at is None
    assert (case.reopen_count, case.reopen_reason) == (1, "Cán bộ vẫn chưa trả hồ sơ.") and case.reopened_at
    assert case.due_on == due_date_for(today())
    assert [m.event for m in case.citizen_messages.all()] == [CitizenEvent.REOPENED, CitizenEvent.REOPENED]
    assert case.history.first().history_change_reason == "reopened by the citizen"

    officer = make_user("officer.ptx", Role.WARD_OFFICER, phuong_thanh_xuan)
    with translation.override("en"):
        inbox = client_for(client, officer).get(reverse("feedback:inbox")).content.decode()
        detail = client.get(reverse("feedback:case_detail", args=[case.pk])).content.decode()
    assert 'data-testid="reopened"' in inbox
    assert 'data-testid="reopened"' in detail and "Cán bộ vẫn chưa trả hồ sơ." in detail


def test_the_reopen_window_closes_after_the_set_days(client, phuong_thanh_xuan, address, settings):
    settings.FEEDBACK_REOPEN_DAYS = 14
    inside = resolved_case(phuong_thanh_xuan, closed_days_ago=14)
    late = resolved_case(phuong_thanh_xuan, closed_days_ago=15)
    assert client.post(track_url(inside, "reopen"), {"reason": "Chưa xong"}, REMOTE_ADDR=address).status_code == 302

    before = snapshot(late)
    assert in_page("Reopen my feedback") not in client.get(track_url(late), REMOTE_ADDR=address).content.decode()
    response = client.post(track_url(late, "reopen"), {"reason": "Chưa xong"}, REMOTE_ADDR=address)
    assert response.status_code == 400
    assert in_page("A case can be reopened only within %(days)s days of its resolution.", days=14) in response.content.decode()
    assert snapshot(late) == before


@pytest.mark.parametrize("reason", ["", "   ", "x" * 2001])
def test_a_reopen_needs_a_reason(client, phuong_thanh_xuan, address, reason):
    case = resolved_case(phuong_thanh_xuan)
    before = snapshot(case)
    assert client.post(track_url(case, "reopen"), {"reason": reason}, REMOTE_ADDR=address).status_code == 400
    assert snapshot(case) == before


def test_a_rated_case_may_still_be_reopened_and_a_reopened_case_cannot_be_reopened_again(phuong_thanh_xuan):
    case = resolved_case(phuong_thanh_xuan)
    services.case_rate(tracking_code=case.tracking_code, rating=1, comment="Không hài lòng")
    services.case_reopen(tracking_code=case.tracking_code, reason="Vẫn chưa được giải quyết")
    with pytest.raises(ValidationError) as refused:
        services.case_reopen(tracking_code=case.tracking_code, reason="lần nữa")
    assert refused.value.code == "not_resolved"
    case.refresh_from_db()
    assert (case.handling_rating, case.reopen_count) == (1, 1)


def test_the_tracking_code_is_read_as_typed(phuong_thanh_xuan):
    case = resolved_case(phuong_thanh_xuan)
    typed = "-".join([case.tracking_code[:4].lower(), case.tracking_code[4:]])
    assert services.case_rate(tracking_code=typed, rating=4).handling_rating == 4


# --- Figures ------------------------------------------------------------------------------------------------


def test_a_reopened_case_never_counts_as_on_time(phuong_thanh_xuan, officer_ptx):
    from feedback.staff.services import feedback_reply_and_resolve

    month = this_month()
    on_time = resolved_case(phuong_thanh_xuan, closed_days_ago=0)
    reopened = resolved_case(phuong_thanh_xuan, closed_days_ago=0)
    FeedbackCase.objects.filter(pk__in=[on_time.pk, reopened.pk]).update(received_at=local_at(month))
    assert on_time_rate(unit=phuong_thanh_xuan, month=month) == 100

    services.case_reopen(tracking_code=reopened.tracking_code, reason="Chưa giải quyết")
    reopened.refresh_from_db()
    # Reopened, open and not yet due: not counted either way; answered again in time: still late.
    assert on_time_rate(unit=phuong_thanh_xuan, month=month) == 100
    feedback_reply_and_resolve(actor=officer_ptx, case=reopened, public_reply="Đã trả hồ sơ.")
    reopened.refresh_from_db()
    assert reopened.closed_at.date() <= reopened.due_on
    assert on_time_rate(unit=phuong_thanh_xuan, month=month) == 50
    (row, *_rest) = unit_feedback_months(unit=phuong_thanh_xuan)
    assert row.on_time == 50


def test_handling_satisfaction_is_the_share_of_4_and_5(phuong_thanh_xuan):
    for rating in (5, 4, 2, 1):
        case = resolved_case(phuong_thanh_xuan)
        services.case_rate(tracking_code=case.tracking_code, rating=rating)
    resolved_case(phuong_thanh_xuan)  # not rated: not counted
    assert handling_satisfaction(units_qs_or_unit=phuong_thanh_xuan, month=this_month()) == 50
    (row, *_rest) = unit_feedback_months(unit=phuong_thanh_xuan)
    assert row.handling == 50


def test_the_unit_page_shows_handling_satisfaction_in_constant_queries(
    client, phuong_thanh_xuan, city_admin, django_assert_max_num_queries
):
    url = phuong_thanh_xuan.get_absolute_url()
    case = resolved_case(phuong_thanh_xuan)
    services.case_rate(tracking_code=case.tracking_code, rating=5)
    client_for(client, city_admin)
    with django_assert_max_num_queries(60) as few:
        client.get(url)
    for rating in (1, 2, 3, 4):
        services.case_rate(tracking_code=resolved_case(phuong_thanh_xuan).tracking_code, rating=rating)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url)
    assert page.status_code == 200
    assert '<td class="text-end" data-col="handling">40%</td>' in page.content.decode()
