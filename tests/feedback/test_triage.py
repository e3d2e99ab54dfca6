"""Triage of citizen feedback by staff: the scoped inbox, the status pipeline, replies, linking staff, violations
from substantiated complaints, other channels, erasing contact details on request."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
import pytest

from evaluations.choices import Grade, Severity, ViolationSource
from evaluations.models import Rating
from feedback.choices import CaseStatus, Channel, FeedbackKind, RejectionReason
from feedback.models import FeedbackCase
from feedback.staff import services
from tests.builders import make_user, open_sheet
from tests.factories import FeedbackCaseFactory, code_article
from tests.helpers import client_for
from units.choices import Role

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def txb_case(thanh_xuan_bac):
    return FeedbackCaseFactory(unit=thanh_xuan_bac, text="Thái độ hách dịch ở bộ phận một cửa TXB",
                               contact_name="Lê Thị Hoa", contact_phone="0912345678", contact_email="hoa@example.vn", contact_consent=True)


@pytest.fixture
def txt_case(thanh_xuan_trung):
    return FeedbackCaseFactory(unit=thanh_xuan_trung, text="Chậm trả hồ sơ ở Thanh Xuân Trung")


@pytest.fixture
def pxa_case(phuc_xa):
    return FeedbackCaseFactory(unit=phuc_xa, text="Phản ánh ở Phúc Xá")


@pytest.fixture
def an(staff_factory, thanh_xuan_bac):
    return staff_factory(unit=thanh_xuan_bac, staff_code="TXB201", full_name="Nguyễn Văn An")


def inbox_texts(client, user, **params):
    response = client_for(client, user).get(reverse("feedback:inbox"), params)
    assert response.status_code == 200
    return {case.text for case in response.context["cases"]}


# --- Scope ---------------------------------------------------------------------------------------------------

def test_a_ward_officer_sees_only_the_own_wards_cases(client, ward_officer, txb_case, txt_case, pxa_case):
    assert inbox_texts(client, ward_officer) == {txb_case.text}


def test_the_district_office_sees_its_wards_not_another_district(client, district_officer, txb_case, txt_case, pxa_case):
    assert inbox_texts(client, district_officer) == {txb_case.text, txt_case.text}


@pytest.mark.parametrize(
    ("who", "case_name", "expected"),
    [
        ("ward_officer", "txb_case", 200),
        ("ward_officer", "txt_case", 404),  # sibling ward
        ("ward_officer", "pxa_case", 404),  # other district
        ("district_officer", "txt_case", 200),
        ("district_officer", "pxa_case", 404),
        ("city_admin", "pxa_case", 200),
    ],
)
def test_case_detail_scope_matrix(client, request, who, case_name, expected):
    user, case = request.getfixturevalue(who), request.getfixturevalue(case_name)
    assert client_for(client, user).get(reverse("feedback:case_detail", args=[case.pk])).status_code == expected


def test_inside_the_scope_without_the_right_reads_but_cannot_act(client, inspector, txb_case):
    officer = client_for(client, inspector)
    page = officer.get(reverse("feedback:case_detail", args=[txb_case.pk]))
    post = officer.post(reverse("feedback:case_detail", args=[txb_case.pk]), {"action": "note", "internal_note": "x"})

    assert page.status_code == 200
    assert "0912345678" not in page.content.decode()  # contact details only for those who triage
    assert post.status_code == 403
    assert officer.get(reverse("feedback:case_record")).status_code == 403
    assert officer.get(reverse("feedback:kiosk_devices")).status_code == 403


def test_the_inbox_needs_a_login(client):
    response = client.get(reverse("feedback:inbox"))
    assert response.status_code == 302 and reverse("login") in response.url


# --- Assign and the status pipeline ------------------------------------------------------------------------

def test_assign_to_a_colleague_who_can_triage_the_unit(client, ward_officer, unit_head, txb_case):
    response = client_for(client, ward_officer).post(
        reverse("feedback:case_detail", args=[txb_case.pk]), {"action": "assign", "assignee": unit_head.pk}
    )
    assert response.status_code == 302
    txb_case.refresh_from_db()
    assert txb_case.assigned_to == unit_head
    assert txb_case.history.first().history_user == ward_officer
    assert inbox_texts(client, unit_head, mine="on") == {txb_case.text}


def test_cannot_assign_someone_outside_the_unit(ward_officer, thanh_xuan_trung, txb_case):
    stranger = make_user("other.ward", Role.WARD_OFFICER, thanh_xuan_trung)
    with pytest.raises(ValidationError):
        services.feedback_assign(actor=ward_officer, case=txb_case, assignee=stranger)


def test_allowed_transitions_and_reopen(ward_officer, txb_case):
    services.feedback_update(actor=ward_officer, case=txb_case, status=CaseStatus.IN_PROGRESS)
    services.feedback_update(actor=ward_officer, case=txb_case, public_reply="Đã nhắc nhở cán bộ.", status=CaseStatus.RESOLVED)
    assert txb_case.closed_at is not None and txb_case.replied_at is not None

    services.feedback_update(actor=ward_officer, case=txb_case, status=CaseStatus.IN_PROGRESS)  # reopen
    txb_case.refresh_from_db()
    assert (txb_case.status, txb_case.closed_at) == (CaseStatus.IN_PROGRESS, None)


@pytest.mark.parametrize(("start", "target"), [
    (CaseStatus.NEW, CaseStatus.RESOLVED), (CaseStatus.NEW, CaseStatus.REJECTED), (CaseStatus.RESOLVED, CaseStatus.REJECTED),
])
def test_refused_transitions(ward_officer, thanh_xuan_bac, start, target):
    case = FeedbackCaseFactory(unit=thanh_xuan_bac, status=start, public_reply="Trả lời", rejection_reason="")
    with pytest.raises(ValidationError):
        services.feedback_update(actor=ward_officer, case=case, status=target, rejection_reason=RejectionReason.SPAM)
    case.refresh_from_db()
    assert case.status == start


def test_resolving_without_a_reply_is_refused_and_nothing_is_saved(client, ward_officer, txb_case):
    FeedbackCase.objects.filter(pk=txb_case.pk).update(status=CaseStatus.IN_PROGRESS)
    response = client_for(client, ward_officer).post(
        reverse("feedback:case_detail", args=[txb_case.pk]), {"action": "status", "status": CaseStatus.RESOLVED}
    )
    assert response.status_code == 400
    assert "Write the reply to the citizen before resolving the case." in response.content.decode()
    txb_case.refresh_from_db()
    assert (txb_case.status, txb_case.closed_at) == (CaseStatus.IN_PROGRESS, None)


def test_rejecting_needs_a_reason(ward_officer, txb_case):
    services.feedback_update(actor=ward_officer, case=txb_case, status=CaseStatus.IN_PROGRESS)
    with pytest.raises(ValidationError) as error:
        services.feedback_update(actor=ward_officer, case=txb_case, status=CaseStatus.REJECTED)
    assert "rejection_reason" in error.value.error_dict
    services.feedback_update(actor=ward_officer, case=txb_case, status=CaseStatus.REJECTED, rejection_reason=RejectionReason.DUPLICATE)
    txb_case.refresh_from_db()
    assert (txb_case.status, txb_case.rejection_reason) == (CaseStatus.REJECTED, RejectionReason.DUPLICATE)


def test_the_reply_is_stored_with_its_date_for_the_tracking_page(client, ward_officer, txb_case):
    client_for(client, ward_officer).post(
        reverse("feedback:case_detail", args=[txb_case.pk]), {"action": "reply", "public_reply": "Cảm ơn ông/bà đã phản ánh."}
    )
    txb_case.refresh_from_db()
    assert txb_case.public_reply == "Cảm ơn ông/bà đã phản ánh." and txb_case.replied_at is not None
    replied = txb_case.replied_at
    services.feedback_update(actor=ward_officer, case=txb_case, public_reply="Cảm ơn ông/bà đã phản ánh.")
    assert txb_case.replied_at == replied  # unchanged reply, unchanged date


def test_someone_from_another_ward_cannot_update_through_the_service(thanh_xuan_trung, txb_case):
    stranger = make_user("other.ward", Role.WARD_OFFICER, thanh_xuan_trung)
    with pytest.raises(PermissionDenied):
        services.feedback_update(actor=stranger, case=txb_case, internal_note="x")


# --- Staff link and violations -----------------------------------------------------------------------------

def test_a_substantiated_complaint_becomes_a_violation_that_caps_the_grade(client, ward_officer, thanh_xuan_bac, an):
    month = timezone.localdate().replace(day=1)
    open_sheet(thanh_xuan_bac, ward_officer, month)
    assert Rating.objects.get(staff=an, sheet__month=month).grade == Grade.A
    case = FeedbackCaseFactory(unit=thanh_xuan_bac, received_at=timezone.now())
    officer = client_for(client, ward_officer)
    url = reverse("feedback:case_detail", args=[case.pk])

    officer.post(url, {"action": "link", "staff": an.pk, "substantiated": "on"})
    response = officer.post(url, {"action": "violation", "article": code_article().pk, "severity": Severity.MINOR,
                                  "description": "Thái độ hách dịch với công dân."})

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.staff == an and case.substantiated
    assert case.violation.source == ViolationSource.CITIZEN_FEEDBACK
    assert case.violation.occurred_on == timezone.localdate(case.received_at)
    assert Rating.objects.get(staff=an, sheet__month=month).grade == Grade.B
    assert 'data-testid="case-violation"' in officer.get(url).content.decode()


def test_praise_cannot_create_a_violation(ward_officer, thanh_xuan_bac, an):
    case = FeedbackCaseFactory(unit=thanh_xuan_bac, kind=FeedbackKind.PRAISE, staff=an, substantiated=True)
    with pytest.raises(ValidationError, match="Praise cannot become a violation."):
        services.feedback_create_violation(actor=ward_officer, case=case, article=code_article(),
                                           severity=Severity.MINOR, description="x")
    assert case.violation_id is None


def test_an_unsubstantiated_complaint_cannot_create_a_violation(ward_officer, thanh_xuan_bac, an):
    case = FeedbackCaseFactory(unit=thanh_xuan_bac, staff=an, substantiated=False)
    with pytest.raises(ValidationError):
        services.feedback_create_violation(actor=ward_officer, case=case, article=code_article(),
                                           severity=Severity.MINOR, description="x")


def test_staff_of_another_ward_cannot_be_linked(ward_officer, txb_case, staff_factory, thanh_xuan_trung):
    other = staff_factory(unit=thanh_xuan_trung)
    with pytest.raises(ValidationError):
        services.feedback_link_staff(actor=ward_officer, case=txb_case, staff=other, substantiated=True)


# --- Other channels ----------------------------------------------------------------------------------------

def test_recording_a_hotline_call(client, ward_officer, thanh_xuan_bac):
    received = timezone.localtime() - datetime.timedelta(hours=2)
    response = client_for(client, ward_officer).post(reverse("feedback:case_record"), {
        "unit": thanh_xuan_bac.pk, "channel": Channel.HOTLINE, "received_at": received.strftime("%Y-%m-%dT%H:%M"),
        "kind": FeedbackKind.DELAY, "text": "Gọi đường dây nóng: hồ sơ đất đai chậm 2 tuần.", "satisfaction": "2",
        "contact_name": "Phạm Văn Nam", "contact_phone": "0987000111", "consent": "on",
    })

    case = FeedbackCase.objects.get()
    assert response.status_code == 302 and response.url == reverse("feedback:case_detail", args=[case.pk])
    assert (case.unit, case.channel, case.kind, case.satisfaction, case.recorded_by) == (
        thanh_xuan_bac, Channel.HOTLINE, FeedbackKind.DELAY, 2, ward_officer)
    assert case.contact_phone == "0987000111" and case.contact_consent
    assert case.due_on > timezone.localdate(case.received_at) and case.due_on.weekday() < 5
    assert case.history.first().history_user == ward_officer


def test_contact_details_without_consent_are_refused(client, ward_officer, thanh_xuan_bac):
    response = client_for(client, ward_officer).post(reverse("feedback:case_record"), {
        "unit": thanh_xuan_bac.pk, "channel": Channel.MAILBOX, "received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "kind": FeedbackKind.OTHER, "text": "Phiếu trong hòm thư.", "contact_phone": "0987000111",
    })
    assert response.status_code == 200
    assert "Contact details can be kept only with the citizen&#x27;s consent." in response.content.decode()
    assert not FeedbackCase.objects.exists()


def test_a_ward_officer_cannot_record_for_another_ward(ward_officer, thanh_xuan_trung):
    with pytest.raises(PermissionDenied):
        services.feedback_record(actor=ward_officer, unit=thanh_xuan_trung, channel=Channel.HOTLINE, kind=FeedbackKind.OTHER,
                                 text="x", received_at=timezone.now())


# --- Erasure on request ------------------------------------------------------------------------------------

def test_erasing_contact_details_on_request(client, ward_officer, txb_case):
    officer = client_for(client, ward_officer)
    url = reverse("feedback:case_detail", args=[txb_case.pk])
    assert "0912345678" in officer.get(url).content.decode()

    response = officer.post(url, {"action": "erase", "reason": "Công dân yêu cầu qua điện thoại"})

    assert response.status_code == 302
    txb_case.refresh_from_db()
    assert (txb_case.contact_name, txb_case.contact_phone, txb_case.contact_email, txb_case.contact_consent) == ("", "", "", False)
    assert txb_case.contact_erased_at is not None
    latest = txb_case.history.first()
    assert (latest.history_user, latest.history_change_reason) == (ward_officer, "Công dân yêu cầu qua điện thoại")
    assert not txb_case.history.exclude(contact_phone="").exists()  # not kept in the history either
    page = officer.get(url).content.decode()
    assert "0912345678" not in page and "Lê Thị Hoa" not in page and "hoa@example.vn" not in page


# --- Inbox: queries, overdue, filters -----------------------------------------------------------------------

def test_the_inbox_takes_the_same_queries_for_many_cases_as_for_few(client, district_officer, thanh_xuan_bac, thanh_xuan_trung, an):
    officer = client_for(client, district_officer)

    def count():
        with CaptureQueriesContext(connection) as captured:
            response = officer.get(reverse("feedback:inbox"))
        assert response.status_code == 200
        return len(captured), len(response.context["cases"])

    for unit in (thanh_xuan_bac, thanh_xuan_trung):
        FeedbackCaseFactory(unit=unit, assigned_to=district_officer, staff=an)
    few, shown_few = count()
    for i in range(30):
        FeedbackCaseFactory(unit=thanh_xuan_bac if i % 2 else thanh_xuan_trung, assigned_to=district_officer, staff=an)
    many, shown_many = count()
    assert (shown_few, shown_many) == (2, 32)
    assert few == many


def test_overdue_cases_are_highlighted_and_filtered(client, ward_officer, thanh_xuan_bac):
    late = FeedbackCaseFactory(unit=thanh_xuan_bac, text="quá hạn", due_on=timezone.localdate() - datetime.timedelta(days=1))
    FeedbackCaseFactory(unit=thanh_xuan_bac, text="còn hạn")
    FeedbackCaseFactory(unit=thanh_xuan_bac, text="đã xong", status=CaseStatus.RESOLVED, public_reply="ok",
                        due_on=timezone.localdate() - datetime.timedelta(days=5))
    officer = client_for(client, ward_officer)

    page = officer.get(reverse("feedback:inbox")).content.decode()
    assert page.count('data-overdue="1"') == 1 and f'data-overdue="1" data-case="{late.pk}"' in page
    assert inbox_texts(client, ward_officer, overdue="on") == {"quá hạn"}


def test_htmx_filtering_returns_the_rows_only(client, ward_officer, thanh_xuan_bac):
    FeedbackCaseFactory(unit=thanh_xuan_bac, text="khen ngợi", kind=FeedbackKind.PRAISE)
    FeedbackCaseFactory(unit=thanh_xuan_bac, text="chậm trễ", kind=FeedbackKind.DELAY)
    response = client_for(client, ward_officer).get(reverse("feedback:inbox"), {"kind": FeedbackKind.PRAISE}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<html" not in body and "khen ngợi" in body and "chậm trễ" not in body


def test_search_by_tracking_code(client, ward_officer, thanh_xuan_bac):
    case = FeedbackCaseFactory(unit=thanh_xuan_bac, text="tìm tôi")
    FeedbackCaseFactory(unit=thanh_xuan_bac, text="không phải")
    assert inbox_texts(client, ward_officer, q=case.tracking_code) == {"tìm tôi"}


# --- Kiosks ------------------------------------------------------------------------------------------------

def test_kiosk_devices_create_list_and_revoke(client, ward_officer, thanh_xuan_bac, thanh_xuan_trung):
    officer = client_for(client, ward_officer)
    response = officer.post(reverse("feedback:kiosk_devices"), {"unit": thanh_xuan_bac.pk, "name": "Máy tính bảng một cửa"})
    assert response.status_code == 302
    device = thanh_xuan_bac.kiosk_devices.get()
    assert len(device.token) >= 40
    page = officer.get(reverse("feedback:kiosk_devices")).content.decode()
    assert f"/kiosk/{device.token}/" in page

    other = services.kiosk_device_create(actor=make_user("tx.trung", Role.WARD_OFFICER, thanh_xuan_trung),
                                         unit=thanh_xuan_trung, name="Khác")
    assert officer.post(reverse("feedback:kiosk_device_revoke", args=[other.pk])).status_code == 404
    assert officer.post(reverse("feedback:kiosk_device_revoke", args=[device.pk])).status_code == 302
    device.refresh_from_db()
    assert device.revoked_at is not None


def test_the_photo_is_served_only_to_those_who_handle_the_case(client, ward_officer, inspector, thanh_xuan_bac):
    """A citizen's photo may show people: the ward's officer gets it, an inspector who can read the case does not,
    and it is never a public media URL."""
    import io

    from django.core.files.base import ContentFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, "PNG")
    case = FeedbackCaseFactory(
        unit=thanh_xuan_bac, tracking_code="PHOTOTEST7", kind="facilities", text="Ghế chờ bị hỏng",
        due_on=datetime.date.today(),
    )
    case.photo.save("x.png", ContentFile(buffer.getvalue()))
    url = reverse("feedback:case_photo", args=[case.pk])
    client.force_login(ward_officer)
    answer = client.get(url)
    assert answer.status_code == 200 and answer["Content-Type"] == "image/png"
    assert answer["X-Content-Type-Options"] == "nosniff"
    client.force_login(inspector)
    assert client.get(url).status_code == 403
