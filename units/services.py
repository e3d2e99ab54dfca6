"""Writes to units, staff and role assignments. Views call these; they never save models themselves.

Every write runs in a transaction, validates with ``full_clean()`` and is recorded in the model's history
(django-simple-history: who, when, the old and the new values).
"""

from __future__ import annotations

import datetime
import re
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from core.audit import CHANGE_REASON_LENGTH, save_with_history
from core.text import ascii_slug, fold_diacritics
from units.choices import Role, Structure, UnitKind
from units.models import RoleAssignment, Staff, StaffTransfer, Unit, User
from units.scope import Capability, is_within, require
from units.validity import unit_require_open

# A phone number as people write it: "1022", "024 3825 3536", "(024) 3942.6541", "+84 24 3825 3536".
HOTLINE_PATTERN = re.compile(r"\+?[0-9][0-9 .()\-]{1,48}")

# --- Units ------------------------------------------------------------------------------------------------


def unit_public_code(*, name: str, official_code: str = "", structure: str = "") -> str:
    """A readable, URL-safe code unique across the portal, e.g. "phuong-thanh-xuan-00367".

    Legacy units get "-cu" (cũ, former): the same official code names a different unit after the reform.
    Units without an official code (departments) get a short random suffix.
    """
    base = ascii_slug(name)[:70] or "don-vi"
    if official_code:
        candidate = f"{base}-{official_code}" + ("-cu" if structure == Structure.LEGACY else "")
    else:
        candidate = f"{base}-{secrets.token_hex(2)}"
    while Unit.objects.filter(public_code=candidate).exists():
        candidate = f"{candidate}-{secrets.token_hex(2)}"
    return candidate


def _set_tree_position(unit: Unit) -> None:
    """Recompute ``path`` and ``depth`` of ``unit`` and of its whole subtree after it was saved or moved."""
    old_path = unit.path
    parent_path = unit.parent.path if unit.parent_id else "/"
    new_path = f"{parent_path}{unit.pk}/"
    if new_path == old_path:
        return
    # Read while ``unit.path`` is still the old one (a unit just created has none: no subtree yet).
    descendants = list(Unit.objects.within(unit).exclude(pk=unit.pk)) if old_path else []
    unit.path, unit.depth = new_path, new_path.count("/") - 2
    Unit.objects.filter(pk=unit.pk).update(path=unit.path, depth=unit.depth)
    for descendant in descendants:
        descendant.path = new_path + descendant.path[len(old_path):]
        descendant.depth = descendant.path.count("/") - 2
        Unit.objects.filter(pk=descendant.pk).update(path=descendant.path, depth=descendant.depth)


@transaction.atomic
def unit_create(
    *,
    name: str,
    kind: str,
    parent: Unit | None,
    official_code: str = "",
    structure: str | None = None,
    valid_from: datetime.date | None = None,
    valid_to: datetime.date | None = None,
    public_code: str = "",
    actor: User | None = None,
) -> Unit:
    """Create a unit under ``parent``; a body without its own structure takes its parent's."""
    if structure is None:
        structure = parent.structure if parent else Structure.SHARED
    unit = Unit(
        name=name.strip(),
        kind=kind,
        parent=parent,
        official_code=official_code,
        structure=structure,
        valid_from=valid_from,
        valid_to=valid_to,
        public_code=public_code or unit_public_code(name=name, official_code=official_code, structure=structure),
        search_name=fold_diacritics(name),
        path="/pending/",
    )
    unit.full_clean(exclude=["path"])
    save_with_history(unit, actor=actor)
    unit.path = ""
    _set_tree_position(unit)
    return unit


@transaction.atomic
def unit_update(*, unit: Unit, actor: User | None = None, **fields) -> Unit:
    """Change a unit's name, kind, dates or parent; the public code stays (it is printed on posters)."""
    parent_changed = "parent" in fields and fields["parent"] != unit.parent
    if parent_changed and fields["parent"] is not None and is_within(fields["parent"], unit):
        raise ValidationError({"parent": _("A unit cannot be moved under itself or its own sub-units.")})
    for field, value in fields.items():
        setattr(unit, field, value)
    unit.search_name = fold_diacritics(unit.name)
    unit.full_clean()
    save_with_history(unit, actor=actor)
    if parent_changed:
        _set_tree_position(unit)
    return unit


def unit_create_sub_body(*, actor: User, parent: Unit, name: str, kind: str) -> Unit:
    """An admin adds a department or other body under a unit they manage."""
    if kind not in (UnitKind.DEPARTMENT, UnitKind.PUBLIC_SERVICE, UnitKind.OTHER):
        raise ValidationError({"kind": _("Only departments and other bodies can be added by hand.")})
    require(actor, Capability.MANAGE_UNITS, parent)
    return unit_create(name=name, kind=kind, parent=parent, actor=actor)


@transaction.atomic
def unit_contact_update(*, actor: User, unit: Unit, hotline: str, address: str) -> Unit:
    """The hotline and address printed on the unit's feedback poster (and shown to citizens), by the unit's head, the
    office above it or an administrator; recorded in the unit's history."""
    require(actor, Capability.EDIT_UNIT_CONTACT, unit)
    hotline, address = " ".join((hotline or "").split()), " ".join((address or "").split())
    if hotline and not HOTLINE_PATTERN.fullmatch(hotline):
        raise ValidationError({"hotline": _("Enter a phone number: digits, spaces, dots, dashes, brackets and a "
                                            "leading +.")})
    unit.hotline, unit.address = hotline, address
    unit.full_clean(exclude=[field.name for field in Unit._meta.fields if field.name not in ("hotline", "address")])
    return save_with_history(unit, actor=actor, reason=_("Contact details changed"), update_fields=["hotline", "address",
                                                                                                     "updated_at"])


# --- Staff ------------------------------------------------------------------------------------------------

STAFF_EDITABLE_FIELDS = ("staff_code", "full_name", "category", "position", "leadership", "active_from")


def _validated_staff(staff: Staff) -> Staff:
    staff.full_name = " ".join(staff.full_name.split())
    staff.staff_code = staff.staff_code.strip().upper()
    staff.search_name = fold_diacritics(staff.full_name)
    staff.full_clean()
    return staff


@transaction.atomic
def staff_create(
    *,
    actor: User | None,
    unit: Unit,
    staff_code: str,
    full_name: str,
    category: str,
    position: str = "",
    leadership: str = "",
    active_from: datetime.date | None = None,
) -> Staff:
    """Add a staff member to ``unit``."""
    require(actor, Capability.MANAGE_STAFF, unit)
    staff = _validated_staff(
        Staff(
            unit=unit,
            staff_code=staff_code,
            full_name=full_name,
            category=category,
            position=position,
            leadership=leadership,
            active_from=active_from or timezone.localdate(),
        )
    )
    return save_with_history(staff, actor=actor)


@transaction.atomic
def staff_update(*, actor: User | None, staff: Staff, **fields) -> Staff:
    """Change a staff member's details (not their unit: see ``staff_move``)."""
    require(actor, Capability.MANAGE_STAFF, staff.unit)
    unknown = set(fields) - set(STAFF_EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"staff_update cannot change {sorted(unknown)}")
    for field, value in fields.items():
        setattr(staff, field, value)
    _validated_staff(staff)
    return save_with_history(staff, actor=actor)


@transaction.atomic
def staff_move(
    *, actor: User | None, staff: Staff, to_unit: Unit, effective_date: datetime.date, reason: str = ""
) -> Staff:
    """Move a staff member to another unit; the actor must manage both the old and the new unit."""
    require(actor, Capability.MANAGE_STAFF, staff.unit)
    require(actor, Capability.MANAGE_STAFF, to_unit)
    if to_unit.pk == staff.unit_id:
        raise ValidationError({"to_unit": _("The staff member already belongs to this unit.")})
    unit_require_open(to_unit, effective_date, field="to_unit")
    StaffTransfer.objects.create(
        staff=staff,
        from_unit=staff.unit,
        to_unit=to_unit,
        effective_date=effective_date,
        reason=reason,
        created_by=actor,
    )
    staff.unit = to_unit
    return save_with_history(staff, actor=actor, reason=reason, update_fields=["unit", "updated_at"])


@transaction.atomic
def staff_move_from_predecessors(
    *,
    actor: User | None,
    unit: Unit,
    effective_date: datetime.date,
    staff_ids: list[int] | None = None,
    reason: str = "",
) -> list[Staff]:
    """Move the active staff of the units ``unit`` was formed from (the merge map) into ``unit`` in one step: all of
    them, or those of ``staff_ids``. Each move leaves a transfer record and a history row; the staff members'
    ratings, pledges, violations and feedback stay with the units they belong to.

    The right checked is the right to manage the staff of ``unit``: its officer usually has no scope over the
    former units (they sit under a dissolved district), and may move their staff all the same. A constant
    number of queries, however many people move.
    """
    require(actor, Capability.MANAGE_STAFF, unit)
    today = timezone.localdate()
    unit_require_open(unit, today)
    if effective_date > today:
        raise ValidationError({"effective_date": _("The effective date cannot be in the future.")})
    if unit.valid_from is not None and effective_date < unit.valid_from:
        raise ValidationError(
            {"effective_date": _("%(unit)s exists only since %(day)s: the move cannot take effect before.")
             % {"unit": unit.name, "day": date_format(unit.valid_from, "d/m/Y")}}
        )
    reason = reason.strip()
    candidates = Staff.objects.select_for_update(of=("self",)).filter(unit__in=unit.merged_from.all()).active_on(today)
    if staff_ids is not None:
        wanted = set(staff_ids)
        if not wanted:
            raise ValidationError({"staff": _("Tick at least one staff member to move.")})
        candidates = candidates.filter(pk__in=wanted)
    movers = list(candidates.select_related("unit").order_by("unit__name", "full_name", "pk"))
    if staff_ids is not None and len(movers) != len(wanted):
        raise ValidationError(
            {"staff": _("Some of the ticked staff are no longer active in the former units; reload the page and try again.")}
        )
    if not movers:
        raise ValidationError(_("No active staff member is left in the units %(unit)s was formed from.") % {"unit": unit.name})
    StaffTransfer.objects.bulk_create(
        [
            StaffTransfer(staff=person, from_unit_id=person.unit_id, to_unit=unit, effective_date=effective_date,
                          reason=reason, created_by=actor)
            for person in movers
        ]
    )
    now = timezone.now()
    for person in movers:
        person.unit, person.updated_at = unit, now
    bulk_update_with_history(
        movers, Staff, ["unit", "updated_at"], batch_size=500, default_user=actor,
        default_change_reason=reason[:CHANGE_REASON_LENGTH] or None,
    )
    return movers


@transaction.atomic
def staff_deactivate(*, actor: User | None, staff: Staff, last_day: datetime.date, reason: str = "") -> Staff:
    """End a staff member's activity on ``last_day`` (retired, left, transferred out of the portal)."""
    require(actor, Capability.MANAGE_STAFF, staff.unit)
    if last_day < staff.active_from:
        raise ValidationError({"last_day": _("The last day cannot be before the staff member started.")})
    staff.active_to = last_day
    return save_with_history(staff, actor=actor, reason=reason, update_fields=["active_to", "updated_at"])


@transaction.atomic
def staff_reactivate(*, actor: User | None, staff: Staff) -> Staff:
    """Make a former staff member active again (their last day is cleared)."""
    require(actor, Capability.MANAGE_STAFF, staff.unit)
    staff.active_to = None
    return save_with_history(staff, actor=actor, update_fields=["active_to", "updated_at"])


# --- Roles ------------------------------------------------------------------------------------------------


@transaction.atomic
def role_assign(*, user: User, unit: Unit, role: str, actor: User | None = None) -> RoleAssignment:
    """Give ``user`` the ``role`` over ``unit`` and its subtree (idempotent)."""
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    require(actor, Capability.MANAGE_USERS, unit)
    assignment, _created = RoleAssignment.objects.get_or_create(user=user, unit=unit, role=role)
    user.__dict__.pop("_conduct_scope", None)
    return assignment
