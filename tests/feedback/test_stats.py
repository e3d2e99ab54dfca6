"""Public statistics of citizen feedback (``/feedback/stats/``, ``/feedback/<code>/stats/``): the figures equal the
database, the dashboard's formulas, no login, no personal data, a constant number of queries, and CSV downloads."""

from __future__ import annotations

import csv
import datetime
import io
import statistics

from django.urls import reverse
from django.utils import timezone
import pytest

from core.dates import add_months, local_datetime
from feedback.choices import CaseStatus
from feedback.figures import on_time_rate, satisfaction_index
from feedback.stats.selectors import median_supported, unit_stats, units_month_stats
from tests.factories import FeedbackCaseFactory, KioskVoteFactory, UnitFactory

pytestmark = pytest.mark.django_db
# SQLite computes no median: one more query reads the answered cases' dates.
SQLITE_MEDIANS = 0 if median_supported() else 1


def _last_month() -> datetime.date:
    return add_months(timezone.localdate().replace(day=1), -1)


def _fill(unit, month, *, n_resolved=3, with_contact=False):
    """Cases of ``month`` in ``unit``: resolved after 2, 4 and 9 days (the first two on time), one open past due,
    satisfaction and handling ratings, one kiosk vote."""
    day = local_datetime(month.replace(day=3))
    cases = []
    for i, days in enumerate([2, 4, 9][:n_resolved]):
        cases.append(FeedbackCaseFactory(
            unit=unit, received_at=day, due_on=(day + datetime.timedelta(days=5)).date(), status=CaseStatus.RESOLVED,
            closed_after_days=days, satisfaction=[5, 2, 4][i], handling_rating=[5, 4, 1][i],
            handling_rated_at=day + datetime.timedelta(days=days + 1), with_contact=with_contact,
        ))
    cases.append(FeedbackCaseFactory(unit=unit, received_at=day, due_on=month.replace(day=10), satisfaction=3))
    KioskVoteFactory(unit=unit, score=5, created_at=day)
    return cases


def test_month_figures_equal_the_database_and_the_dashboard_formulas(phuong_thanh_xuan):
    month = _last_month()
    _fill(phuong_thanh_xuan, month)
    [row] = units_month_stats(units=[phuong_thanh_xuan], month=month)
    figures = row.latest
    assert figures.received == 4
    # The figures engine's own functions, as the dashboard shows them.
    assert figures.on_time == pytest.approx(on_time_rate(unit=phuong_thanh_xuan, month=month))
    assert figures.on_time == pytest.approx(100 * 2 / 4)  # 2 on time of 3 closed + 1 open past due
    assert figures.satisfaction == pytest.approx(satisfaction_index(units_qs_or_unit=phuong_thanh_xuan, month=month))
    assert figures.satisfaction == pytest.approx(100 * 3 / 5)  # 5, 4 and the kiosk's 5 among 5, 2, 4, 3, 5
    assert figures.handling == pytest.approx(100 * 2 / 3)  # 5 and 4 among 5, 4, 1
    assert figures.median_days == pytest.approx(4.0)


def test_twelve_months_of_a_unit_cover_its_subtree(hanoi):
    district = UnitFactory(name="Quận Thử", parent=None)
    ward = UnitFactory(parent=district)
    month = _last_month()
    _fill(ward, month)
    _fill(district, add_months(month, -2), n_resolved=2)
    stats = unit_stats(unit=district, month=month)
    assert [m.month for m in stats.months] == [add_months(month, i - 11) for i in range(12)]
    by_month = {m.month: m for m in stats.months}
    assert by_month[month].received == 4 and by_month[month].median_days == pytest.approx(4.0)
    earlier = by_month[add_months(month, -2)]
    assert earlier.received == 3 and earlier.median_days == pytest.approx(3.0)  # median of 2 and 4 days
    between = by_month[add_months(month, -1)]
    assert between.received == 0 and between.satisfaction is None and between.median_days is None
    assert between.on_time == 0  # the case left open past its due date still counts against the month


def test_the_list_shows_units_in_force_searchable_without_diacritics_and_without_login(client, phuong_thanh_xuan):
    month = _last_month()
    _fill(phuong_thanh_xuan, month, with_contact=True)
    response = client.get(reverse("feedback:stats_list"), {"q": "thanh xuan", "month": f"{month:%Y-%m}"})
    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-unit="{phuong_thanh_xuan.public_code}"' in html
    assert "Thanh Xuân Bắc" not in html  # a former ward (dissolved on 1 July 2025) is not listed
    assert "Nguyễn Công Dân" not in html and "riêng tư" not in html and "@example.vn" not in html
    row = html.split(f'data-unit="{phuong_thanh_xuan.public_code}"', 1)[1].split("</tr>", 1)[0]
    assert ">4<" in row and "50%" in row and "60%" in row


def test_former_units_are_listed_when_asked(client, thanh_xuan_bac):
    response = client.get(reverse("feedback:stats_list"), {"q": "thanh xuân bắc", "former": "1"})
    assert f'data-unit="{thanh_xuan_bac.public_code}"' in response.content.decode()


def test_a_bad_month_or_page_falls_back_instead_of_failing(client, hanoi):
    for params in ({"month": "2026-13"}, {"month": "9999-01"}, {"month": "x" * 500}, {"page": "abc"}, {"page": "99999"},
                   {"q": "\x00" * 3}):
        assert client.get(reverse("feedback:stats_list"), params).status_code == 200


def test_the_list_costs_a_constant_number_of_queries(client, hanoi, django_assert_max_num_queries):
    month = _last_month()
    url = reverse("feedback:stats_list")
    with django_assert_max_num_queries(8 + SQLITE_MEDIANS) as few:
        client.get(url, {"month": f"{month:%Y-%m}"})
    units = [UnitFactory(name=f"Phường Đo Đếm {i}") for i in range(30)]
    for unit in units[:10]:
        _fill(unit, month)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url, {"month": f"{month:%Y-%m}", "q": "do dem"})
    assert response.content.decode().count('data-unit="') == 25  # one page


def test_the_unit_page_draws_the_charts_with_a_constant_number_of_queries(client, phuong_thanh_xuan,
                                                                           django_assert_max_num_queries):
    month = _last_month()
    url = reverse("feedback:unit_stats", args=[phuong_thanh_xuan.public_code])
    with django_assert_max_num_queries(8 + SQLITE_MEDIANS) as few:
        client.get(url)
    for back in range(6):
        _fill(phuong_thanh_xuan, add_months(month, -back))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url, {"month": f"{month:%Y-%m}"})
    html = response.content.decode()
    for chart in ("satisfaction", "on-time", "handling", "received"):
        assert f'data-chart="{chart}"' in html
    assert html.count('class="line-segment"') >= 3
    assert f'data-month="{month:%Y-%m}"' in html


def test_an_unknown_unit_is_a_404(client, hanoi):
    assert client.get(reverse("feedback:unit_stats", args=["khong-co-00000"])).status_code == 404


def _read_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def test_csv_downloads_read_back_and_neutralise_formulas(client, hanoi):
    month = _last_month()
    unit = UnitFactory(name="=HYPERLINK(\"http://x\")", search_name="=hyperlink xem")
    cases = _fill(unit, month)
    response = client.get(reverse("feedback:stats_list"), {"month": f"{month:%Y-%m}", "q": "hyperlink", "format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    header, row = _read_csv(response)
    assert header[0] == "Tháng" or header[0] == "Month"
    assert row[0] == f"{month:%Y-%m}" and row[1].startswith("'=HYPERLINK")
    assert row[4:] == ["4", "50.0", "60.0", "66.7", "4.0"]
    days = [(c.closed_at - c.received_at).days for c in cases if c.closed_at]
    assert float(row[8]) == statistics.median(days)

    response = client.get(reverse("feedback:unit_stats", args=[unit.public_code]), {"format": "csv"})
    rows = _read_csv(response)[1:]
    assert len(rows) == 12 and {r[0] for r in rows} >= {f"{month:%Y-%m}"}
    assert [r for r in rows if r[0] == f"{month:%Y-%m}"][0][4] == "4"


def test_the_median_without_percentile_cont_is_the_same(phuong_thanh_xuan, monkeypatch):
    """SQLite has no percentile_cont: the fallback reads the answered cases' dates and gives the same medians."""
    month = _last_month()
    _fill(phuong_thanh_xuan, month)
    with_sql = units_month_stats(units=[phuong_thanh_xuan], month=month)[0].latest
    monkeypatch.setattr("feedback.stats.selectors.median_supported", lambda: False)
    fallback = units_month_stats(units=[phuong_thanh_xuan], month=month)[0].latest
    assert fallback == with_sql and fallback.median_days == pytest.approx(4.0)
    assert unit_stats(unit=phuong_thanh_xuan, month=month).latest.median_days == pytest.approx(4.0)


def test_the_unit_finder_leads_to_the_statistics(client, hanoi):
    html = client.get(reverse("feedback:unit_finder")).content.decode()
    assert reverse("feedback:stats_list") in html


def test_the_list_can_show_the_wards_of_one_district(client, thanh_xuan, thanh_xuan_bac, phuc_xa):
    html = client.get(reverse("feedback:stats_list"), {"former": "1", "within": thanh_xuan.public_code}).content.decode()
    assert f'data-unit="{thanh_xuan_bac.public_code}"' in html and f'data-unit="{phuc_xa.public_code}"' not in html
    html = client.get(reverse("feedback:stats_list"), {"within": "khong-co-00000"}).content.decode()
    assert 'data-unit="' not in html
