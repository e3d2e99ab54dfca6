"""Fixed vocabularies of reports, commendation lists and exports."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class JobStatus(models.TextChoices):
    """Where a background job (a quarterly report, a large export) stands."""

    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Running")
    SUCCESS = "success", _("Ready")
    FAILED = "failed", _("Failed")


class CommendationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")


class EntrySource(models.TextChoices):
    """Why a staff member is on a commendation list: the rule picked them, or the district office added them."""

    RULE = "rule", _("By the rule")
    MANUAL = "manual", _("Added by hand")


class ExportKind(models.TextChoices):
    RATINGS = "ratings", _("Monthly ratings")
    FEEDBACK = "feedback", _("Feedback log")
    PLEDGES = "pledges", _("Pledge roster")
    INSPECTIONS = "inspections", _("Inspections")
