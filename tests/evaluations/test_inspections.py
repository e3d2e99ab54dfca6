"""Inspections: teams, planning, the visit's checklist and photos, closing and reopening, findings that cap
the month's grade, the scope matrix of the visit pages and constant query counts on the plan."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
import pytest

from evaluations.choices import CheckResult, Grade, Severity, ViolationSource, VisitKind, VisitStatus
from evaluations.inspections import services
from evaluations.models import ChecklistItem, ChecklistResult, InspectionPhoto, InspectionVisit, Violation
from evaluations.ratings.services import rating_sheet_open
from tests.builders import make_team, make_user, open_sheet, plan_visit
from tests.evaluations.inspection_helpers import png_upload
from units.choices import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(district_officer, inspector, thanh_xuan):
    return make_team(actor=district_officer, owner_unit=thanh_xuan, leader=inspector, members=[inspector])


@pytest.fixture
def visit(district_officer, team, thanh_xuan_bac):
    return plan_visit(actor=district_officer, team=team, unit=thanh_xuan_bac, kind=VisitKind.SURPRISE)


@pytest.fixture
def started(visit, inspector):
    return services.visit_start(actor=inspector, visit=visit)


def _first_result(visit) -> ChecklistResult:
    return visit.results.select_related("item").order_by("item__order").first()


# --- Teams ------------------------------------------------------------------------------------------------


def test_district_office_creates_a_team_of_its_inspectors(district_officer, inspector, thanh_xuan):
    team = make_team(actor=district_officer, owner_unit=thanh_xuan, leader=inspector, members=[inspector])
    assert list(team.members.all()) == [inspector]
    assert team.history.first().history_user == district_officer


@pytest.mark.parametrize("role", ["ward_officer", "inspector"])
def test_others_cannot_create_teams(request, role, inspector, thanh_xuan):
    with pytest.raises(PermissionDenied):
        make_team(actor=request.getfixturevalue(role), owner_unit=thanh_xuan, leader=inspector)


def test_district_office_cannot_create_a_team_for_another_district(district_officer, ba_dinh):
    other_inspector = make_user("inspector.bd", Role.INSPECTOR, ba_dinh)
    with pytest.raises(PermissionDenied):
        make_team(actor=district_officer, owner_unit=ba_dinh, leader=other_inspector)


def test_team_members_must_be_inspectors_of_the_district(district_officer, inspector, ward_officer, thanh_xuan, ba_dinh):
    other_inspector = make_user("inspector.bd", Role.INSPECTOR, ba_dinh)
    with pytest.raises(ValidationError) as error:
        make_team(actor=district_officer, owner_unit=thanh_xuan, leader=ward_officer, members=[other_inspector])
    assert set(error.value.message_dict) == {"leader", "members"}


def test_team_create_page(client, district_officer, inspector, thanh_xuan, ward_officer):
    client.force_login(district_officer)
    assert client.get(reverse("evaluations:team_create")).status_code == 200
    answer = client.post(
        reverse("evaluations:team_create"),
        {"name": "Tổ 2", "owner_unit": thanh_xuan.pk, "leader": inspector.pk, "members": [inspector.pk]},
    )
    assert answer.status_code == 302
    client.force_login(ward_officer)
    assert client.get(reverse("evaluations:team_create")).status_code == 403


# --- Planning ---------------------------------------------------------------------------------------------


def test_plan_uses_the_default_checklist(visit):
    assert visit.checklist.is_default
    assert visit.status == VisitStatus.PLANNED


def test_visit_to_a_unit_outside_the_teams_district_is_refused(district_officer, team, phuc_xa):
    with pytest.raises(ValidationError) as error:
        plan_visit(actor=district_officer, team=team, unit=phuc_xa)
    assert "Đơn vị này nằm ngoài địa bàn quận của đoàn kiểm tra." in error.value.message_dict["unit"]
    assert not InspectionVisit.objects.exists()


def test_plan_page_shows_the_refusal(client, city_admin, team, phuc_xa):
    """Only the units of the teams' districts are offered; a unit of another district posted anyway is refused
    (the service refuses it too: see test_visit_to_a_unit_outside_the_teams_district_is_refused)."""
    client.force_login(city_admin)
    answer = client.post(
        reverse("evaluations:visit_create"),
        {"team": team.pk, "unit": phuc_xa.pk, "kind": VisitKind.SCHEDULED,
         "scheduled_at": "2025-03-10T09:00", "subject": "Kiểm tra"},
    )
    assert answer.status_code == 200
    assert not InspectionVisit.objects.exists()
    assert answer.context["form"].errors["unit"]


def test_plan_page_creates_a_visit(client, district_officer, team, thanh_xuan_trung):
    client.force_login(district_officer)
    answer = client.post(
        reverse("evaluations:visit_create"),
        {"team": team.pk, "unit": thanh_xuan_trung.pk, "kind": VisitKind.SCHEDULED,
         "scheduled_at": "2025-03-10T09:00", "subject": "Kiểm tra định kỳ"},
    )
    visit = InspectionVisit.objects.get()
    assert answer.status_code == 302 and answer.url == reverse("evaluations:visit_detail", args=[visit.pk])
    assert visit.unit == thanh_xuan_trung and visit.created_by == district_officer


# --- Checklist and photos ---------------------------------------------------------------------------------


def test_start_creates_one_result_per_item(started):
    items = ChecklistItem.objects.filter(template=started.checklist).count()
    assert items > 6
    assert started.results.count() == items
    assert started.status == VisitStatus.IN_PROGRESS and started.started_at is not None


def test_start_twice_is_refused(started, inspector):
    with pytest.raises(ValidationError):
        services.visit_start(actor=inspector, visit=started)


@pytest.mark.parametrize("result", [CheckResult.PASS, CheckResult.FAIL, CheckResult.NOT_APPLICABLE])
def test_record_result_with_a_note(started, inspector, result):
    row = _first_result(started)
    services.result_record(actor=inspector, visit=started, item_id=row.item_id, result=result, note=" Ghi chú ")
    row.refresh_from_db()
    assert (row.result, row.note, row.updated_by) == (result, "Ghi chú", inspector)


def test_ward_officer_cannot_record_results(started, ward_officer):
    row = _first_result(started)
    with pytest.raises(PermissionDenied):
        services.result_record(actor=ward_officer, visit=started, item_id=row.item_id, result=CheckResult.PASS)


def test_results_before_start_are_refused(visit, inspector):
    item = visit.checklist.items.first()
    with pytest.raises(ValidationError):
        services.result_record(actor=inspector, visit=visit, item_id=item.pk, result=CheckResult.PASS)


def test_real_png_is_accepted(started, inspector):
    row = _first_result(started)
    services.result_record(actor=inspector, visit=started, item_id=row.item_id, result=CheckResult.FAIL, photos=[png_upload()])
    photo = InspectionPhoto.objects.get()
    assert photo.result == row and photo.image.name.endswith(".png")


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("scan.jpg", b"MZ\x90\x00" + b"\x00" * 500, content_type="image/jpeg"),
        SimpleUploadedFile("note.jpg", "Đây là văn bản, không phải ảnh".encode() * 10, content_type="image/jpeg"),
        SimpleUploadedFile("big.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * (5 * 1024 * 1024), content_type="image/png"),
    ],
    ids=["renamed-exe", "text-as-jpg", "over-5mb"],
)
def test_bad_photos_are_refused_and_nothing_is_saved(started, inspector, upload):
    row = _first_result(started)
    with pytest.raises(ValidationError) as error:
        services.result_record(
            actor=inspector, visit=started, item_id=row.item_id, result=CheckResult.FAIL, note="x",
            photos=[png_upload(), upload],
        )
    assert "photos" in error.value.message_dict
    assert not InspectionPhoto.objects.exists()
    row.refresh_from_db()
    assert (row.result, row.note) == ("", "")


def test_htmx_save_of_one_item(client, started, inspector):
    row = _first_result(started)
    client.force_login(inspector)
    url = reverse("evaluations:visit_result_save", args=[started.pk, row.pk])
    answer = client.post(url, {f"r{row.pk}-result": "fail", f"r{row.pk}-note": "Không đeo thẻ"}, headers={"HX-Request": "true"})
    assert answer.status_code == 200
    assert f'id="item-{row.pk}"' in answer.content.decode()
    row.refresh_from_db()
    assert (row.result, row.note) == ("fail", "Không đeo thẻ")
    bad = SimpleUploadedFile("x.jpg", b"not an image at all", content_type="image/jpeg")
    answer = client.post(url, {f"r{row.pk}-result": "pass", f"r{row.pk}-photos": bad}, headers={"HX-Request": "true"})
    assert answer.status_code == 200 and "invalid-feedback" in answer.content.decode()
    row.refresh_from_db()
    assert row.result == "fail"


def test_detail_page_has_the_mobile_checklist_for_the_team(client, started, inspector, ward_officer):
    client.force_login(inspector)
    html = client.get(reverse("evaluations:visit_detail", args=[started.pk])).content.decode()
    assert 'accept="image/*" capture="environment"' in html and "btn-check" in html
    client.force_login(ward_officer)
    html = client.get(reverse("evaluations:visit_detail", args=[started.pk])).content.decode()
    assert "btn-check" not in html and 'type="file"' not in html


# --- Close and reopen -------------------------------------------------------------------------------------


def test_closed_visit_refuses_changes_until_reopened_with_a_reason(started, inspector, district_officer):
    row = _first_result(started)
    services.visit_close(actor=inspector, visit=started, summary="Đạt yêu cầu")
    with pytest.raises(ValidationError) as error:
        services.result_record(actor=inspector, visit=started, item_id=row.item_id, result=CheckResult.FAIL)
    assert "Cuộc kiểm tra đã kết thúc; hãy mở lại kèm lý do để thay đổi kết quả." in error.value.messages
    with pytest.raises(ValidationError):
        services.visit_reopen(actor=district_officer, visit=started, reason="  ")
    services.visit_reopen(actor=district_officer, visit=started, reason="Bổ sung kết quả mục 1")
    latest = started.history.first()
    assert (latest.status, latest.history_change_reason, latest.history_user) == (
        VisitStatus.IN_PROGRESS, "Bổ sung kết quả mục 1", district_officer
    )
    services.result_record(actor=inspector, visit=started, item_id=row.item_id, result=CheckResult.FAIL)
    row.refresh_from_db()
    assert row.result == CheckResult.FAIL


def test_only_manager_or_leader_reopens(started, inspector, district_officer, thanh_xuan):
    member = make_user("inspector.2", Role.INSPECTOR, thanh_xuan)
    started.team.members.add(member)
    services.visit_close(actor=inspector, visit=started, summary="")
    with pytest.raises(PermissionDenied):
        services.visit_reopen(actor=member, visit=started, reason="Lý do")
    services.visit_reopen(actor=inspector, visit=started, reason="Trưởng đoàn mở lại")  # the leader


def test_close_and_reopen_pages(client, started, inspector, district_officer):
    client.force_login(inspector)
    client.post(reverse("evaluations:visit_close", args=[started.pk]), {"summary": "Xong"})
    started.refresh_from_db()
    assert started.status == VisitStatus.CLOSED
    client.force_login(district_officer)
    client.post(reverse("evaluations:visit_reopen", args=[started.pk]), {"reason": ""})
    started.refresh_from_db()
    assert started.status == VisitStatus.CLOSED
    client.post(reverse("evaluations:visit_reopen", args=[started.pk]), {"reason": "Sửa kết quả"})
    started.refresh_from_db()
    assert started.status == VisitStatus.IN_PROGRESS


# --- Findings ---------------------------------------------------------------------------------------------


def _failed(visit, inspector) -> ChecklistResult:
    row = _first_result(visit)
    services.result_record(actor=inspector, visit=visit, item_id=row.item_id, result=CheckResult.FAIL, note="")
    row.refresh_from_db()
    return row


def test_finding_naming_staff_records_a_violation_that_caps_the_grade(
    started, inspector, ward_officer, thanh_xuan_bac, staff_factory, article
):
    culprit, other = staff_factory.create_batch(2, unit=thanh_xuan_bac)
    month = timezone.localtime(started.scheduled_at).date().replace(day=1)
    sheet = open_sheet(thanh_xuan_bac, ward_officer, month)
    assert sheet.ratings.get(staff=culprit).grade == Grade.A
    finding = services.finding_create(
        actor=inspector, visit=started, result=_failed(started, inspector), description="Không đeo thẻ công chức",
        article=article, severity=Severity.SERIOUS, staff=[culprit],
    )
    violation = Violation.objects.get()
    assert (violation.staff, violation.source, violation.finding, violation.severity) == (
        culprit, ViolationSource.INSPECTION, finding, Severity.SERIOUS
    )
    assert violation.occurred_on == timezone.localtime(started.scheduled_at).date()
    # The month's sheet caps the grade (C at best for a serious violation); the colleague keeps A.
    sheet = rating_sheet_open(actor=ward_officer, unit=thanh_xuan_bac, month=month)
    assert sheet.ratings.get(staff=culprit).grade == Grade.C
    assert sheet.ratings.get(staff=other).grade == Grade.A


def test_finding_about_the_unit_only(started, inspector, article):
    finding = services.finding_create(
        actor=inspector, visit=started, result=_failed(started, inspector), description="Chưa niêm yết quy tắc",
        article=article, severity=Severity.MINOR,
    )
    assert finding.staff.count() == 0 and not Violation.objects.exists()


def test_finding_naming_staff_of_another_unit_is_refused(started, inspector, thanh_xuan_trung, staff_factory, article):
    outsider = staff_factory(unit=thanh_xuan_trung)
    with pytest.raises(ValidationError) as error:
        services.finding_create(
            actor=inspector, visit=started, result=_failed(started, inspector), description="x",
            article=article, severity=Severity.MINOR, staff=[outsider],
        )
    assert "staff" in error.value.message_dict
    assert not Violation.objects.exists() and not started.findings.exists()


def test_finding_on_a_passed_item_is_refused(started, inspector, article):
    row = _first_result(started)
    services.result_record(actor=inspector, visit=started, item_id=row.item_id, result=CheckResult.PASS)
    with pytest.raises(ValidationError):
        services.finding_create(actor=inspector, visit=started, result=row, description="x", article=article, severity=Severity.MINOR)


def test_finding_page(client, started, inspector, thanh_xuan_bac, staff_factory, article):
    culprit = staff_factory(unit=thanh_xuan_bac)
    row = _failed(started, inspector)
    client.force_login(inspector)
    answer = client.post(
        reverse("evaluations:finding_create", args=[started.pk, row.pk]),
        {"description": "Vắng mặt giờ làm việc", "article": article.pk, "severity": Severity.MINOR, "staff": [culprit.pk]},
    )
    assert answer.status_code == 302
    assert Violation.objects.get().finding.result == row


# --- Scope matrix -----------------------------------------------------------------------------------------


@pytest.fixture
def visits(district_officer, team, thanh_xuan_bac, thanh_xuan_trung, ba_dinh, phuc_xa):
    """Scheduled (announced) visits: own ward, sibling ward, and another district's ward."""
    bd_office = make_user("district.bd", Role.DISTRICT_OFFICE, ba_dinh)
    bd_inspector = make_user("inspector.bd", Role.INSPECTOR, ba_dinh)
    bd_team = make_team(actor=bd_office, owner_unit=ba_dinh, leader=bd_inspector, name="Tổ Ba Đình")
    return {
        "own": plan_visit(actor=district_officer, team=team, unit=thanh_xuan_bac, kind=VisitKind.SCHEDULED),
        "sibling": plan_visit(actor=district_officer, team=team, unit=thanh_xuan_trung, kind=VisitKind.SCHEDULED),
        "other": plan_visit(actor=bd_office, team=bd_team, unit=phuc_xa, kind=VisitKind.SCHEDULED),
    }


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("ward_officer", {"own": 200, "sibling": 404, "other": 404}),
        ("unit_head", {"own": 200, "sibling": 404, "other": 404}),
        ("district_officer", {"own": 200, "sibling": 200, "other": 404}),
        ("inspector", {"own": 200, "sibling": 200, "other": 404}),
        ("city_admin", {"own": 200, "sibling": 200, "other": 200}),
    ],
)
def test_visit_detail_scope_matrix(request, client, visits, role, expected):
    client.force_login(request.getfixturevalue(role))
    for where, status in expected.items():
        assert client.get(reverse("evaluations:visit_detail", args=[visits[where].pk])).status_code == status, where


@pytest.mark.parametrize(
    ("role", "start", "plan_page"),
    # The inspector leads the team: a leader plans the team's own (surprise) visits.
    [("ward_officer", 403, 403), ("unit_head", 403, 403), ("inspector", 302, 200), ("district_officer", 302, 200)],
)
def test_actions_in_scope_without_the_right_are_403(request, client, visits, role, start, plan_page):
    client.force_login(request.getfixturevalue(role))
    assert client.post(reverse("evaluations:visit_start", args=[visits["own"].pk])).status_code == start
    assert client.get(reverse("evaluations:visit_create")).status_code == plan_page


def test_ward_cannot_save_results_of_a_started_visit(client, visits, inspector, ward_officer):
    visit = services.visit_start(actor=inspector, visit=visits["own"])
    row = _first_result(visit)
    client.force_login(ward_officer)
    answer = client.post(reverse("evaluations:visit_result_save", args=[visit.pk, row.pk]), {f"r{row.pk}-result": "pass"})
    assert answer.status_code == 403


# --- Query counts -----------------------------------------------------------------------------------------


def _count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("page", ["list", "calendar"])
def test_plan_pages_run_a_constant_number_of_queries(client, district_officer, team, thanh_xuan_bac, thanh_xuan_trung, page):
    now = timezone.localtime()
    month = now.strftime("%Y-%m")
    url = reverse("evaluations:visit_list") + f"?month={month}" if page == "list" else f"/inspections/calendar/{month}/"
    client.force_login(district_officer)
    start = now.replace(day=1, hour=8, minute=0)
    plan_visit(actor=district_officer, team=team, unit=thanh_xuan_bac, when=start)
    client.get(url)  # warm caches (session, content types)
    few = _count_queries(client, url)
    for day in range(1, 15):
        unit = thanh_xuan_bac if day % 2 else thanh_xuan_trung
        plan_visit(actor=district_officer, team=team, unit=unit, when=start + datetime.timedelta(days=day % 27, hours=day % 5),
             kind=VisitKind.SCHEDULED if day % 3 else VisitKind.SURPRISE)
    many = _count_queries(client, url)
    assert many == few
    assert len(InspectionVisit.objects.all()) == 15
