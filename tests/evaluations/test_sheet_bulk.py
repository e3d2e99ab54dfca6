"""The full-sheet save (``rating_sheet_rows_save``, behind the Excel upload): the same results as saving row by row
with ``rating_save`` on the same input — points, grades, history rows, refusals — in a constant number of queries."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
import pytest

from evaluations.choices import Severity, ViolationSource
from evaluations.models import Rating
from evaluations.ratings import services
from evaluations.violations.services import violation_record
from tests.builders import make_user, open_sheet
from units.choices import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(phuong_thanh_xuan):
    return make_user("officer.bulk", Role.WARD_OFFICER, phuong_thanh_xuan)


@pytest.fixture
def sheet(phuong_thanh_xuan, officer, staff_factory, last_month):
    staff_factory.create_batch(6, unit=phuong_thanh_xuan)
    return open_sheet(phuong_thanh_xuan, officer, last_month)


def _rows(sheet):
    return list(sheet.ratings.select_related("staff").order_by("staff__full_name", "staff_id"))


def _state(sheet):
    """What a user could notice of each row afterwards, and its history (without timestamps)."""
    rows = []
    for rating in _rows(sheet):
        history = [(h.history_type, h.history_user_id, h.points, h.total, h.grade, h.remark, h.version, h.points_source)
                   for h in rating.history.order_by("history_id")]
        rows.append((rating.pk, rating.points, rating.total, rating.grade, rating.grade_by_points, rating.remark,
                     rating.version, rating.updated_by_id, rating.points_source, history))
    return rows


def _row_by_row(actor, changes):
    """The old path: ``rating_save`` per row in one transaction, every refusal collected, all rolled back if any."""
    errors = []
    with transaction.atomic():
        for change in changes:
            try:
                services.rating_save(actor=actor, rating=Rating(pk=change.rating_id), points=change.points,
                                     remark=change.remark, expected_version=change.expected_version)
            except ValidationError as error:
                errors.append((change.rating_id, error.messages))
        if errors:
            transaction.set_rollback(True)
    return errors


def _bulk(actor, sheet, changes):
    try:
        services.rating_sheet_rows_save(actor=actor, sheet=sheet, changes=changes)
    except services.RowsRefused as refused:
        return [(refusal.rating_id, refusal.messages) for refusal in refused.refusals]
    return []


def _both(actor, sheet, changes):
    """Run the row-by-row path and roll it back, then the bulk path: each one's refusals and resulting state."""
    with transaction.atomic():
        slow_errors = _row_by_row(actor, changes)
        slow_state = _state(sheet)
        transaction.set_rollback(True)
    fast_errors = _bulk(actor, sheet, changes)
    return (slow_errors, slow_state), (fast_errors, _state(sheet))


def test_the_bulk_save_gives_the_row_by_row_results(sheet, officer, article):
    rows = _rows(sheet)
    # A violation this month caps one row to B whatever its points.
    violation_record(actor=officer, staff=rows[2].staff, occurred_on=sheet.month, article=article,
                     severity=Severity.MINOR, source=ViolationSource.SUPERVISOR, description="Đi làm muộn")
    rows = _rows(sheet)
    changes = [
        services.RowChange(rating_id=rows[0].pk, points={"discipline": "20", "tasks": "70", "bonus": "2"}, remark="",
                           expected_version=rows[0].version),
        services.RowChange(rating_id=rows[1].pk, points={"discipline": "15,5", "tasks": "40", "bonus": "0"},
                           remark="Chậm giải quyết hồ sơ", expected_version=rows[1].version),
        services.RowChange(rating_id=rows[2].pk, points={"discipline": "20", "tasks": "70", "bonus": "0"}, remark="",
                           expected_version=rows[2].version),
    ]
    (slow_errors, slow), (fast_errors, fast) = _both(officer, sheet, changes)
    assert slow_errors == fast_errors == []
    assert fast == slow
    by_pk = {row[0]: row for row in fast}
    assert by_pk[rows[0].pk][2:5] == (Decimal("92.0"), "A", "A")
    assert by_pk[rows[1].pk][2:5] == (Decimal("55.5"), "C", "C")
    assert by_pk[rows[2].pk][2:5] == (Decimal("90.0"), "B", "A")  # capped by the violation
    saved = [by_pk[row.pk] for row in rows[:3]]
    assert [row[6] for row in saved] == [row.version + 1 for row in rows[:3]]
    assert all(row[7] == officer.pk and row[8] == "rater" and row[9][-1][:2] == ("~", officer.pk) for row in saved)


def test_the_bulk_save_refuses_what_the_row_by_row_path_refuses_and_saves_nothing(sheet, officer):
    rows = _rows(sheet)
    before = _state(sheet)
    changes = [
        services.RowChange(rating_id=rows[0].pk, points={"discipline": "25", "tasks": "70", "bonus": "0"}, remark="",
                           expected_version=rows[0].version),  # above the maximum
        services.RowChange(rating_id=rows[1].pk, points={"discipline": "10", "tasks": "30", "bonus": "0"}, remark="",
                           expected_version=rows[1].version),  # D without a remark
        services.RowChange(rating_id=rows[2].pk, points={"discipline": "20", "tasks": "60", "bonus": "0"}, remark="",
                           expected_version=rows[2].version - 1 if rows[2].version > 1 else 0),  # stale
        services.RowChange(rating_id=rows[3].pk, points={"discipline": "20", "tasks": "60", "bonus": "0"}, remark="",
                           expected_version=rows[3].version),  # fine, but nothing is saved
    ]
    (slow_errors, slow), (fast_errors, fast) = _both(officer, sheet, changes)
    assert [pk for pk, _messages in fast_errors] == [rows[0].pk, rows[1].pk, rows[2].pk]
    assert fast_errors == slow_errors
    assert fast == slow == before


def test_a_submitted_sheet_still_takes_a_bulk_save_and_an_approved_one_does_not(sheet, officer):
    rows = _rows(sheet)
    sheet.status = "approved"
    sheet.save(update_fields=["status"])
    change = services.RowChange(rating_id=rows[0].pk, points={"discipline": "18", "tasks": "60", "bonus": "0"},
                                remark="", expected_version=rows[0].version)
    with pytest.raises(ValidationError) as refused:
        services.rating_sheet_rows_save(actor=officer, sheet=sheet, changes=[change])
    assert refused.value.code == "read_only"
    assert Rating.objects.get(pk=rows[0].pk).version == rows[0].version


def _queries_for(actor, sheet, count):
    rows = _rows(sheet)[:count]
    changes = [services.RowChange(rating_id=row.pk, points={"discipline": "19", "tasks": "61", "bonus": "0"},
                                  remark="", expected_version=row.version) for row in rows]
    with CaptureQueriesContext(connection) as queries:
        services.rating_sheet_rows_save(actor=actor, sheet=sheet, changes=changes)
    return len(queries)


def test_the_bulk_save_takes_the_same_queries_for_2_rows_as_for_30(phuong_thanh_xuan, officer, staff_factory, last_month):
    staff_factory.create_batch(30, unit=phuong_thanh_xuan)
    sheet = open_sheet(phuong_thanh_xuan, officer, last_month)
    small = _queries_for(officer, sheet, 2)
    large = _queries_for(officer, sheet, 30)
    assert small == large <= 8
