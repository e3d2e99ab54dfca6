"""The admin shows ratings with their history but never changes them: writes go through the audited services."""

from django.urls import reverse
import pytest

from evaluations.models import Rating
from evaluations.ratings import services
from tests.builders import open_sheet

pytestmark = pytest.mark.django_db


def test_a_rating_cannot_be_reverted_or_edited_in_the_admin(admin_client, ward_officer, thanh_xuan_bac, staff_factory,
                                                            last_month):
    staff_factory(unit=thanh_xuan_bac)
    sheet = open_sheet(thanh_xuan_bac, ward_officer, last_month)
    rating = sheet.ratings.get()
    services.rating_save(actor=ward_officer, rating=rating, points={"discipline": "15", "tasks": "70", "bonus": "0"},
                         remark="", expected_version=rating.version)
    first = rating.history.earliest("history_date").history_id

    revert = reverse("admin:evaluations_rating_simple_history", args=[rating.pk, first])
    assert admin_client.get(revert).status_code == 200
    assert admin_client.post(revert, {}).status_code == 403
    assert admin_client.post(reverse("admin:evaluations_rating_change", args=[rating.pk]), {"total": "90"}).status_code == 403
    assert Rating.objects.get(pk=rating.pk).total == 85
