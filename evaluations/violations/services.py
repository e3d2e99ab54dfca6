"""Writes for violations of the code: recording one caps that month's grade of the staff member at once.

The grade itself is recomputed by ``evaluations.ratings.services.rating_regrade``: violations depend on ratings,
never the other way round (ratings read violations through ``evaluations.models`` only).
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import save_with_history
from core.dates import month_start
from evaluations.models import Violation
from evaluations.ratings.services import rating_regrade
from units.models import Staff, User
from units.scope import Capability, require


@transaction.atomic
def violation_record(
    *,
    actor: User,
    staff: Staff,
    occurred_on: datetime.date,
    article,
    severity: str,
    source: str,
    description: str,
    action_taken: str = "",
) -> Violation:
    """Record a breach of the code; the month's rating, if its sheet is still editable, is capped at once."""
    require(actor, Capability.RECORD_VIOLATIONS, staff.unit)
    if occurred_on > timezone.localdate():
        raise ValidationError({"occurred_on": _("The date cannot be in the future.")})
    violation = Violation(
        staff=staff, unit=staff.unit, occurred_on=occurred_on, article=article, severity=severity, source=source,
        description=description.strip(), action_taken=action_taken.strip(), recorded_by=actor,
    )
    violation.full_clean()
    save_with_history(violation, actor=actor)
    rating_regrade(staff=staff, month=month_start(occurred_on), actor=actor)
    return violation
