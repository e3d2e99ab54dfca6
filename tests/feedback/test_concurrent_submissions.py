"""50 citizens send the form at the same moment against a real (threaded) server on PostgreSQL: 50 cases,
50 distinct tracking codes, no lost or doubled submission."""

from concurrent.futures import ThreadPoolExecutor
import http.cookiejar
import re
import urllib.parse
import urllib.request

from django.db import connection
import pytest

from feedback.models import FeedbackCase
from feedback.public.services import tracking_code_is_wellformed

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL's concurrent transactions"),
    pytest.mark.django_db(transaction=True),
]

SUBMISSIONS = 50
WORKERS = 16
TIMEOUT = 30  # seconds per request: a hung server fails the test instead of blocking the run


def _submit(form_url: str, number: int) -> str:
    """One citizen's browser: GET the form (CSRF cookie, token, one-time submission token), then POST it."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    html = opener.open(form_url, timeout=TIMEOUT).read().decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)[1]
    token = re.search(r'name="submission_token" value="([0-9a-f]{32})"', html)[1]
    data = urllib.parse.urlencode({
        "csrfmiddlewaretoken": csrf, "submission_token": token, "kind": "delay",
        "text": f"Hồ sơ số {number} bị chậm.", "satisfaction": str(number % 5 + 1), "website": "",
    }).encode()
    request = urllib.request.Request(form_url, data=data, headers={"Referer": form_url})
    with opener.open(request, timeout=TIMEOUT) as response:  # follows the redirect to the done page
        assert response.status == 200
        return response.geturl()


def test_fifty_simultaneous_submissions_make_fifty_cases(live_server, hanoi, settings):
    from units.models import Unit

    unit = Unit.objects.get(structure="legacy", official_code="00367")
    settings.FEEDBACK_RATE_LIMIT = 10_000  # every request comes from 127.0.0.1
    form_url = f"{live_server.url}/feedback/{unit.public_code}/"

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        landed = list(pool.map(lambda n: _submit(form_url, n), range(SUBMISSIONS), timeout=120))

    codes = [url.rstrip("/").rsplit("/", 1)[1] for url in landed]
    assert all("/feedback/done/" in url for url in landed)
    cases = FeedbackCase.objects.filter(unit=unit)
    assert cases.count() == SUBMISSIONS
    stored = set(cases.values_list("tracking_code", flat=True))
    assert len(stored) == SUBMISSIONS and stored == set(codes)
    assert all(tracking_code_is_wellformed(code) for code in stored)
    assert cases.exclude(submission_token=None).values("submission_token").distinct().count() == SUBMISSIONS
