"""Fixed vocabularies of ratings, violations and inspections."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Grade(models.TextChoices):
    """The four national levels (Decree 90/2020, 48/2023), as Hanoi's A/B/C/D."""

    A = "A", _("A — Excellent")
    B = "B", _("B — Good")
    C = "C", _("C — Completed")
    D = "D", _("D — Not completed")


# Best first: a cap "B" allows B, C or D.
GRADE_ORDER = (Grade.A, Grade.B, Grade.C, Grade.D)


class RatingPeriod(models.TextChoices):
    """How often a scheme rates: each month, or each quarter (Decree 335/2025 allows both)."""

    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")


class CapKind(models.TextChoices):
    """What the cap on the best grade is a share of."""

    SHARE_OF_STAFF = "share_of_staff", _("Grade A at most this share of the unit's staff rated")
    SHARE_OF_GOOD = "share_of_good", _("Grade A at most this share of those rated B (good)")


class SheetStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    LOCKED = "locked", _("Locked")


class Severity(models.TextChoices):
    MINOR = "minor", _("Minor")
    SERIOUS = "serious", _("Serious")
    VERY_SERIOUS = "very_serious", _("Very serious")


class ViolationSource(models.TextChoices):
    SUPERVISOR = "supervisor", _("Supervisor")
    INSPECTION = "inspection", _("Inspection")
    CITIZEN_FEEDBACK = "citizen_feedback", _("Citizen feedback")


class VisitKind(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    SURPRISE = "surprise", _("Surprise")


class VisitStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    CLOSED = "closed", _("Closed")


class ItemKind(models.TextChoices):
    ARTICLE = "article", _("Article of the code")
    OFFICE = "office", _("Office check")


class CheckResult(models.TextChoices):
    PASS = "pass", _("Pass")
    FAIL = "fail", _("Fail")
    NOT_APPLICABLE = "na", _("Not applicable")


class ActionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    VERIFIED = "verified", _("Verified")
