"""The Open311 GeoReport v2 API (``/open311/v2/``), in JSON and XML as the specification says.

- ``discovery.{format}``: the endpoint, its specification and formats;
- ``services.{format}?jurisdiction_id=``: the services, which are the kinds of feedback, of a unit (its public code);
- ``services/{service_code}.{format}``: a service's attributes (the consent to keep contact details, the citizen's
  satisfaction, the staff member concerned);
- ``requests.{format}`` POST: a case handed in by a partner (``api_key``), through the very path of the public form
  (``feedback_submit``: validation, consent, the unit in force, history), channel Open311, the partner recorded;
  limited per partner and hour;
- ``requests.{format}`` GET: the cases of a jurisdiction (``service_request_id``, ``service_code``, ``start_date``,
  ``end_date``, ``status``), at most 90 days and 1,000 cases; ``requests/{id}.{format}``: one case by its tracking
  code. What the tracking page shows and no more: no description, no contact details; the official reply
  (``status_notes``) only to a request that names the case by its tracking code.

Errors are Open311 error lists with the status: 400 bad input (an unknown format too), 403 a bad or revoked key,
404 an unknown jurisdiction, service or request, 429 a partner over its hourly limit. Nothing is saved on an error.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from feedback.choices import CLOSED_STATUSES, OPEN_STATUSES, CaseStatus, Channel, FeedbackKind
from feedback.models import FeedbackCase
from feedback.open311 import formats
from feedback.open311.services import open311_partner_for_key, open311_rate_limit_hit
from feedback.public import ratelimit
from feedback.public.services import (
    TEXT_MAX_LENGTH,
    feedback_submit,
    tracking_code_is_wellformed,
    tracking_code_normalise,
)
from units.models import Unit
from units.scope import is_within

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-12-05T00:00:00Z"
MAX_RESULTS = 1000
MAX_DAYS = 90
MAX_IDS = 100
MAX_PARAM_LENGTH = 200
# The attributes of every service (Open311 ``attribute[code]``).
CONSENT, SATISFACTION, STAFF = "consent", "satisfaction", "staff_mentioned"


def _param(data, name: str) -> str:
    value = data.get(name, "")
    return value if isinstance(value, str) else ""


def _clean(value: str, limit: int = MAX_PARAM_LENGTH) -> str | None:
    """A parameter without control characters, or None when it is too long to be honest."""
    if len(value) > limit:
        return None
    return "".join(ch for ch in value if ch >= " " or ch in "\r\n\t").strip()


def _iso(moment: datetime.datetime | None) -> str | None:
    return None if moment is None else timezone.localtime(moment).isoformat(timespec="seconds")


def _unknown_format(fmt: str):
    return formats.errors(formats.JSON, 400, _("Unknown format “%(format)s”: use .json or .xml.") % {"format": fmt[:20]})


class Open311View(View):
    """Checks the format (``.json``/``.xml``) before anything else; never a 500 for what a client sends."""

    http_method_names = ["get"]

    def dispatch(self, request, *args, fmt: str, **kwargs):
        if fmt not in formats.FORMATS:
            return _unknown_format(fmt)
        self.fmt = fmt
        if request.method.lower() not in self.http_method_names:
            return formats.errors(fmt, 405, _("Method not allowed."))
        return super().dispatch(request, *args, **kwargs)

    def error(self, status: int, *descriptions: str):
        return formats.errors(self.fmt, status, *descriptions)

    def jurisdiction(self, data, *, required: bool = True):
        """(unit, error response): the unit whose public code is ``jurisdiction_id``."""
        code = _clean(_param(data, "jurisdiction_id"), 100)
        if not code:
            if required:
                return None, self.error(400, _("jurisdiction_id is required: the public code of a unit."))
            return None, None
        unit = Unit.objects.select_related("parent").filter(public_code=code).first()
        if unit is None:
            return None, self.error(404, _("Unknown jurisdiction_id “%(code)s”.") % {"code": code})
        return unit, None


def _service(kind: str) -> dict:
    return {
        "service_code": kind,
        "service_name": str(FeedbackKind(kind).label),
        "description": str(FeedbackKind(kind).label),
        "metadata": True,
        "type": "realtime",
        "keywords": "",
        "group": str(_("Feedback on public service")),
    }


def _attributes() -> list[dict]:
    return [
        {"variable": True, "code": CONSENT, "datatype": "singlevaluelist", "required": False,
         "datatype_description": None, "order": 1,
         "description": str(_("May the unit keep and use the contact details given (name, phone, e-mail) to answer "
                              "the citizen? Without “true”, contact details are refused.")),
         "values": [{"key": "true", "name": str(_("Yes, I agree"))}, {"key": "false", "name": str(_("No"))}]},
        {"variable": True, "code": SATISFACTION, "datatype": "singlevaluelist", "required": False,
         "datatype_description": None, "order": 2,
         "description": str(_("How satisfied is the citizen with the service (1 very unhappy – 5 very happy)?")),
         "values": [{"key": str(n), "name": str(n)} for n in range(1, 6)]},
        {"variable": True, "code": STAFF, "datatype": "string", "required": False,
         "datatype_description": str(_("At most 200 characters.")), "order": 3,
         "description": str(_("Staff member's name or desk number, if the feedback is about a person."))},
    ]


class DiscoveryView(Open311View):
    def get(self, request):
        url = request.build_absolute_uri(reverse("open311:discovery", kwargs={"fmt": self.fmt})).rsplit("/", 1)[0] + "/"
        return formats.respond(self.fmt, "discovery", {
            "changeset": CHANGESET,
            "contact": str(_("The portal's administrators, through the unit's province or city.")),
            "key_service": str(_("API keys are issued by a province or city administrator in the portal.")),
            "endpoints": [{"specification": SPECIFICATION, "url": url, "changeset": CHANGESET, "type": "production",
                           "formats": [formats.CONTENT_TYPES[f].split(";")[0] for f in (formats.XML, formats.JSON)]}],
        })


class ServiceListView(Open311View):
    def get(self, request):
        _unit, error = self.jurisdiction(request.GET)
        if error:
            return error
        return formats.respond(self.fmt, "services", [_service(kind) for kind in FeedbackKind.values])


class ServiceDefinitionView(Open311View):
    def get(self, request, service_code: str):
        _unit, error = self.jurisdiction(request.GET, required=False)
        if error:
            return error
        if service_code not in FeedbackKind.values:
            return self.error(404, _("Unknown service_code “%(code)s”.") % {"code": service_code[:50]})
        return formats.respond(self.fmt, "service_definition",
                               {"service_code": service_code, "attributes": _attributes()})


def _status(case: FeedbackCase) -> str:
    return "closed" if case.status in CLOSED_STATUSES else "open"


def _request(case: FeedbackCase, *, notes: bool) -> dict:
    """What the tracking page shows of a case, in Open311's names; never the text nor contact details."""
    notes_text = None
    if notes:
        if case.status == CaseStatus.REJECTED:
            notes_text = str(_("Not accepted: %(reason)s") % {"reason": case.get_rejection_reason_display()})
        else:
            notes_text = case.public_reply or None
    due = datetime.datetime.combine(case.due_on, datetime.time(23, 59, 59), tzinfo=timezone.get_current_timezone())
    updated = max(moment for moment in (case.received_at, case.replied_at, case.closed_at, case.reopened_at) if moment)
    return {
        "service_request_id": case.tracking_code,
        "status": _status(case),
        "status_notes": notes_text,
        "service_name": str(FeedbackKind(case.kind).label) if case.kind in FeedbackKind.values else case.kind,
        "service_code": case.kind,
        "description": None,
        "agency_responsible": case.unit.name,
        "service_notice": None,
        "requested_datetime": _iso(case.received_at),
        "updated_datetime": _iso(updated),
        "expected_datetime": _iso(due),
        "address": None,
        "address_id": None,
        "zipcode": None,
        "lat": None,
        "long": None,
        "media_url": None,
    }


_REQUEST_FIELDS = ("tracking_code", "status", "rejection_reason", "kind", "public_reply", "received_at", "replied_at",
                   "closed_at", "reopened_at", "due_on", "unit__name")


def _cases():
    return FeedbackCase.objects.select_related("unit").only(*_REQUEST_FIELDS)


def _moment(text: str) -> datetime.datetime | None:
    """A w3 date-time (``2026-11-05T08:15:30+07:00``, ``…Z``) or a date, in the portal's zone when none is given."""
    try:
        moment = parse_datetime(text)
        if moment is None:
            day = parse_date(text)
            if day is None:
                return None
            moment = datetime.datetime.combine(day, datetime.time.min)
    except ValueError:
        return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


@method_decorator(csrf_exempt, name="dispatch")  # a partner's server, authenticated by its api_key, not a browser
class RequestsView(Open311View):
    http_method_names = ["get", "post"]

    def get(self, request):
        data = request.GET
        unit, error = self.jurisdiction(data)
        if error:
            return error
        if ratelimit.rate_limit_hit(scope=ratelimit.TRACK, address=ratelimit.client_address(request)):
            return self.error(429, _("Too many requests. Please wait a few minutes and try again."))
        ids_text = _clean(_param(data, "service_request_id"), MAX_IDS * 16)
        if ids_text is None:
            return self.error(400, _("Too many service_request_id values (at most %(n)s).") % {"n": MAX_IDS})
        cases = _cases().within(unit)
        if ids_text:
            # Per the specification, the other filters are ignored when cases are named.
            codes = [tracking_code_normalise(code) for code in ids_text.split(",") if code.strip()]
            if len(codes) > MAX_IDS:
                return self.error(400, _("Too many service_request_id values (at most %(n)s).") % {"n": MAX_IDS})
            cases = cases.filter(tracking_code__in=[code[:20] for code in codes])
            return formats.respond(self.fmt, "service_requests",
                                   [_request(case, notes=True) for case in cases.order_by("-received_at")[:MAX_IDS]])
        filters, error = self._filters(data)
        if error:
            return error
        cases = cases.filter(filters).order_by("-received_at")[:MAX_RESULTS]
        return formats.respond(self.fmt, "service_requests", [_request(case, notes=False) for case in cases])

    def _filters(self, data):
        where = Q()
        codes_text = _clean(_param(data, "service_code"))
        if codes_text is None:
            return None, self.error(400, _("service_code is too long."))
        if codes_text:
            codes = [code.strip() for code in codes_text.split(",") if code.strip()]
            unknown = [code for code in codes if code not in FeedbackKind.values]
            if unknown:
                return None, self.error(400, _("Unknown service_code “%(code)s”.") % {"code": unknown[0][:50]})
            where &= Q(kind__in=codes)
        statuses_text = _clean(_param(data, "status"))
        if statuses_text is None:
            return None, self.error(400, _("status is too long."))
        if statuses_text:
            statuses = {s.strip().lower() for s in statuses_text.split(",") if s.strip()}
            if not statuses <= {"open", "closed"}:
                return None, self.error(400, _("status must be open, closed or both (open,closed)."))
            if statuses == {"open"}:
                where &= Q(status__in=OPEN_STATUSES)
            elif statuses == {"closed"}:
                where &= Q(status__in=CLOSED_STATUSES)
        now = timezone.now()
        bounds = {}
        for name in ("start_date", "end_date"):
            text = _clean(_param(data, name), 40)
            if text is None or (text and _moment(text) is None):
                return None, self.error(400, _("%(name)s must be a date and time such as 2026-11-05T08:15:30+07:00.")
                                        % {"name": name})
            bounds[name] = _moment(text) if text else None
        start, end = bounds["start_date"], bounds["end_date"]
        if end is None:
            end = now if start is None else start + datetime.timedelta(days=MAX_DAYS)
        if start is None:
            start = end - datetime.timedelta(days=MAX_DAYS)
        if start > end:
            return None, self.error(400, _("start_date must come before end_date."))
        if end - start > datetime.timedelta(days=MAX_DAYS):
            return None, self.error(400, _("Ask for at most %(days)s days at a time.") % {"days": MAX_DAYS})
        return where & Q(received_at__gte=start, received_at__lte=end), None

    def post(self, request):
        data = request.POST
        partner = open311_partner_for_key(key=_param(data, "api_key")[:300])
        if partner is None:
            return self.error(403, _("Invalid or revoked api_key."))
        unit, error = self.jurisdiction(data)
        if error:
            return error
        if not is_within(unit, partner.jurisdiction):
            return self.error(403, _("This api_key may not send cases to %(unit)s.") % {"unit": unit.name})
        kind = _param(data, "service_code")
        if not kind:
            return self.error(400, _("service_code is required."))
        if kind not in FeedbackKind.values:
            return self.error(404, _("Unknown service_code “%(code)s”.") % {"code": kind[:50]})
        fields, problems = self._fields(data)
        if problems:
            return self.error(400, *problems)
        if open311_rate_limit_hit(partner=partner):
            return self.error(429, _("This partner has sent its %(n)s cases of the hour; try again later.")
                              % {"n": partner.rate_limit})
        try:
            case = feedback_submit(unit=unit, kind=kind, channel=Channel.OPEN311, partner=partner, **fields)
        except ValidationError as error:
            return self.error(400, *error.messages)
        return formats.respond(self.fmt, "service_requests", [{
            "service_request_id": case.tracking_code,
            "service_notice": str(_("Received by %(unit)s; answered within %(days)s working days.")
                                  % {"unit": unit.name, "days": settings.FEEDBACK_DUE_WORKING_DAYS}),
            "account_id": None,
        }], status=201)

    def _fields(self, data) -> tuple[dict, list[str]]:
        problems = []
        description = _param(data, "description")
        if not description.strip():
            problems.append(_("description is required."))
        elif len(description) > TEXT_MAX_LENGTH:
            problems.append(_("description is longer than %(limit)s characters.") % {"limit": TEXT_MAX_LENGTH})
        for name in ("lat", "long"):
            value = _param(data, name)
            if value:
                try:
                    number = float(value)
                except ValueError:
                    number = None
                if number is None or number != number or abs(number) > (90 if name == "lat" else 180):
                    problems.append(_("%(name)s must be a number of degrees.") % {"name": name})
        consent_text = _param(data, f"attribute[{CONSENT}]").strip().lower()
        if consent_text not in ("", "true", "false"):
            problems.append(_("attribute[consent] must be true or false."))
        satisfaction_text = _param(data, f"attribute[{SATISFACTION}]").strip()
        satisfaction = None
        if satisfaction_text:
            if satisfaction_text not in {"1", "2", "3", "4", "5"}:
                problems.append(_("attribute[satisfaction] must be a whole number from 1 to 5."))
            else:
                satisfaction = int(satisfaction_text)
        staff = _param(data, f"attribute[{STAFF}]")
        if len(staff) > 200:
            problems.append(_("attribute[staff_mentioned] is longer than 200 characters."))
        texts = {name: _param(data, name) for name in ("first_name", "last_name", "email", "phone")}
        for name, value in texts.items():
            if len(value) > 150:
                problems.append(_("%(name)s is longer than 150 characters.") % {"name": name})
        if any("\x00" in value for value in (description, staff, *texts.values())):
            problems.append(_("Text may not contain NUL characters."))
        if problems:
            return {}, problems
        return {
            "text": description,
            "staff_mentioned": staff,
            "satisfaction": satisfaction,
            "contact_name": " ".join(part.strip() for part in (texts["first_name"], texts["last_name"]) if part.strip()),
            "contact_phone": texts["phone"],
            "contact_email": texts["email"],
            "contact_consent": consent_text == "true",
        }, []


class RequestDetailView(Open311View):
    def get(self, request, service_request_id: str):
        if ratelimit.rate_limit_hit(scope=ratelimit.TRACK, address=ratelimit.client_address(request)):
            return self.error(429, _("Too many requests. Please wait a few minutes and try again."))
        code = tracking_code_normalise(service_request_id[:40])
        case = _cases().filter(tracking_code=code).first() if tracking_code_is_wellformed(code) else None
        if case is None:
            return self.error(404, _("Unknown service_request_id “%(id)s”.") % {"id": service_request_id[:40]})
        return formats.respond(self.fmt, "service_requests", [_request(case, notes=True)])
