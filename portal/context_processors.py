"""Values every page's layout needs: the navigation for the user's roles, and the codes of conduct the footer
cites."""

from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from pledges.selectors import codes_in_force
from portal import two_factor
from units.choices import Role
from units.models import Unit
from units.scope import Capability, scope_for


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    scope = scope_for(user)
    return {
        "nav_roles": sorted(scope.roles),
        "nav_grants": scope.assignments,
        "nav_is_admin": scope.is_global or Role.CITY_ADMIN in scope.roles,
        "role_labels": dict(Role.choices),
        "nav_can_export": scope.can_anywhere(Capability.EXPORT_DATA),
        "nav_can_audit": scope.can_anywhere(Capability.VIEW_AUDIT),
        "nav_can_manage_rules": scope.can_anywhere(Capability.MANAGE_RULES),
        "nav_two_factor": two_factor.shows_in_menu(request, scope),
    }


def nation() -> Unit:
    """No unit: the country itself. Rules resolve through a unit's path only, and the nation's path holds no
    ids, so only the national defaults apply to it."""
    return Unit(path="/")


def legal_unit_of(request) -> Unit:
    """The unit whose codes the footer cites: the user's first assigned unit (no query: the scope knows its
    path); the nation for an anonymous user or one without an assignment (a superuser)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return nation()
    grants = scope_for(user).assignments
    if not grants:
        return nation()
    return Unit(pk=grants[0].unit_id, path=grants[0].unit_path, name=grants[0].unit_name)


def legal_codes_for(request) -> list:
    """The codes of conduct in force today for the request's unit (staff first), computed once per request."""
    codes = getattr(request, "_legal_codes", None)
    if codes is None:
        codes = codes_in_force(unit=legal_unit_of(request), day=timezone.localdate())
        request._legal_codes = codes
    return codes


def legal_basis(request):
    """Context processor: ``legal_codes``, the codes of conduct the footer cites as the portal's legal basis,
    never a fixed city's. Lazy: a page that does not render them (or names its own unit's, as the public
    feedback form does by giving ``legal_codes`` itself) costs no query; otherwise two, once per request."""
    return {"legal_codes": SimpleLazyObject(lambda: legal_codes_for(request))}
