"""Reading the audit trail: every change to ratings, sheets, pledges, feedback, violations and their disciplinary
decisions, the annual classification, inspections and commendations, kept by django-simple-history (who, when, the old and the new value).

Each kind of record is one ``AuditSource``: its history table and the path from a history row to the unit it
belongs to, so the trail is scoped like every page (the units where the user holds ``VIEW_AUDIT``). A page of
the trail takes a constant number of queries: the rows, then the versions just before them, for the diffs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
import datetime

from django.apps import apps
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from units.models import Unit
from units.scope import Capability, scope_for, subtree_q


@dataclass(frozen=True)
class AuditSource:
    key: str
    label: str
    model: str  # "app_label.Model" of the audited model
    unit: str  # lookup from a history row to the unit it belongs to
    related: tuple[str, ...] = ()  # other foreign keys shown in the list
    masked: frozenset[str] = frozenset()  # personal data: the trail says it changed, never what it was

    @property
    def history_model(self):
        return apps.get_model(self.model).history.model


AUDIT_SOURCES: dict[str, AuditSource] = {
    source.key: source
    for source in (
        AuditSource("ratings", _("Ratings"), "evaluations.Rating", "sheet__unit", ("staff",)),
        AuditSource("sheets", _("Monthly sheets"), "evaluations.RatingSheet", "unit"),
        AuditSource("cap_exceptions", _("Exceptional units (cap on grade A)"), "evaluations.CapException", "unit"),
        AuditSource("pledges", _("Pledges"), "pledges.Pledge", "unit", ("staff",)),
        AuditSource(
            "feedback", _("Citizen feedback"), "feedback.FeedbackCase", "unit",
            masked=frozenset({"contact_name", "contact_phone", "contact_email"}),
        ),
        AuditSource("violations", _("Violations"), "evaluations.Violation", "unit", ("staff",)),
        AuditSource("discipline", _("Disciplinary decisions"), "evaluations.DisciplinaryDecision", "violation__unit"),
        AuditSource("annual_lists", _("Annual classification lists"), "evaluations.AnnualList", "unit"),
        AuditSource(
            "annual_rows", _("Annual classification"), "evaluations.AnnualClassification", "annual_list__unit", ("staff",),
        ),
        AuditSource("visits", _("Inspection visits"), "evaluations.InspectionVisit", "unit"),
        AuditSource("findings", _("Inspection findings"), "evaluations.Finding", "visit__unit"),
        AuditSource("actions", _("Corrective actions"), "evaluations.CorrectiveAction", "owner_unit"),
        AuditSource(
            "commendations", _("Commendation lists"), "reports.CommendationEntry", "commendation_list__unit",
            ("staff",),
        ),
    )
}
# Bookkeeping columns of every history row and fields that change on every save: not shown as changes.
NOT_SHOWN = {"version", "updated_at", "updated_by"}
MASK = "•••"


def audit_units(*, user) -> QuerySet:
    """Units whose trail the user may read."""
    return Unit.objects.where_user_can(user, Capability.VIEW_AUDIT)


def audit_trail(
    *,
    user,
    source: AuditSource,
    unit: Unit | None = None,
    actor_id: int | None = None,
    since: datetime.date | None = None,
    until: datetime.date | None = None,
) -> QuerySet:
    """History rows of ``source`` in the user's audit scope (under ``unit``, by ``actor_id``, between two local
    dates, all optional), newest first, with the user who made each change."""
    rows = source.history_model.objects.select_related("history_user", source.unit, *source.related)
    # History tables have no ScopedQuerySet of their own: the scope filters them by the row's unit.
    rows = scope_for(user).filter_capable(rows, Capability.VIEW_AUDIT, source.unit)
    if unit is not None:
        rows = rows.filter(subtree_q(unit, source.unit))
    if actor_id is not None:
        rows = rows.filter(history_user_id=actor_id)
    tz = timezone.get_current_timezone()
    if since is not None:
        rows = rows.filter(history_date__gte=datetime.datetime.combine(since, datetime.time.min, tzinfo=tz))
    if until is not None:
        rows = rows.filter(history_date__lt=datetime.datetime.combine(until + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz))
    return rows.order_by("-history_date", "-history_id")


@dataclass
class AuditEntry:
    record: object
    unit: Unit | None
    subject: str
    changes: list[dict] = field(default_factory=list)


def _follow(record, lookup: str):
    """``record.a.b`` for the lookup "a__b", read from what ``select_related`` loaded (no query)."""
    value = record
    for part in lookup.split("__"):
        value = getattr(value, part, None)
        if value is None:
            return None
    return value


def _subject(source: AuditSource, record) -> str:
    # The history row's own fields only: ``record.instance``'s __str__ would query related rows for every line.
    staff = _follow(record, "staff") if "staff" in source.related else None
    label = f"{apps.get_model(source.model)._meta.verbose_name} #{record.id}"
    return f"{label} — {staff.full_name}" if staff is not None else label


def audit_entries(*, source: AuditSource, records: list) -> list[AuditEntry]:
    """The records of one page, each with what it changed against the version before it (one more query)."""
    if not records:
        return []
    history = source.history_model
    latest = max(r.history_date for r in records)
    earlier: dict[int, list] = {}
    for version in history.objects.filter(id__in={r.id for r in records}, history_date__lte=latest).order_by(
        "id", "history_date", "history_id"
    ):
        earlier.setdefault(version.id, []).append(version)
    entries = []
    for record in records:
        versions = earlier.get(record.id, [])
        position = next((i for i, v in enumerate(versions) if v.history_id == record.history_id), None)
        previous = versions[position - 1] if position else None
        changes = []
        if previous is not None:
            for change in record.diff_against(previous).changes:
                if change.field in NOT_SHOWN:
                    continue
                label = history._meta.get_field(change.field).verbose_name
                if change.field in source.masked:
                    changes.append({"field": label, "old": MASK if change.old else "", "new": MASK if change.new else ""})
                else:
                    changes.append({"field": label, "old": change.old, "new": change.new})
        entries.append(AuditEntry(record=record, unit=_follow(record, source.unit), subject=_subject(source, record), changes=changes))
    return entries
