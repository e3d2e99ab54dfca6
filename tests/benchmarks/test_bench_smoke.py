"""The benchmark's cases run, at a tiny size, on the test database: they fail loudly if a view, a URL or a query
they measure changes under them. No timing is asserted here (speed is ``make bench``'s business)."""

from django.db import connection
import pytest

from benchmarks import database
from benchmarks.cases import context as bench_context, dashboard, quarterly, sheet
from benchmarks.harness import Row, table
from evaluations.models import Rating, RatingSheet
from feedback.models import FeedbackCase
from seed.synthetic import SyntheticError, synthetic_generate

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="synthetic data and benchmarks need PostgreSQL")


@pytest.fixture
def bench(hanoi):
    synthetic_generate(wards=3, staff_per_ward=12, months=4, feedback=300)
    return bench_context.context_make("tiny", runs=1)


def test_synthetic_data_is_realistic_and_generated_once(bench):
    sheets = RatingSheet.objects.count()
    assert sheets == 3 * 4
    assert Rating.objects.count() >= 3 * 12 * 4
    for rating_sheet in RatingSheet.objects.all():
        grades = list(rating_sheet.ratings.values_list("grade", flat=True))
        assert grades.count("A") * 100 <= 30 * len(grades)
    assert not Rating.objects.filter(grade__in=("C", "D"), remark="").exists()
    assert FeedbackCase.objects.count() == 300
    with pytest.raises(SyntheticError):
        synthetic_generate(wards=3, staff_per_ward=12, months=4, feedback=300)


def test_cases_run_and_print_a_table(bench):
    rows = [*dashboard.run(bench), *sheet.run(bench), *quarterly.run(bench)]
    assert [row.operation for row in rows][:2] == ["District dashboard (whole view)", "Monthly sheet page (whole view)"]
    assert all(row.value > 0 and row.limit > 0 for row in rows)
    printed = table(rows)
    assert "City-wide quarterly report" in printed and "ratio" in printed


def test_table_marks_missed_targets():
    printed = table([Row("Form", "16 clients", 40, 1000, unit="req/s", higher_is_better=True, met=False)])
    assert "25.00×" in printed and "**no**" in printed


def test_sqlite_is_refused(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "sqlite:///var/db.sqlite3")
    with pytest.raises(SystemExit, match="PostgreSQL only"):
        database.configured_url()
