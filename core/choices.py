"""Vocabularies shared by every app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class JobStatus(models.TextChoices):
    """Where a background job (a quarterly report, a large export) stands."""

    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Running")
    SUCCESS = "success", _("Ready")
    FAILED = "failed", _("Failed")


# A job still to finish: waiting for a worker, or being built.
ACTIVE_JOB_STATUSES = (JobStatus.PENDING, JobStatus.RUNNING)
