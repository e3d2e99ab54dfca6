"""Logging in: repeated wrong passwords lock a username out (django-axes); a password change logs out every
other session of that user; sessions end after a working day."""

from django.conf import settings
from django.test import Client
from django.urls import reverse
import pytest

from tests.factories import UserFactory

LOGIN = reverse("login")


@pytest.fixture
def officer(db):
    return UserFactory(username="can.bo", password="mat-khau-dung-2026")


def _attempt(client, password, username="can.bo"):
    return client.post(LOGIN, {"username": username, "password": password})


def test_wrong_passwords_lock_the_username_out_even_with_the_right_password(client, officer):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _attempt(client, "sai").status_code == 200  # the login form again, with its error
    locked = _attempt(client, "sai")
    assert locked.status_code == 429
    assert "Tạm khóa đăng nhập" in locked.content.decode()
    # Now even the right password is refused until the pause is over.
    assert _attempt(client, "mat-khau-dung-2026").status_code == 429
    # Another person on the same computer is not locked out by someone else's mistakes.
    UserFactory(username="nguoi.khac", password="mat-khau-khac-2026")
    assert client.post(LOGIN, {"username": "nguoi.khac", "password": "mat-khau-khac-2026"}).status_code == 302


def test_a_successful_login_forgets_earlier_failures(client, officer):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _attempt(client, "sai")
    assert _attempt(client, "mat-khau-dung-2026").status_code == 302
    client.post(reverse("logout"))
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _attempt(client, "sai").status_code == 200


def test_changing_the_password_logs_out_every_other_session(officer):
    laptop, phone = Client(), Client()
    for device in (laptop, phone):
        assert _attempt(device, "mat-khau-dung-2026").status_code == 302
    changed = laptop.post(reverse("password_change"), {
        "old_password": "mat-khau-dung-2026", "new_password1": "mat-khau-moi-2027!", "new_password2": "mat-khau-moi-2027!",
    })
    assert changed.status_code == 302
    assert laptop.get(reverse("home")).status_code == 200  # the session that changed it stays logged in
    assert phone.get(reverse("home")).status_code == 302  # the other one is sent back to the login page


def test_weak_passwords_are_refused(client, officer):
    client.force_login(officer)
    response = client.post(reverse("password_change"), {
        "old_password": "mat-khau-dung-2026", "new_password1": "12345678", "new_password2": "12345678",
    })
    assert response.status_code == 200 and response.context["form"].errors["new_password2"]


def test_sessions_end_after_a_working_day():
    assert settings.SESSION_COOKIE_AGE <= 8 * 60 * 60
    assert settings.SESSION_COOKIE_HTTPONLY


# --- Behind a reverse proxy ---------------------------------------------------------------------------------

PROXY = "10.0.0.2"


def _attempt_from(client, password, client_address, username="can.bo"):
    return client.post(LOGIN, {"username": username, "password": password},
                       REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=client_address)


def test_behind_a_trusted_proxy_one_persons_failures_do_not_lock_out_another(officer, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    guesser, owner = Client(), Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _attempt_from(guesser, "sai", "203.0.113.66")
    assert _attempt_from(guesser, "mat-khau-dung-2026", "203.0.113.66").status_code == 429
    # The account's owner, from another address behind the same proxy, still logs in.
    assert _attempt_from(owner, "mat-khau-dung-2026", "198.51.100.10").status_code == 302


def test_without_the_setting_the_forwarded_header_is_ignored(officer, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    guesser, owner = Client(), Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _attempt_from(guesser, "sai", "203.0.113.66")
    # Both come from the proxy's address as far as the portal can tell: the pair (username, address) is locked.
    assert _attempt_from(owner, "mat-khau-dung-2026", "198.51.100.10").status_code == 429

