"""The printable visit report and the Excel export: content, scope, surprise-visit secrecy, query counts."""

import datetime
import io

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
import pytest
from python_calamine import CalamineWorkbook

from evaluations.choices import CheckResult, VisitKind, VisitStatus
from tests.factories import (
    CorrectiveActionFactory,
    FindingFactory,
    InspectionVisitFactory,
    ViolationFactory,
    record_results,
)

pytestmark = pytest.mark.django_db


def _export(client, user):
    client.force_login(user)
    response = client.get(reverse("evaluations:inspections_export"))
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    return CalamineWorkbook.from_filelike(io.BytesIO(content))


@pytest.fixture
def surprise(team, thanh_xuan_bac):
    """A surprise visit to Phường Thanh Xuân Bắc, still planned (next week)."""
    return InspectionVisitFactory(
        team=team, unit=thanh_xuan_bac, kind=VisitKind.SURPRISE, status=VisitStatus.PLANNED,
        scheduled_at=timezone.now() + datetime.timedelta(days=7), subject="Kiểm tra đột xuất bí mật",
    )


def test_report_renders_results_findings_and_actions(client, ward_officer, visit, results, finding, action):
    ViolationFactory(
        staff=finding.staff.get(), unit=visit.unit, occurred_on=timezone.localdate(), article=finding.article,
        severity=finding.severity, source="inspection", description="x", recorded_by=visit.team.leader, finding=finding,
    )
    client.force_login(ward_officer)
    response = client.get(reverse("evaluations:visit_report", args=[visit.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert visit.unit.name in page and visit.team.name in page and visit.team.leader.get_full_name() in page
    for result in results:
        assert escape(result.item.text) in page
    assert "Không đeo thẻ 1" in page and "Không đeo thẻ 2" in page  # notes of the failed items
    assert page.count('data-testid="report-finding"') == 1
    assert "Nguyễn Văn An (TXB201)" in page
    assert action.description in page and page.count('data-testid="report-action"') == 1
    assert 'class="visit-report"' in page and "<style" not in page
    assert len([r for r in response.context["results"] if r.result == CheckResult.FAIL]) == 2
    assert response.context["findings"][0].violations.all()[0].staff.staff_code == "TXB201"


def test_export_matches_the_database(client, district_officer, visit, results, finding, action, staff_factory, thanh_xuan_bac):
    binh = staff_factory(unit=thanh_xuan_bac, staff_code="TXB202", full_name="Trần Thị Bình")
    second = FindingFactory(visit=visit, result=results[1], staff=[binh], description="Không niêm yết quy tắc")
    CorrectiveActionFactory(finding=second, due_on=timezone.localdate() - datetime.timedelta(days=1), description="Niêm yết ngay")
    workbook = _export(client, district_officer)
    assert workbook.sheet_names == ["Lượt kiểm tra", "Phát hiện"]
    visits = workbook.get_sheet_by_name("Lượt kiểm tra").to_python()
    assert visits[0][:3] == ["Ngày giờ", "Đơn vị được kiểm tra", "Đoàn kiểm tra"]
    assert len(visits) == 2
    row = visits[1]
    assert row[0] == timezone.localtime(visit.scheduled_at).replace(tzinfo=None, second=0, microsecond=0) or isinstance(row[0], datetime.datetime)
    assert row[1:6] == [thanh_xuan_bac.name, visit.team.name, "Theo kế hoạch", "Đang kiểm tra", visit.subject]
    assert int(row[6]) == 2 and int(row[7]) == 2

    findings = workbook.get_sheet_by_name("Phát hiện").to_python()
    assert findings[0][0] == "Ngày kiểm tra" and len(findings) == 3
    by_description = {line[3]: line for line in findings[1:]}
    first = by_description[finding.description]
    assert first[0] == timezone.localtime(visit.scheduled_at).date()
    assert first[6] == "Nguyễn Văn An (TXB201)"
    assert first[7:] == [action.description, action.due_on, "Chưa thực hiện"]
    late = by_description["Không niêm yết quy tắc"]
    assert late[6] == "Trần Thị Bình (TXB202)" and late[9] == "Chưa thực hiện (Quá hạn)"


def test_surprise_visit_is_secret_from_the_ward(client, ward_officer, district_officer, inspector, visit, surprise, action):
    # Findings and an overdue action on the (still planned) surprise visit must not leak either.
    secret_action = CorrectiveActionFactory(
        finding=FindingFactory(visit=surprise, result=record_results(surprise)[0], description="Phát hiện bí mật"),
        due_on=timezone.localdate() - datetime.timedelta(days=1), description="Việc bí mật",
    )
    # The ward officer: not in the export, the report is a 404, not in the actions list or the landing counts.
    ward_export = _export(client, ward_officer)
    ward_visits = ward_export.get_sheet_by_name("Lượt kiểm tra").to_python()
    assert [line[5] for line in ward_visits[1:]] == [visit.subject]
    assert "Phát hiện bí mật" not in str(ward_export.get_sheet_by_name("Phát hiện").to_python())
    assert client.get(reverse("evaluations:visit_report", args=[surprise.pk])).status_code == 404
    assert client.get(reverse("evaluations:action_detail", args=[secret_action.pk])).status_code == 404
    assert client.get(reverse("evaluations:action_create", args=[secret_action.finding_id])).status_code == 404
    listing = client.get(reverse("evaluations:action_list"), {"overdue": "1"}).content.decode()
    assert "Việc bí mật" not in listing
    home = client.get(reverse("home"))
    assert home.context["visits_this_quarter"] == 1
    assert "Việc bí mật" not in home.content.decode()
    assert 'data-testid="overdue-actions-flag"' not in home.content.decode()

    # The district office and the team see it.
    for user in (district_officer, inspector):
        export = _export(client, user)
        subjects = [line[5] for line in export.get_sheet_by_name("Lượt kiểm tra").to_python()[1:]]
        assert sorted(subjects) == sorted([visit.subject, surprise.subject])
        assert "Phát hiện bí mật" in str(export.get_sheet_by_name("Phát hiện").to_python())
        assert client.get(reverse("evaluations:visit_report", args=[surprise.pk])).status_code == 200
        assert "Việc bí mật" in client.get(reverse("evaluations:action_list")).content.decode()
    client.force_login(district_officer)
    assert client.get(reverse("home")).context["overdue_action_count"] == 1


def test_started_surprise_visit_shows_to_the_ward(client, ward_officer, surprise):
    surprise.status = VisitStatus.IN_PROGRESS
    surprise.save()
    client.force_login(ward_officer)
    assert client.get(reverse("evaluations:visit_report", args=[surprise.pk])).status_code == 200


def test_report_of_another_district_is_404(client, ward_officer, district_officer, visit, thanh_xuan_trung, team):
    sibling = InspectionVisitFactory(team=team, unit=thanh_xuan_trung)
    client.force_login(ward_officer)
    assert client.get(reverse("evaluations:visit_report", args=[sibling.pk])).status_code == 404
    client.force_login(district_officer)
    assert client.get(reverse("evaluations:visit_report", args=[sibling.pk])).status_code == 200


def test_export_query_count_is_constant(client, district_officer, team, thanh_xuan_bac, staff_factory, django_assert_max_num_queries):
    def add(n):
        for _ in range(n):
            visit = InspectionVisitFactory(team=team, unit=thanh_xuan_bac)
            results = record_results(visit)
            for result in results[:2]:
                CorrectiveActionFactory(finding=FindingFactory(visit=visit, result=result, staff=staff_factory.create_batch(2, unit=thanh_xuan_bac)))

    add(1)
    client.force_login(district_officer)
    client.get(reverse("evaluations:inspections_export"))
    with CaptureQueriesContext(connection) as few:
        b"".join(client.get(reverse("evaluations:inspections_export")).streaming_content)
    add(5)
    with django_assert_max_num_queries(len(few)):
        response = client.get(reverse("evaluations:inspections_export"))
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
    assert len(workbook.get_sheet_by_name("Lượt kiểm tra").to_python()) == 7
    assert len(workbook.get_sheet_by_name("Phát hiện").to_python()) == 13


def test_report_query_count_is_constant(client, district_officer, visit, results, finding, staff_factory, thanh_xuan_bac, django_assert_max_num_queries):
    client.force_login(district_officer)
    url = reverse("evaluations:visit_report", args=[visit.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for result in results[1:4]:
        CorrectiveActionFactory(finding=FindingFactory(visit=visit, result=result, staff=staff_factory.create_batch(2, unit=thanh_xuan_bac)))
    with django_assert_max_num_queries(len(few)):
        assert client.get(url).status_code == 200
