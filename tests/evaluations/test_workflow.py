"""The sheet's workflow per role, read-only sheets, violations capping a row, stale edits and the auto-lock."""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
import pytest

from evaluations.choices import Severity, SheetStatus, ViolationSource
from evaluations.models import Rating, RatingSheet
from evaluations.ratings import services
from evaluations.tasks import rating_sheets_lock_approved
from tests.builders import lower_to_cap, record_violation

pytestmark = pytest.mark.django_db

DRAFT, SUBMITTED, APPROVED, LOCKED = SheetStatus.DRAFT, SheetStatus.SUBMITTED, SheetStatus.APPROVED, SheetStatus.LOCKED
ROLES = ["ward_officer", "unit_head", "district_officer", "inspector", "city_admin"]

# (action, from status) → the roles allowed; everyone else is refused with PermissionDenied.
ALLOWED = {
    ("submit", DRAFT): {"ward_officer", "unit_head", "city_admin"},
    ("return", SUBMITTED): {"unit_head", "city_admin"},
    ("approve", SUBMITTED): {"unit_head", "city_admin"},
    ("lock", APPROVED): {"district_officer", "city_admin"},
    ("reopen", APPROVED): {"district_officer", "city_admin"},
    ("reopen", LOCKED): {"district_officer", "city_admin"},
}
TARGET = {"submit": SUBMITTED, "return": DRAFT, "approve": APPROVED, "lock": LOCKED, "reopen": DRAFT}


def _set_status(sheet: RatingSheet, status: str) -> RatingSheet:
    # Test set-up only: the transition under test still goes through the service.
    RatingSheet.objects.filter(pk=sheet.pk).update(status=status, approved_at=timezone.now() if status in (APPROVED, LOCKED) else None)
    sheet.refresh_from_db()
    return sheet


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action, source", list(ALLOWED))
def test_each_role_may_take_exactly_its_steps(request, role, action, source, sheet, city_admin):
    user = request.getfixturevalue(role)
    lower_to_cap(sheet, city_admin)  # within Hanoi's cap on grade A, so only the rights decide
    _set_status(sheet, source)
    if role in ALLOWED[(action, source)]:
        assert action in services.allowed_actions(user=user, sheet=sheet)
        moved = services.rating_sheet_transition(actor=user, sheet=sheet, action=action, reason="Kiểm tra lại")
        assert moved.status == TARGET[action]
        record = moved.history.first()
        assert record.history_user == user and record.status == TARGET[action]
    else:
        assert action not in services.allowed_actions(user=user, sheet=sheet)
        with pytest.raises(PermissionDenied):
            services.rating_sheet_transition(actor=user, sheet=sheet, action=action, reason="Kiểm tra lại")
        sheet.refresh_from_db()
        assert sheet.status == source


@pytest.mark.parametrize(
    "action, wrong_source",
    [("submit", SUBMITTED), ("submit", APPROVED), ("approve", DRAFT), ("approve", LOCKED), ("return", DRAFT),
     ("lock", SUBMITTED), ("lock", LOCKED), ("reopen", DRAFT), ("reopen", SUBMITTED)],
)
def test_a_step_from_the_wrong_status_is_refused(city_admin, sheet, action, wrong_source):
    _set_status(sheet, wrong_source)
    with pytest.raises(ValidationError) as refused:
        services.rating_sheet_transition(actor=city_admin, sheet=sheet, action=action, reason="Lý do")
    assert refused.value.code == "bad_transition"
    sheet.refresh_from_db()
    assert sheet.status == wrong_source


def test_the_whole_path_records_who_did_what(sheet, ward_officer, unit_head, district_officer):
    lower_to_cap(sheet, ward_officer)
    services.rating_sheet_transition(actor=ward_officer, sheet=sheet, action="submit")
    services.rating_sheet_transition(actor=unit_head, sheet=sheet, action="approve")
    sheet.refresh_from_db()
    assert (sheet.status, sheet.submitted_by, sheet.approved_by) == (APPROVED, ward_officer, unit_head)
    services.rating_sheet_transition(actor=district_officer, sheet=sheet, action="lock")
    services.rating_sheet_transition(actor=district_officer, sheet=sheet, action="reopen", reason="Sai điểm của một cán bộ")
    sheet.refresh_from_db()
    assert sheet.status == DRAFT and sheet.approved_by is None and sheet.locked_at is None
    reopened = sheet.history.first()
    assert reopened.history_user == district_officer and reopened.history_change_reason == "Sai điểm của một cán bộ"


@pytest.mark.parametrize("action, source, actor", [("return", SUBMITTED, "unit_head"), ("reopen", LOCKED, "district_officer")])
@pytest.mark.parametrize("reason", ["", "   "])
def test_going_back_needs_a_reason(request, sheet, action, source, actor, reason):
    _set_status(sheet, source)
    with pytest.raises(ValidationError) as refused:
        services.rating_sheet_transition(actor=request.getfixturevalue(actor), sheet=sheet, action=action, reason=reason)
    assert "reason" in refused.value.message_dict
    sheet.refresh_from_db()
    assert sheet.status == source


@pytest.mark.parametrize("status", [APPROVED, LOCKED])
def test_approved_and_locked_sheets_are_read_only(sheet, rows, ward_officer, city_admin, status):
    _set_status(sheet, status)
    for actor in (ward_officer, city_admin):
        with pytest.raises(ValidationError) as refused:
            services.rating_save(actor=actor, rating=rows[0], points={"discipline": "15", "tasks": "70", "bonus": "0"},
                                 remark="", expected_version=1)
        assert refused.value.code == "read_only"
    rows[0].refresh_from_db()
    assert rows[0].total == Decimal(90) and rows[0].version == 1


def test_a_submitted_sheet_can_still_be_corrected_before_approval(sheet, rows, unit_head, ward_officer):
    lower_to_cap(sheet, ward_officer, keep=[rows[0].staff])
    services.rating_sheet_transition(actor=ward_officer, sheet=sheet, action="submit")
    saved = services.rating_save(actor=unit_head, rating=rows[0], points={"discipline": "19", "tasks": "70", "bonus": "0"},
                                 remark="", expected_version=1)
    assert saved.total == Decimal(89) and saved.grade == "B"


def test_district_office_and_inspectors_cannot_rate(sheet, rows, district_officer, inspector):
    for actor in (district_officer, inspector):
        with pytest.raises(PermissionDenied):
            services.rating_save(actor=actor, rating=rows[0], points={"discipline": "15", "tasks": "70", "bonus": "0"},
                                 remark="", expected_version=1)


# --- Violations cap the month ------------------------------------------------------------------------------


def _record(actor, staff, day, article, severity=Severity.SERIOUS):
    return record_violation(actor=actor, staff=staff, day=day, article=article, severity=severity, source=ViolationSource.INSPECTION,
                            description="Không đeo thẻ công chức khi tiếp dân", action_taken="Nhắc nhở")


def test_a_violation_in_the_month_caps_the_row(sheet, rows, ward_officer, inspector, article, last_month):
    row = rows[0]
    assert row.grade == "A"
    _record(inspector, row.staff, last_month + datetime.timedelta(days=9), article, Severity.SERIOUS)
    row.refresh_from_db()
    assert (row.grade_by_points, row.grade, row.version) == ("A", "C", 2)  # Hanoi: serious → C at best
    assert row.history.first().history_change_reason == "violation"
    # Full marks do not lift the cap, and a C needs a remark.
    with pytest.raises(ValidationError) as refused:
        services.rating_save(actor=ward_officer, rating=row, points={"discipline": "20", "tasks": "70", "bonus": "10"},
                             remark="", expected_version=2)
    assert "remark" in refused.value.message_dict
    saved = services.rating_save(actor=ward_officer, rating=row, points={"discipline": "20", "tasks": "70", "bonus": "10"},
                                 remark="Vi phạm Quy tắc ứng xử khi tiếp dân", expected_version=2)
    assert (saved.total, saved.grade_by_points, saved.grade) == (Decimal(100), "A", "C")


def test_a_violation_of_another_month_does_not_cap(sheet, rows, inspector, article, last_month):
    _record(inspector, rows[1].staff, last_month - datetime.timedelta(days=1), article, Severity.VERY_SERIOUS)
    rows[1].refresh_from_db()
    assert rows[1].grade == "A"


def test_a_capped_row_without_a_remark_blocks_the_submission(sheet, rows, ward_officer, inspector, article, last_month):
    _record(inspector, rows[2].staff, last_month, article, Severity.VERY_SERIOUS)
    with pytest.raises(ValidationError) as refused:
        services.rating_sheet_transition(actor=ward_officer, sheet=sheet, action="submit")
    assert rows[2].staff.full_name in refused.value.messages[0]
    sheet.refresh_from_db()
    assert sheet.status == DRAFT


# --- Two officers on one row -------------------------------------------------------------------------------


def test_the_later_of_two_saves_from_the_same_page_is_refused(sheet, rows, ward_officer, unit_head):
    row = rows[0]
    first = services.rating_save(actor=ward_officer, rating=row, points={"discipline": "18", "tasks": "70", "bonus": "0"},
                                 remark="", expected_version=1)
    assert first.version == 2
    with pytest.raises(services.StaleRating) as stale:
        services.rating_save(actor=unit_head, rating=row, points={"discipline": "10", "tasks": "50", "bonus": "0"},
                             remark="Đi muộn", expected_version=1)
    assert ward_officer.get_full_name() in stale.value.messages[0]
    row.refresh_from_db()
    assert (row.points["discipline"], row.total, row.version, row.updated_by) == ("18.0", Decimal(88), 2, ward_officer)


def test_the_later_save_through_the_page_shows_the_conflict_and_keeps_the_first(client, sheet, rows, ward_officer, unit_head, row_post):
    row = rows[0]
    url = reverse("evaluations:rating_row_save", args=[row.pk])
    page_of_officer = row_post(row, points={"discipline": "18"})
    page_of_head = row_post(row, points={"discipline": "12", "tasks": "60"}, remark="Chậm tiến độ")
    client.force_login(ward_officer)
    assert 'data-state="saved"' in client.post(url, page_of_officer, HTTP_HX_REQUEST="true").content.decode()
    client.force_login(unit_head)
    second = client.post(url, page_of_head, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-testid="row-conflict"' in second and ward_officer.get_full_name() in second
    assert f'name="r{row.pk}-version" value="2"' in second  # the stored version, so the head can re-apply
    assert 'value="18"' in second  # the officer's value is what the head now sees …
    assert "Chậm tiến độ" in second  # … next to the head's own, not saved
    row.refresh_from_db()
    assert (row.total, row.version, row.remark, row.updated_by) == (Decimal(88), 2, "", ward_officer)


# --- Auto-lock ---------------------------------------------------------------------------------------------


def test_the_task_locks_sheets_approved_long_enough_ago(sheet, make_sheet, thanh_xuan_trung, city_admin, settings, last_month):
    settings.RATING_SHEET_AUTOLOCK_DAYS = 10
    recent = make_sheet(unit=thanh_xuan_trung, actor=city_admin, staff_count=1)
    RatingSheet.objects.filter(pk=sheet.pk).update(status=APPROVED, approved_at=timezone.now() - datetime.timedelta(days=11))
    RatingSheet.objects.filter(pk=recent.pk).update(status=APPROVED, approved_at=timezone.now() - datetime.timedelta(days=9))
    assert rating_sheets_lock_approved() == 1
    sheet.refresh_from_db()
    recent.refresh_from_db()
    assert sheet.status == LOCKED and sheet.locked_at is not None
    assert recent.status == APPROVED
    assert rating_sheets_lock_approved() == 0


def test_the_task_follows_the_setting(sheet, settings):
    settings.RATING_SHEET_AUTOLOCK_DAYS = 2
    RatingSheet.objects.filter(pk=sheet.pk).update(status=APPROVED, approved_at=timezone.now() - datetime.timedelta(days=3))
    assert rating_sheets_lock_approved() == 1
    sheet.refresh_from_db()
    assert sheet.status == LOCKED


def test_every_score_change_is_kept_with_its_author(sheet, rows, ward_officer):
    row = rows[0]
    services.rating_save(actor=ward_officer, rating=row, points={"discipline": "17,5", "tasks": "70", "bonus": "0"},
                         remark="", expected_version=1)
    newest, created = row.history.all()[:2]
    assert (created.total, created.grade, newest.total, newest.grade) == (Decimal(90), "A", Decimal("87.5"), "B")
    assert newest.history_user == ward_officer
    assert Rating.objects.get(pk=row.pk).points == {"discipline": "17.5", "tasks": "70.0", "bonus": "0.0"}
