"""Units in force and the units that replaced them: the one check before new work is opened for a unit.

A unit dissolved by the 2025 reform (its ``valid_to`` passed) keeps its history, but no new sheet, campaign,
visit or feedback case is opened for it; the refusal names the units that replaced it, so the person knows where
to go. Every app asks ``unit_require_open``; pages that list units to choose for new work use
``UnitQuerySet.valid_on``. Neither costs a query for a unit in force: the merge map is read only to explain a refusal.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.utils.formats import date_format
from django.utils.translation import gettext as _, ngettext

from units.models import Unit


def unit_successors(*, unit: Unit) -> list[Unit]:
    """The units that replaced ``unit``, by name: those formed from it (the merge map, ``merged_into``).

    A dissolved district has no successor of its own (the level was abolished); the units formed from its wards
    took over its ground, so they are its successors. Units whose successors are unknown get none.
    """
    successors = list(unit.merged_into.select_related("parent").order_by("name", "pk"))
    if successors or not unit.path:
        return successors
    return list(
        Unit.objects.filter(merged_from__in=Unit.objects.within(unit).exclude(pk=unit.pk))
        .select_related("parent")
        .distinct()
        .order_by("name", "pk")
    )


def unit_predecessors(*, unit: Unit) -> list[Unit]:
    """The units ``unit`` was formed from (the merge map, ``merged_from``), by name."""
    return list(unit.merged_from.select_related("parent").order_by("name", "pk"))


def unit_is_dissolved(unit: Unit, day: datetime.date) -> bool:
    """Had ``unit`` ceased to exist by ``day`` (its last day of validity lies before it)."""
    return unit.valid_to is not None and day > unit.valid_to


def unit_is_open(unit: Unit, day: datetime.date, *, until: datetime.date | None = None) -> bool:
    """Does ``unit`` exist during the period from ``day`` to ``until`` (``day`` alone by default): it was not
    dissolved before the period starts, nor formed after it ends."""
    until = until or day
    return not unit_is_dissolved(unit, day) and (unit.valid_from is None or until >= unit.valid_from)


def unit_replaced(*, unit: Unit, day: datetime.date) -> list[Unit] | None:
    """``None`` while ``unit`` exists on ``day``; once it has been dissolved, the units that replaced it (possibly
    none known). No query for a unit in force."""
    if not unit_is_dissolved(unit, day):
        return None
    return unit_successors(unit=unit)


def unit_label(unit: Unit) -> str:
    """The unit's name, marked "(former)" when it no longer exists (a legacy ward and its successor can share
    a name)."""
    if unit.valid_to is not None:
        return _("%(name)s (former)") % {"name": unit.name}
    return unit.name


def _names(units: list[Unit]) -> str:
    return ", ".join(unit.name for unit in units)


def unit_closed_message(unit: Unit, day: datetime.date, *, until: datetime.date | None = None) -> str:
    """Why nothing can be opened for ``unit`` from ``day`` (to ``until``), naming the units to use instead."""
    if unit_is_dissolved(unit, day):
        successors = unit_successors(unit=unit)
        ended = {"unit": unit_label(unit), "day": date_format(unit.valid_to, "d/m/Y")}
        if not successors:
            return _("%(unit)s ceased to exist on %(day)s. Open this in a unit that exists now.") % ended
        return ngettext(
            "%(unit)s ceased to exist on %(day)s; it was replaced by %(successors)s. Open this in %(successors)s.",
            "%(unit)s ceased to exist on %(day)s; it was replaced by %(successors)s. Open this in one of them.",
            len(successors),
        ) % {**ended, "successors": _names(successors)}
    predecessors = unit_predecessors(unit=unit)
    formed = {"unit": unit.name, "day": date_format(unit.valid_from, "d/m/Y")}
    if not predecessors:
        return _("%(unit)s exists only since %(day)s.") % formed
    return _("%(unit)s exists only since %(day)s; before that day, this belongs to the units it was formed from: "
             "%(predecessors)s.") % {**formed, "predecessors": _names(predecessors)}


def unit_require_open(unit: Unit, day: datetime.date, *, until: datetime.date | None = None, field: str | None = None) -> None:
    """Refuse (ValidationError, code ``unit_closed``) to open new work for ``unit`` over the period from ``day`` to
    ``until``: a sheet of a month, a campaign, a visit, a feedback case. ``field`` keys the error to a form field."""
    if unit_is_open(unit, day, until=until):
        return
    error = ValidationError(unit_closed_message(unit, day, until=until), code="unit_closed")
    raise ValidationError({field: [error]}) if field else error
