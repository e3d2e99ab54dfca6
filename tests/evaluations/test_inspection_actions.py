"""Corrective actions: who sets, marks done and verifies them; evidence files; overdue; the landing page; scope."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
import pytest

from evaluations.choices import ActionStatus
from evaluations.inspections.selectors import actions_for_unit, overdue_actions
from evaluations.inspections.services import action_create, action_mark_done, action_verify
from evaluations.models import CorrectiveAction
from tests.builders import make_user
from tests.evaluations.inspection_helpers import pdf_bytes, png_bytes
from tests.factories import (
    CorrectiveActionFactory,
    InspectionTeamFactory,
    InspectionVisitFactory,
    record_results,
)
from units.choices import Role

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate
YESTERDAY = lambda: timezone.localdate() - datetime.timedelta(days=1)  # noqa: E731


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


# Services ------------------------------------------------------------------------------------------------------


def test_team_member_creates_an_action_for_the_visited_unit(inspector, finding, thanh_xuan_bac):
    created = action_create(
        actor=inspector, finding=finding, description="Đeo thẻ", owner_unit=thanh_xuan_bac, due_on=TODAY()
    )
    assert created.status == ActionStatus.OPEN
    assert created.history.get().history_user == inspector


def test_district_office_creates_an_action(district_officer, finding, thanh_xuan_bac):
    created = action_create(
        actor=district_officer, finding=finding, description="Đeo thẻ", owner_unit=thanh_xuan_bac, due_on=TODAY()
    )
    assert created.owner_unit == thanh_xuan_bac


def test_ward_officer_cannot_create_an_action(ward_officer, finding, thanh_xuan_bac):
    with pytest.raises(PermissionDenied):
        action_create(actor=ward_officer, finding=finding, description="x", owner_unit=thanh_xuan_bac, due_on=TODAY())


def test_create_refuses_a_past_due_date_and_a_unit_outside_the_visited_one(inspector, finding, thanh_xuan_bac, thanh_xuan_trung):
    with pytest.raises(ValidationError) as error:
        action_create(actor=inspector, finding=finding, description="x", owner_unit=thanh_xuan_bac, due_on=YESTERDAY())
    assert "due_on" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        action_create(actor=inspector, finding=finding, description="x", owner_unit=thanh_xuan_trung, due_on=TODAY())
    assert "owner_unit" in error.value.message_dict
    assert not CorrectiveAction.objects.exists()


def test_ward_officer_marks_done_and_team_member_verifies(ward_officer, inspector, action):
    action_mark_done(actor=ward_officer, action=action, evidence="Đã nhắc nhở toàn bộ cán bộ")
    action.refresh_from_db()
    assert (action.status, action.done_by) == (ActionStatus.DONE, ward_officer)
    action_verify(actor=inspector, action=action, accepted=True)
    action.refresh_from_db()
    assert (action.status, action.verified_by) == (ActionStatus.VERIFIED, inspector)
    assert [h.history_user for h in action.history.order_by("history_date")] == [None, ward_officer, inspector]


def test_unit_head_marks_done(unit_head, action):
    action_mark_done(actor=unit_head, action=action, evidence="Đã làm")
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE


@pytest.mark.parametrize("role_user", ["inspector", "district_officer"])
def test_the_team_cannot_mark_done_for_the_ward(request, role_user, action):
    with pytest.raises(PermissionDenied):
        action_mark_done(actor=request.getfixturevalue(role_user), action=action, evidence="x")
    action.refresh_from_db()
    assert action.status == ActionStatus.OPEN


def test_ward_officer_cannot_verify(ward_officer, action):
    action_mark_done(actor=ward_officer, action=action, evidence="x")
    with pytest.raises(PermissionDenied):
        action_verify(actor=ward_officer, action=action, accepted=True)


def test_an_inspector_outside_the_team_cannot_verify(thanh_xuan, ward_officer, action):
    outsider = make_user("other.inspector", Role.INSPECTOR, thanh_xuan)
    action_mark_done(actor=ward_officer, action=action, evidence="x")
    with pytest.raises(PermissionDenied):
        action_verify(actor=outsider, action=action, accepted=True)


def test_send_back_needs_a_note_and_reopens(ward_officer, inspector, action):
    action_mark_done(actor=ward_officer, action=action, evidence="x")
    with pytest.raises(ValidationError) as error:
        action_verify(actor=inspector, action=action, accepted=False)
    assert "note" in error.value.message_dict
    action_verify(actor=inspector, action=action, accepted=False, note="Chưa có ảnh chụp")
    action.refresh_from_db()
    assert action.status == ActionStatus.OPEN and action.done_by is None
    assert action.history.latest().history_change_reason == "Chưa có ảnh chụp"


def test_refused_transitions(ward_officer, inspector, action):
    with pytest.raises(ValidationError):
        action_verify(actor=inspector, action=action, accepted=True)  # still open
    action_mark_done(actor=ward_officer, action=action, evidence="x")
    with pytest.raises(ValidationError):
        action_mark_done(actor=ward_officer, action=action, evidence="again")
    action_verify(actor=inspector, action=action, accepted=True)
    with pytest.raises(ValidationError) as error:
        action_verify(actor=inspector, action=action, accepted=False, note="x")
    assert "verified" in error.value.messages[0]


def test_evidence_text_is_required(ward_officer, action):
    with pytest.raises(ValidationError) as error:
        action_mark_done(actor=ward_officer, action=action, evidence="  ")
    assert "evidence" in error.value.message_dict


def test_renamed_exe_is_refused_and_real_pdf_accepted(ward_officer, action):
    fake = SimpleUploadedFile("minh-chung.pdf", b"MZ\x90\x00" + b"\x00" * 200, content_type="application/pdf")
    with pytest.raises(ValidationError) as error:
        action_mark_done(actor=ward_officer, action=action, evidence="x", evidence_file=fake)
    assert "evidence_file" in error.value.message_dict
    action.refresh_from_db()
    assert action.status == ActionStatus.OPEN and not action.evidence_file

    real = SimpleUploadedFile("scan.pdf", pdf_bytes(), content_type="application/pdf")
    action_mark_done(actor=ward_officer, action=action, evidence="x", evidence_file=real)
    action.refresh_from_db()
    assert action.evidence_file.name.endswith(".pdf")
    assert action.evidence_file.read().startswith(b"%PDF-")


def test_oversized_evidence_is_refused(ward_officer, action):
    big = SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"0" * (5 * 1024 * 1024) + b"\n%%EOF", content_type="application/pdf")
    with pytest.raises(ValidationError):
        action_mark_done(actor=ward_officer, action=action, evidence="x", evidence_file=big)


# Overdue -------------------------------------------------------------------------------------------------------


def test_overdue_logic(ward_officer, district_officer, finding):
    late = CorrectiveActionFactory(finding=finding, due_on=YESTERDAY())
    due_today = CorrectiveActionFactory(finding=finding, due_on=TODAY())
    done_late = CorrectiveActionFactory(finding=finding, due_on=YESTERDAY(), status=ActionStatus.DONE)
    verified_late = CorrectiveActionFactory(finding=finding, due_on=YESTERDAY(), status=ActionStatus.VERIFIED)
    assert late.is_overdue and not due_today.is_overdue and not done_late.is_overdue and not verified_late.is_overdue
    for user in (ward_officer, district_officer):
        assert list(overdue_actions(user=user)) == [late]


def test_actions_for_unit(district_officer, finding, thanh_xuan_bac, thanh_xuan_trung, team):
    own = CorrectiveActionFactory(finding=finding)
    other_visit = InspectionVisitFactory(team=team, unit=thanh_xuan_trung)
    other = CorrectiveActionFactory(finding__visit=other_visit, finding__result=record_results(other_visit)[0])
    assert list(actions_for_unit(user=district_officer, unit=thanh_xuan_bac)) == [own]
    assert list(actions_for_unit(user=district_officer, unit=thanh_xuan_trung)) == [other]


# Pages ---------------------------------------------------------------------------------------------------------


def test_ward_officer_marks_done_through_the_page(client, ward_officer, action):
    client.force_login(ward_officer)
    page = client.get(reverse("evaluations:action_detail", args=[action.pk]))
    assert page.status_code == 200
    assert b'data-testid="done-form"' in page.content and b'data-testid="verify-form"' not in page.content
    upload = SimpleUploadedFile("anh.png", png_bytes(), content_type="image/png")
    response = client.post(
        reverse("evaluations:action_mark_done", args=[action.pk]), {"evidence": "Đã nhắc nhở", "evidence_file": upload}
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE and action.evidence_file.name.endswith(".png")
    download = client.get(reverse("evaluations:action_evidence", args=[action.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "image/png"
    assert "attachment" in download["Content-Disposition"]


def test_the_page_shows_a_refused_file(client, ward_officer, action):
    client.force_login(ward_officer)
    fake = SimpleUploadedFile("x.pdf", b"MZ" + b"\x00" * 100, content_type="application/pdf")
    response = client.post(reverse("evaluations:action_mark_done", args=[action.pk]), {"evidence": "x", "evidence_file": fake})
    assert response.status_code == 200
    assert response.context["done_form"].errors["evidence_file"]


def test_team_member_verifies_and_sends_back_through_the_page(client, ward_officer, inspector, action):
    action_mark_done(actor=ward_officer, action=action, evidence="x")
    client.force_login(inspector)
    page = client.get(reverse("evaluations:action_detail", args=[action.pk]))
    assert b'data-testid="verify-form"' in page.content and b'data-testid="done-form"' not in page.content
    url = reverse("evaluations:action_verify", args=[action.pk])
    response = client.post(url, {"decision": "send_back", "note": ""})
    assert response.status_code == 200 and response.context["verify_form"].errors["note"]
    assert client.post(url, {"decision": "send_back", "note": "Thiếu ảnh"}).status_code == 302
    action.refresh_from_db()
    assert action.status == ActionStatus.OPEN


def test_ward_officer_cannot_post_a_verification(client, ward_officer, action):
    action_mark_done(actor=ward_officer, action=action, evidence="x")
    client.force_login(ward_officer)
    assert client.post(reverse("evaluations:action_verify", args=[action.pk]), {"decision": "accept"}).status_code == 403
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE


def test_inspector_cannot_post_mark_done(client, inspector, action):
    client.force_login(inspector)
    response = client.post(reverse("evaluations:action_mark_done", args=[action.pk]), {"evidence": "x"})
    assert response.status_code == 403


def test_team_creates_an_action_through_the_page(client, inspector, finding, thanh_xuan_bac):
    client.force_login(inspector)
    url = reverse("evaluations:action_create", args=[finding.pk])
    assert client.get(url).status_code == 200
    due = (TODAY() + datetime.timedelta(days=5)).isoformat()
    response = client.post(url, {"description": "Niêm yết quy tắc", "owner_unit": thanh_xuan_bac.pk, "due_on": due})
    assert response.status_code == 302
    assert finding.actions.get().description == "Niêm yết quy tắc"


def test_list_filters_and_highlights_overdue(client, district_officer, finding):
    late = CorrectiveActionFactory(finding=finding, due_on=YESTERDAY(), description="Việc quá hạn")
    CorrectiveActionFactory(finding=finding, description="Việc còn hạn")
    CorrectiveActionFactory(finding=finding, status=ActionStatus.VERIFIED, description="Việc đã xác nhận")
    client.force_login(district_officer)
    everything = client.get(reverse("evaluations:action_list")).content.decode()
    assert everything.count('data-testid="action-row"') == 3
    assert everything.count('data-testid="overdue-badge"') == 1
    overdue = client.get(reverse("evaluations:action_list"), {"overdue": "1"}).content.decode()
    assert "Việc quá hạn" in overdue and "Việc còn hạn" not in overdue
    verified = client.get(reverse("evaluations:action_list"), {"status": "verified"}).content.decode()
    assert "Việc đã xác nhận" in verified and "Việc quá hạn" not in verified
    assert late.pk


def test_actions_of_another_district_are_404(client, ba_dinh, phuc_xa, ward_officer, district_officer, inspector, city_admin):
    leader = make_user("ba.dinh.inspector", Role.INSPECTOR, ba_dinh)
    other_team = InspectionTeamFactory(name="Tổ Ba Đình", owner_unit=ba_dinh, leader=leader)
    other_visit = InspectionVisitFactory(team=other_team, unit=phuc_xa)
    other = CorrectiveActionFactory(finding__visit=other_visit, finding__result=record_results(other_visit)[0])
    for user in (ward_officer, district_officer, inspector):
        client.force_login(user)
        for name in ("action_detail", "action_mark_done", "action_verify", "action_evidence"):
            method = client.get if name in ("action_detail", "action_evidence") else client.post
            assert method(reverse(f"evaluations:{name}", args=[other.pk])).status_code == 404, (user, name)
        assert client.get(reverse("evaluations:action_create", args=[other.finding_id])).status_code == 404
        assert "data-testid=\"action-row\"" not in client.get(reverse("evaluations:action_list")).content.decode()
    client.force_login(city_admin)
    assert client.get(reverse("evaluations:action_detail", args=[other.pk])).status_code == 200


def test_action_list_query_count_is_constant(client, district_officer, team, thanh_xuan_bac, django_assert_max_num_queries):
    client.force_login(district_officer)

    def add(n):
        for _ in range(n):
            visit = InspectionVisitFactory(team=team, unit=thanh_xuan_bac)
            CorrectiveActionFactory(finding__visit=visit, finding__result=record_results(visit, failed=1)[0], due_on=YESTERDAY())

    add(1)
    client.get(reverse("evaluations:action_list"))  # warm the session
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("evaluations:action_list")).status_code == 200
    add(6)
    with django_assert_max_num_queries(len(few)):
        page = client.get(reverse("evaluations:action_list"))
    assert page.content.decode().count('data-testid="action-row"') == 7


# Landing page --------------------------------------------------------------------------------------------------


def test_landing_page_flags_overdue_actions(client, ward_officer, district_officer, finding):
    CorrectiveActionFactory(finding=finding, due_on=YESTERDAY(), description="Niêm yết quy tắc ứng xử")
    CorrectiveActionFactory(finding=finding, due_on=YESTERDAY(), status=ActionStatus.DONE, description="Việc đã làm")
    client.force_login(ward_officer)
    page = client.get(reverse("home")).content.decode()
    assert 'data-testid="overdue-actions-flag"' in page
    assert "Niêm yết quy tắc ứng xử" in page and "Việc đã làm" not in page
    assert page.count("Niêm yết quy tắc ứng xử") == 1

    client.force_login(district_officer)
    page = client.get(reverse("home"))
    assert 'data-testid="overdue-actions-flag"' not in page.content.decode()
    assert page.context["overdue_action_count"] == 1
    assert reverse("evaluations:action_list") + "?overdue=1" in page.content.decode()


def test_landing_page_without_overdue_actions_shows_no_flag(client, ward_officer, action):
    client.force_login(ward_officer)
    page = client.get(reverse("home"))
    assert 'data-testid="overdue-actions-flag"' not in page.content.decode()
    assert page.context["visits_this_quarter"] == 1
