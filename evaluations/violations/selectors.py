"""Reads for violations of the code: the list in the user's scope, and what recording one offers (the staff
the user may record against, the articles of the staff code)."""

from __future__ import annotations

from django.db.models import QuerySet

from core.dates import month_end
from evaluations.models import Violation
from pledges.choices import VersionStatus
from pledges.models import Article
from units.models import Staff, Unit
from units.scope import Capability

STAFF_CODE_SLUG = "qd-522-2017"  # Quy tắc ứng xử của cán bộ, công chức, viên chức… (522/QĐ-UBND)


def violation_list(*, user, unit: Unit | None = None, month=None) -> QuerySet:
    """Violations of the units the user may see (under ``unit``, in ``month`` if given), newest first, joined."""
    violations = Violation.objects.visible_to(user)
    if unit is not None:
        violations = violations.within(unit)
    if month is not None:
        violations = violations.filter(occurred_on__gte=month, occurred_on__lte=month_end(month))
    return violations.select_related("staff", "unit", "article", "recorded_by").order_by("-occurred_on", "-id")


def recordable_staff(user) -> QuerySet:
    """Staff of the units where ``user`` may record violations, with their unit."""
    return Staff.objects.select_related("unit").where_user_can(user, Capability.RECORD_VIOLATIONS)


def code_articles() -> QuerySet:
    """The articles of the published version of the staff code, in order."""
    return Article.objects.filter(
        chapter__version__code__slug=STAFF_CODE_SLUG, chapter__version__status=VersionStatus.PUBLISHED
    ).order_by("chapter__number", "number")
