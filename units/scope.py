"""Who may see which units, and do what there. Every page and export goes through ``scope_for(user)``.

A role assignment covers its unit and the whole subtree beneath it. Visibility is the union of all the
user's subtrees; an action is allowed on a unit when some assignment covering that unit grants it.
Anything outside the scope is answered with 404, the same as a missing object.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
import operator

from django.db.models import Q, QuerySet

from units.choices import Role


class Capability:
    """Actions a role may take on the units it covers (rows are decided by scope, actions by this map)."""

    MANAGE_STAFF = "manage_staff"
    MANAGE_UNITS = "manage_units"
    MANAGE_USERS = "manage_users"
    RECORD_PLEDGES = "record_pledges"
    MANAGE_CAMPAIGNS = "manage_campaigns"
    WITHDRAW_PLEDGES = "withdraw_pledges"
    MANAGE_CODES = "manage_codes"
    RATE = "rate"
    APPROVE_SHEETS = "approve_sheets"
    REOPEN_SHEETS = "reopen_sheets"
    RECORD_VIOLATIONS = "record_violations"
    MANAGE_INSPECTIONS = "manage_inspections"  # teams, the visit plan (district office)
    INSPECT = "inspect"  # record a visit's results and findings (inspectors, on their own teams' visits)
    CORRECT = "correct"  # mark a corrective action done, with evidence (the inspected unit)
    TRIAGE_FEEDBACK = "triage_feedback"  # the feedback inbox: assign, reply, resolve; record other channels
    MANAGE_KIOSKS = "manage_kiosks"  # bind satisfaction kiosks to a unit
    BUILD_REPORTS = "build_reports"  # request (and rebuild) a quarterly report of a unit
    APPROVE_COMMENDATIONS = "approve_commendations"  # review and approve a quarter's commendation list
    EXPORT_DATA = "export_data"  # Excel exports of ratings, feedback, pledges and inspections
    VIEW_AUDIT = "view_audit"  # browse the audit trail (who changed what, when) of the units covered


_UNIT_STAFF = {
    Capability.MANAGE_STAFF, Capability.RECORD_PLEDGES, Capability.RATE, Capability.RECORD_VIOLATIONS, Capability.CORRECT,
    Capability.TRIAGE_FEEDBACK, Capability.MANAGE_KIOSKS,
}
ROLE_CAPABILITIES: dict[str, frozenset[str]] = {
    Role.WARD_OFFICER: frozenset(_UNIT_STAFF),
    Role.UNIT_HEAD: frozenset({*_UNIT_STAFF, Capability.APPROVE_SHEETS, Capability.BUILD_REPORTS}),
    Role.DISTRICT_OFFICE: frozenset(
        {Capability.MANAGE_STAFF, Capability.RECORD_PLEDGES, Capability.RECORD_VIOLATIONS, Capability.MANAGE_CAMPAIGNS,
         Capability.REOPEN_SHEETS, Capability.MANAGE_INSPECTIONS, Capability.TRIAGE_FEEDBACK, Capability.MANAGE_KIOSKS,
         Capability.BUILD_REPORTS, Capability.APPROVE_COMMENDATIONS, Capability.EXPORT_DATA, Capability.VIEW_AUDIT}
    ),
    Role.INSPECTOR: frozenset({Capability.RECORD_VIOLATIONS, Capability.INSPECT}),
    Role.CITY_ADMIN: frozenset(
        {
            *_UNIT_STAFF,
            Capability.APPROVE_SHEETS,
            Capability.REOPEN_SHEETS,
            Capability.MANAGE_UNITS,
            Capability.MANAGE_USERS,
            Capability.MANAGE_CAMPAIGNS,
            Capability.WITHDRAW_PLEDGES,
            Capability.MANAGE_CODES,
            Capability.MANAGE_INSPECTIONS,
            Capability.INSPECT,
            Capability.BUILD_REPORTS,
            Capability.APPROVE_COMMENDATIONS,
            Capability.EXPORT_DATA,
            Capability.VIEW_AUDIT,
        }
    ),
}
ALL_CAPABILITIES = frozenset().union(*ROLE_CAPABILITIES.values())


@dataclass(frozen=True)
class Grant:
    role: str
    unit_id: int
    unit_path: str
    unit_name: str


class UserScope:
    """The units one user covers, loaded with a single query and kept for the rest of the request."""

    def __init__(self, user):
        self.user = user
        self.is_global = bool(user.is_authenticated and user.is_active and user.is_superuser)
        self.grants: tuple[Grant, ...] = ()
        if user.is_authenticated and user.is_active:
            self.grants = tuple(
                Grant(role, unit_id, path, name)
                for role, unit_id, path, name in user.role_assignments.order_by("unit__path").values_list(
                    "role", "unit_id", "unit__path", "unit__name"
                )
            )
        # A path nested in another adds nothing to visibility; dropping it keeps the SQL short.
        paths = sorted({grant.unit_path for grant in self.grants})
        self.root_paths = tuple(p for i, p in enumerate(paths) if not any(p.startswith(q) for q in paths[:i]))

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(grant.role for grant in self.grants)

    def has_role(self, *roles: str) -> bool:
        return self.is_global or bool(self.roles.intersection(roles))

    def units_q(self, prefix: str = "") -> Q | None:
        """A filter for rows whose unit is visible; ``None`` means everything is."""
        if self.is_global:
            return None
        if not self.root_paths:
            return Q(pk__in=[])
        return reduce(operator.or_, (Q(**{f"{prefix}path__startswith": path}) for path in self.root_paths))

    def filter_units(self, queryset: QuerySet, prefix: str = "") -> QuerySet:
        condition = self.units_q(prefix)
        if condition is None:
            return queryset
        if not self.root_paths:
            return queryset.none()
        return queryset.filter(condition)

    def filter_units_with(self, queryset: QuerySet, capability: str, prefix: str = "") -> QuerySet:
        """Rows whose unit lies under an assignment that grants ``capability`` (where the user may act)."""
        if self.is_global:
            return queryset
        paths = [g.unit_path for g in self.grants if capability in ROLE_CAPABILITIES.get(g.role, ())]
        if not paths:
            return queryset.none()
        return queryset.filter(reduce(operator.or_, (Q(**{f"{prefix}path__startswith": path}) for path in paths)))

    def covers(self, unit) -> bool:
        return self.is_global or any(unit.path.startswith(path) for path in self.root_paths)

    def can(self, capability: str, unit) -> bool:
        """May the user take ``capability`` on ``unit``: some assignment above or at it grants it."""
        if self.is_global:
            return True
        return any(
            unit.path.startswith(grant.unit_path) and capability in ROLE_CAPABILITIES.get(grant.role, ())
            for grant in self.grants
        )

    @property
    def ancestor_unit_ids(self) -> frozenset[int]:
        """Ids of the units above and at the user's assignments (a city-wide campaign concerns a ward)."""
        return frozenset(int(part) for grant in self.grants for part in grant.unit_path.strip("/").split("/") if part)

    def can_anywhere(self, capability: str) -> bool:
        return self.is_global or any(capability in ROLE_CAPABILITIES.get(g.role, ()) for g in self.grants)


def scope_for(user) -> UserScope:
    """The user's scope, computed once per request (cached on the user object)."""
    scope = getattr(user, "_conduct_scope", None)
    if scope is None:
        scope = UserScope(user)
        if user.is_authenticated:
            user._conduct_scope = scope
    return scope


def visible_unit_ids(user) -> QuerySet:
    """Ids of the units the user may see, as a lazy subquery (``unit_id__in=visible_unit_ids(user)``)."""
    from units.models import Unit

    return Unit.objects.visible_to(user).values("id")
