"""Optional two-factor login (TOTP, with django-otp) for district offices and city administrators.

Logging in stays Django's login page (django-axes guards the password). When the user has a confirmed
authenticator (a ``TOTPDevice``), the password alone opens nothing: every page but the code step, logout and the
language switch sends them to the code step until ``django_otp.login`` marks the session verified. When their role
is listed in ``TWO_FACTOR_REQUIRED_ROLES`` and they have no authenticator yet, every page sends them to the set-up
page instead.

Whether a session still owes a step is decided once, when the user logs in (``user_logged_in``), and kept in the
session, so that the pages of users who do not use two-factor login run no query more than before.

The portal app imports this module in ``ready()`` (once the app registry is ready: it imports django-otp's model)
and connects the login signal there, before any request.
"""

from __future__ import annotations

import logging
import math
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _, ngettext
import django_otp
from django_otp.plugins.otp_totp.models import TOTPDevice

from units.choices import Role
from units.scope import UserScope

log = logging.getLogger(__name__)

# Roles that may turn two-factor login on (and every role the required list names).
TWO_FACTOR_ROLES = frozenset({Role.DISTRICT_OFFICE, Role.CITY_ADMIN})
SESSION_KEY = "two_factor"
VERIFY = "verify"  # the password was right; the code is still owed
SET_UP = "set_up"  # the role requires two-factor login and the user has no authenticator yet
VERIFY_URL_NAME = "account:two_factor_verify"
SET_UP_URL_NAME = "account:two_factor"
# What a session owing a step may still open (by URL name): the step itself, logging out, the language switch.
_OPEN_WHILE = {
    VERIFY: frozenset({VERIFY_URL_NAME, "logout", "set_language", "healthz"}),
    SET_UP: frozenset({SET_UP_URL_NAME, "logout", "set_language", "healthz"}),
}


def required_roles() -> frozenset[str]:
    """``TWO_FACTOR_REQUIRED_ROLES``, checked against the portal's roles."""
    roles = frozenset(getattr(settings, "TWO_FACTOR_REQUIRED_ROLES", ()) or ())
    unknown = roles - set(Role.values)
    if unknown:
        raise ImproperlyConfigured(
            f"TWO_FACTOR_REQUIRED_ROLES names unknown roles {sorted(unknown)}; known roles: {sorted(Role.values)}"
        )
    return roles


def _roles(scope) -> frozenset[str]:
    # A superuser counts as a city administrator, as everywhere else in the portal.
    return scope.roles | {Role.CITY_ADMIN} if scope.is_global else scope.roles


def may_use_two_factor(scope) -> bool:
    """Whether the user of ``scope`` (``units.scope.scope_for``) may turn two-factor login on."""
    return bool(_roles(scope) & (TWO_FACTOR_ROLES | required_roles()))


def must_use_two_factor(scope) -> bool:
    """Whether the user's role requires two-factor login (``TWO_FACTOR_REQUIRED_ROLES``)."""
    return bool(_roles(scope) & required_roles())


def confirmed_device(user):
    """The user's confirmed authenticator, or ``None``."""
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).order_by("pk").first()


def owed_step(user) -> str | None:
    """What a fresh login of ``user`` still owes: the code (``VERIFY``), the set-up (``SET_UP``) or nothing."""
    if confirmed_device(user) is not None:
        return VERIFY
    # A scope of its own, not scope_for's: that one is cached on the user object, which outlives this login.
    if must_use_two_factor(UserScope(user)):
        return SET_UP
    return None


def session_state(request) -> dict:
    """The session's two-factor state: ``{"user": pk, "step": VERIFY | SET_UP | None, "device": bool}``.

    Normally written at login; a session older than this feature gets it on its first request."""
    state = request.session.get(SESSION_KEY)
    if not isinstance(state, dict) or state.get("user") != request.user.pk:
        state = remember_state(request, request.user, step=owed_step(request.user))
    return state


def remember_state(request, user, *, step: str | None, device: bool | None = None) -> dict:
    """Write the session's two-factor state (``device``: whether the user has an authenticator)."""
    if device is None:
        device = step == VERIFY or confirmed_device(user) is not None
    state = {"user": user.pk, "step": step, "device": device}
    request.session[SESSION_KEY] = state
    return state


def totp_device_pending(*, user):
    """The authenticator being set up: the user's unconfirmed device, made (with a new secret) when there is none.
    Reloading the set-up page keeps the same secret, so a code scanned a moment ago stays good."""
    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


def totp_device_confirm(*, request, device) -> None:
    """Turn two-factor login on: the device a current code was checked against becomes the user's authenticator,
    other unfinished set-ups go, and this session counts as verified with it."""
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=device.user, confirmed=False).exclude(pk=device.pk).delete()
    django_otp.login(request, device)
    remember_state(request, device.user, step=None, device=True)
    log.info("Two-factor login turned on for user %s", device.user.get_username())


def totp_devices_remove(*, request, user) -> None:
    """Turn two-factor login off: every authenticator of the user goes."""
    TOTPDevice.objects.filter(user=user).delete()
    remember_state(request, user, step=None, device=False)
    log.info("Two-factor login turned off for user %s", user.get_username())


def code_error(*, user, device, code: str):
    """Check ``code`` against ``device``: ``(None, device)`` when right, else ``(message, None)``. Each wrong code
    makes django-otp wait longer before the next one is even tried (1, 2, 4, 8… seconds)."""
    allowed, details = device.verify_is_allowed()
    if not allowed:
        wait = (details or {}).get("locked_until")
        seconds = max(1, math.ceil((wait - timezone.now()).total_seconds())) if wait else 1
        return ngettext(
            "Too many wrong codes in a row. Wait %(seconds)d second, then enter the code your app shows.",
            "Too many wrong codes in a row. Wait %(seconds)d seconds, then enter the code your app shows.",
            seconds,
        ) % {"seconds": seconds}, None
    verified = django_otp.verify_token(user, device.persistent_id, code)
    if verified is None:
        return _("This code is wrong or has expired. Enter the code your app shows now."), None
    return None, verified


def _on_login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        remember_state(request, user, step=owed_step(user))


def step_url(step: str, next_path: str | None) -> str:
    url = reverse(VERIFY_URL_NAME if step == VERIFY else SET_UP_URL_NAME)
    return f"{url}?{urlencode({'next': next_path})}" if next_path else url


class TwoFactorMiddleware:
    """Holds a logged-in session that still owes the code (or the set-up) to that step's page.

    Goes after django-otp's ``OTPMiddleware``, which tells whether the session is verified."""

    def __init__(self, get_response):
        self.get_response = get_response
        required_roles()  # a misspelt role stops the server here, not at somebody's login

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        state = session_state(request)
        step = state["step"]
        if step is None:
            return None
        if step == VERIFY and user.is_verified():
            remember_state(request, user, step=None, device=True)
            return None
        match = request.resolver_match
        if match is not None and match.view_name in _OPEN_WHILE[step]:
            return None
        target = step_url(step, request.get_full_path() if request.method == "GET" else None)
        if request.headers.get("HX-Request"):
            # htmx would swap the code page into a fragment; it follows HX-Redirect with a full page load instead.
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target
            return response
        return HttpResponseRedirect(target)


def shows_in_menu(request, scope) -> bool:
    """The user menu's "Two-factor login" entry: for the roles that may use it, and for whoever has it on."""
    state = request.session.get(SESSION_KEY) or {}
    return bool(state.get("device")) or may_use_two_factor(scope)


def connect() -> None:
    """Check ``TWO_FACTOR_REQUIRED_ROLES`` and connect the login signal (called once, by the portal app)."""
    required_roles()
    user_logged_in.connect(_on_login, dispatch_uid="portal.two_factor.on_login")
