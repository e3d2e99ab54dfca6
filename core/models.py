"""Abstract models shared by the apps (no tables of their own)."""

import datetime
from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.choices import ACTIVE_JOB_STATUSES, JobStatus


class BackgroundJob(models.Model):
    """What every long job records: who asked, with which parameters, how far it got, the file it made, and
    why it failed. A Celery task claims the row with a conditional update (``core.jobs``), so a job runs
    once even when its message is delivered twice.

    ``heartbeat_at`` is the job's last sign of life (queued, claimed, progress, or the running worker's periodic
    beat) and ``sent_at`` when the queue accepted its message (empty while the broker could not be reached): a
    job whose worker died, or whose message never left, is found by them and sent again (``core.jobs``).
    ``job_task_name`` names the Celery task that builds a concrete model's rows."""

    job_task_name: ClassVar[str] = ""

    status = models.CharField(_("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.PENDING)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0, validators=[MaxValueValidator(100)])
    progress_note = models.CharField(_("current step"), max_length=200, blank=True)
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    task_id = models.CharField(max_length=64, blank=True, editable=False)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.TextField(_("reason of the failure"), blank=True)
    file = models.FileField(_("file"), blank=True, max_length=300)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(_("sent to the queue at"), null=True, blank=True, editable=False)

    class Meta:
        abstract = True

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_JOB_STATUSES

    @property
    def is_ready(self) -> bool:
        return self.status == JobStatus.SUCCESS and bool(self.file)

    @property
    def last_sign_of_life(self) -> datetime.datetime:
        return self.heartbeat_at or self.started_at or self.created_at

    @property
    def is_stale(self) -> bool:
        """Waiting or running, with no sign of life for ``JOB_STALE_AFTER`` seconds: its worker died or its
        message was lost. The sweeper sends it again; its requester may retry it at once."""
        limit = datetime.timedelta(seconds=settings.JOB_STALE_AFTER)
        return self.is_active and self.last_sign_of_life is not None and self.last_sign_of_life < timezone.now() - limit

    @property
    def is_unsent(self) -> bool:
        """Waiting for the task queue to accept its message (the broker was unreachable when it was asked)."""
        return self.status == JobStatus.PENDING and self.sent_at is None
