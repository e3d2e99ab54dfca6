"""Recording violations of the code through the pages: the month's grade is capped, the list stays in scope."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
import pytest

from evaluations.choices import Grade, Severity, ViolationSource
from evaluations.models import Rating, Violation
from evaluations.ratings import services
from evaluations.violations.services import violation_record
from tests.builders import lower_to_cap, open_sheet
from tests.factories import UserFactory
from tests.helpers import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def an(staff_factory, thanh_xuan_bac):
    return staff_factory(unit=thanh_xuan_bac, staff_code="TXB101", full_name="Nguyễn Văn An")


@pytest.fixture
def binh(staff_factory, thanh_xuan_bac):
    return staff_factory(unit=thanh_xuan_bac, staff_code="TXB102", full_name="Trần Thị Bình")


@pytest.fixture
def sheet(ward_officer, thanh_xuan_bac, an, binh, last_month):
    """Last month's sheet: everyone at full marks, grade A."""
    return open_sheet(thanh_xuan_bac, ward_officer, last_month)


def create_url(staff=None):
    url = reverse("evaluations:violation_create")
    return f"{url}?staff={staff.pk}" if staff else url


def form_data(staff, article, day, severity=Severity.MINOR, **extra):
    return {
        "staff": staff.pk, "occurred_on": day.isoformat(), "article": article.pk, "severity": severity,
        "source": ViolationSource.SUPERVISOR, "description": "Không đeo thẻ công chức khi tiếp dân.",
        "action_taken": "Nhắc nhở trong giao ban.", **extra,
    }


def rating_of(staff, month) -> Rating:
    return Rating.objects.get(staff=staff, sheet__month=month)


def test_a_violation_recorded_on_the_page_caps_the_month_grade(
    client, ward_officer, sheet, an, binh, article, last_month
):
    assert rating_of(an, last_month).grade == Grade.A
    officer = client_for(client, ward_officer)

    page = officer.get(create_url(an))
    response = officer.post(create_url(an), form_data(an, article, last_month + datetime.timedelta(days=4)))

    assert page.status_code == 200 and f"{article}" in page.content.decode()  # "Điều N. Title" offered
    assert response.status_code == 302 and response.url == an.get_absolute_url()
    rating = rating_of(an, last_month)
    assert (rating.total, rating.grade_by_points, rating.grade) == (90, Grade.A, Grade.B)  # full marks, still B
    assert rating.history.first().history_user == ward_officer
    violation = Violation.objects.get(staff=an)
    assert (violation.unit, violation.recorded_by, violation.article) == (an.unit, ward_officer, article)
    assert violation.history.first().history_user == ward_officer
    assert [str(m) for m in response.wsgi_request._messages] == [
        f"Violation recorded. The grade of Nguyễn Văn An for {last_month:%m/%Y} is capped at B: it is now B."
    ]
    assert rating_of(binh, last_month).grade == Grade.A  # nobody else's grade moves

    listing = officer.get(reverse("evaluations:violation_list")).content.decode()
    assert "Nguyễn Văn An" in listing and "Không đeo thẻ công chức khi tiếp dân." in listing


def test_a_serious_violation_caps_the_grade_lower(client, ward_officer, sheet, binh, article, last_month):
    response = client_for(client, ward_officer).post(
        create_url(binh), form_data(binh, article, last_month, severity=Severity.SERIOUS)
    )

    assert response.status_code == 302
    assert rating_of(binh, last_month).grade == Grade.C


def test_a_month_without_a_sheet_yet_is_capped_once_it_is_opened(client, ward_officer, an, article, thanh_xuan_bac):
    this_month = services.month_start(timezone.localdate())

    response = client_for(client, ward_officer).post(create_url(an), form_data(an, article, timezone.localdate()))

    assert [str(m) for m in response.wsgi_request._messages] == [
        f"Violation recorded. The grade of Nguyễn Văn An for {this_month:%m/%Y} will be B at best."
    ]
    services.rating_sheet_open(actor=ward_officer, unit=thanh_xuan_bac, month=this_month)
    assert rating_of(an, this_month).grade == Grade.B


def test_an_approved_sheet_keeps_its_grade_and_says_so(client, ward_officer, unit_head, sheet, an, article, last_month,
                                                       staff_factory, thanh_xuan_bac):
    # Four staff: Hanoi's 30 % allows one A, An's.
    staff_factory.create_batch(2, unit=thanh_xuan_bac)
    open_sheet(thanh_xuan_bac, ward_officer, last_month)
    lower_to_cap(sheet, ward_officer, keep=[an])
    services.rating_sheet_transition(actor=ward_officer, sheet=sheet, action="submit")
    services.rating_sheet_transition(actor=unit_head, sheet=sheet, action="approve")

    response = client_for(client, ward_officer).post(create_url(an), form_data(an, article, last_month))

    assert response.status_code == 302 and Violation.objects.filter(staff=an).exists()
    assert rating_of(an, last_month).grade == Grade.A
    (message,) = [str(m) for m in response.wsgi_request._messages]
    assert message.startswith(f"Violation recorded. The sheet of {last_month:%m/%Y} is approved")


def test_the_district_inspector_can_record(client, inspector, sheet, an, article, last_month):
    response = client_for(client, inspector).post(create_url(an), form_data(an, article, last_month))

    assert response.status_code == 302
    assert Violation.objects.get(staff=an).recorded_by == inspector
    assert rating_of(an, last_month).grade == Grade.B


def test_staff_of_another_ward_are_404_and_not_offered(client, ward_officer, staff_factory, thanh_xuan_trung, article):
    other = staff_factory(unit=thanh_xuan_trung, staff_code="TXT101", full_name="Phạm Văn Bên")
    officer = client_for(client, ward_officer)

    assert officer.get(create_url(other)).status_code == 404
    page = officer.get(create_url())
    response = officer.post(create_url(), form_data(other, article, timezone.localdate()))

    assert "Phạm Văn Bên" not in page.content.decode()
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert not Violation.objects.filter(staff=other).exists()


def test_a_user_without_any_role_gets_403(client, an):
    nobody = client_for(client, UserFactory(username="khong.vai.tro"))

    assert nobody.get(create_url()).status_code == 403
    assert nobody.get(reverse("evaluations:violation_list")).status_code == 200  # an empty list, nothing to see


def test_a_future_date_is_refused(client, ward_officer, an, article):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    response = client_for(client, ward_officer).post(create_url(an), form_data(an, article, tomorrow))

    assert response.status_code == 200
    assert "The date cannot be in the future." in response.content.decode()
    assert not Violation.objects.exists()


def test_the_list_is_scoped_and_filtered(
    client, ward_officer, city_admin, an, staff_factory, phuc_xa, article, last_month
):
    elsewhere = staff_factory(unit=phuc_xa, staff_code="PX001", full_name="Đỗ Thị Xa")
    for staff, day in ((an, last_month), (an, timezone.localdate()), (elsewhere, last_month)):
        violation_record(
            actor=city_admin, staff=staff, occurred_on=day, article=article, severity=Severity.MINOR,
            source=ViolationSource.INSPECTION, description=f"{staff} {day}",
        )
    officer = client_for(client, ward_officer)
    url = reverse("evaluations:violation_list")

    everything = officer.get(url)
    of_last_month = officer.get(url, {"month": f"{last_month:%Y-%m}", "unit": an.unit.public_code})

    assert [v.description for v in everything.context["violations"]] == [
        f"{an} {timezone.localdate()}", f"{an} {last_month}"  # newest first; Phúc Xá is another district
    ]
    assert [v.description for v in of_last_month.context["violations"]] == [f"{an} {last_month}"]
    assert officer.get(url, {"unit": phuc_xa.public_code}).status_code == 404


def test_the_list_takes_the_same_queries_for_30_violations_as_for_3(
    client, ward_officer, staff_factory, thanh_xuan_bac, article
):
    officer = client_for(client, ward_officer)
    url = reverse("evaluations:violation_list")

    def add(count):
        for _ in range(count):
            violation_record(
                actor=ward_officer, staff=staff_factory(unit=thanh_xuan_bac), occurred_on=timezone.localdate(),
                article=article, severity=Severity.MINOR, source=ViolationSource.SUPERVISOR, description="Đi muộn.",
            )

    def queries():
        with CaptureQueriesContext(connection) as captured:
            response = officer.get(url)
        assert response.status_code == 200
        return len(captured), len(response.context["violations"])

    add(3)
    few, shown = queries()
    add(27)
    many, shown_many = queries()
    assert (shown, shown_many) == (3, 30)
    assert many == few
