"""Scoring schemes configured by a province's administrator (evaluations.schemes.services): create, edit in place,
new version from a date, delete; every refusal saves nothing; open sheets follow the scheme now in force and
approved or locked ones are never re-graded."""

import dataclasses
import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation
import pytest

from evaluations.choices import Grade, RatingPeriod, SheetStatus
from evaluations.models import RatingSheet, ScoringScheme
from evaluations.ratings.services import rating_save, scheme_for
from evaluations.schemes import services
from tests.builders import open_sheet
from tests.evaluations.scheme_helpers import (
    BONUS,
    GENERAL,
    TASKS,
    criteria,
    group,
    scheme_values,
    sheet_state,
    table_counts,
)
from tests.factories import RatingSheetFactory, StaffFactory
from tests.helpers import last_month

pytestmark = pytest.mark.django_db

NOV_2026 = datetime.date(2026, 11, 1)


def national_scheme():
    return ScoringScheme.objects.get(jurisdiction__isnull=True, shipped_for="", effective_from=datetime.date(2026, 1, 1))


def refused(call, **kwargs) -> ValidationError:
    """The ValidationError ``call`` raises, its messages in English."""
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        call(**kwargs)
    return caught.value


def all_messages(error: ValidationError) -> str:
    return " | ".join(error.messages)


# --- Creating ------------------------------------------------------------------------------------------------


def test_a_scheme_is_created_with_its_groups_criteria_and_history(province, province_admin):
    saved = services.scheme_create(actor=province_admin, jurisdiction=province, values=scheme_values())
    scheme = saved.scheme
    assert scheme.jurisdiction == province and scheme.effective_from == datetime.date(2027, 1, 1)
    assert [(g.code, g.max_points, g.is_bonus) for g in scheme.groups.order_by("order")] == [
        ("chung", 30, False), ("nhiem-vu", 70, False), ("thuong", 5, True),
    ]
    tasks = scheme.groups.get(code="nhiem-vu")
    assert [(c.name, c.max_points) for c in tasks.criteria.order_by("order")] == [("Số lượng", 35), ("Chất lượng, tiến độ", 35)]
    record = scheme.history.get()
    assert record.history_user == province_admin
    assert "chung 30" in record.history_change_reason and "thuong 5" in record.history_change_reason


def test_a_group_without_criteria_is_accepted(province, province_admin):
    values = scheme_values(groups=(group(GENERAL, criteria=()), TASKS))
    scheme = services.scheme_create(actor=province_admin, jurisdiction=province, values=values).scheme
    assert scheme.groups.get(code="chung").criteria.count() == 0


def test_a_bonus_may_come_on_top_of_100_or_be_part_of_it(province, province_admin):
    on_top = scheme_values(groups=(GENERAL, TASKS, group(BONUS, max_points=Decimal(10))))
    services.scheme_create(actor=province_admin, jurisdiction=province, values=on_top)
    # Hanoi's Decision 3814: 20 + 70 + a 10-point bonus make the 100 points.
    part_of = scheme_values(effective_from=datetime.date(2027, 2, 1), groups=(
        group(GENERAL, max_points=Decimal(20), criteria=()), TASKS, group(BONUS, max_points=Decimal(10))))
    services.scheme_create(actor=province_admin, jurisdiction=province, values=part_of)
    assert ScoringScheme.objects.filter(jurisdiction=province).count() == 2


WRONG = {
    "thresholds out of order": (dict(b_min=Decimal(90)), "b_min", "must be below the minimum for A"),
    "C above B": (dict(c_min=Decimal(75)), "c_min", "must be below the minimum for B"),
    "negative C": (dict(c_min=Decimal(-1)), "c_min", "between 0 and 100"),
    "A above 100": (dict(a_min=Decimal("100.5")), "a_min", "between 0 and 100"),
    "two decimals": (dict(a_min=Decimal("90.25")), "a_min", "at most one decimal"),
    "cap above 100": (dict(a_share_cap_percent=120), "a_share_cap_percent", "between 0 and 100"),
    "negative cap": (dict(a_share_cap_percent=-5), "a_share_cap_percent", "between 0 and 100"),
    "exceptional below the cap": (dict(exceptional_cap_percent=10), "exceptional_cap_percent", "cannot be below the usual cap"),
    "exceptional above 100": (dict(exceptional_cap_percent=101), "exceptional_cap_percent", "between 0 and 100"),
    "serious kinder than minor": (dict(cap_minor="C", cap_serious="B"), "cap_serious", "better grade than a minor one"),
    "no name": (dict(name="  "), "name", "Give the scheme a name"),
    "no date": (dict(effective_from=None), "effective_from", "Give the day"),
    "unknown period": (dict(period="weekly"), "period", "monthly or a quarterly"),
    "groups short of 100": (dict(groups=(GENERAL, group(TASKS, max_points=Decimal(60), criteria=()))), "__all__",
                            "The groups add up to 90 points: they must add up to 100"),
    "groups past 100": (dict(groups=(group(GENERAL, max_points=Decimal(40), criteria=()), TASKS)), "__all__",
                        "add up to 110 points"),
    "groups with a bonus, neither 100": (dict(groups=(GENERAL, group(TASKS, max_points=Decimal(60), criteria=()), BONUS)),
                                         "__all__", "add up to 90 points, 95 with the bonus: one of the two must be 100"),
    "bonus past 10": (dict(groups=(GENERAL, TASKS, group(BONUS, max_points=Decimal(8)),
                                   group(BONUS, code="thuong-2", max_points=Decimal(7)))), "__all__",
                      "bonus groups add up to 15 points: at most 10"),
    "only a bonus": (dict(groups=(BONUS,)), "__all__", "at least one criterion group that is not a bonus"),
    "criteria short of the group": (dict(groups=(group(GENERAL, criteria=criteria(("Đạo đức", 10), ("Thái độ", 15))), TASKS)),
                                    "__all__", "criteria add up to 25 points, not the group's 30"),
    "same code twice": (dict(groups=(group(GENERAL, max_points=Decimal(30)), group(TASKS, code="chung"))), "__all__",
                        "Two groups have the code “chung”"),
    "code with accents": (dict(groups=(group(GENERAL, code="nhóm chung"), TASKS)), "__all__", "may only hold letters without accents"),
    "group without a name": (dict(groups=(group(GENERAL, name=""), TASKS)), "__all__", "give it a name"),
    "group of 0 points": (dict(groups=(group(GENERAL, max_points=Decimal(0), criteria=()), TASKS)), "__all__",
                          "must be above 0"),
    "criterion without points": (dict(groups=(group(GENERAL, criteria=criteria(("Đạo đức", 30)) + (
        services.CriterionValues(name="Thái độ", max_points=None),)), TASKS)), "__all__", "give its maximum points"),
}


@pytest.mark.parametrize("case", WRONG.values(), ids=WRONG.keys())
def test_wrong_input_is_refused_with_a_clear_message_and_nothing_saved(province, province_admin, case):
    overrides, field, message = case
    before = table_counts()
    error = refused(services.scheme_create, actor=province_admin, jurisdiction=province, values=scheme_values(**overrides))
    assert field in error.message_dict
    assert message in " | ".join(error.message_dict[field])
    assert table_counts() == before


def test_two_schemes_of_one_jurisdiction_cannot_start_on_the_same_day(province, province_admin):
    services.scheme_create(actor=province_admin, jurisdiction=province, values=scheme_values())
    before = table_counts()
    error = refused(services.scheme_create, actor=province_admin, jurisdiction=province, values=scheme_values(name="Khác"))
    assert "two schemes of one jurisdiction cannot start on the same day" in all_messages(error)
    assert table_counts() == before


def test_the_same_day_is_free_for_another_jurisdiction(province, province_admin, hanoi, hanoi_admin):
    services.scheme_create(actor=province_admin, jurisdiction=province, values=scheme_values())
    services.scheme_create(actor=hanoi_admin, jurisdiction=hanoi, values=scheme_values())
    assert ScoringScheme.objects.filter(effective_from=datetime.date(2027, 1, 1)).count() == 2


def test_a_province_admin_cannot_make_rules_elsewhere_nor_national_ones(province_admin, hanoi, commune):
    before = table_counts()
    with pytest.raises(PermissionDenied):
        services.scheme_create(actor=province_admin, jurisdiction=hanoi, values=scheme_values())
    with pytest.raises(PermissionDenied):
        services.scheme_create(actor=province_admin, jurisdiction=None, values=scheme_values())
    assert table_counts() == before


def test_a_ward_officer_cannot_make_rules_for_their_ward(ward_officer, thanh_xuan_bac):
    with pytest.raises(PermissionDenied):
        services.scheme_create(actor=ward_officer, jurisdiction=thanh_xuan_bac, values=scheme_values())


# --- The effective date and the sheets it touches ------------------------------------------------------------------


@pytest.mark.parametrize("status", [SheetStatus.APPROVED, SheetStatus.LOCKED])
def test_an_effective_date_that_would_regrade_an_approved_or_locked_sheet_is_refused(province, commune, province_admin, status):
    sheet = RatingSheetFactory(unit=commune, month=NOV_2026, scheme=national_scheme(), status=status)
    before, state = table_counts(), sheet_state(sheet)
    error = refused(services.scheme_create, actor=province_admin, jurisdiction=province,
                    values=scheme_values(effective_from=datetime.date(2026, 11, 15)))
    assert "approved or locked sheets would be graded by another scheme" in " ".join(error.message_dict["effective_from"])
    assert f"Xã Thử Nghiệm {NOV_2026:%m/%Y}" in all_messages(error)
    assert table_counts() == before and sheet_state(sheet) == state
    # From the month after, the sheet keeps its scheme: accepted.
    services.scheme_create(actor=province_admin, jurisdiction=province, values=scheme_values(effective_from=datetime.date(2026, 12, 1)))
    assert sheet_state(sheet) == state


def test_a_locked_sheet_of_another_province_does_not_stop_a_retroactive_scheme(province, province_admin, thanh_xuan_bac):
    RatingSheetFactory(unit=thanh_xuan_bac, month=NOV_2026, status=SheetStatus.LOCKED)
    services.scheme_create(actor=province_admin, jurisdiction=province, values=scheme_values(effective_from=datetime.date(2026, 1, 1)))


def test_an_open_sheet_moves_to_the_new_scheme_and_is_regraded(province, commune, province_admin):
    StaffFactory.create_batch(2, unit=commune)
    sheet = open_sheet(commune, province_admin, last_month())
    assert sheet.scheme == national_scheme()
    row = sheet.ratings.order_by("pk").first()
    row = rating_save(actor=province_admin, rating=row, points={"general": "30", "tasks": "62"}, remark="",
                      expected_version=row.version)
    assert (row.total, row.grade) == (Decimal(92), Grade.A)
    # The province's scheme from 1 November asks 95 for A; its groups are coded differently from Decree 335's.
    values = scheme_values(effective_from=NOV_2026, a_min=Decimal(95),
                           groups=(group(GENERAL, code="general"), group(TASKS, code="tasks"), BONUS))
    saved = services.scheme_create(actor=province_admin, jurisdiction=province, values=values)
    assert saved.regraded_sheets == 1
    sheet.refresh_from_db()
    assert sheet.scheme == saved.scheme
    row.refresh_from_db()
    assert row.points == {"general": "30.0", "tasks": "62.0", "thuong": "0"}
    assert (row.total, row.grade) == (Decimal(92), Grade.B)
    assert row.version == 3  # a page opened before the change is stale
    assert sheet.history.latest().history_user == province_admin


def test_a_scheme_of_another_period_does_not_take_over_open_sheets(province, commune, province_admin):
    StaffFactory(unit=commune)
    sheet = open_sheet(commune, province_admin, last_month())
    before, state = table_counts(), sheet_state(sheet)
    error = refused(services.scheme_create, actor=province_admin, jurisdiction=province,
                    values=scheme_values(effective_from=NOV_2026, period=RatingPeriod.QUARTERLY))
    assert "another rating period" in all_messages(error)
    assert table_counts() == before and sheet_state(sheet) == state


# --- Editing in place --------------------------------------------------------------------------------------------


def test_editing_in_place_regrades_the_draft_sheets_and_records_what_changed(province, commune, province_admin):
    values = scheme_values(effective_from=NOV_2026)
    scheme = services.scheme_create(actor=province_admin, jurisdiction=province, values=values).scheme
    StaffFactory.create_batch(2, unit=commune)
    sheet = open_sheet(commune, province_admin, last_month())
    assert sheet.scheme == scheme
    docked, full = sheet.ratings.order_by("pk")
    rating_save(actor=province_admin, rating=docked, points={"chung": "28", "nhiem-vu": "70", "thuong": "4"}, remark="",
                expected_version=docked.version)
    changed = scheme_values(effective_from=NOV_2026, a_min=Decimal(99),
                            groups=(group(GENERAL, max_points=Decimal(40), criteria=()), group(TASKS, max_points=Decimal(60), criteria=())))
    saved = services.scheme_update(actor=province_admin, scheme=scheme, values=changed, reason="Theo Quyết định 02")
    assert saved.regraded_sheets == 1
    assert [(g.code, g.max_points) for g in scheme.groups.order_by("order")] == [("chung", 40), ("nhiem-vu", 60)]
    docked.refresh_from_db()
    full.refresh_from_db()
    # Officers type deductions: 2 points off "chung" stay 2 points off its new 40; full marks stay full marks; the
    # bonus group is gone.
    assert docked.points == {"chung": "38.0", "nhiem-vu": "60.0"}
    assert (docked.total, docked.grade) == (Decimal(98), Grade.B)
    assert full.points == {"chung": "40.0", "nhiem-vu": "60.0"}
    assert (full.total, full.grade) == (Decimal(100), Grade.A)
    reason = scheme.history.latest().history_change_reason
    assert reason.startswith("Theo Quyết định 02") and "chung 30→40" in reason and "−thuong" in reason


@pytest.mark.parametrize("status", [SheetStatus.SUBMITTED, SheetStatus.APPROVED, SheetStatus.LOCKED])
def test_a_scheme_a_sheet_beyond_draft_uses_cannot_change_in_place(province, commune, province_admin, status):
    scheme = services.scheme_create(actor=province_admin, jurisdiction=province, values=scheme_values(effective_from=NOV_2026)).scheme
    RatingSheetFactory(unit=commune, month=NOV_2026, scheme=scheme, status=status)
    before = table_counts()
    error = refused(services.scheme_update, actor=province_admin, scheme=scheme, values=scheme_values(effective_from=NOV_2026, a_min=Decimal(95)))
    assert error.code == "in_use"
    assert "can no longer change in place" in all_messages(error) and "new version" in all_messages(error)
    scheme.refresh_from_db()
    assert scheme.a_min == 90 and table_counts() == before


def test_an_edit_that_goes_wrong_leaves_the_scheme_as_it_was(province, province_admin):
    scheme = services.scheme_create(actor=province_admin, jurisdiction=province, values=scheme_values()).scheme
    before = table_counts()
    error = refused(services.scheme_update, actor=province_admin, scheme=scheme,
                    values=scheme_values(name="Đổi tên", groups=(GENERAL, group(TASKS, max_points=Decimal(50), criteria=()))))
    assert "must add up to 100" in all_messages(error)
    scheme.refresh_from_db()
    assert scheme.name == "Đánh giá công chức của tỉnh" and table_counts() == before
    assert scheme.groups.get(code="nhiem-vu").max_points == 70


# --- New version, delete ------------------------------------------------------------------------------------------


def test_a_new_version_copies_groups_and_criteria_from_a_later_date(province, commune, province_admin):
    original = services.scheme_create(actor=province_admin, jurisdiction=province, values=scheme_values(effective_from=NOV_2026)).scheme
    RatingSheetFactory(unit=commune, month=NOV_2026, scheme=original, status=SheetStatus.LOCKED)
    copy = services.scheme_new_version(actor=province_admin, scheme=original, effective_from=datetime.date(2027, 1, 1)).scheme
    assert copy.pk != original.pk and copy.jurisdiction == province and copy.name == original.name
    assert services.SchemeValues.of(copy) == dataclasses.replace(services.SchemeValues.of(original),
                                                                  effective_from=datetime.date(2027, 1, 1))
    # The copy is unused: it can be edited in place; the original keeps grading its locked sheet.
    services.scheme_update(actor=province_admin, scheme=copy, values=scheme_values(effective_from=datetime.date(2027, 1, 1), a_min=Decimal(92)))
    assert ScoringScheme.objects.get(pk=original.pk).a_min == 90
    assert scheme_for(unit=commune, month=datetime.date(2027, 1, 1)) == copy
    assert scheme_for(unit=commune, month=NOV_2026) == original


def test_a_new_version_must_start_later(province, province_admin):
    original = services.scheme_create(actor=province_admin, jurisdiction=province, values=scheme_values()).scheme
    before = table_counts()
    error = refused(services.scheme_new_version, actor=province_admin, scheme=original, effective_from=datetime.date(2026, 12, 1))
    assert "starts after the scheme it copies" in " ".join(error.message_dict["effective_from"])
    assert table_counts() == before


@pytest.mark.parametrize("shipped", ["national", "hanoi"])
def test_every_shipped_scheme_passes_the_checks(hanoi, shipped):
    scheme = national_scheme() if shipped == "national" else ScoringScheme.objects.get(jurisdiction=hanoi)
    services.scheme_values_check(services.SchemeValues.of(scheme))


def test_the_national_default_is_read_only_for_a_province_admin(province_admin):
    with pytest.raises(PermissionDenied):
        services.scheme_new_version(actor=province_admin, scheme=national_scheme(), effective_from=datetime.date(2027, 1, 1))
    with pytest.raises(PermissionDenied):
        services.scheme_update(actor=province_admin, scheme=national_scheme(), values=scheme_values())


def test_an_unused_scheme_is_deleted_with_history(province, province_admin):
    scheme = services.scheme_create(actor=province_admin, jurisdiction=province, values=scheme_values()).scheme
    pk = scheme.pk
    services.scheme_delete(actor=province_admin, scheme=scheme, reason="Nhập nhầm")
    assert not ScoringScheme.objects.filter(pk=pk).exists()
    deletion = ScoringScheme.history.filter(id=pk).latest()
    assert deletion.history_type == "-" and deletion.history_user == province_admin
    assert deletion.history_change_reason.startswith("Nhập nhầm")


def test_a_used_scheme_cannot_be_deleted(province, commune, province_admin):
    scheme = services.scheme_create(actor=province_admin, jurisdiction=province, values=scheme_values(effective_from=NOV_2026)).scheme
    RatingSheetFactory(unit=commune, month=NOV_2026, scheme=scheme)
    before = table_counts()
    error = refused(services.scheme_delete, actor=province_admin, scheme=scheme)
    assert "cannot be deleted" in all_messages(error)
    assert table_counts() == before and RatingSheet.objects.get().scheme == scheme


def test_superusers_keep_the_national_defaults(province, commune, admin_user):
    """admin_user: pytest-django's superuser."""
    national = national_scheme()
    later = services.scheme_new_version(actor=admin_user, scheme=national, effective_from=datetime.date(2027, 1, 1)).scheme
    assert later.is_national and later.shipped_for == ""
    assert scheme_for(unit=commune, month=datetime.date(2027, 1, 1)) == later
    services.scheme_delete(actor=admin_user, scheme=later)
    # The last national default stays: every unit needs a scheme to fall back on.
    ScoringScheme.objects.filter(jurisdiction__isnull=True, shipped_for="").exclude(pk=national.pk).delete()
    before = table_counts()
    error = refused(services.scheme_delete, actor=admin_user, scheme=national)
    assert "only national default" in all_messages(error) and table_counts() == before
