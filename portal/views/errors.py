"""The refusal pages: a 403 says what is missing and where to go; a 404 is the same for a missing page and for one
outside the user's scope (it never tells which)."""

from django.shortcuts import render
from django.utils.functional import Promise
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

from units.choices import Role
from units.scope import Capability, roles_with

# What each capability lets a role do, as the refusal page names it ("… needs one of these roles").
CAPABILITY_ACTIONS = {
    Capability.MANAGE_STAFF: _("managing the staff list"),
    Capability.MANAGE_UNITS: _("managing units"),
    Capability.EDIT_UNIT_CONTACT: _("changing a unit's hotline and address"),
    Capability.MANAGE_USERS: _("managing user accounts"),
    Capability.RECORD_PLEDGES: _("recording pledges"),
    Capability.MANAGE_CAMPAIGNS: _("managing pledge campaigns"),
    Capability.WITHDRAW_PLEDGES: _("withdrawing pledges"),
    Capability.MANAGE_CODES: _("managing codes of conduct"),
    Capability.RATE: _("filling in the monthly rating sheet"),
    Capability.APPROVE_SHEETS: _("approving rating sheets"),
    Capability.REOPEN_SHEETS: _("locking and reopening rating sheets"),
    Capability.RECORD_VIOLATIONS: _("recording violations"),
    Capability.MANAGE_INSPECTIONS: _("planning inspections and managing inspection teams"),
    Capability.INSPECT: _("recording an inspection's results"),
    Capability.CORRECT: _("reporting corrective actions done"),
    Capability.TRIAGE_FEEDBACK: _("handling citizen feedback"),
    Capability.MANAGE_KIOSKS: _("managing satisfaction kiosks"),
    Capability.BUILD_REPORTS: _("building reports"),
    Capability.APPROVE_COMMENDATIONS: _("approving commendation lists"),
    Capability.EXPORT_DATA: _("exporting data to Excel"),
    Capability.VIEW_AUDIT: _("reading the audit trail"),
    Capability.MANAGE_RULES: _("setting the province's rules"),
    Capability.DECIDE_CAP_EXCEPTIONS: _("deciding exceptions to the grade cap"),
}


def _back_url(request) -> str | None:
    """The page the user came from, when it is one of ours (never an outside address)."""
    referer = request.META.get("HTTP_REFERER")
    if referer and url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()},
                                                   require_https=request.is_secure()):
        return referer
    return None


def permission_denied(request, exception=None):
    """handler403: the action refused and the roles that may take it (``units.scope.CapabilityRefused``), or the
    refusal's own translated message; the user's roles; a way back."""
    capability = getattr(exception, "capability", None)
    unit = getattr(exception, "unit", None)
    message = exception.args[0] if exception is not None and exception.args else None
    labels = dict(Role.choices)
    context = {
        "action": CAPABILITY_ACTIONS.get(capability),
        "refused_unit": unit,
        "allowed_roles": [labels[role] for role in roles_with(capability) if role in labels] if capability else [],
        # Only a message written for people (a translatable string), never an internal note.
        "reason": message if isinstance(message, Promise) else None,
        "back_url": _back_url(request),
    }
    return render(request, "403.html", context, status=403)
