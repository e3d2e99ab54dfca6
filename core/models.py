"""Abstract models shared by the apps (no tables of their own)."""

from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.choices import JobStatus


class BackgroundJob(models.Model):
    """What every long job records: who asked, with which parameters, how far it got, the file it made, and
    why it failed. A Celery task claims the row with a conditional update (``core.jobs``), so a job runs
    once even when its message is delivered twice."""

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

    class Meta:
        abstract = True

    @property
    def is_active(self) -> bool:
        return self.status in (JobStatus.PENDING, JobStatus.RUNNING)

    @property
    def is_ready(self) -> bool:
        return self.status == JobStatus.SUCCESS and bool(self.file)
