"""The case page offers only what the server accepts: the status list holds the case's own status and the moves
allowed from it; replying and resolving is one step; replies start from templates of the case's kind of its
jurisdiction (its unit's, one up its tree, or national), filled from the case, edited before sending. Templates are
managed by those who triage feedback of their jurisdiction (404 outside the scope, 403 on a unit above)."""

from django.urls import reverse
from django.utils import timezone, translation
import pytest

from feedback.choices import CaseStatus, FeedbackKind
from feedback.models import FeedbackCase, ReplyTemplate
from feedback.public.services import tracking_code_new
from feedback.staff import replies
from feedback.staff.forms import StatusForm
from tests.builders import make_user
from tests.factories import FeedbackCaseFactory, ReplyTemplateFactory
from tests.helpers import client_for
from units.choices import Role, Structure
from units.models import Unit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def khuong_dinh(hanoi):
    return Unit.objects.get(structure=Structure.CURRENT, name="Phường Khương Đình")


def new_case(unit, **fields):
    return FeedbackCaseFactory(unit=unit, tracking_code=tracking_code_new(), **fields)


def detail(case):
    return reverse("feedback:case_detail", args=[case.pk])


@pytest.mark.parametrize("status, offered", [
    (CaseStatus.NEW, {CaseStatus.NEW, CaseStatus.IN_PROGRESS}),
    (CaseStatus.IN_PROGRESS, {CaseStatus.IN_PROGRESS, CaseStatus.RESOLVED, CaseStatus.REJECTED}),
    (CaseStatus.RESOLVED, {CaseStatus.RESOLVED, CaseStatus.IN_PROGRESS}),
    (CaseStatus.REJECTED, {CaseStatus.REJECTED, CaseStatus.IN_PROGRESS}),
])
def test_the_status_list_offers_only_allowed_moves(client, officer_ptx, phuong_thanh_xuan, status, offered):
    case = new_case(phuong_thanh_xuan, status=status, rejection_reason="spam" if status == CaseStatus.REJECTED else "")
    form = client_for(client, officer_ptx).get(detail(case)).context["forms"]["status"]
    assert {value for value, _label in form.fields["status"].choices} == offered
    assert ("rejection_reason" in form.fields) == (status == CaseStatus.IN_PROGRESS)


def test_a_refused_move_is_still_refused_by_the_server(client, officer_ptx, phuong_thanh_xuan):
    case = new_case(phuong_thanh_xuan)
    response = client_for(client, officer_ptx).post(detail(case), {"action": "status", "status": CaseStatus.RESOLVED})
    assert response.status_code == 400
    assert FeedbackCase.objects.get(pk=case.pk).status == CaseStatus.NEW
    assert not StatusForm({"status": CaseStatus.RESOLVED}, case=case).is_valid()


def test_reply_and_resolve_in_one_step_from_a_new_case(client, officer_ptx, phuong_thanh_xuan):
    case = new_case(phuong_thanh_xuan)
    response = client_for(client, officer_ptx).post(detail(case), {"action": "resolve", "public_reply": "Đã xử lý xong."})
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.public_reply) == (CaseStatus.RESOLVED, "Đã xử lý xong.")
    assert case.closed_at and case.replied_at
    assert case.history.count() == 2  # created, then one change
    page = client.get(detail(case)).content.decode()
    assert "Reply and resolve" not in page  # closed: only the reply can change


def test_reply_and_resolve_needs_a_reply(client, officer_ptx, phuong_thanh_xuan):
    case = new_case(phuong_thanh_xuan)
    response = client_for(client, officer_ptx).post(detail(case), {"action": "resolve", "public_reply": "  "})
    assert response.status_code == 400
    assert "Write the reply to the citizen before resolving the case." in response.content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.NEW and case.history.count() == 1


def test_an_officer_reopening_a_case_flags_it_with_a_new_due_date(officer_ptx, phuong_thanh_xuan):
    from feedback.public.services import due_date_for
    from feedback.staff.services import feedback_update

    case = new_case(phuong_thanh_xuan, status=CaseStatus.RESOLVED, closed_at=timezone.now())
    feedback_update(actor=officer_ptx, case=case, status=CaseStatus.IN_PROGRESS)
    case.refresh_from_db()
    assert (case.reopen_count, case.closed_at, case.due_on) == (1, None, due_date_for(timezone.localdate()))


# --- Reply templates ----------------------------------------------------------------------------------------


def test_the_shipped_national_templates_are_there():
    names = set(ReplyTemplate.objects.filter(jurisdiction__isnull=True).values_list("name", flat=True))
    assert {"Trả lời chung về phản ánh", "Cảm ơn lời khen"} <= names


def test_a_case_is_offered_the_templates_of_its_kind_nearest_first(phuong_thanh_xuan, khuong_dinh, hanoi):
    own = ReplyTemplateFactory(jurisdiction=phuong_thanh_xuan, name="Mẫu của phường", kind=FeedbackKind.ATTITUDE)
    city = ReplyTemplateFactory(jurisdiction=hanoi, name="Mẫu của thành phố")
    ReplyTemplateFactory(jurisdiction=khuong_dinh, name="Mẫu của phường khác")
    ReplyTemplateFactory(jurisdiction=phuong_thanh_xuan, name="Mẫu lời khen", kind=FeedbackKind.PRAISE)
    ReplyTemplateFactory(jurisdiction=phuong_thanh_xuan, name="Mẫu đã bỏ", is_active=False)
    case = new_case(phuong_thanh_xuan, kind=FeedbackKind.ATTITUDE)
    offered = [t.name for t in replies.reply_templates_for_case(case=case)]
    assert offered[:2] == [own.name, city.name]
    assert "Trả lời phản ánh về thái độ của cán bộ" in offered and "Trả lời chung về phản ánh" in offered
    assert not {"Mẫu của phường khác", "Mẫu lời khen", "Mẫu đã bỏ", "Cảm ơn lời khen"} & set(offered)


def test_picking_a_template_fills_the_reply_from_the_case_and_writes_nothing(client, officer_ptx, phuong_thanh_xuan, khuong_dinh):
    template = ReplyTemplateFactory(jurisdiction=phuong_thanh_xuan, text="{unit}: phản ánh {tracking_code} nhận ngày "
                                    "{received_on}, hạn {due_on}. {unknown}")
    foreign = ReplyTemplateFactory(jurisdiction=khuong_dinh, text="Không được dùng")
    case = new_case(phuong_thanh_xuan)
    before = (case.history.count(), FeedbackCase.objects.get(pk=case.pk).updated_at)
    officer = client_for(client, officer_ptx)

    page = officer.get(detail(case), {"template": template.pk})
    filled = page.context["forms"]["reply"].initial["public_reply"]
    received = timezone.localtime(case.received_at).strftime("%d/%m/%Y")
    assert filled == (f"Phường Thanh Xuân: phản ánh {case.tracking_code} nhận ngày {received}, "
                      f"hạn {case.due_on:%d/%m/%Y}. {{unknown}}")
    assert (case.history.count(), FeedbackCase.objects.get(pk=case.pk).updated_at) == before
    # A template not offered for the case (another ward's, a made-up id) fills nothing.
    for pk in (foreign.pk, "abc", 10**9):
        assert officer.get(detail(case), {"template": pk}).context["forms"]["reply"].initial["public_reply"] == ""


def test_templates_are_managed_within_scope(client, officer_ptx, phuong_thanh_xuan, khuong_dinh, hanoi, city_admin):
    own = ReplyTemplateFactory(jurisdiction=phuong_thanh_xuan)
    city = ReplyTemplateFactory(jurisdiction=hanoi)
    foreign = ReplyTemplateFactory(jurisdiction=khuong_dinh)
    national = ReplyTemplate.objects.filter(jurisdiction__isnull=True).first()
    officer = client_for(client, officer_ptx)

    listed = {t.pk for t, _can in officer.get(reverse("feedback:reply_template_list")).context["rows"]}
    assert {own.pk, city.pk, national.pk} <= listed and foreign.pk not in listed
    edit = lambda t: reverse("feedback:reply_template_edit", args=[t.pk])  # noqa: E731
    assert officer.get(edit(foreign)).status_code == 404
    assert officer.post(edit(foreign), {"name": "x", "text": "y"}).status_code == 404
    assert officer.get(edit(city)).status_code == 200  # read, not change
    assert officer.post(edit(city), {"name": "x", "text": "y"}).status_code == 403
    assert officer.post(edit(national), {"name": "x", "text": "y"}).status_code == 403

    response = officer.post(edit(own), {"name": "Mẫu mới", "kind": "", "text": "Cảm ơn {unit}.", "is_active": "on"})
    assert response.status_code == 302
    own.refresh_from_db()
    assert (own.name, own.text) == ("Mẫu mới", "Cảm ơn {unit}.") and own.history.first().history_user == officer_ptx

    bad = officer.post(edit(own), {"name": "Mẫu", "kind": "", "text": "Xin chào {ten_cong_dan}"})
    assert bad.status_code == 200 and "Unknown placeholders: {ten_cong_dan}." in bad.content.decode()

    created = officer.post(reverse("feedback:reply_template_create"),
                           {"jurisdiction": phuong_thanh_xuan.pk, "name": "Mẫu phường", "text": "Nội dung"})
    assert created.status_code == 302 and ReplyTemplate.objects.filter(name="Mẫu phường", jurisdiction=phuong_thanh_xuan).exists()
    for jurisdiction in (khuong_dinh.pk, hanoi.pk, ""):
        refused = officer.post(reverse("feedback:reply_template_create"),
                               {"jurisdiction": jurisdiction, "name": "Mẫu lạ", "text": "Nội dung"})
        assert refused.status_code == 200
    assert not ReplyTemplate.objects.filter(name="Mẫu lạ").exists()

    admin = client_for(client, city_admin)
    assert admin.post(edit(city), {"name": "Mẫu thành phố", "kind": "", "text": "Nội dung"}).status_code == 302


def test_someone_who_does_not_triage_cannot_make_templates(client, hanoi):
    inspector = make_user("inspector.x", Role.INSPECTOR, hanoi)
    assert client_for(client, inspector).get(reverse("feedback:reply_template_create")).status_code == 403


# --- Query counts -------------------------------------------------------------------------------------------


def test_the_inbox_with_reopened_cases_takes_constant_queries(client, officer_ptx, phuong_thanh_xuan, django_assert_max_num_queries):
    new_case(phuong_thanh_xuan, reopen_count=1, reopened_at=timezone.now(), status=CaseStatus.IN_PROGRESS)
    officer = client_for(client, officer_ptx)
    with django_assert_max_num_queries(40) as few:
        officer.get(reverse("feedback:inbox"))
    for i in range(20):
        new_case(phuong_thanh_xuan, reopen_count=i % 2, status=CaseStatus.IN_PROGRESS)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = officer.get(reverse("feedback:inbox"))
    assert page.content.decode().count('data-testid="reopened"') == 11


def test_the_case_page_takes_constant_queries_whatever_its_messages_and_templates(
    client, officer_ptx, phuong_thanh_xuan, django_assert_max_num_queries
):
    from tests.factories import CitizenMessageFactory

    case = new_case(phuong_thanh_xuan, with_contact=True)
    officer = client_for(client, officer_ptx)
    with django_assert_max_num_queries(60) as few:
        officer.get(detail(case))
    for _i in range(5):
        CitizenMessageFactory(case=case)
        ReplyTemplateFactory(jurisdiction=phuong_thanh_xuan)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = officer.get(detail(case))
    assert page.content.decode().count("Waiting to be sent") == 5
