"""The admin shows ratings with their history but never changes them: writes go through the audited services."""

import datetime

from django.urls import reverse
import pytest

from evaluations.models import Rating
from evaluations.ratings import services

pytestmark = pytest.mark.django_db


def test_a_rating_cannot_be_reverted_or_edited_in_the_admin(admin_client, ward_officer, thanh_xuan_bac, staff_factory):
    staff_factory(unit=thanh_xuan_bac)
    month = services.month_start(datetime.date.today().replace(day=1) - datetime.timedelta(days=1))
    sheet = services.rating_sheet_open(actor=ward_officer, unit=thanh_xuan_bac, month=month)
    rating = sheet.ratings.get()
    services.rating_save(actor=ward_officer, rating=rating, points={"discipline": "15", "tasks": "70", "bonus": "0"},
                         remark="", expected_version=rating.version)
    first = rating.history.earliest("history_date").history_id

    revert = reverse("admin:evaluations_rating_simple_history", args=[rating.pk, first])
    assert admin_client.get(revert).status_code == 200
    assert admin_client.post(revert, {}).status_code == 403
    assert admin_client.post(reverse("admin:evaluations_rating_change", args=[rating.pk]), {"total": "90"}).status_code == 403
    assert Rating.objects.get(pk=rating.pk).total == 85
