"""The tracking page shows a case's progress and the official reply — never personal data or internal work —
and gives one and the same answer to unknown and malformed codes."""

import re

from django.utils import timezone
import pytest

from feedback.choices import CaseStatus
from feedback.models import FeedbackCase
from feedback.public.services import feedback_submit
from tests.factories import UserFactory
from tests.helpers import in_page

pytestmark = pytest.mark.django_db

_CSRF = re.compile(r'(value="|"X-CSRFToken": ")[A-Za-z0-9]{64}')


def _main(html: str) -> str:
    """The page's own content (<main>), one-time CSRF values blanked. The header's language switch echoes the
    requested path back as "next", which the visitor typed anyway."""
    return _CSRF.sub(r"\1…", html.split("<main", 1)[1].split("</main>", 1)[0])


@pytest.fixture
def case(unit, staff_factory):
    case = feedback_submit(
        unit=unit, kind="harassment", text="Anh cán bộ ở bàn 5 gợi ý tiền bồi dưỡng.", staff_mentioned="Bàn số 5",
        satisfaction=1, contact_name="Trần Thị Bình", contact_phone="0987654321", contact_email="binh@example.vn",
        contact_consent=True, submission_token="d" * 32,
    )
    officer = UserFactory(username="ward.triage.officer", full_name="Lê Văn Xử Lý")
    person = staff_factory(unit=unit, full_name="Phạm Quốc Hưng")
    FeedbackCase.objects.filter(pk=case.pk).update(
        status=CaseStatus.RESOLVED, assigned_to=officer, staff=person, substantiated=True,
        internal_note="Ghi chú nội bộ: đã xác minh qua camera.", public_reply="Đơn vị đã xử lý, xin cảm ơn ông/bà.",
        replied_at=timezone.now(), closed_at=timezone.now(),
    )
    case.refresh_from_db()
    return case


def test_tracking_shows_status_dates_and_the_reply(client, case, address):
    response = client.get(f"/feedback/track/{case.tracking_code}/", REMOTE_ADDR=address)
    html = response.content.decode()

    assert response.status_code == 200
    assert 'data-status="resolved"' in html
    assert "Đơn vị đã xử lý, xin cảm ơn ông/bà." in html
    assert case.due_on.strftime("%d/%m/%Y") in html
    assert timezone.localtime(case.received_at).strftime("%d/%m/%Y") in html


def test_tracking_never_shows_personal_data_or_internal_work(client, case, address):
    html = client.get(f"/feedback/track/{case.tracking_code}/", REMOTE_ADDR=address).content.decode()

    for secret in ("Trần Thị Bình", "0987654321", "binh@example.vn", "Ghi chú nội bộ", "đã xác minh qua camera",
                   "ward.triage.officer", "Lê Văn Xử Lý", "Phạm Quốc Hưng", "Bàn số 5", "gợi ý tiền bồi dưỡng"):
        assert secret not in html, secret


def test_typed_codes_are_normalised(client, case, address):
    code = case.tracking_code
    messy = f" {code[:4].lower()}-{code[4:8]} {code[8:].lower()} "
    response = client.get("/feedback/track/", {"code": messy}, REMOTE_ADDR=address)
    assert response.status_code == 302 and response["Location"] == f"/feedback/track/{code}/"
    grouped = f"{code[:4]}-{code[4:8]}-{code[8:].lower()}"
    assert client.get(f"/feedback/track/{grouped}/", REMOTE_ADDR=address).status_code == 200


def test_unknown_and_malformed_codes_get_the_same_answer(client, case, address):
    unknown = client.get("/feedback/track/ACEFGHKMNP/", REMOTE_ADDR=address)
    malformed = [client.get(f"/feedback/track/{code}/", REMOTE_ADDR=address)
                 for code in ("0000", "X" * 40, "IL1O0-abcde", "%3Cscript%3E")]

    assert unknown.status_code == 404 and all(r.status_code == 404 for r in malformed)
    assert in_page("No feedback was found with this tracking code. Check the code and try again.") in unknown.content.decode()
    body = _main(unknown.content.decode())
    assert all(_main(r.content.decode()) == body for r in malformed)


def test_the_lookup_form_asks_for_a_code(client, address):
    assert client.get("/feedback/track/", REMOTE_ADDR=address).status_code == 200
    response = client.get("/feedback/track/", {"code": " -- "}, REMOTE_ADDR=address)
    assert response.status_code == 200 and in_page("Type the tracking code you received.") in response.content.decode()


def test_lookups_are_rate_limited_per_address(client, case, address, settings):
    settings.FEEDBACK_TRACK_RATE_LIMIT = 4
    statuses = [client.get(f"/feedback/track/ACEFGHKMN{c}/", REMOTE_ADDR=address).status_code for c in "ACEF"]
    blocked = client.get(f"/feedback/track/{case.tracking_code}/", REMOTE_ADDR=address)

    assert statuses == [404] * 4
    assert blocked.status_code == 429 and case.public_reply not in blocked.content.decode()
