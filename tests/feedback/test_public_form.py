"""The public feedback form end to end: what a citizen sends, what is stored, and the abuse it refuses."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
import pytest

from feedback.choices import CaseStatus, Channel
from feedback.models import FeedbackCase
from feedback.public import services as submission
from feedback.public.services import (
    TRACKING_ALPHABET,
    due_date_for,
    feedback_submit,
    tracking_code_is_wellformed,
    tracking_code_new,
)
from tests.feedback.helpers import png_bytes
from tests.helpers import in_page

pytestmark = pytest.mark.django_db


def _post(client, url, data, address, **extra):
    return client.post(url, data, REMOTE_ADDR=address, **extra)


def test_anonymous_submission_creates_a_new_case_with_a_tracking_code(client, unit, form_url, fresh_form, address):
    response = _post(client, form_url, fresh_form(), address)

    case = FeedbackCase.objects.get(unit=unit)
    assert response.status_code == 302 and response["Location"] == f"/feedback/done/{case.tracking_code}/"
    assert tracking_code_is_wellformed(case.tracking_code)
    assert case.status == CaseStatus.NEW and case.channel == Channel.WEB
    assert case.kind == "attitude" and case.staff_mentioned == "Bàn số 3" and case.satisfaction == 2
    assert not case.contact_consent and case.contact_name == case.contact_phone == case.contact_email == ""
    received = timezone.localtime(case.received_at).date()
    assert case.due_on == due_date_for(received)
    # Ten working days: two calendar weeks when sent on a weekday.
    if received.weekday() < 5:
        assert case.due_on == received + datetime.timedelta(days=14)

    done = client.get(response["Location"], REMOTE_ADDR=address)
    grouped = f"{case.tracking_code[:4]}-{case.tracking_code[4:8]}-{case.tracking_code[8:]}"
    assert done.status_code == 200 and grouped in done.content.decode()
    assert f'href="/feedback/track/{case.tracking_code}/"' in done.content.decode()


@pytest.mark.parametrize(("received", "due"), [
    (datetime.date(2026, 3, 2), datetime.date(2026, 3, 16)),   # Monday → Monday two weeks later
    (datetime.date(2026, 3, 6), datetime.date(2026, 3, 20)),   # Friday → Friday
    (datetime.date(2026, 3, 7), datetime.date(2026, 3, 20)),   # Saturday: counting starts on Monday
    (datetime.date(2026, 3, 8), datetime.date(2026, 3, 20)),   # Sunday
])
def test_due_date_counts_working_days_only(received, due):
    assert due_date_for(received) == due


def test_due_date_follows_the_setting(settings):
    settings.FEEDBACK_DUE_WORKING_DAYS = 3
    assert due_date_for(datetime.date(2026, 3, 5)) == datetime.date(2026, 3, 10)  # Thu → Tue


def test_tracking_codes_are_short_random_and_free_of_look_alikes():
    codes = {tracking_code_new() for _i in range(2000)}
    assert len(codes) == 2000
    assert all(len(code) == 10 and set(code) <= set(TRACKING_ALPHABET) for code in codes)
    assert not set("0O1IL") & set(TRACKING_ALPHABET)


def test_contact_details_without_consent_are_refused_and_nothing_is_saved(client, form_url, fresh_form, address):
    response = _post(client, form_url, fresh_form(contact_phone="0912 345 678"), address)

    assert response.status_code == 200
    assert 'data-testid="consent-error"' in response.content.decode()
    assert in_page("To leave your name, phone or e-mail, tick the box that allows us to use them.") in response.content.decode()
    assert not FeedbackCase.objects.exists()


def test_contact_details_with_consent_are_kept(client, form_url, fresh_form, address):
    data = fresh_form(contact_name="Nguyễn Văn An", contact_phone="0912345678", contact_email="an@example.vn",
                      contact_consent="on")
    assert _post(client, form_url, data, address).status_code == 302

    case = FeedbackCase.objects.get()
    assert (case.contact_name, case.contact_phone, case.contact_email, case.contact_consent) == (
        "Nguyễn Văn An", "0912345678", "an@example.vn", True)


def test_the_consent_box_states_purpose_and_retention(client, form_url, address, settings):
    settings.FEEDBACK_RETENTION_DAYS = 180
    html = client.get(form_url, REMOTE_ADDR=address).content.decode()
    assert "180" in html and 'name="contact_consent"' in html


def test_a_real_png_is_stored_with_the_case(client, form_url, fresh_form, address):
    photo = SimpleUploadedFile("anh.png", png_bytes(), content_type="image/png")
    assert _post(client, form_url, fresh_form(photo=photo), address).status_code == 302

    case = FeedbackCase.objects.get()
    assert case.photo.name.endswith(f"{case.tracking_code}.png")
    with case.photo.open("rb") as stored:
        assert stored.read() == png_bytes()


@pytest.mark.parametrize("content", [b"MZ\x90\x00 this is a program, not a photo" * 10, b"GIF89a" + b"\x00" * 64])
def test_a_fake_image_is_refused_and_nothing_is_saved(client, form_url, fresh_form, address, content):
    photo = SimpleUploadedFile("anh.jpg", content, content_type="image/jpeg")
    response = _post(client, form_url, fresh_form(photo=photo), address)

    assert response.status_code == 200 and 'data-testid="photo-error"' in response.content.decode()
    assert not FeedbackCase.objects.exists()


def test_a_too_large_image_is_refused(client, form_url, fresh_form, address, settings):
    settings.FEEDBACK_PHOTO_MAX_BYTES = 1024 * 1024
    big = png_bytes((1500, 1500))
    big += b"\x00" * (settings.FEEDBACK_PHOTO_MAX_BYTES + 1 - len(big)) if len(big) <= settings.FEEDBACK_PHOTO_MAX_BYTES else b""
    photo = SimpleUploadedFile("anh.png", big, content_type="image/png")
    response = _post(client, form_url, fresh_form(photo=photo), address)

    assert response.status_code == 200 and 'data-testid="photo-error"' in response.content.decode()
    assert not FeedbackCase.objects.exists()


def test_html_in_the_text_is_shown_as_text(client, form_url, fresh_form, address):
    evil = '<script>alert("xss")</script><img src=x onerror=alert(1)>'
    response = _post(client, form_url, fresh_form(text=evil, staff_mentioned="<b>Bàn 2</b>"), address)
    done = client.get(response["Location"], REMOTE_ADDR=address).content.decode()

    assert 'data-testid="sent-summary"' in done
    assert "&lt;script&gt;alert(&quot;xss&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in done
    assert "<script>alert" not in done and "<img src=x" not in done
    assert FeedbackCase.objects.get().text == evil  # stored as typed, escaped when shown


def test_the_done_page_shows_the_text_only_to_the_browser_that_sent_it(client, form_url, fresh_form, address):
    response = _post(client, form_url, fresh_form(text="Nội dung riêng tư"), address)
    client.cookies.clear()
    other = client.get(response["Location"], REMOTE_ADDR=address).content.decode()
    assert "Nội dung riêng tư" not in other and 'data-testid="tracking-code"' in other


def test_a_forged_cookie_does_not_show_someone_elses_text(client, form_url, fresh_form, address):
    response = _post(client, form_url, fresh_form(text="Nội dung riêng tư"), address)
    code = response["Location"].rstrip("/").rsplit("/", 1)[-1]
    client.cookies.clear()
    client.cookies["feedback_sent"] = code  # the code typed into a cookie by hand, unsigned
    forged = client.get(response["Location"], REMOTE_ADDR=address).content.decode()
    assert "Nội dung riêng tư" not in forged


def test_a_citizens_submission_writes_no_session(client, form_url, fresh_form, address):
    from django.contrib.sessions.models import Session

    _post(client, form_url, fresh_form(), address)
    assert FeedbackCase.objects.count() == 1 and not Session.objects.exists()


def test_the_honeypot_pretends_success_and_saves_nothing(client, form_url, fresh_form, address):
    response = _post(client, form_url, fresh_form(website="http://spam.example"), address)

    assert response.status_code == 302 and response["Location"].startswith("/feedback/done/")
    assert client.get(response["Location"], REMOTE_ADDR=address).status_code == 200
    assert not FeedbackCase.objects.exists()


def test_a_double_submit_creates_one_case(client, form_url, fresh_form, address):
    data = fresh_form()
    first = _post(client, form_url, data, address)
    second = _post(client, form_url, data, address)

    assert FeedbackCase.objects.count() == 1
    assert first.status_code == second.status_code == 302 and first["Location"] == second["Location"]


def test_a_racing_double_submit_returns_the_first_case(unit, monkeypatch):
    first = feedback_submit(unit=unit, kind="praise", text="Cảm ơn chị Lan.", submission_token="a" * 32)
    real = submission._existing_for_token
    calls = iter([None])  # the second request checks before the first has committed …
    monkeypatch.setattr(submission, "_existing_for_token", lambda token: next(calls, real(token)))

    second = feedback_submit(unit=unit, kind="praise", text="Cảm ơn chị Lan.", submission_token="a" * 32)

    assert second.pk == first.pk and FeedbackCase.objects.count() == 1  # … and the unique constraint decides


def test_a_tracking_code_collision_draws_another(unit, monkeypatch):
    taken = feedback_submit(unit=unit, kind="praise", text="Một", submission_token="b" * 32).tracking_code
    codes = iter([taken, "ACEFGHKMNP"])
    monkeypatch.setattr(submission, "tracking_code_new", lambda: next(codes))

    case = feedback_submit(unit=unit, kind="praise", text="Hai", submission_token="c" * 32)
    assert case.tracking_code == "ACEFGHKMNP" and FeedbackCase.objects.count() == 2


def test_the_rate_limit_answers_429_after_the_limit(client, form_url, fresh_form, address, settings):
    settings.FEEDBACK_RATE_LIMIT = 3
    codes = [_post(client, form_url, fresh_form(), address).status_code for _i in range(3)]
    refused = _post(client, form_url, fresh_form(), address)

    assert codes == [302, 302, 302]
    assert refused.status_code == 429 and 'data-testid="rate-limited"' in refused.content.decode()
    assert in_page("Too many attempts") in refused.content.decode()
    assert FeedbackCase.objects.count() == 3
    # Another address is not affected.
    assert _post(client, form_url, fresh_form(), address.rsplit(".", 1)[0] + ".254").status_code == 302


def test_an_unknown_unit_gets_a_friendly_404(client, address):
    for url in ("/feedback/khong-co-don-vi-nay-99999/", "/feedback/khong-co-don-vi-nay-99999/poster/"):
        response = client.get(url, REMOTE_ADDR=address)
        assert response.status_code == 404
        assert response["Content-Language"] == "vi"
        html = response.content.decode()
        assert in_page("We could not find this page") in html and 'href="/feedback/"' in html
    assert client.post("/feedback/khong-co-don-vi-nay-99999/", {"text": "x"}, REMOTE_ADDR=address).status_code == 404


def test_the_form_needs_csrf(unit, form_url, fresh_form, address):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert strict.post(form_url, fresh_form(), REMOTE_ADDR=address).status_code == 403
    assert not FeedbackCase.objects.exists()


def test_the_form_is_accessible_and_public(client, form_url, address, unit):
    html = client.get(form_url, REMOTE_ADDR=address).content.decode()
    assert unit.name in html
    assert html.count("<fieldset") >= 3 and "<legend" in html
    for field in ("id_staff_mentioned", "id_text", "id_contact_name", "id_contact_phone", "id_contact_email",
                  "id_contact_consent", "id_photo"):
        assert f'for="{field}"' in html and f'id="{field}"' in html
    assert 'enctype="multipart/form-data"' in html and 'name="website"' in html


@pytest.mark.parametrize("query", ["thanh xuan bac", "Thanh Xuân Bắc", "THANH XUAN  BAC"])
def test_the_finder_ignores_diacritics_and_links_to_the_form(client, unit, address, query):
    response = client.get("/feedback/", {"q": query}, REMOTE_ADDR=address)
    html = response.content.decode()
    assert response.status_code == 200 and unit.name in html
    assert f'href="/feedback/{unit.public_code}/"' in html


def test_the_finder_lists_districts_and_current_wards(client, thanh_xuan, address):
    from units.models import Unit

    html = client.get("/feedback/", {"q": "thanh xuan"}, REMOTE_ADDR=address).content.decode()
    assert f'href="/feedback/{thanh_xuan.public_code}/"' in html
    current = Unit.objects.filter(structure="current", search_name__contains="thanh xuan", kind="ward").first()
    if current is not None:
        assert f'href="/feedback/{current.public_code}/"' in html
