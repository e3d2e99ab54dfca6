"""The digest's benchmark case runs, at a tiny size, on the test database (no timing asserted)."""

from django.db import connection
import pytest

from benchmarks.cases import digest
from benchmarks.cases.context import Context
from units.notifications.models import Notification

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="benchmarks need PostgreSQL")


@pytest.mark.django_db
def test_the_digest_case_runs_and_sends_every_digest(hanoi, phuong_thanh_xuan, ward_officer, district_officer, city_admin):
    context = Context(scale="tiny", city=hanoi, district=phuong_thanh_xuan.parent, ward=phuong_thanh_xuan,
                      district_user=district_officer, ward_user=ward_officer, city_user=city_admin, runs=1)
    rows = digest.run(context)
    assert rows[0].value > 0 and rows[0].limit > 0
    assert Notification.objects.filter(recipient__username__startswith="bench.digest.").count() == 50 * 5
    assert not Notification.objects.filter(digest_sent_at__isnull=True).exists()
