"""Values every page's layout needs: the navigation for the user's roles."""

from portal import two_factor
from units.choices import Role
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
        "nav_two_factor": two_factor.shows_in_menu(request, scope),
    }
