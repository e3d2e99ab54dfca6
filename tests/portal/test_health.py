"""GET /healthz tells an operator whether the database and the broker answer."""

from django.urls import reverse
import pytest

from conduct_portal import health

pytestmark = pytest.mark.django_db


def test_healthy_when_database_and_broker_answer(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] and body["checks"]["broker"]["ok"]


def test_503_when_the_broker_is_down(client, monkeypatch, settings):
    # A port nothing listens on: a real connection attempt that fails, not a mock of the check.
    monkeypatch.setitem(health.celery_app.conf, "broker_url", "redis://127.0.0.1:1/0")
    monkeypatch.setitem(health.celery_app.conf, "broker_transport_options", {})
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["broker"]["ok"] is False and body["checks"]["broker"]["error"]


def test_503_when_the_database_is_down(client, monkeypatch):
    from django.db import OperationalError

    def broken():
        raise OperationalError("connection refused")

    monkeypatch.setattr(health, "_probe_database", broken)
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["checks"]["database"]["ok"] is False
