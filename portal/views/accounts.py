"""Pages of the user's own account: turning two-factor login on and off, and the code step of logging in."""

from base64 import b32encode
import re

from axes.handlers.proxy import AxesProxyHandler
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.signals import user_login_failed
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import render, resolve_url
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.decorators.cache import never_cache
import django_otp
import segno

from portal import two_factor
from units.scope import scope_for


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("6-digit code"),
        max_length=12,
        widget=forms.TextInput(attrs={
            "autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True, "size": 8,
        }),
    )

    def clean_code(self):
        code = re.sub(r"\s+", "", self.cleaned_data["code"])
        if not re.fullmatch(r"\d{6}", code):
            raise forms.ValidationError(_("Enter the 6 digits that your authenticator app shows."))
        return code


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _grouped(secret: str) -> str:
    """The secret in groups of four letters, easier to type into a phone."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


@method_decorator(never_cache, name="dispatch")
class TwoFactorView(LoginRequiredMixin, View):
    """Turn two-factor login on (scan the QR code or type the secret, then confirm with a current code) or off
    (with a current code). For district offices and city administrators (and the roles that must use it)."""

    template_name = "account/two_factor.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.device = two_factor.confirmed_device(request.user)
            self.scope = scope_for(request.user)
            # Someone whose role changed since keeps the page, to turn off what they turned on.
            if self.device is None and not two_factor.may_use_two_factor(self.scope):
                raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return self.render(CodeForm())

    def post(self, request):
        form = CodeForm(request.POST)
        if self.device is not None:
            return self.turn_off(form)
        return self.turn_on(form)

    def turn_on(self, form):
        pending = two_factor.totp_device_pending(user=self.request.user)
        if form.is_valid():
            user, code = self.request.user, form.cleaned_data["code"]
            error, verified = two_factor.code_error(user=user, device=pending, code=code)
            if error is None:
                two_factor.totp_device_confirm(request=self.request, device=verified)
                messages.success(
                    self.request, _("Two-factor login is on. From now on, logging in asks for a code from your app.")
                )
                target = _next_url(self.request) if self.request.POST.get("next") else self.request.path
                return HttpResponseRedirect(target)
            form.add_error("code", error)
        return self.render(form, status=200)

    def turn_off(self, form):
        if two_factor.must_use_two_factor(self.scope):
            raise PermissionDenied
        if form.is_valid():
            user, code = self.request.user, form.cleaned_data["code"]
            error, _verified = two_factor.code_error(user=user, device=self.device, code=code)
            if error is None:
                two_factor.totp_devices_remove(request=self.request, user=self.request.user)
                messages.success(self.request, _("Two-factor login is off. Logging in asks only for your password."))
                return HttpResponseRedirect(self.request.path)
            form.add_error("code", error)
        return self.render(form, status=200)

    def render(self, form, status=200):
        context = {
            "form": form,
            "device": self.device,
            "required": two_factor.must_use_two_factor(self.scope),
            "next": self.request.POST.get("next") or self.request.GET.get("next") or "",
        }
        if self.device is None:
            pending = two_factor.totp_device_pending(user=self.request.user)
            secret = b32encode(pending.bin_key).decode()
            context["secret"] = _grouped(secret)
            # segno's own markup (a path and a title it escapes); no script, no style attribute.
            context["qr_svg"] = mark_safe(segno.make(pending.config_url, error="m", micro=False).svg_inline(
                scale=5, border=4, title=str(_("QR code for your authenticator app")), svgclass="qr-code",
            ))
        return render(self.request, self.template_name, context, status=status)


@method_decorator(never_cache, name="dispatch")
class TwoFactorVerifyView(View):
    """The second step of logging in: the password was right, now the code from the authenticator app.

    Wrong codes count as failed logins for django-axes: after ``LOGIN_FAILURE_LIMIT`` of them (wrong passwords
    included) the session is logged out and the username is paused, exactly as for wrong passwords; django-otp
    also makes each further try wait longer."""

    template_name = "account/two_factor_verify.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        state = two_factor.session_state(request)
        self.device = two_factor.confirmed_device(request.user) if state["step"] == two_factor.VERIFY else None
        if self.device is None or request.user.is_verified():
            if state["step"] == two_factor.VERIFY:  # the authenticator was removed meanwhile (by an administrator)
                two_factor.remember_state(request, request.user, step=None)
            return HttpResponseRedirect(_next_url(request))
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return self.render(CodeForm())

    def post(self, request):
        credentials = {"username": request.user.get_username()}
        if AxesProxyHandler.is_locked(request, credentials):
            return self.locked_out()
        form = CodeForm(request.POST)
        if not form.is_valid():
            return self.render(form)
        error, verified = two_factor.code_error(user=request.user, device=self.device, code=form.cleaned_data["code"])
        if error is None:
            django_otp.login(request, verified)
            two_factor.remember_state(request, request.user, step=None, device=True)
            AxesProxyHandler.reset_attempts(username=credentials["username"], ip_address=request.axes_ip_address)
            return HttpResponseRedirect(_next_url(request))
        user_login_failed.send(sender=__name__, credentials=credentials, request=request)
        if getattr(request, "axes_locked_out", False):
            return self.locked_out()
        form.add_error("code", error)
        return self.render(form)

    def locked_out(self):
        username = self.request.user.get_username()
        logout(self.request)
        # Answered here, with a page about codes rather than django-axes' page about passwords.
        self.request.axes_locked_out = False
        minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
        return render(self.request, "account/two_factor_locked_out.html",
                      {"username": username, "minutes": minutes, "login_url": reverse("login")}, status=429)

    def render(self, form):
        return render(self.request, self.template_name, {"form": form, "next": _next_url(self.request)})
