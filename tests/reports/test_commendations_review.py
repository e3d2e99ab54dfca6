"""The district office's review: remove and add need reasons, approval freezes the list, every change is kept
with its author, a refresh keeps what the office decided."""

from django.core.exceptions import PermissionDenied, ValidationError
import pytest

from reports.choices import CommendationStatus, EntrySource
from reports.commendations.figures import commendation_entries, commendation_list_generate
from reports.commendations.services import (
    commendation_entry_add,
    commendation_entry_remove,
    commendation_entry_restore,
    commendation_list_approve,
)
from reports.models import CommendationEntry, CommendationRule

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(thanh_xuan, thanh_xuan_bac, thanh_xuan_trung, staff_factory, rate, quarter):
    """Thanh Xuân's Q2 2025 draft: An (285) and Bình (270) picked; Cường rated A, A, B is not."""
    CommendationRule.objects.update(quota_percent=100, quota_min=50)
    rate(staff_factory(unit=thanh_xuan_bac, full_name="Nguyễn Văn An"), "AAA")
    rate(staff_factory(unit=thanh_xuan_trung, full_name="Trần Thị Bình"), "AAA", points=[90] * 3)
    rate(staff_factory(unit=thanh_xuan_bac, full_name="Lê Văn Cường"), "AAB")
    return commendation_list_generate(unit=thanh_xuan, quarter=quarter)


def entry_of(commendation_list, name):
    return commendation_list.entries.get(staff__full_name=name)


def names(commendation_list):
    return [e.staff.full_name for e in commendation_entries(commendation_list=commendation_list)]


def test_removing_needs_a_reason(draft, district_officer):
    with pytest.raises(ValidationError) as error:
        commendation_entry_remove(actor=district_officer, entry=entry_of(draft, "Nguyễn Văn An"), reason="  ")
    assert "reason" in error.value.message_dict
    assert names(draft) == ["Nguyễn Văn An", "Trần Thị Bình"]


def test_removing_keeps_the_entry_struck_with_its_reason_and_renumbers(draft, district_officer):
    entry = commendation_entry_remove(actor=district_officer, entry=entry_of(draft, "Nguyễn Văn An"), reason="Đang bị xem xét kỷ luật")
    assert names(draft) == ["Trần Thị Bình"]
    assert commendation_entries(commendation_list=draft)[0].rank == 1
    entry.refresh_from_db()
    assert (entry.included, entry.reason, entry.changed_by) == (False, "Đang bị xem xét kỷ luật", district_officer)


def test_adding_needs_a_reason_and_a_staff_member_of_the_subtree(draft, district_officer, staff_factory, phuc_xa):
    from units.models import Staff

    cuong = Staff.objects.get(full_name="Lê Văn Cường")
    with pytest.raises(ValidationError) as error:
        commendation_entry_add(actor=district_officer, commendation_list=draft, staff=cuong, reason="")
    assert "reason" in error.value.message_dict
    outsider = staff_factory(unit=phuc_xa)
    with pytest.raises(ValidationError) as error:
        commendation_entry_add(actor=district_officer, commendation_list=draft, staff=outsider, reason="Có thành tích")
    assert "staff" in error.value.message_dict


def test_an_added_staff_member_carries_their_figures_and_the_reason(draft, district_officer):
    from units.models import Staff

    cuong = Staff.objects.get(full_name="Lê Văn Cường")
    entry = commendation_entry_add(actor=district_officer, commendation_list=draft, staff=cuong, reason="Cứu người")
    assert (entry.source, entry.grades, entry.months_rated, entry.total_score) == (EntrySource.MANUAL, "AAB", 3, 270)
    assert entry.reason == "Cứu người"
    # 270 points, like Bình: the full name breaks the tie ("Lê…" before "Trần…").
    assert names(draft) == ["Nguyễn Văn An", "Lê Văn Cường", "Trần Thị Bình"]
    assert [e.rank for e in commendation_entries(commendation_list=draft)] == [1, 2, 3]


def test_a_refresh_keeps_what_the_office_decided(draft, district_officer, quarter, thanh_xuan):
    from units.models import Staff

    commendation_entry_remove(actor=district_officer, entry=entry_of(draft, "Nguyễn Văn An"), reason="Đang bị xem xét")
    commendation_entry_add(
        actor=district_officer, commendation_list=draft, staff=Staff.objects.get(full_name="Lê Văn Cường"), reason="Cứu người"
    )
    commendation_list_generate(unit=thanh_xuan, quarter=quarter, actor=district_officer)
    assert names(draft) == ["Lê Văn Cường", "Trần Thị Bình"]
    removed = entry_of(draft, "Nguyễn Văn An")
    assert (removed.included, removed.reason) == (False, "Đang bị xem xét")
    assert entry_of(draft, "Lê Văn Cường").reason == "Cứu người"


def test_restoring_puts_a_removed_entry_back(draft, district_officer):
    entry = commendation_entry_remove(actor=district_officer, entry=entry_of(draft, "Nguyễn Văn An"), reason="Nhầm")
    commendation_entry_restore(actor=district_officer, entry=entry)
    assert names(draft) == ["Nguyễn Văn An", "Trần Thị Bình"]


def test_approval_freezes_the_list(draft, district_officer, thanh_xuan, quarter, staff_factory, thanh_xuan_bac, rate):
    approved = commendation_list_approve(actor=district_officer, commendation_list=draft)
    assert (approved.status, approved.approved_by) == (CommendationStatus.APPROVED, district_officer)
    with pytest.raises(ValidationError) as error:
        commendation_entry_remove(actor=district_officer, entry=entry_of(draft, "Nguyễn Văn An"), reason="Muộn")
    assert error.value.code == "approved"
    with pytest.raises(ValidationError):
        commendation_list_approve(actor=district_officer, commendation_list=draft)
    # A new A-A-A staff member appears, but the approved list is not recomputed.
    rate(staff_factory(unit=thanh_xuan_bac, full_name="Phạm Văn Dũng"), "AAA")
    commendation_list_generate(unit=thanh_xuan, quarter=quarter)
    assert names(draft) == ["Nguyễn Văn An", "Trần Thị Bình"]


def test_a_ward_officer_or_a_unit_head_may_not_review(draft, ward_officer, unit_head, inspector):
    for user in (ward_officer, unit_head, inspector):
        with pytest.raises(PermissionDenied):
            commendation_list_approve(actor=user, commendation_list=draft)
        with pytest.raises(PermissionDenied):
            commendation_entry_remove(actor=user, entry=entry_of(draft, "Nguyễn Văn An"), reason="x")


def test_every_change_is_in_the_history_with_its_author_and_reason(draft, district_officer):
    entry = entry_of(draft, "Nguyễn Văn An")
    commendation_entry_remove(actor=district_officer, entry=entry, reason="Đang bị xem xét")
    commendation_entry_restore(actor=district_officer, entry=entry, reason="Đã làm rõ")
    commendation_list_approve(actor=district_officer, commendation_list=draft)
    records = list(CommendationEntry.history.filter(id=entry.pk).order_by("history_date", "history_id"))
    assert [(r.history_type, r.included) for r in records] == [("+", True), ("~", False), ("~", True)]
    assert [r.history_user for r in records[1:]] == [district_officer, district_officer]
    assert [r.history_change_reason for r in records[1:]] == ["Đang bị xem xét", "Đã làm rõ"]
    latest = draft.history.order_by("-history_date", "-history_id").first()
    assert (latest.status, latest.history_user) == (CommendationStatus.APPROVED, district_officer)
