"""Two-factor login (TOTP): district offices and city administrators turn it on with a QR code and a current code;
then logging in asks for the code after the password, and nothing opens before it; wrong codes pause the login
like wrong passwords; ``TWO_FACTOR_REQUIRED_ROLES`` makes it compulsory."""

from base64 import b32encode
import datetime
import re
from urllib.parse import parse_qs, unquote, urlsplit

from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.resolvers import RoutePattern
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
import pytest

from portal.two_factor import required_roles
from tests.builders import make_user
from tests.factories import UserFactory
from tests.qr import PATH_DATA, qr_text
from units.choices import Role

LOGIN = reverse("login")
SETTINGS_PAGE = reverse("account:two_factor")
VERIFY = reverse("account:two_factor_verify")
HOME = reverse("home")


@pytest.fixture
def client(client):
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"  # assert the English msgids
    return client


@pytest.fixture
def authenticator(district_officer):
    """The district officer's phone, already set up."""
    return TOTPDevice.objects.create(user=district_officer, name="phone", confirmed=True)


def code(device, *, ahead=0) -> str:
    """The code the user's app shows now (``ahead=1``: in the next 30 seconds, still accepted)."""
    device.refresh_from_db()
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift + ahead):06d}"


def wrong(device) -> str:
    """A well-formed code that the app shows neither now nor in the steps around now."""
    shown = {code(device, ahead=ahead) for ahead in (-1, 0, 1)}
    return next(candidate for candidate in ("123456", "654321", "111111", "222222") if candidate not in shown)


def a_moment_later(device, seconds=60):
    """As if the user had taken ``seconds`` to type again: django-otp's pause after a wrong code is over."""
    device.refresh_from_db()
    if device.throttling_failure_timestamp:
        TOTPDevice.objects.filter(pk=device.pk).update(
            throttling_failure_timestamp=device.throttling_failure_timestamp - datetime.timedelta(seconds=seconds)
        )


def log_in(client, user, *, next_url=None):
    data = {"username": user.username, "password": "hanoi-2026"}
    if next_url:
        data["next"] = next_url
    response = client.post(LOGIN, data)
    assert response.status_code == 302, "the password was refused"
    return response


def sent_to(response) -> str:
    assert response.status_code == 302, response.status_code
    return urlsplit(response["Location"]).path


def page_text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


# --- Reading the QR code as a phone would -------------------------------------------------------------------

_SVG = re.compile(r'<svg width="(\d+)" height="(\d+)" class="qr-code"')


def scanned(html: str) -> str:
    """The text a phone reads from the page's QR code."""
    start = html.rindex("<svg", 0, html.index('class="qr-code"'))
    svg = html[start:html.index("</svg>", start)]
    width, height = map(int, _SVG.search(svg).groups())
    scale = int(re.search(r'transform="scale\((\d+)\)"', svg)[1])
    return qr_text(PATH_DATA.search(svg)[1], width=width // scale, height=height // scale)


# --- Turning it on ------------------------------------------------------------------------------------------

def test_turning_on_needs_a_current_code_from_the_app(client, district_officer):
    client.force_login(district_officer)
    page = client.get(SETTINGS_PAGE)
    assert page.status_code == 200
    pending = TOTPDevice.objects.get(user=district_officer)
    assert not pending.confirmed
    secret = b32encode(pending.bin_key).decode()
    # The key is shown as text (in groups of four), and the QR code carries the same key for the app.
    assert " ".join(secret[i:i + 4] for i in range(0, len(secret), 4)) in page.content.decode()
    otpauth = urlsplit(scanned(page.content.decode()))
    assert otpauth.scheme == "otpauth" and otpauth.netloc == "totp"
    assert unquote(otpauth.path) == "/Cổng Quy tắc ứng xử:district.officer"
    assert parse_qs(otpauth.query)["secret"] == [secret]
    # Reloading the page keeps the key that may already be in the app.
    reloaded = client.get(SETTINGS_PAGE).content.decode().replace(" ", "")
    assert TOTPDevice.objects.get(user=district_officer).key == pending.key and secret in reloaded

    refused = client.post(SETTINGS_PAGE, {"code": wrong(pending)})
    assert refused.status_code == 200
    assert "This code is wrong or has expired." in page_text(refused)
    assert not TOTPDevice.objects.get(pk=pending.pk).confirmed
    # Straight after a wrong code even the right one has to wait a little (django-otp's throttling).
    too_soon = client.post(SETTINGS_PAGE, {"code": code(pending)})
    assert "Too many wrong codes in a row. Wait 1 second" in page_text(too_soon)
    assert not TOTPDevice.objects.get(pk=pending.pk).confirmed

    a_moment_later(pending)
    turned_on = client.post(SETTINGS_PAGE, {"code": code(pending)})
    assert sent_to(turned_on) == SETTINGS_PAGE
    assert TOTPDevice.objects.get(pk=pending.pk).confirmed
    page = client.get(SETTINGS_PAGE)
    assert "Two-factor login is on" in page_text(page) and 'class="qr-code"' not in page.content.decode()
    # The session that turned it on is not asked for a code.
    assert client.get(HOME).status_code == 200


def test_a_malformed_code_is_explained(client, district_officer):
    client.force_login(district_officer)
    client.get(SETTINGS_PAGE)
    response = client.post(SETTINGS_PAGE, {"code": "12a4"})
    assert "Enter the 6 digits that your authenticator app shows." in page_text(response)


# --- Logging in with the code ---------------------------------------------------------------------------------

def every_page():
    """(URL name, a path for it) for every route of the URL conf, sample values in its parameters."""
    samples = ("1", "x", "2026-01", "2026-q1", "00000000-0000-0000-0000-000000000000")

    def walk(patterns, prefix, namespace):
        for pattern in patterns:
            if not isinstance(pattern.pattern, RoutePattern):
                continue  # the admin's regular expressions (its catch-all among them)
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, route, ":".join(filter(None, [namespace, pattern.namespace])))
            elif isinstance(pattern, URLPattern) and pattern.name:
                path = route
                for name, converter in pattern.pattern.converters.items():
                    value = next(s for s in samples if re.fullmatch(converter.regex, s))
                    path = re.sub(rf"<(?:\w+:)?{name}>", value, path)
                yield ":".join(filter(None, [namespace, pattern.name])), "/" + path

    return list(walk(get_resolver().url_patterns, "", ""))


def test_no_page_opens_between_the_password_and_the_code(client, district_officer, authenticator):
    log_in(client, district_officer)
    pages = every_page()
    names = {name for name, _path in pages}
    assert len(pages) > 80 and {"home", "reports:dashboard", "portal:audit_trail", "admin:index"} <= names
    opened = []
    for name, path in pages:
        if name in {"account:two_factor_verify", "logout", "set_language", "healthz"}:
            continue
        assert resolve(path).view_name == name
        response = client.get(path)
        if response.status_code != 302 or urlsplit(response["Location"]).path != VERIFY:
            opened.append((name, response.status_code))
    assert opened == []
    # Forms too: a POST is not carried out.
    assert sent_to(client.post(reverse("password_change"), {"old_password": "hanoi-2026"})) == VERIFY
    # htmx requests are told to load the code page in full rather than swap it into a fragment.
    partial = client.get(reverse("units:unit_list"), HTTP_HX_REQUEST="true")
    assert partial.status_code == 204 and partial["HX-Redirect"].startswith(VERIFY)


def test_the_right_code_lets_in_and_continues_where_the_user_was_going(client, district_officer, authenticator):
    log_in(client, district_officer, next_url=reverse("units:unit_list"))
    held = client.get(reverse("units:unit_list"))
    assert held["Location"] == f"{VERIFY}?next=%2Funits%2F"
    form = client.get(held["Location"])
    assert form.status_code == 200 and "Login code" in page_text(form)

    response = client.post(VERIFY, {"code": code(authenticator), "next": "/units/"})
    assert response.status_code == 302 and response["Location"] == "/units/"
    assert client.get("/units/").status_code == 200
    assert client.get(VERIFY)["Location"] == HOME  # nothing left to do there


def test_a_wrong_code_does_not_let_in(client, district_officer, authenticator):
    log_in(client, district_officer)
    response = client.post(VERIFY, {"code": wrong(authenticator)})
    assert response.status_code == 200
    assert "This code is wrong or has expired. Enter the code your app shows now." in page_text(response)
    assert sent_to(client.get(HOME)) == VERIFY
    # A moment later the right code lets in, but never on to an outside address.
    a_moment_later(authenticator)
    response = client.post(VERIFY, {"code": code(authenticator), "next": "https://example.com/"})
    assert response["Location"] == HOME


def test_a_code_is_good_only_once(client, district_officer, authenticator):
    log_in(client, district_officer)
    used = code(authenticator)
    assert client.post(VERIFY, {"code": used})["Location"] == HOME
    client.post(reverse("logout"))
    log_in(client, district_officer)
    response = client.post(VERIFY, {"code": used})
    assert response.status_code == 200 and sent_to(client.get(HOME)) == VERIFY


def test_repeated_wrong_codes_pause_the_login_like_wrong_passwords(client, district_officer, authenticator):
    log_in(client, district_officer)
    for _ in range(django_settings.AXES_FAILURE_LIMIT - 1):
        assert client.post(VERIFY, {"code": wrong(authenticator)}).status_code == 200
    locked = client.post(VERIFY, {"code": wrong(authenticator)})
    assert locked.status_code == 429
    assert "Too many wrong codes or passwords." in page_text(locked)
    # The half-open session is closed, and even the right password is refused until the pause is over.
    assert sent_to(client.get(HOME)) == LOGIN
    assert client.post(LOGIN, {"username": district_officer.username, "password": "hanoi-2026"}).status_code == 429


def test_wrong_codes_slow_down_each_further_try(client, district_officer, authenticator):
    log_in(client, district_officer)
    for attempt in range(3):
        if attempt:
            a_moment_later(authenticator, seconds=2 ** (attempt - 1))  # just long enough to be tried at all
        assert "This code is wrong" in page_text(client.post(VERIFY, {"code": wrong(authenticator)}))
    # Three wrong codes in a row: the next try waits four seconds, whatever the code.
    response = client.post(VERIFY, {"code": code(authenticator)})
    assert "Wait 4 seconds" in page_text(response)
    assert sent_to(client.get(HOME)) == VERIFY


def test_users_without_two_factor_log_in_with_the_password_alone(client, district_officer):
    log_in(client, district_officer)
    assert client.get(HOME).status_code == 200
    assert sent_to(client.get(VERIFY)) == HOME


def test_an_authenticator_removed_by_an_administrator_no_longer_holds_the_login(client, district_officer, authenticator):
    log_in(client, district_officer)
    authenticator.delete()  # the user lost the phone; an administrator removed it in the admin
    assert sent_to(client.get(HOME)) == VERIFY
    assert sent_to(client.get(VERIFY)) == HOME
    assert client.get(HOME).status_code == 200


# --- Turning it off -----------------------------------------------------------------------------------------------

def test_turning_off_needs_a_current_code(client, district_officer, authenticator):
    log_in(client, district_officer)
    client.post(VERIFY, {"code": code(authenticator)})
    page = client.get(SETTINGS_PAGE)
    assert "Turn two-factor login off" in page_text(page)

    refused = client.post(SETTINGS_PAGE, {"code": wrong(authenticator)})
    assert "This code is wrong or has expired." in page_text(refused)
    assert TOTPDevice.objects.filter(user=district_officer).exists()

    a_moment_later(authenticator)
    turned_off = client.post(SETTINGS_PAGE, {"code": code(authenticator, ahead=1)})  # the login's code is spent
    assert sent_to(turned_off) == SETTINGS_PAGE
    assert not TOTPDevice.objects.filter(user=district_officer, confirmed=True).exists()
    assert client.get(HOME).status_code == 200
    client.post(reverse("logout"))
    log_in(client, district_officer)
    assert client.get(HOME).status_code == 200  # the password is enough again


# --- Who may use it ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("role_fixture", ["ward_officer", "unit_head", "inspector"])
def test_other_roles_get_403_and_no_menu_entry(client, request, role_fixture):
    user = request.getfixturevalue(role_fixture)
    client.force_login(user)
    assert client.get(SETTINGS_PAGE).status_code == 403
    assert client.post(SETTINGS_PAGE, {"code": "123456"}).status_code == 403
    home = client.get(HOME)
    assert home.status_code == 200 and f'href="{SETTINGS_PAGE}"' not in home.content.decode()
    assert not TOTPDevice.objects.filter(user=user).exists()


@pytest.mark.parametrize("role_fixture", ["district_officer", "city_admin", "superuser"])
def test_district_offices_and_administrators_find_it_in_the_user_menu(client, request, role_fixture, hanoi):
    user = UserFactory(username="root", is_superuser=True, is_staff=True) if role_fixture == "superuser" else (
        request.getfixturevalue(role_fixture))
    client.force_login(user)
    home = client.get(HOME)
    assert f'href="{SETTINGS_PAGE}"' in home.content.decode() and "Two-factor login" in home.content.decode()
    assert client.get(SETTINGS_PAGE).status_code == 200


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    assert sent_to(client.get(SETTINGS_PAGE)) == LOGIN
    assert sent_to(client.get(VERIFY)) == LOGIN


# --- TWO_FACTOR_REQUIRED_ROLES ------------------------------------------------------------------------------------

def test_required_roles_are_sent_to_the_set_up_after_login(client, settings, district_officer, ward_officer):
    settings.TWO_FACTOR_REQUIRED_ROLES = [Role.DISTRICT_OFFICE]
    log_in(client, district_officer)
    for path in (HOME, reverse("units:unit_list"), reverse("password_change"), reverse("account:two_factor_verify")):
        assert sent_to(client.get(path)) == SETTINGS_PAGE, path
    page = client.get(SETTINGS_PAGE)
    assert page.status_code == 200 and "Your role requires two-factor login. Set it up to continue." in page_text(page)
    pending = TOTPDevice.objects.get(user=district_officer)
    assert sent_to(client.post(SETTINGS_PAGE, {"code": code(pending)})) == SETTINGS_PAGE
    assert client.get(HOME).status_code == 200
    # Once on, it cannot be turned off by its user.
    page = client.get(SETTINGS_PAGE)
    assert "cannot be turned off" in page_text(page) and "Turn two-factor login off" not in page_text(page)
    assert client.post(SETTINGS_PAGE, {"code": code(pending, ahead=1)}).status_code == 403
    assert TOTPDevice.objects.filter(user=district_officer, confirmed=True).exists()

    other = type(client)()
    log_in(other, ward_officer)  # a role that is not listed logs in as before
    assert other.get(HOME).status_code == 200


def test_a_required_role_may_be_one_that_cannot_otherwise_use_it(client, settings, ward_officer):
    settings.TWO_FACTOR_REQUIRED_ROLES = [Role.WARD_OFFICER]
    log_in(client, ward_officer)
    assert sent_to(client.get(HOME)) == SETTINGS_PAGE
    assert client.get(SETTINGS_PAGE).status_code == 200


def test_without_required_roles_nobody_is_sent_to_the_set_up(client, settings, district_officer):
    settings.TWO_FACTOR_REQUIRED_ROLES = []
    log_in(client, district_officer)
    assert client.get(HOME).status_code == 200


def test_a_misspelt_required_role_is_refused(settings):
    settings.TWO_FACTOR_REQUIRED_ROLES = ["district"]
    with pytest.raises(ImproperlyConfigured, match="district"):
        required_roles()


def test_the_set_up_counts_for_a_user_of_two_units(client, settings, thanh_xuan_bac, thanh_xuan):
    """A ward officer who is also the district office of another unit may (and, when required, must) use it."""
    settings.TWO_FACTOR_REQUIRED_ROLES = [Role.DISTRICT_OFFICE]
    user = make_user("two.hats", Role.WARD_OFFICER, thanh_xuan_bac)
    from units.services import role_assign

    role_assign(user=user, unit=thanh_xuan, role=Role.DISTRICT_OFFICE)
    log_in(client, user)
    assert sent_to(client.get(HOME)) == SETTINGS_PAGE
