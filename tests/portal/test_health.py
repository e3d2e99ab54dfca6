"""GET /healthz tells anyone whether the database, the broker and the file storage answer, and only that: why one is down (host,
port, driver message) goes to the log, and to a superuser who has finished logging in."""

import logging

from botocore.config import Config
from django.db import OperationalError
from django.urls import reverse
import pytest

from conduct_portal import health
from portal import two_factor
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# What PostgreSQL's driver says when the server is gone: the host, its address and the port.
DRIVER_MESSAGE = ('connection to server at "db.internal.hanoi" (10.20.30.40), port 5432 failed: Connection refused\n'
                  "\tIs the server running on that host and accepting TCP/IP connections?")


@pytest.fixture
def broker_down(monkeypatch):
    # A port nothing listens on: a real connection attempt that fails, not a mock of the check.
    monkeypatch.setitem(health.celery_app.conf, "broker_url", "redis://127.0.0.1:1/0")
    monkeypatch.setitem(health.celery_app.conf, "broker_transport_options", {})


@pytest.fixture
def database_down(monkeypatch):
    def broken():
        raise OperationalError(DRIVER_MESSAGE)

    monkeypatch.setattr(health, "_probe_database", broken)


@pytest.fixture
def superuser():
    user = UserFactory(username="quan.tri.he.thong")
    user.is_superuser = user.is_staff = True
    user.save()
    return user


def test_healthy_when_database_and_broker_answer(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": {"ok": True}, "broker": {"ok": True}, "storage": {"ok": True}}}


def test_503_with_statuses_only_when_the_database_is_down(client, database_down, caplog):
    with caplog.at_level(logging.ERROR, logger="conduct_portal.health"):
        response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json() == {"status": "error", "checks": {"database": {"ok": False}, "broker": {"ok": True}, "storage": {"ok": True}}}
    body = response.content.decode()
    for detail in ("db.internal", "10.20.30.40", "5432", "OperationalError", "refused"):
        assert detail not in body, detail
    assert "database is down" in caplog.text and "db.internal.hanoi" in caplog.text and "port 5432" in caplog.text


def test_503_with_statuses_only_when_the_broker_is_down(client, broker_down, caplog):
    with caplog.at_level(logging.ERROR, logger="conduct_portal.health"):
        response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json() == {"status": "error", "checks": {"database": {"ok": True}, "broker": {"ok": False}, "storage": {"ok": True}}}
    assert "127.0.0.1" not in response.content.decode() and "Error" not in response.content.decode()
    assert "broker is down" in caplog.text and "127.0.0.1" in caplog.text


def test_503_when_the_object_store_does_not_answer(client, settings, caplog):
    # An S3 endpoint nothing listens on: the probe's real request fails (no retries, short timeouts).
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {
        "bucket_name": "conduct", "endpoint_url": "http://127.0.0.1:1", "access_key": "k", "secret_key": "s",
        "region_name": "us-east-1", "client_config": Config(connect_timeout=1, retries={"max_attempts": 0})}}}
    with caplog.at_level(logging.ERROR, logger="conduct_portal.health"):
        response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json()["checks"]["storage"] == {"ok": False} and "127.0.0.1" not in response.content.decode()
    assert "storage is down" in caplog.text


def test_a_logged_in_user_who_is_no_superuser_sees_statuses_only(client, database_down, district_officer):
    client.force_login(district_officer)
    response = client.get(reverse("healthz"))
    assert response.json()["checks"]["database"] == {"ok": False}


def test_a_superuser_sees_why(client, database_down, broker_down, superuser):
    client.force_login(superuser)
    response = client.get(reverse("healthz"))

    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["database"]["ok"] is False and "db.internal.hanoi" in checks["database"]["error"]
    assert checks["broker"]["ok"] is False and checks["broker"]["error"]


def test_a_superuser_still_owing_the_code_of_two_factor_login_sees_statuses_only(client, database_down, superuser):
    client.force_login(superuser)
    session = client.session
    session[two_factor.SESSION_KEY] = {"user": superuser.pk, "step": two_factor.VERIFY, "device": True}
    session.save()
    response = client.get(reverse("healthz"))
    assert response.json()["checks"]["database"] == {"ok": False}
