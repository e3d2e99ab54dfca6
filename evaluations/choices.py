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


class PointsSource(models.TextChoices):
    """Where a sheet row's points come from: a starting point until a rater saves the row, then the rater."""

    BASELINE = "baseline", _("the scheme's starting points")
    LAST_PERIOD = "last_period", _("the period before")
    SELF_ASSESSMENT = "self", _("the self-assessment")
    RATER = "rater", _("the rater")


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


class DisciplineForm(models.TextChoices):
    """Forms of discipline of civil servants (Law on Cadres and Civil Servants, Decree 112/2020/NĐ-CP and its
    amendments), from the lightest to the heaviest: ``DISCIPLINE_ORDER`` keeps that order."""

    REPRIMAND = "reprimand", _("Reprimand")
    WARNING = "warning", _("Warning")
    SALARY_STEP_REDUCTION = "salary_step_reduction", _("Salary-step reduction")
    DEMOTION = "demotion", _("Demotion")
    DISMISSAL = "dismissal", _("Dismissal from post")
    FORCED_TERMINATION = "forced_termination", _("Forced termination")


# Lightest first: a trigger "warning" is met by a warning or anything heavier.
DISCIPLINE_ORDER = tuple(DisciplineForm)


class DisciplineStatus(models.TextChoices):
    """Where the handling of a violation stands: proposed → decided → (appealed → decided again, or cancelled)
    → closed; a proposal may also end cancelled (no discipline)."""

    PROPOSED = "proposed", _("Proposed")
    DECIDED = "decided", _("Decided")
    APPEALED = "appealed", _("Appealed")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


# A decision that stands (in force, under appeal — an appeal does not suspend it — or served).
SANCTION_STATUSES = (DisciplineStatus.DECIDED, DisciplineStatus.APPEALED, DisciplineStatus.CLOSED)


class AnnualMethod(models.TextChoices):
    """How the year's grade is computed from its periods."""

    AVERAGE_POINTS = "average_points", _("Average of the periods' points, graded by the thresholds")


class AnnualStatus(models.TextChoices):
    """A unit's annual classification list: open (self-assessment, the head's review) → submitted by the head
    → approved by the level above, which locks it."""

    OPEN = "open", _("Open")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved and locked")
