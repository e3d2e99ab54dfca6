"""With the cache (Redis) unreachable the public pages still work: a citizen's feedback is saved and answered with
its tracking code, tracking answers, the kiosk votes. The rate limits step aside (with a warning in the log) rather
than refuse anyone."""

import logging

from django.core.cache import caches
from django.urls import reverse
import pytest

from feedback.models import FeedbackCase, KioskVote
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

UNREACHABLE = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}}


@pytest.fixture
def cache_down(settings):
    """The cache is a Redis server that refuses connections (nothing listens on port 1)."""
    caches.close_all()
    settings.CACHES = UNREACHABLE  # pytest-django's settings fire setting_changed: Django drops its cache handlers
    with pytest.raises(Exception, match="(?i)connect"):
        caches["default"].add("probe", 1)  # the premise: the cache really is down, not a stand-in
    yield
    caches.close_all()


def test_the_form_saves_the_case_and_shows_its_tracking_code(client, unit, form_url, fresh_form, address, cache_down,
                                                             caplog):
    with caplog.at_level(logging.WARNING, logger="feedback.public.ratelimit"):
        response = client.post(form_url, fresh_form(), REMOTE_ADDR=address)

    case = FeedbackCase.objects.get(unit=unit)
    assert response.status_code == 302 and response["Location"] == f"/feedback/done/{case.tracking_code}/"
    done = client.get(response["Location"], REMOTE_ADDR=address)
    grouped = f"{case.tracking_code[:4]}-{case.tracking_code[4:8]}-{case.tracking_code[8:]}"
    assert done.status_code == 200 and grouped in done.content.decode()
    assert "the cache is unreachable" in caplog.text


def test_tracking_works(client, unit, form_url, fresh_form, address, cache_down):
    client.post(form_url, fresh_form(), REMOTE_ADDR=address)
    case = FeedbackCase.objects.get(unit=unit)

    response = client.get(f"/feedback/track/{case.tracking_code}/", REMOTE_ADDR=address)
    assert response.status_code == 200 and 'data-status="new"' in response.content.decode()
    typed = client.get("/feedback/track/", {"code": case.tracking_code.lower()}, REMOTE_ADDR=address, follow=True)
    assert typed.status_code == 200 and typed.redirect_chain[-1][0] == f"/feedback/track/{case.tracking_code}/"


def test_the_limit_degrades_to_allowing_never_to_refusing(client, unit, form_url, fresh_form, address, settings,
                                                         cache_down):
    settings.FEEDBACK_RATE_LIMIT = 1
    statuses = [client.post(form_url, fresh_form(), REMOTE_ADDR=address).status_code for _i in range(3)]
    assert statuses == [302, 302, 302]
    assert FeedbackCase.objects.filter(unit=unit).count() == 3


def test_the_kiosk_votes_and_keeps_its_lockout_from_the_database(client, kiosk_device, address, cache_down, caplog):
    url = f"/kiosk/{kiosk_device.token}/"
    assert client.get(url, REMOTE_ADDR=address).status_code == 200
    with caplog.at_level(logging.WARNING):
        first = client.post(url, {"score": "5"}, REMOTE_ADDR=address)
        second = client.post(url, {"score": "1"}, REMOTE_ADDR=address)

    assert first.status_code == 302 and first["Location"] == f"{url}?state=thanks"
    assert second.status_code == 302 and second["Location"] == f"{url}?state=wait"
    assert list(KioskVote.objects.filter(device=kiosk_device).values_list("score", flat=True)) == [5]
    assert "Kiosk lock-out read from the database" in caplog.text


@pytest.mark.parametrize("path", ["/feedback/", "/feedback/?q=thanh+xuan", "/feedback/track/", "/codes/", "/login/"])
def test_other_public_pages_answer(client, address, cache_down, path):
    assert client.get(path, REMOTE_ADDR=address).status_code == 200


def test_the_poster_and_logging_in_answer(client, unit, address, cache_down):
    assert client.get(f"/feedback/{unit.public_code}/poster/", REMOTE_ADDR=address).status_code == 200
    UserFactory(username="can.bo.mot.cua", password="mat-khau-dung-2026")
    wrong = client.post(reverse("login"), {"username": "can.bo.mot.cua", "password": "sai"}, REMOTE_ADDR=address)
    assert wrong.status_code == 200 and wrong.context["form"].errors
    right = client.post(reverse("login"), {"username": "can.bo.mot.cua", "password": "mat-khau-dung-2026"},
                        REMOTE_ADDR=address)
    assert right.status_code == 302
