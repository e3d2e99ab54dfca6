"""The tracking page's actions on a resolved case (POST only; a code that finds nothing counts against the look-up
rate limit, as a look-up does): rate the handling, reopen. A refusal (unknown or unresolved case, already rated, too late, bad input) shows the tracking page again with
the reason, status 400, nothing saved; success goes back to the page with a confirmation."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_protect

from feedback.choices import CaseStatus
from feedback.citizen.forms import HandlingRatingForm, ReopenForm
from feedback.citizen.services import case_rate, case_reopen, reopen_deadline
from feedback.models import FeedbackCase
from feedback.public import ratelimit
from feedback.public.forms import TrackingForm
from feedback.public.services import tracking_code_display, tracking_code_is_wellformed, tracking_code_normalise

TRACKED_FIELDS = ("tracking_code", "status", "received_at", "due_on", "public_reply", "replied_at", "closed_at",
                  "handling_rating", "handling_rated_at", "reopened_at", "reopen_count", "unit__name",
                  "unit__public_code")
DONE_MESSAGES = ("rated", "reopened")


def tracked_case(code: str) -> FeedbackCase | None:
    """The case of a (normalised, well-formed) tracking code, with only what the public page shows."""
    code = tracking_code_normalise(code or "")
    if not tracking_code_is_wellformed(code):
        return None
    return FeedbackCase.objects.select_related("unit").only(*TRACKED_FIELDS).filter(tracking_code=code).first()


def tracking_context(case: FeedbackCase, *, rating_form=None, reopen_form=None, error=None, done="") -> dict:
    """What the tracking page shows of ``case``: status, dates, the reply and, once resolved, the forms to rate the
    handling (if not rated yet) and to reopen (until the deadline). Never the citizen's text or contact details."""
    resolved = case.status == CaseStatus.RESOLVED
    deadline = reopen_deadline(case)
    can_reopen = resolved and deadline is not None and timezone.localdate() <= deadline
    return {
        "case": case,
        "code_display": tracking_code_display(case.tracking_code),
        "can_rate": resolved and case.handling_rated_at is None,
        "can_reopen": can_reopen,
        "reopen_deadline": deadline,
        "reopen_days": settings.FEEDBACK_REOPEN_DAYS,
        "rating_form": rating_form or HandlingRatingForm(),
        "reopen_form": reopen_form or ReopenForm(),
        "action_error": error,
        "done": done if done in DONE_MESSAGES else "",
    }


def _rate_limited(request):
    response = render(request, "feedback/public_rate_limited.html", status=429)
    response["Retry-After"] = str(settings.FEEDBACK_RATE_WINDOW)
    return response


@method_decorator(csrf_protect, name="dispatch")
class _CaseActionView(View):
    http_method_names = ["post"]
    form_class = None
    done = ""

    def post(self, request, code):
        case = tracked_case(code)
        if case is None:
            # Only a miss counts against the look-up limit: what guesses codes. A known case takes each action once.
            if ratelimit.rate_limit_hit(scope=ratelimit.TRACK, address=ratelimit.client_address(request)):
                return _rate_limited(request)
            return render(request, "feedback/public_track.html", {"form": TrackingForm(), "not_found": True}, status=404)
        form = self.form_class(request.POST)
        error = None
        if form.is_valid():
            try:
                self.apply(case, form.cleaned_data)
            except ValidationError as refusal:
                if hasattr(refusal, "error_dict"):
                    for field, messages in refusal.message_dict.items():
                        form.add_error(field if field in form.fields else None, messages)
                else:
                    error = " ".join(refusal.messages)
            else:
                url = reverse("feedback:track_detail", kwargs={"code": case.tracking_code})
                return HttpResponseRedirect(f"{url}?done={self.done}")
        case = tracked_case(case.tracking_code)  # as stored: nothing of the refused change
        forms = {"rating_form" if self.form_class is HandlingRatingForm else "reopen_form": form}
        return render(request, "feedback/public_track_detail.html",
                      tracking_context(case, error=error, **forms), status=400)


class HandlingRateView(_CaseActionView):
    """The citizen rates the handling of their resolved case (1–5, a comment), once."""

    form_class = HandlingRatingForm
    done = "rated"

    def apply(self, case, data):
        case_rate(tracking_code=case.tracking_code, rating=data["rating"], comment=data["comment"])


class CaseReopenView(_CaseActionView):
    """The citizen reopens their resolved case, with a reason, within ``FEEDBACK_REOPEN_DAYS``."""

    form_class = ReopenForm
    done = "reopened"

    def apply(self, case, data):
        case_reopen(tracking_code=case.tracking_code, reason=data["reason"])
