"""Public pages of citizen feedback: find a unit, send feedback, follow it by tracking code, print the unit's QR
poster, and the satisfaction kiosk. No login; every write is rate-limited per client address."""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.csrf import csrf_protect

from core.text import fold_diacritics
from feedback.citizen.views import tracked_case, tracking_context
from feedback.models import FeedbackCase, KioskDevice
from feedback.public import ratelimit
from feedback.public.forms import SATISFACTION_CHOICES, SATISFACTION_FACES, FeedbackForm, TrackingForm, UnitSearchForm
from feedback.public.posters import feedback_form_url, qr_svg, unit_legal_basis
from feedback.public.services import (
    feedback_case_for_token,
    feedback_submit,
    kiosk_vote,
    public_unit,
    tracking_code_display,
    tracking_code_is_wellformed,
    tracking_code_new,
    tracking_code_normalise,
)
from units.choices import DISTRICT_KINDS, GRASSROOTS_KINDS, Structure
from units.models import Unit
from units.selectors import unit_contact
from units.validity import unit_is_dissolved, unit_replaced, unit_successors

# The codes this browser submitted, in a signed cookie rather than the session: a citizen's visit then writes no
# session row (the public form stays cheap, and cannot fill the session table).
SUBMITTED_COOKIE = "feedback_sent"
SUBMITTED_SALT = "feedback.submitted-codes"
SUBMITTED_KEPT = 10


def _submitted_codes(request) -> list[str]:
    value = request.get_signed_cookie(SUBMITTED_COOKIE, default="", salt=SUBMITTED_SALT, max_age=24 * 60 * 60)
    return [code for code in value.split(",") if code]
FINDER_LIMIT = 50


def _unit_not_found(request):
    return render(request, "feedback/public_unit_not_found.html", status=404)


def _rate_limited(request):
    response = render(request, "feedback/public_rate_limited.html", status=429)
    response["Retry-After"] = str(settings.FEEDBACK_RATE_WINDOW)
    return response


def _public_unit(public_code: str) -> Unit | None:
    return Unit.objects.select_related("parent").filter(public_code=public_code).first()


# --- Dissolved units: posters of the wards of before 1 July 2025 still hang on walls -------------------------


def _successor_url(name: str, successor: Unit, former: Unit) -> str:
    """The successor's page (form or poster), telling it which former unit the citizen came from."""
    return f"{reverse(name, kwargs={'public_code': successor.public_code})}?{urlencode({'from': former.public_code})}"


def _to_successor(request, former: Unit, successors: list[Unit], *, name: str, not_sent: bool = False):
    """Lead the citizen from a dissolved unit's page to the page of the unit that replaced it; when it was split
    (or its successors are unknown), a page says why and lets them choose."""
    if len(successors) == 1 and not not_sent:
        return redirect(_successor_url(name, successors[0], former))
    return render(request, "feedback/public_successor_choice.html", {
        "former": former,
        "since": former.valid_to + datetime.timedelta(days=1),
        "choices": [(unit, _successor_url(name, unit, former)) for unit in successors],
        "poster": name == "feedback:poster",
        "not_sent": not_sent,
    })


def _came_from(request, unit: Unit) -> Unit | None:
    """The dissolved unit the citizen came from (``?from=`` of the redirect), when ``unit`` replaced it."""
    code = request.GET.get("from", "")
    if not code or len(code) > 100 or code == unit.public_code:
        return None
    former = _public_unit(code)
    if former is None or not unit_is_dissolved(former, timezone.localdate()):
        return None
    return former if unit in unit_successors(unit=former) else None


class UnitFinderView(View):
    """Find one's ward, commune or district by name, with or without diacritics, current or pre-2025."""

    def get(self, request):
        form = UnitSearchForm(request.GET or None)
        units = []
        query = ""
        if form.is_bound and form.is_valid():
            query = form.cleaned_data["q"].strip()
            words = fold_diacritics(query).split()
            if words:
                found = (
                    Unit.objects.filter(kind__in=[*GRASSROOTS_KINDS, *DISTRICT_KINDS])
                    .select_related("parent")
                    .prefetch_related(Prefetch("merged_into", queryset=Unit.objects.order_by("name")))
                )
                for word in words:
                    found = found.filter(search_name__contains=word)
                # Current units first ("current" sorts before "legacy"), then by name.
                units = list(found.order_by("structure", "search_name", "pk")[:FINDER_LIMIT])
        return render(request, "feedback/public_unit_finder.html",
                      {"form": form, "units": units, "query": query, "legacy": Structure.LEGACY, "limit": FINDER_LIMIT})


class FeedbackFormView(View):
    """A unit's public feedback form (what the QR poster links to)."""

    template_name = "feedback/public_form.html"

    def _render(self, request, unit, form, status=200, *, former=None, not_sent=False):
        context = {"unit": unit, "form": form, "retention_days": settings.FEEDBACK_RETENTION_DAYS, "former": former,
                   "not_sent": not_sent, **unit_legal_basis(unit=unit)}
        if former is not None:
            context["since"] = former.valid_to + datetime.timedelta(days=1)
            # Sent from the former unit's address: the form goes to the successor's.
            context["action"] = reverse("feedback:public_form", kwargs={"public_code": unit.public_code})
        return render(request, self.template_name, context, status=status)

    def get(self, request, public_code):
        unit = _public_unit(public_code)
        if unit is None:
            return _unit_not_found(request)
        successors = unit_replaced(unit=unit, day=timezone.localdate())
        if successors is not None:
            return _to_successor(request, unit, successors, name="feedback:public_form")
        return self._render(request, unit, FeedbackForm(initial={"submission_token": uuid.uuid4().hex}),
                            former=_came_from(request, unit))

    def post(self, request, public_code):
        # Nothing read before storing: the unit is kept by the process, and the form's one-time token is checked by
        # the unique constraint as the case is stored (a repeat then lands on the first case's result, uncounted).
        token = request.POST.get("submission_token", "")[:64]
        unit = public_unit(public_code=public_code)
        if unit is None:
            return _unit_not_found(request)
        successors = unit_replaced(unit=unit, day=timezone.localdate())
        if successors is not None:
            return self._post_to_former(request, unit, successors, feedback_case_for_token(submission_token=token))
        form = FeedbackForm(request.POST, request.FILES)

        def refused(answer):
            """``answer`` to a refused submission, unless the token already stored a case here: a resend (a double
            click, the browser's back and send again) always lands on the first one's result, uncounted."""
            already = feedback_case_for_token(submission_token=token)
            if already is not None and already.unit_id == unit.pk:
                return self._done(request, already.tracking_code)
            return answer()

        if not form.is_valid():
            return refused(lambda: self._render(request, unit, form))
        address = ratelimit.client_address(request)
        if ratelimit.rate_limit_hit(scope=ratelimit.FORM, address=address):
            def limited():
                return _rate_limited(request)

            response = refused(limited)
            if response.status_code != 429:
                ratelimit.rate_limit_uncount(scope=ratelimit.FORM, address=address)
            return response
        data = form.cleaned_data
        if data["website"]:
            # The honeypot was filled: a robot. Pretend it worked; store nothing.
            return refused(lambda: self._done(request, tracking_code_new()))
        try:
            case = feedback_submit(
                unit=unit, kind=data["kind"], text=data["text"], staff_mentioned=data["staff_mentioned"],
                satisfaction=data["satisfaction"], contact_name=data["contact_name"],
                contact_phone=data["contact_phone"], contact_email=data["contact_email"],
                contact_consent=data["contact_consent"], photo=data["photo"],
                submission_token=data["submission_token"], check_token_first=False,
            )
        except ValidationError as error:
            if not hasattr(error, "error_dict"):
                form.add_error(None, error.messages)
            else:
                for field, messages in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, messages)
            return refused(lambda: self._render(request, unit, form))
        if getattr(case, "repeated_submission", False):
            ratelimit.rate_limit_uncount(scope=ratelimit.FORM, address=address)
        return self._done(request, case.tracking_code)

    def _post_to_former(self, request, former, successors, already):
        """A form of a dissolved unit sent (a page opened before it was dissolved, an old bookmark): nothing is saved
        for it. The citizen's text comes back on the form of the unit that replaced it, to be sent there, with the
        same one-time token (so one case at most); a split unit's citizen chooses first."""
        if already is not None and already.unit_id in {unit.pk for unit in successors}:
            return self._done(request, already.tracking_code)
        if len(successors) != 1:
            return _to_successor(request, former, successors, name="feedback:public_form", not_sent=True)
        return self._render(request, successors[0], FeedbackForm(request.POST), former=former, not_sent=True)

    def _done(self, request, code):
        submitted = _submitted_codes(request)
        if code not in submitted:
            submitted = (submitted + [code])[-SUBMITTED_KEPT:]
        response = redirect("feedback:done", code=code)
        response.set_signed_cookie(
            SUBMITTED_COOKIE, ",".join(submitted), salt=SUBMITTED_SALT, max_age=24 * 60 * 60, httponly=True,
            secure=settings.SESSION_COOKIE_SECURE, samesite="Lax",
        )
        return response


class FeedbackDoneView(View):
    """The page after sending: the tracking code and what to do with it. What was sent is shown back only to
    the browser that sent it (the code alone is not a key to the text)."""

    def get(self, request, code):
        if not tracking_code_is_wellformed(code):
            return _unit_not_found(request)
        case = None
        if code in _submitted_codes(request):
            case = FeedbackCase.objects.select_related("unit").filter(tracking_code=code).first()
        return render(request, "feedback/public_done.html",
                      {"code": code, "code_display": tracking_code_display(code), "case": case})


class TrackingFormView(View):
    """Type a tracking code; it is tidied up (case, spaces, dashes) and looked up on its own page."""

    def get(self, request):
        form = TrackingForm(request.GET or None)
        if form.is_bound and form.is_valid():
            code = "".join(ch for ch in tracking_code_normalise(form.cleaned_data["code"]) if ch.isalnum())
            if code:
                return redirect("feedback:track_detail", code=code)
            form.add_error("code", _("Type the tracking code you received."))
        return render(request, "feedback/public_track.html", {"form": form})


class TrackingDetailView(View):
    """A case's progress: status, dates and the official reply — never personal data, notes or names — and, once
    resolved, the forms to rate the handling and to reopen. An unknown code and a malformed one get the very same
    answer. Reading it writes nothing."""

    def get(self, request, code):
        if ratelimit.rate_limit_hit(scope=ratelimit.TRACK, address=ratelimit.client_address(request)):
            return _rate_limited(request)
        case = tracked_case(code)
        if case is None:
            return render(request, "feedback/public_track.html", {"form": TrackingForm(), "not_found": True}, status=404)
        # Once resolved, the page asks for a rating of the handling and offers to reopen (feedback.citizen.views).
        return render(request, "feedback/public_track_detail.html",
                      tracking_context(case, done=request.GET.get("done", "")))


class PosterView(View):
    """A printable A4 poster for the one-stop desk: the unit's QR code and how to send feedback. Public data only."""

    def get(self, request, public_code):
        unit = _public_unit(public_code)
        if unit is None:
            return _unit_not_found(request)
        successors = unit_replaced(unit=unit, day=timezone.localdate())
        if successors is not None:  # a poster of a dissolved unit would send citizens nowhere: print its successor's
            return _to_successor(request, unit, successors, name="feedback:poster")
        url = feedback_form_url(request=request, unit=unit)
        title = _("QR code of the feedback form of %(unit)s") % {"unit": unit.name}
        return render(request, "feedback/poster.html", {
            "unit": unit,
            "form_url": url,
            "due_days": settings.FEEDBACK_DUE_WORKING_DAYS,
            "short_url": url.split("://", 1)[-1],
            "qr_svg": mark_safe(qr_svg(url, title=title)),  # segno's own markup, the title escaped by segno
            "track_url": request.build_absolute_uri(reverse("feedback:track")) if not settings.PORTAL_BASE_URL
            else settings.PORTAL_BASE_URL.rstrip("/") + reverse("feedback:track"),
            "public_address_set": bool(settings.PORTAL_BASE_URL),
            **unit_contact(unit=unit),
            **unit_legal_basis(unit=unit),
        })


@method_decorator(csrf_protect, name="dispatch")
class KioskView(View):
    """The satisfaction kiosk on a desk tablet: five faces, one tap, one vote, then back to the faces."""

    template_name = "feedback/kiosk.html"

    def _device(self, token):
        return (
            KioskDevice.objects.select_related("unit")
            .filter(token=token, revoked_at__isnull=True)
            .first()
        )

    def get(self, request, token):
        device = self._device(token)
        if device is None:
            return _unit_not_found(request)
        state = request.GET.get("state", "")
        return self._render(request, device, state if state in ("thanks", "wait") else "")

    def _render(self, request, device, state, status=200):
        faces = [(score, SATISFACTION_FACES[score], label) for score, label in SATISFACTION_CHOICES]
        return render(request, self.template_name, {"device": device, "state": state, "faces": faces}, status=status)

    def post(self, request, token):
        device = self._device(token)
        if device is None:
            return _unit_not_found(request)
        if ratelimit.rate_limit_hit(scope=ratelimit.KIOSK, address=ratelimit.client_address(request)):
            return self._render(request, device, "wait", status=429)
        try:
            score = int(request.POST.get("score", ""))
            vote = kiosk_vote(device=device, score=score)
        except (ValueError, ValidationError):
            return redirect("feedback:kiosk", token=token)
        url = reverse("feedback:kiosk", kwargs={"token": token})
        return redirect(f"{url}?state={'thanks' if vote is not None else 'wait'}")
