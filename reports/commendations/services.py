"""The review of a commendation list, a quarter's or the year's alike, by the level above (the district office
before the reform, the city's department today): remove or add a staff member (each with a reason), restore a
removed one, approve the list. Every change needs ``APPROVE_COMMENDATIONS`` on the list's unit, only a draft
changes, and each is kept with its author and reason (simple-history)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import save_with_history
from reports.choices import CommendationStatus, EntrySource
from reports.commendations.figures import StaffFigures, period_figures, rank_entries
from reports.models import CommendationEntry, CommendationList
from units.scope import Capability, is_within, require


def _locked_list(*, actor, commendation_list: CommendationList) -> CommendationList:
    """The list, locked for the change, after checking the actor may review it and that it is still a draft."""
    require(actor, Capability.APPROVE_COMMENDATIONS, commendation_list.unit)
    locked = CommendationList.objects.select_for_update().select_related("unit").get(pk=commendation_list.pk)
    if locked.status != CommendationStatus.DRAFT:
        raise ValidationError(_("This list is approved: it can no longer change."), code="approved")
    return locked


def _required_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason for this change.")})
    return reason


def _renumber(commendation_list: CommendationList) -> None:
    """Ranks follow the included entries (1, 2, …); derived figures, so they are written without history."""
    entries = list(commendation_list.entries.select_related("staff"))
    rank_entries(entries, {e.staff_id: e.staff.full_name for e in entries})
    CommendationEntry.objects.bulk_update(entries, ["rank"])


def _save_change(entry: CommendationEntry, *, actor, reason: str) -> None:
    entry.changed_by = actor
    entry.changed_at = timezone.now()
    entry.full_clean(exclude=["commendation_list", "staff", "staff_unit", "changed_by"])
    save_with_history(entry, actor=actor, reason=reason)


def commendation_entry_remove(*, actor, entry: CommendationEntry, reason: str) -> CommendationEntry:
    """Take a staff member off the draft list, saying why; the entry stays, struck, with the reason."""
    reason = _required_reason(reason)
    with transaction.atomic():
        _locked_list(actor=actor, commendation_list=entry.commendation_list)
        entry = CommendationEntry.objects.select_for_update().get(pk=entry.pk)
        if not entry.included:
            raise ValidationError(_("This staff member is already off the list."))
        entry.included = False
        entry.reason = reason
        entry.rank = None
        _save_change(entry, actor=actor, reason=reason)
        _renumber(entry.commendation_list)
    return entry


def commendation_entry_add(*, actor, commendation_list: CommendationList, staff, reason: str) -> CommendationEntry:
    """Put a staff member of the list's subtree on the draft list by hand, saying why, with their figures of the
    list's period (a quarter's ratings, or the year's classification). Someone removed before is put back instead."""
    reason = _required_reason(reason)
    with transaction.atomic():
        locked = _locked_list(actor=actor, commendation_list=commendation_list)
        if not is_within(staff.unit, locked.unit):
            raise ValidationError({"staff": _("This staff member does not work in a unit of this list.")})
        entry = CommendationEntry.objects.select_for_update().filter(commendation_list=locked, staff=staff).first()
        if entry is not None and entry.included:
            raise ValidationError({"staff": _("This staff member is already on the list.")})
        fig = period_figures(unit=locked.unit, period=locked.period, staff_ids=[staff.pk]).get(staff.pk)
        if fig is None:
            fig = StaffFigures.blank(
                period=locked.period, staff_id=staff.pk, full_name=staff.full_name, staff_unit_id=staff.unit_id
            )
        if entry is None:
            entry = CommendationEntry(commendation_list=locked, staff=staff, source=EntrySource.MANUAL)
        entry.staff_unit_id = fig.staff_unit_id
        entry.total_score = fig.total_score
        entry.months_rated = fig.months_rated
        entry.grades = fig.grades
        entry.praise_count = fig.praise_count
        entry.included = True
        entry.reason = reason
        _save_change(entry, actor=actor, reason=reason)
        _renumber(locked)
    entry.refresh_from_db()
    return entry


def commendation_entry_restore(*, actor, entry: CommendationEntry, reason: str = "") -> CommendationEntry:
    """Put a removed entry back on the draft list. An entry added by hand keeps the reason it was added for
    unless a new one is given."""
    with transaction.atomic():
        _locked_list(actor=actor, commendation_list=entry.commendation_list)
        entry = CommendationEntry.objects.select_for_update().get(pk=entry.pk)
        if entry.included:
            raise ValidationError(_("This staff member is already on the list."))
        reason = (reason or "").strip()
        entry.included = True
        if entry.source == EntrySource.RULE or reason:
            entry.reason = reason
        _save_change(entry, actor=actor, reason=reason or _("Restored"))
        _renumber(entry.commendation_list)
    entry.refresh_from_db()
    return entry


def commendation_list_approve(*, actor, commendation_list: CommendationList) -> CommendationList:
    """Approve the draft list: from now on it is frozen (neither review nor the rule change it)."""
    with transaction.atomic():
        locked = _locked_list(actor=actor, commendation_list=commendation_list)
        locked.status = CommendationStatus.APPROVED
        locked.approved_by = actor
        locked.approved_at = timezone.now()
        save_with_history(locked, actor=actor, reason=_("Approved"))
    return locked
