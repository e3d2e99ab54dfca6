"""Fixed vocabularies of citizen feedback."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class FeedbackKind(models.TextChoices):
    PRAISE = "praise", _("Praise")
    ATTITUDE = "attitude", _("Attitude of a staff member")
    HARASSMENT = "harassment", _("Harassment or petty corruption")
    DELAY = "delay", _("Delay in handling a file")
    FACILITIES = "facilities", _("Facilities")
    OTHER = "other", _("Other")


class Channel(models.TextChoices):
    WEB = "web", _("Public web form")
    HOTLINE = "hotline", _("Hotline call")
    MAILBOX = "mailbox", _("Feedback box slip")
    COMMENT_BOOK = "comment_book", _("Comment book")
    SURVEY_SLIP = "survey_slip", _("Satisfaction survey slip")
    OPEN311 = "open311", _("Partner system (Open311)")


class CaseStatus(models.TextChoices):
    NEW = "new", _("New")
    IN_PROGRESS = "in_progress", _("In progress")
    RESOLVED = "resolved", _("Resolved")
    REJECTED = "rejected", _("Rejected")


# Cases still waiting for the unit, and cases it has closed (resolved or rejected).
OPEN_STATUSES = (CaseStatus.NEW, CaseStatus.IN_PROGRESS)
CLOSED_STATUSES = (CaseStatus.RESOLVED, CaseStatus.REJECTED)


class RejectionReason(models.TextChoices):
    SPAM = "spam", _("Spam")
    DUPLICATE = "duplicate", _("Duplicate")
    NOT_OURS = "not_ours", _("Not for this unit")


class CitizenEvent(models.TextChoices):
    """What the citizen is told about: the official reply, the case closed either way, the case reopened."""

    REPLIED = "replied", _("Replied")
    RESOLVED = "resolved", _("Resolved")
    REJECTED = "rejected", _("Rejected")
    REOPENED = "reopened", _("Reopened")


class MessageChannel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")


class MessageStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Not sent (contact details erased)")
