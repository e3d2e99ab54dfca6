"""Who may see which units, and do what there: the one scope gate of the portal.

A role assignment covers its unit and the whole subtree beneath it. Visibility is the union of all the
user's subtrees; an action is allowed on a unit when some assignment covering that unit grants it.
Anything outside the scope is answered with 404, the same as a missing object; a missing right with 403.

Everything else goes through what this module offers, never through tree paths or the role map:
- rows: every model that belongs to a unit has a ``ScopedQuerySet`` (``visible_to(user)``,
  ``where_user_can(user, capability)``, ``within(unit)``), and ``subtree_q(unit)`` filters aggregates;
- services: ``require(actor, capability, unit)`` (403) and ``require_visible(actor, unit)`` (404);
- views: ``units.mixins.ScopeRequiredMixin`` (log in, the object through the scope, then the capability);
- questions about the user: ``scope_for(user)`` (``covers``, ``can``, ``can_anywhere``, ``assigned_unit_ids``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import reduce
import operator

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q, QuerySet
from django.http import Http404

from units.choices import Role


class Capability:
    """Actions a role may take on the units it covers (rows are decided by scope, actions by this map)."""

    MANAGE_STAFF = "manage_staff"
    MANAGE_UNITS = "manage_units"
    EDIT_UNIT_CONTACT = "edit_unit_contact"  # the hotline and address printed on the unit's feedback poster
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
    MANAGE_RULES = "manage_rules"  # the jurisdiction's rule sets: codes, schemes, commendation rules, checklists, weights
    DECIDE_CAP_EXCEPTIONS = "decide_cap_exceptions"  # mark a unit below exceptional for a period (the level above)


_UNIT_STAFF = {
    Capability.MANAGE_STAFF, Capability.RECORD_PLEDGES, Capability.RATE, Capability.RECORD_VIOLATIONS, Capability.CORRECT,
    Capability.TRIAGE_FEEDBACK, Capability.MANAGE_KIOSKS,
}
ROLE_CAPABILITIES: dict[str, frozenset[str]] = {
    Role.WARD_OFFICER: frozenset(_UNIT_STAFF),
    Role.UNIT_HEAD: frozenset({*_UNIT_STAFF, Capability.APPROVE_SHEETS, Capability.BUILD_REPORTS,
                               Capability.EDIT_UNIT_CONTACT}),
    Role.DISTRICT_OFFICE: frozenset(
        {Capability.MANAGE_STAFF, Capability.RECORD_PLEDGES, Capability.RECORD_VIOLATIONS, Capability.MANAGE_CAMPAIGNS,
         Capability.REOPEN_SHEETS, Capability.MANAGE_INSPECTIONS, Capability.TRIAGE_FEEDBACK, Capability.MANAGE_KIOSKS,
         Capability.BUILD_REPORTS, Capability.APPROVE_COMMENDATIONS, Capability.EXPORT_DATA, Capability.VIEW_AUDIT,
         Capability.DECIDE_CAP_EXCEPTIONS, Capability.EDIT_UNIT_CONTACT}
    ),
    Role.INSPECTOR: frozenset({Capability.RECORD_VIOLATIONS, Capability.INSPECT}),
    Role.CITY_ADMIN: frozenset(
        {
            *_UNIT_STAFF,
            Capability.APPROVE_SHEETS,
            Capability.REOPEN_SHEETS,
            Capability.MANAGE_UNITS,
            Capability.EDIT_UNIT_CONTACT,
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
            Capability.MANAGE_RULES,
            Capability.DECIDE_CAP_EXCEPTIONS,
        }
    ),
}
ALL_CAPABILITIES = frozenset().union(*ROLE_CAPABILITIES.values())


@dataclass(frozen=True)
class Grant:
    """One role assignment as the scope keeps it: what the menu shows (role, unit) and what the checks read."""

    role: str
    unit_id: int
    unit_path: str
    unit_name: str


class UserScope:
    """The units one user covers, loaded with a single query and kept for the rest of the request.

    Callers ask questions (``covers``, ``can``, ``can_anywhere``, ``assigned_unit_ids``) and filter rows through
    the querysets (``visible_to``, ``where_user_can``); how the answer is computed stays in this module.
    """

    def __init__(self, user):
        self.user = user
        self.is_global = bool(user.is_authenticated and user.is_active and user.is_superuser)
        self._grants: tuple[Grant, ...] = ()
        if user.is_authenticated and user.is_active:
            self._grants = tuple(
                Grant(role, unit_id, path, name)
                for role, unit_id, path, name in user.role_assignments.order_by("unit__path").values_list(
                    "role", "unit_id", "unit__path", "unit__name"
                )
            )
        # A path nested in another adds nothing to visibility; dropping it keeps the SQL short.
        paths = sorted({grant.unit_path for grant in self._grants})
        self._root_paths = tuple(p for i, p in enumerate(paths) if not any(p.startswith(q) for q in paths[:i]))

    @property
    def assignments(self) -> tuple[Grant, ...]:
        """The user's role assignments, for display (the menu lists them)."""
        return self._grants

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(grant.role for grant in self._grants)

    def has_role(self, *roles: str) -> bool:
        return self.is_global or bool(self.roles.intersection(roles))

    def assigned_unit_ids(self, *, capability: str | None = None, roles: Iterable[str] | None = None) -> list[int]:
        """Ids of the units the user is assigned to (not their subtrees), in tree order, optionally only those
        where an assignment grants ``capability`` or holds one of ``roles``."""
        wanted = frozenset(roles) if roles is not None else None
        return list(
            dict.fromkeys(
                grant.unit_id
                for grant in self._grants
                if (capability is None or capability in ROLE_CAPABILITIES.get(grant.role, ()))
                and (wanted is None or grant.role in wanted)
            )
        )

    def _paths_q(self, paths, unit_field: str) -> Q:
        return reduce(operator.or_, (Q(**{_path_lookup(unit_field): path}) for path in paths))

    def filter_visible(self, queryset: QuerySet, unit_field: str = "") -> QuerySet:
        """Rows whose unit (reached through ``unit_field``; "" for units themselves) lies in the user's scope.
        Models use ``ScopedQuerySet.visible_to``; this is for querysets that cannot carry it (history tables)."""
        if self.is_global:
            return queryset
        if not self._root_paths:
            return queryset.none()
        return queryset.filter(self._paths_q(self._root_paths, unit_field))

    def filter_capable(self, queryset: QuerySet, capability: str, unit_field: str = "") -> QuerySet:
        """Rows whose unit lies under an assignment that grants ``capability`` (where the user may act).
        Models use ``ScopedQuerySet.where_user_can``; this is for querysets that cannot carry it."""
        if self.is_global:
            return queryset
        paths = [g.unit_path for g in self._grants if capability in ROLE_CAPABILITIES.get(g.role, ())]
        if not paths:
            return queryset.none()
        return queryset.filter(self._paths_q(paths, unit_field))

    def top_units_q(self) -> Q | None:
        """Units at the top of the user's scope (none nested in another); ``None`` for a global user."""
        if self.is_global:
            return None
        return Q(path__in=self._root_paths)

    def covers(self, unit) -> bool:
        return self.is_global or any(unit.path.startswith(path) for path in self._root_paths)

    def can(self, capability: str, unit) -> bool:
        """May the user take ``capability`` on ``unit``: some assignment above or at it grants it."""
        if self.is_global:
            return True
        return any(
            unit.path.startswith(grant.unit_path) and capability in ROLE_CAPABILITIES.get(grant.role, ())
            for grant in self._grants
        )

    def can_from_above(self, capability: str, unit) -> bool:
        """May the user take ``capability`` on ``unit`` through an assignment on one of its ancestors, not on the
        unit itself: what the level above decides about a unit (its own staff may not decide it)."""
        if self.is_global:
            return True
        return any(
            unit.path.startswith(grant.unit_path) and unit.path != grant.unit_path
            and capability in ROLE_CAPABILITIES.get(grant.role, ())
            for grant in self._grants
        )

    @property
    def ancestor_unit_ids(self) -> frozenset[int]:
        """Ids of the units above and at the user's assignments (a city-wide campaign concerns a ward)."""
        return frozenset(int(part) for grant in self._grants for part in grant.unit_path.strip("/").split("/") if part)

    def can_anywhere(self, capability: str) -> bool:
        return self.is_global or any(capability in ROLE_CAPABILITIES.get(g.role, ()) for g in self._grants)


def scope_for(user) -> UserScope:
    """The user's scope, computed once per request (cached on the user object)."""
    scope = getattr(user, "_conduct_scope", None)
    if scope is None:
        scope = UserScope(user)
        if user.is_authenticated:
            user._conduct_scope = scope
    return scope


def roles_with(capability: str) -> list[str]:
    """The roles whose assignments grant ``capability`` (who may be asked to do it)."""
    return [role for role, capabilities in ROLE_CAPABILITIES.items() if capability in capabilities]


# --- The one gate for services and views ----------------------------------------------------------------


class CapabilityRefused(PermissionDenied):
    """A missing right (a 403): it names the capability, and the unit when there is one, so that the refusal page
    can say which action needs which roles. Outside the scope is still a 404, never this."""

    def __init__(self, capability: str, unit=None):
        super().__init__(capability)
        self.capability = capability
        self.unit = unit


def require(actor, capability: str, unit) -> None:
    """Refuse (CapabilityRefused, a PermissionDenied: 403) unless ``actor`` may take ``capability`` on ``unit``.
    ``actor`` None is the system itself (a command, a scheduled task, demo data), which may do anything."""
    if actor is not None and not scope_for(actor).can(capability, unit):
        raise CapabilityRefused(capability, unit)


def require_visible(actor, unit) -> None:
    """Answer 404, as for a unit that does not exist, when ``unit`` lies outside the actor's scope."""
    if actor is not None and not scope_for(actor).covers(unit):
        raise Http404


# --- Subtrees: the only place that knows a subtree is a prefix of the unit path ---------------------------


def _path_lookup(unit_field: str) -> str:
    return f"{unit_field}__path__startswith" if unit_field else "path__startswith"


def subtree_q(unit, unit_field: str = "unit") -> Q:
    """A filter for rows whose unit (through ``unit_field``; "" for units themselves) lies in ``unit``'s
    subtree, ``unit`` included: for querysets and for aggregates (``Count(..., filter=subtree_q(root))``)."""
    return Q(**{_path_lookup(unit_field): unit.path})


def subtrees_q(units, unit_field: str = "unit") -> Q:
    """Rows under any of ``units`` (nothing when there are none)."""
    return reduce(operator.or_, (subtree_q(unit, unit_field) for unit in units), Q(pk__in=[]))


def is_within(unit, root) -> bool:
    """Does ``unit`` lie in ``root``'s subtree (``root`` itself included)."""
    return unit.path.startswith(root.path)


class ScopedQuerySet(models.QuerySet):
    """The queryset of every model that belongs to a unit. ``unit_field`` names the relation to that unit
    ("" for ``Unit`` itself); a model that reaches its unit another way sets it in a subclass
    (``ScopedQuerySet.through("sheet__unit")``)."""

    unit_field = "unit"

    @classmethod
    def through(cls, unit_field: str) -> type[ScopedQuerySet]:
        """A ScopedQuerySet class whose rows reach their unit through ``unit_field``."""
        return type(f"ScopedQuerySetThrough_{unit_field or 'self'}", (cls,), {"unit_field": unit_field})

    def _field(self, via: str | None) -> str:
        return self.unit_field if via is None else via

    def visible_to(self, user, *, via: str | None = None):
        """Rows whose unit lies in the user's scope: what the user may see (anything else answers 404)."""
        return scope_for(user).filter_visible(self, self._field(via))

    def where_user_can(self, user, capability: str, *, via: str | None = None):
        """Rows whose unit lies under an assignment of the user that grants ``capability``."""
        return scope_for(user).filter_capable(self, capability, self._field(via))

    def within(self, unit, *, via: str | None = None):
        """Rows of ``unit``'s subtree, ``unit`` included."""
        return self.filter(subtree_q(unit, self._field(via)))

    def within_any(self, units, *, via: str | None = None):
        """Rows under any of ``units``."""
        return self.filter(subtrees_q(units, self._field(via)))

    def under(self, root, *, via: str | None = None):
        """Rows of ``root``'s subtree when ``root`` is a unit, or of the units of ``root`` when it is a queryset of
        units (a current unit with the former units it was formed from, and their subtrees: ``within_any``)."""
        if isinstance(root, models.Model):
            return self.within(root, via=via)
        return self.filter(**{f"{self._field(via) or 'pk'}__in": root})
