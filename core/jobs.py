"""The life of a background job row (``reports.models.BackgroundJob``): queued after commit, claimed once by
a conditional update, its progress saved as it goes, its file written to a temporary name and moved into place,
and a failure recorded with its reason.

Celery delivers a message again when the worker died before acknowledging it (``acks_late`` with
``reject_on_worker_lost``). The redelivered message carries the same task id, so it may claim a row left
RUNNING by the dead worker; any other task id is refused, so a job never runs twice side by side.
"""

from __future__ import annotations

from collections.abc import Callable
import logging
import os
from pathlib import Path
import tempfile
import uuid

from celery import current_app
from django.conf import settings
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

from core.choices import JobStatus

logger = logging.getLogger(__name__)


def job_enqueue(job: models.Model, task_name: str) -> None:
    """Give the job a fresh task id and send the task named ``task_name`` (``task(job.pk)``) once the current
    transaction commits (a worker never looks for a row that is not there yet). The task is found by its name,
    so a service never imports the task module that calls it back."""
    job.task_id = uuid.uuid4().hex
    job.status, job.progress, job.progress_note, job.error = JobStatus.PENDING, 0, "", ""
    job.started_at = job.finished_at = None
    job.save(update_fields=["task_id", "status", "progress", "progress_note", "error", "started_at", "finished_at"])
    task_id, pk = job.task_id, job.pk
    transaction.on_commit(lambda: current_app.tasks[task_name].apply_async(args=[pk], task_id=task_id))


def job_claim(model: type[models.Model], *, pk: int, task_id: str):
    """The job, now RUNNING, if this delivery may run it; ``None`` when another task owns it or it is done."""
    claimed = model.objects.filter(
        pk=pk, task_id=task_id, status__in=(JobStatus.PENDING, JobStatus.RUNNING)
    ).update(status=JobStatus.RUNNING, started_at=timezone.now(), attempts=F("attempts") + 1, progress=0, error="")
    if not claimed:
        logger.info("%s %s: not claimed by task %s (already done, or owned by another task)", model.__name__, pk, task_id)
        return None
    return model.objects.get(pk=pk)


def job_progress(job: models.Model, percent: int, note: str = "") -> None:
    """Record how far the job got (outside any transaction of the job, so the page sees it at once)."""
    job.progress, job.progress_note = max(0, min(100, int(percent))), str(note)[:200]
    type(job).objects.filter(pk=job.pk, task_id=job.task_id).update(progress=job.progress, progress_note=job.progress_note)


def write_atomically(relative_name: str, write: Callable[[Path], object]) -> tuple[str, object]:
    """Let ``write(path)`` fill a temporary file beside ``relative_name`` under MEDIA_ROOT, then move it into
    place in one step: a reader (or a retry) never sees half a file. Returns the name and what ``write``
    returned."""
    target = Path(settings.MEDIA_ROOT) / relative_name
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    os.close(handle)
    try:
        result = write(Path(temporary))
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return relative_name, result


def job_succeed(job: models.Model, *, file_name: str = "", **fields) -> None:
    """Mark the job done with its file (and any other fields, e.g. ``data``, ``row_count``)."""
    now = timezone.now()
    values = {"status": JobStatus.SUCCESS, "progress": 100, "progress_note": "", "finished_at": now, "error": "", **fields}
    if file_name:
        values["file"] = file_name
    type(job).objects.filter(pk=job.pk, task_id=job.task_id).update(**values)
    for name, value in values.items():
        setattr(job, name, value)


def job_fail(job: models.Model, reason: str) -> None:
    """Record the failure and its reason; the page offers to try again."""
    type(job).objects.filter(pk=job.pk, task_id=job.task_id).update(
        status=JobStatus.FAILED, error=str(reason)[:2000], finished_at=timezone.now()
    )
    job.status, job.error = JobStatus.FAILED, str(reason)[:2000]


def job_run(job: models.Model, body: Callable[[], None]) -> None:
    """Run ``body``; any error marks the job FAILED with its reason (and is logged), never silently lost."""
    try:
        body()
    except Exception as error:
        logger.exception("%s %s failed", type(job).__name__, job.pk)
        job_fail(job, f"{type(error).__name__}: {error}")
