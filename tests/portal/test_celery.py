"""A real Celery worker (in-process, on the configured broker: Redis in CI) runs a task end to end."""

from celery.contrib.testing.worker import start_worker
import pytest

from conduct_portal.celery import app
from units.choices import Structure
from units.models import Unit
from units.tasks import units_sync_from_package


@pytest.fixture
def celery_worker(transactional_db):
    with start_worker(app, pool="threads", concurrency=1, perform_ping_check=False, loglevel="WARNING", shutdown_timeout=30):
        yield


@pytest.mark.celery
def test_worker_syncs_a_renamed_unit_back_from_the_package(celery_worker, hanoi):
    ward = Unit.objects.get(structure=Structure.LEGACY, official_code="00367")
    Unit.objects.filter(pk=ward.pk).update(name="Tên sai", search_name="ten sai")

    result = units_sync_from_package.delay([1]).get(timeout=60)

    assert result["1"]["updated"] == 1 and result["1"]["created"] == 0
    ward.refresh_from_db()
    assert ward.name == "Phường Thanh Xuân Bắc"
    assert ward.search_name == "phuong thanh xuan bac"
