"""What a citizen does from the public tracking page once their case is resolved: rate the handling (1–5 and a
comment, once per case) and, when not satisfied, reopen it within ``FEEDBACK_REOPEN_DAYS`` with a reason.

Both take the tracking code (the citizen's only key), lock the case, and refuse with a translated
``ValidationError`` anything but a resolved case (an unknown code gets the same answer as an unresolved one, so the
page tells nothing about other cases); nothing is saved when refused. The citizen is the actor: the history row
names nobody and says what happened.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import save_with_history
from feedback import notifications as feedback_notifications
from feedback.choices import CaseStatus, CitizenEvent
from feedback.citizen.messages import citizen_notify
from feedback.models import FeedbackCase
from feedback.public.services import tracking_code_is_wellformed, tracking_code_normalise
from feedback.staff.services import CASE_WORKFLOW, case_reopened

COMMENT_MAX = 2000
REASON_MAX = 2000


def _resolved_case(tracking_code: str) -> FeedbackCase:
    code = tracking_code_normalise(tracking_code or "")
    case = None
    if tracking_code_is_wellformed(code):
        case = FeedbackCase.objects.select_for_update().select_related("unit").filter(tracking_code=code).first()
    if case is None or case.status != CaseStatus.RESOLVED:
        raise ValidationError(_("Only a resolved case can be rated or reopened."), code="not_resolved")
    return case


def reopen_deadline(case: FeedbackCase) -> datetime.date | None:
    """The last day the citizen may reopen ``case`` (``FEEDBACK_REOPEN_DAYS`` after it was resolved)."""
    if case.status != CaseStatus.RESOLVED or case.closed_at is None:
        return None
    return timezone.localdate(case.closed_at) + datetime.timedelta(days=settings.FEEDBACK_REOPEN_DAYS)


@transaction.atomic
def case_rate(*, tracking_code: str, rating, comment: str = "") -> FeedbackCase:
    """Record the citizen's satisfaction with the handling of their resolved case: ``rating`` 1–5 and an optional
    comment, once per case."""
    case = _resolved_case(tracking_code)
    if case.handling_rated_at is not None:
        raise ValidationError(_("The handling of this case has already been rated."), code="already_rated")
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        rating = 0
    if not 1 <= rating <= 5:
        raise ValidationError({"rating": _("Choose a rating from 1 to 5.")})
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise ValidationError({"comment": _("The comment is too long (at most %(max)s characters).") % {"max": COMMENT_MAX}})
    case.handling_rating, case.handling_comment, case.handling_rated_at = rating, comment, timezone.now()
    case.full_clean(exclude=["violation", "staff", "assigned_to", "recorded_by", "unit"])
    return save_with_history(case, actor=None, reason="rated by the citizen")


@transaction.atomic
def case_reopen(*, tracking_code: str, reason: str, today: datetime.date | None = None) -> FeedbackCase:
    """Reopen the citizen's resolved case, with their reason, within ``FEEDBACK_REOPEN_DAYS`` of its resolution: it
    goes back to the inbox in progress, flagged reopened, due ``FEEDBACK_DUE_WORKING_DAYS`` working days from today,
    and no longer counts as answered on time. The citizen is told (``citizen_notify``). The one place a citizen's
    reopening happens; its assignee and the unit's triagers are told too."""
    case = _resolved_case(tracking_code)
    today = today or timezone.localdate()
    deadline = reopen_deadline(case)
    if deadline is None or today > deadline:
        raise ValidationError(
            _("A case can be reopened only within %(days)s days of its resolution.") % {"days": settings.FEEDBACK_REOPEN_DAYS},
            code="too_late",
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the answer did not solve the problem.")})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": _("The reason is too long (at most %(max)s characters).") % {"max": REASON_MAX}})
    CASE_WORKFLOW.move(case, "reopen", refused=lambda: ValidationError(_("Only a resolved case can be rated or reopened.")))
    case_reopened(case, when=timezone.now(), reason=reason)
    case.full_clean(exclude=["violation", "staff", "assigned_to", "recorded_by", "unit"])
    save_with_history(case, actor=None, reason="reopened by the citizen")
    citizen_notify(case=case, event=CitizenEvent.REOPENED)
    feedback_notifications.case_reopened(case)
    return case
