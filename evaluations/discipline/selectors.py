"""Reads for the handling of violations: a violation with its disciplinary decision in the user's scope, and the
decision's history (every status change and version of the follow-up)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from evaluations.models import DisciplinaryDecision, Violation


def violation_get_for_user(*, user, pk: int) -> Violation:
    """A violation of a unit in the user's scope, with its staff member, article, finding and disciplinary
    decision, or 404."""
    return get_object_or_404(
        Violation.objects.visible_to(user).select_related(
            "staff", "unit", "article", "recorded_by", "finding", "discipline", "discipline__created_by",
        ),
        pk=pk,
    )


def discipline_of(violation: Violation) -> DisciplinaryDecision | None:
    """The violation's disciplinary decision, or None (read from what ``violation_get_for_user`` joined)."""
    try:
        return violation.discipline
    except DisciplinaryDecision.DoesNotExist:
        return None


def discipline_history(*, decision: DisciplinaryDecision) -> list:
    """Every saved state of the decision, newest first, with who saved it and why (one query)."""
    records = list(decision.history.select_related("history_user").order_by("-history_date", "-history_id"))
    # Mark what changed against the state before, so the page shows the step and the follow-up's versions.
    for record, previous in zip(records, [*records[1:], None], strict=True):
        record.follow_up_changed = previous is None and bool(record.follow_up) or (
            previous is not None and record.follow_up != previous.follow_up
        )
        record.status_changed = previous is None or record.status != previous.status
    return records
