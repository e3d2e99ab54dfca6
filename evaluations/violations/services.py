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
from pledges.models import Article
from pledges.selectors import articles_of_code, code_in_force
from units.models import Staff, Unit, User
from units.scope import Capability, require


def require_article_in_force(*, article: Article | None, unit: Unit, day: datetime.date, field: str = "article") -> None:
    """Refuse an article that is not in the published staff code in force for ``unit`` on ``day`` (its province's
    or city's own code, else the national default): a violation cites the rules that bind the person, never
    another province's. A missing article is left to the model's own check."""
    if article is None:
        return
    code = code_in_force(unit=unit, day=day)
    values = {"unit": unit.name, "day": day.strftime("%d/%m/%Y")}
    if code is None:
        raise ValidationError({field: _("No code of conduct is in force for %(unit)s on %(day)s.") % values}, code="no_code")
    if not articles_of_code(code).filter(pk=article.pk).exists():
        cited = Article.objects.select_related("chapter__version__code").get(pk=article.pk).chapter.version.code
        raise ValidationError(
            {field: _(
                "Điều %(number)s of %(cited)s is not an article of the code in force for %(unit)s on %(day)s: "
                "cite an article of %(code)s."
            ) % {**values, "number": article.number, "cited": cited.decision_number, "code": code.decision_number}},
            code="article_not_in_force",
        )


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
    """Record a breach of the code in force for the staff member's unit on that day (an article of another code
    is refused); the month's rating, if its sheet is still editable, is capped at once."""
    require(actor, Capability.RECORD_VIOLATIONS, staff.unit)
    if occurred_on > timezone.localdate():
        raise ValidationError({"occurred_on": _("The date cannot be in the future.")})
    require_article_in_force(article=article, unit=staff.unit, day=occurred_on)
    violation = Violation(
        staff=staff, unit=staff.unit, occurred_on=occurred_on, article=article, severity=severity, source=source,
        description=description.strip(), action_taken=action_taken.strip(), recorded_by=actor,
    )
    violation.full_clean()
    save_with_history(violation, actor=actor)
    rating_regrade(staff=staff, month=month_start(occurred_on), actor=actor)
    return violation
