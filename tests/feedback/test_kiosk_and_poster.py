"""The QR poster decodes to the unit's form, and the satisfaction kiosk records one vote per tap, with a lock-out."""

import re
import time

from django.utils import timezone
import pytest

from feedback.models import KioskVote
from tests.qr import PATH_DATA, qr_text

pytestmark = pytest.mark.django_db

_VIEWBOX = re.compile(r'<svg viewBox="0 0 (\d+) (\d+)" class="qr-code">')


def _decoded(html: str) -> str:
    svg = html.split('data-testid="poster-qr"', 1)[1]
    width, height = map(int, _VIEWBOX.search(svg).groups())
    return qr_text(PATH_DATA.search(svg)[1], width=width, height=height)


def test_the_posters_qr_decodes_to_the_form(client, unit, address, settings):
    settings.PORTAL_BASE_URL = ""
    response = client.get(f"/feedback/{unit.public_code}/poster/", REMOTE_ADDR=address)
    html = response.content.decode()

    assert response.status_code == 200 and unit.name in html
    assert _decoded(html) == f"http://testserver/feedback/{unit.public_code}/"
    assert in_page_text("Scan the QR code with your phone's camera to send praise or a complaint about the attitude "
                        "and conduct of our staff.") in html
    assert "testserver/feedback/track/" in html


def test_the_poster_uses_the_public_address_when_configured(client, unit, address, settings):
    settings.PORTAL_BASE_URL = "https://quytac.hanoi.gov.vn/"
    html = client.get(f"/feedback/{unit.public_code}/poster/", REMOTE_ADDR=address).content.decode()

    assert _decoded(html) == f"https://quytac.hanoi.gov.vn/feedback/{unit.public_code}/"
    assert f"quytac.hanoi.gov.vn/feedback/{unit.public_code}/" in html


def in_page_text(msgid: str) -> str:
    """A template literal as the Vietnamese page shows it ({% translate %} output of a literal is not escaped)."""
    from django.utils import translation

    with translation.override("vi"):
        return translation.gettext(msgid)


def test_the_kiosk_shows_five_faces_without_login(client, kiosk_device, address):
    response = client.get(f"/kiosk/{kiosk_device.token}/", REMOTE_ADDR=address)
    html = response.content.decode()
    assert response.status_code == 200 and kiosk_device.unit.name in html
    assert [int(v) for v in re.findall(r'name="score" value="(\d)"', html)] == [1, 2, 3, 4, 5]
    assert html.count("csrfmiddlewaretoken") == 5
    assert "<script>" not in html and "style=" not in html


def test_a_tap_records_a_vote_and_a_second_inside_the_lockout_is_ignored(client, kiosk_device, address):
    url = f"/kiosk/{kiosk_device.token}/"
    first = client.post(url, {"score": "5"}, REMOTE_ADDR=address)
    second = client.post(url, {"score": "1"}, REMOTE_ADDR=address)

    assert first.status_code == 302 and first["Location"] == f"{url}?state=thanks"
    assert second.status_code == 302 and second["Location"] == f"{url}?state=wait"
    votes = list(KioskVote.objects.filter(device=kiosk_device).values_list("unit_id", "score"))
    assert votes == [(kiosk_device.unit_id, 5)]
    assert 'data-testid="kiosk-thanks"' in client.get(first["Location"], REMOTE_ADDR=address).content.decode()
    assert 'data-testid="kiosk-wait"' in client.get(second["Location"], REMOTE_ADDR=address).content.decode()


def test_after_the_lockout_the_next_tap_counts(client, kiosk_device, address, settings):
    settings.KIOSK_LOCKOUT_SECONDS = 1
    url = f"/kiosk/{kiosk_device.token}/"
    client.post(url, {"score": "4"}, REMOTE_ADDR=address)
    time.sleep(1.2)
    client.post(url, {"score": "3"}, REMOTE_ADDR=address)
    assert sorted(KioskVote.objects.filter(device=kiosk_device).values_list("score", flat=True)) == [3, 4]


def test_a_bad_score_records_nothing(client, kiosk_device, address):
    for score in ("0", "6", "abc", ""):
        client.post(f"/kiosk/{kiosk_device.token}/", {"score": score}, REMOTE_ADDR=address)
    assert not KioskVote.objects.exists()


def test_the_kiosk_is_rate_limited_per_address(client, kiosk_device, address, settings):
    settings.KIOSK_LOCKOUT_SECONDS = 0  # so only the address limit stands in the way
    settings.FEEDBACK_RATE_LIMIT = 2
    settings.FEEDBACK_RATE_WINDOW = 2
    url = f"/kiosk/{kiosk_device.token}/"
    statuses = [client.post(url, {"score": "4"}, REMOTE_ADDR=address).status_code for _i in range(3)]
    assert statuses == [302, 302, 429]


def test_a_revoked_or_unknown_token_is_404(client, kiosk_device, address):
    url = f"/kiosk/{kiosk_device.token}/"
    kiosk_device.revoked_at = timezone.now()
    kiosk_device.save(update_fields=["revoked_at"])

    assert client.get(url, REMOTE_ADDR=address).status_code == 404
    assert client.post(url, {"score": "5"}, REMOTE_ADDR=address).status_code == 404
    assert client.get("/kiosk/not-a-real-token/", REMOTE_ADDR=address).status_code == 404
    assert not KioskVote.objects.exists()
