"""The life of a background job row (``core.models.BackgroundJob``): queued after commit, claimed once by
a conditional update, its progress saved as it goes, its file written locally, saved through the storage API under
a new name and the row switched to it in one update, and a failure recorded with its reason.

Celery delivers a message again when a worker's pool process died before acknowledging it (``acks_late`` with
``reject_on_worker_lost``). The redelivered message carries the same task id, so it may claim a row left
RUNNING by the dead process; any other task id is refused, so a job never runs twice side by side.

When the whole worker dies (``kill -9``, a lost machine), Redis gives the message back only after its visibility
timeout (hours); when the broker is down, the message is never sent at all. Neither fails or strands the job:

- sending never raises into the request that asked for the job: the row stays PENDING with no ``sent_at``;
- a running job shows it is alive: ``heartbeat_at`` is set when it is queued, claimed, at each progress step
  and, from a thread of the worker, every fifth of ``JOB_STALE_AFTER`` during long steps;
- Celery beat runs ``background_jobs_sweep`` every minute: a job RUNNING or PENDING without a sign of life for
  ``JOB_STALE_AFTER`` seconds (its worker died, or its message was lost), or PENDING and still unsent after
  ``SEND_GRACE``, gets a fresh task id and is sent again. The old message, should it ever come back, is refused
  by the task-id claim, and a run that was only slow finds its row taken (``JobSuperseded``) and stops, so the
  job finishes once. A job whose worker stopped ``JOB_MAX_ATTEMPTS`` times is marked FAILED instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
import datetime
import logging
import os
from pathlib import Path
import secrets
import tempfile
import threading
import uuid

from celery import current_app
from django.apps import apps
from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connections, models, transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from core.choices import ACTIVE_JOB_STATUSES, JobStatus
from core.models import BackgroundJob

logger = logging.getLogger(__name__)

# A request sends its job's message right after its commit: a row still unsent this long after was not sent
# because the broker could not be reached.
SEND_GRACE = datetime.timedelta(seconds=30)


class JobSuperseded(Exception):
    """This run no longer owns its job: the sweeper gave the row to a new task (the run looked dead)."""


def _task(name: str):
    """The task registered under ``name``. Celery imports the apps' task modules only in a worker: the web
    process has them discovered on first use. An unknown name is a programming error: KeyError."""
    if name not in current_app.tasks:
        current_app.autodiscover_tasks(force=True)
    return current_app.tasks[name]


def _send(model: type[models.Model], pk: int, task_id: str, task_name: str = "") -> None:
    """Send ``task(pk)`` with ``task_id`` once the current transaction commits (at once outside one), and note
    when the broker accepted it. A broker that cannot be reached is logged, never raised: the row stays PENDING
    without ``sent_at`` and the sweeper sends it when the broker is back."""
    task = _task(task_name or model.job_task_name)

    def send() -> None:
        try:
            task.apply_async(args=[pk], task_id=task_id)
        except Exception:  # kombu's OperationalError, redis' ConnectionError from the result backend, …
            logger.warning("%s %s: task %s not sent (broker unreachable?); it stays waiting and will be sent again",
                           model.__name__, pk, task_id, exc_info=True)
            return
        model._default_manager.filter(pk=pk, task_id=task_id, sent_at__isnull=True).update(sent_at=timezone.now())

    transaction.on_commit(send)


def job_enqueue(job: models.Model, task_name: str = "") -> None:
    """Give the job a fresh task id and send the task named ``task_name`` (default: the model's
    ``job_task_name``) as ``task(job.pk)`` once the current transaction commits (a worker never looks for a row
    that is not there yet). The task is found by its name, so a service never imports the task module that
    calls it back. A new request starts counting attempts again; the send never raises (see ``_send``)."""
    job.task_id = uuid.uuid4().hex
    job.status, job.progress, job.progress_note, job.error, job.attempts = JobStatus.PENDING, 0, "", "", 0
    job.started_at = job.finished_at = job.sent_at = None
    job.heartbeat_at = timezone.now()
    job.save(update_fields=["task_id", "status", "progress", "progress_note", "error", "attempts", "started_at",
                            "finished_at", "sent_at", "heartbeat_at"])
    _send(type(job), job.pk, job.task_id, task_name)


def job_claim(model: type[models.Model], *, pk: int, task_id: str):
    """The job, now RUNNING, if this delivery may run it; ``None`` when another task owns it or it is done."""
    claimed = model.objects.filter(
        pk=pk, task_id=task_id, status__in=ACTIVE_JOB_STATUSES
    ).update(status=JobStatus.RUNNING, started_at=timezone.now(), heartbeat_at=timezone.now(), attempts=F("attempts") + 1,
             progress=0, error="")
    if not claimed:
        logger.info("%s %s: not claimed by task %s (already done, or owned by another task)", model.__name__, pk, task_id)
        return None
    return model.objects.get(pk=pk)


def job_progress(job: models.Model, percent: int, note: str = "") -> None:
    """Record how far the job got, and that it is alive (outside any transaction of the job, so the page sees
    it at once). Raises ``JobSuperseded`` when the row was given to another task meanwhile."""
    job.progress, job.progress_note = max(0, min(100, int(percent))), str(note)[:200]
    updated = type(job)._default_manager.filter(pk=job.pk, task_id=job.task_id).update(
        progress=job.progress, progress_note=job.progress_note, heartbeat_at=timezone.now()
    )
    if not updated:
        raise JobSuperseded(f"{type(job).__name__} {job.pk} is no longer owned by task {job.task_id}")


def _unique_name(relative_name: str) -> str:
    """``relative_name`` with a random suffix before its extension (``reports/q/x/2026-q1.xlsx`` →
    ``reports/q/x/2026-q1-3f9c2a1b7d.xlsx``): a new file never replaces one a reader may be downloading."""
    folder, _slash, base = relative_name.rpartition("/")
    stem, dot, extension = base.rpartition(".")
    if not dot:
        stem, extension = base, ""
    name = f"{stem}-{secrets.token_hex(5)}" + (f".{extension}" if extension else "")
    return f"{folder}/{name}" if folder else name


def write_atomically(relative_name: str, write: Callable[[Path], object]) -> tuple[str, object]:
    """Let ``write(path)`` fill a local temporary file (in the system's temporary folder, never the media folder),
    then save it through the storage API (``default_storage``: the file system or an object store) under a new
    name made from ``relative_name`` and a random suffix. Returns that name and what ``write`` returned.

    Nothing refers to the new name until the job's row is switched to it in one update (``job_succeed``, which
    then removes the job's previous file): a reader, on any machine, sees the old file or the new one, never half
    of one, and a failed or retried run leaves the current file alone."""
    suffix = Path(relative_name).suffix
    handle, temporary = tempfile.mkstemp(prefix="conduct-", suffix=suffix)
    os.close(handle)
    local = Path(temporary)
    try:
        result = write(local)
        with local.open("rb") as content:
            name = default_storage.save(_unique_name(relative_name), File(content, name=local.name))
    finally:
        local.unlink(missing_ok=True)
    return name, result


def _storage_delete(name: str) -> None:
    """Remove a stored file that nothing refers to any more; a file already gone, or a storage that cannot be
    reached (the file is then left over, harmless), is logged, never raised into the job."""
    try:
        default_storage.delete(name)
    except Exception:
        logger.warning("Stored file %s could not be removed", name, exc_info=True)


def job_succeed(job: models.Model, *, file_name: str = "", **fields) -> None:
    """Mark the job done with its file (and any other fields, e.g. ``data``, ``row_count``), in one update of its
    row. With a new ``file_name`` (from ``write_atomically``), the file the row named before (an earlier run's) is
    removed once the update is committed. When the row is no longer this run's (the sweeper gave it to another
    task), the new file is removed instead and ``JobSuperseded`` is raised."""
    now = timezone.now()
    values = {"status": JobStatus.SUCCESS, "progress": 100, "progress_note": "", "finished_at": now, "error": "", **fields}
    if file_name:
        values["file"] = file_name
    rows = type(job)._default_manager.filter(pk=job.pk, task_id=job.task_id)
    with transaction.atomic():
        previous = rows.select_for_update().values_list("file", flat=True).first() if file_name else None
        updated = rows.update(**values)
    if not updated:
        if file_name:
            _storage_delete(file_name)
            raise JobSuperseded(f"{type(job).__name__} {job.pk} is no longer owned by task {job.task_id}")
        return
    if previous and previous != file_name:
        transaction.on_commit(lambda: _storage_delete(previous))
    for name, value in values.items():
        setattr(job, name, value)


def job_fail(job: models.Model, reason: str) -> None:
    """Record the failure and its reason; the page offers to try again."""
    type(job)._default_manager.filter(pk=job.pk, task_id=job.task_id).update(
        status=JobStatus.FAILED, error=str(reason)[:2000], finished_at=timezone.now()
    )
    job.status, job.error = JobStatus.FAILED, str(reason)[:2000]


@contextmanager
def _heartbeat(job: models.Model) -> Iterator[None]:
    """While the block runs, a thread marks the job alive every fifth of ``JOB_STALE_AFTER`` (a long step between
    two progress updates must not look like a dead worker). It dies with the worker, which is the point."""
    stop = threading.Event()
    interval = max(1.0, settings.JOB_STALE_AFTER / 5)
    rows = type(job)._default_manager.filter(pk=job.pk, task_id=job.task_id, status=JobStatus.RUNNING)

    def beat() -> None:
        try:
            while not stop.wait(interval):
                if not rows.update(heartbeat_at=timezone.now()):
                    return  # finished, or given to another task: nothing left to keep alive
        except Exception:
            logger.exception("%s %s: heartbeat failed", type(job).__name__, job.pk)
        finally:
            connections.close_all()  # this thread's own connections

    thread = threading.Thread(target=beat, name=f"heartbeat-{type(job).__name__}-{job.pk}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def job_run(job: models.Model, body: Callable[[], None]) -> None:
    """Run ``body`` while a heartbeat keeps the job alive; any error marks the job FAILED with its reason (and is
    logged), never silently lost. A run whose row was given to another task stops without touching it."""
    try:
        with _heartbeat(job):
            body()
    except JobSuperseded:
        logger.warning("%s %s: given to another task while task %s ran it; this run stops", type(job).__name__,
                       job.pk, job.task_id)
    except Exception as error:
        logger.exception("%s %s failed", type(job).__name__, job.pk)
        job_fail(job, f"{type(error).__name__}: {error}")


# --- The sweeper (Celery beat) -------------------------------------------------------------------------------


def job_models() -> list[type[BackgroundJob]]:
    """Every concrete job model whose rows a Celery task builds."""
    return [model for model in apps.get_models() if issubclass(model, BackgroundJob) and model.job_task_name]


def _stuck(*, now: datetime.datetime, stale_after: datetime.timedelta) -> Q:
    """Rows to send again (on a queryset with the ``sign_of_life`` alias): waiting or running without a sign of
    life for ``stale_after``, or waiting and still unsent after ``SEND_GRACE``."""
    return Q(status__in=ACTIVE_JOB_STATUSES, sign_of_life__lt=now - stale_after) | Q(
        status=JobStatus.PENDING, sent_at__isnull=True, sign_of_life__lt=now - min(SEND_GRACE, stale_after)
    )


def background_jobs_sweep(*, now: datetime.datetime | None = None, stale_after: datetime.timedelta | None = None) -> dict:
    """Celery beat, every minute: send again every job whose worker died or whose message was lost or never
    sent (``_stuck``), under a fresh task id, so the old message is refused if it ever comes back. Each row is
    taken with a conditional update (its task id and its staleness unchanged), so a job that just showed a sign
    of life, or that another sweep took, is left alone. A job that was running and whose worker stopped
    ``JOB_MAX_ATTEMPTS`` times is marked FAILED with the reason instead (a job that kills its worker must not
    loop). Returns how many were sent again and failed."""
    now = now or timezone.now()
    stale_after = stale_after if stale_after is not None else datetime.timedelta(seconds=settings.JOB_STALE_AFTER)
    counts = {"resent": 0, "failed": 0}
    for model in job_models():
        stuck = model._default_manager.alias(sign_of_life=Coalesce("heartbeat_at", "started_at", "created_at")).filter(
            _stuck(now=now, stale_after=stale_after)
        )
        for pk, task_id, status, attempts in stuck.order_by("pk").values_list("pk", "task_id", "status", "attempts"):
            row = stuck.filter(pk=pk, task_id=task_id, status=status)
            if status == JobStatus.RUNNING and attempts >= settings.JOB_MAX_ATTEMPTS:
                reason = (f"The job stopped without finishing {attempts} times (its worker died or was stopped); "
                          "it was not started again.")
                if row.update(status=JobStatus.FAILED, error=reason, finished_at=now):
                    logger.error("%s %s: %s", model.__name__, pk, reason)
                    counts["failed"] += 1
                continue
            new_task_id = uuid.uuid4().hex
            if row.update(task_id=new_task_id, status=JobStatus.PENDING, progress=0, progress_note="", heartbeat_at=now,
                          sent_at=None):
                logger.warning("%s %s: %s task %s showed no sign of life; sent again as task %s", model.__name__, pk,
                               status, task_id, new_task_id)
                _send(model, pk, new_task_id)
                counts["resent"] += 1
    return counts
