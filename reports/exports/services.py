"""Writes of the Excel exports: a background export job asked for, built by the worker, retried when it failed
or got stuck, and its file removed once it expired. Reads for the pages (the user's own jobs, the units they may export) sit at the bottom."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from core.choices import JobStatus
from core.jobs import job_claim, job_enqueue, job_progress, job_run, job_succeed, write_atomically
from core.xlsx import CSV, XLSX
from reports import notifications as report_notifications
from reports.exports.kinds import export_count, export_write
from reports.exports.writer import ExportRequest
from reports.models import ExportJob
from units.models import Unit
from units.scope import Capability, require


def export_file_name(job: ExportJob) -> str:
    """Where a job's file (.xlsx or .csv, as asked) lives under MEDIA_ROOT: one folder per user, named by the job."""
    extension = CSV if (job.parameters or {}).get("format") == CSV else XLSX
    return f"exports/{job.requested_by_id}/{job.pk}-{job.kind}.{extension}"


@transaction.atomic
def export_job_create(*, actor, request: ExportRequest) -> ExportJob:
    """Record a large export asked by ``actor`` (its parameters kept on the row) and queue it for the worker
    once the transaction commits. The unit must be one where ``actor`` may export data."""
    require(actor, Capability.EXPORT_DATA, request.unit)
    job = ExportJob(kind=request.kind, unit=request.unit, requested_by=actor, parameters=request.parameters())
    job.full_clean(exclude=["file"])
    job.save()
    job_enqueue(job, ExportJob.job_task_name)
    return job


def export_job_retry(*, actor, job: ExportJob) -> ExportJob:
    """Queue again one of ``actor``'s own export jobs that failed, or that is stuck (waiting or running with no
    sign of life for ``JOB_STALE_AFTER``: its worker died or its message was lost), under a fresh task id. The
    actor must still be allowed to export the unit. Raises ValidationError for a job running or done."""
    if job.requested_by_id != actor.pk:
        raise Http404
    require(actor, Capability.EXPORT_DATA, job.unit)
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().select_related("unit").get(pk=job.pk)
        if job.status != JobStatus.FAILED and not job.is_stale:
            raise ValidationError(_("Only a failed or stuck export can be tried again."), code="not_failed")
        job_enqueue(job, ExportJob.job_task_name)
    return job


def export_job_build(*, job_id: int, task_id: str) -> ExportJob | None:
    """Build the workbook of job ``job_id`` if this delivery may claim it (``core.jobs.job_claim``).

    The requester's right to export the unit is checked again (a role may have been withdrawn since); the rows
    are those the requester may see. The file is written to a temporary name and moved into place, so a
    redelivered job never leaves half a workbook; progress is saved after every chunk of rows. Any failure is
    recorded on the row with its reason."""
    job = job_claim(ExportJob, pk=job_id, task_id=task_id)
    if job is None:
        return None

    def body():
        requester = job.requested_by
        try:
            if not requester.is_active:
                raise PermissionDenied
            require(requester, Capability.EXPORT_DATA, job.unit)
        except PermissionDenied as refused:  # the reason is kept on the job's row, for the requester to read
            raise PermissionDenied("the requester may no longer export this unit") from refused
        request = ExportRequest.from_parameters(kind=job.kind, unit=job.unit, parameters=job.parameters)
        total = max(export_count(request=request, user=requester), 1)

        def progress(done: int) -> None:
            job_progress(job, min(99, 100 * done // total), f"{done} / {total}")

        name, rows = write_atomically(
            export_file_name(job),
            lambda path: export_write(request=request, user=requester, target=path, on_progress=progress),
        )
        job_succeed(
            job,
            file_name=name,
            row_count=rows,
            expires_at=timezone.now() + datetime.timedelta(days=settings.EXPORT_RETENTION_DAYS),
        )

    job_run(job, body)
    report_notifications.job_finished(job)
    return job


def export_files_purge(*, now: datetime.datetime | None = None) -> int:
    """Remove the files of export jobs past ``expires_at``; each row stays, without its file, and shows as
    expired. Returns the number of files removed."""
    now = now or timezone.now()
    removed = 0
    for job in ExportJob.objects.filter(expires_at__lte=now).exclude(file="").only("pk", "file"):
        job.file.delete(save=False)  # a file already gone is no error
        ExportJob.objects.filter(pk=job.pk).update(file="")
        removed += 1
    return removed


# --- Reads for the pages ------------------------------------------------------------------------------------


def export_units(*, user) -> QuerySet:
    """Units where ``user`` may export data (each stands for its whole subtree), in tree order."""
    return Unit.objects.where_user_can(user, Capability.EXPORT_DATA).only(
        "pk", "name", "public_code", "path", "depth"
    ).order_by("path")


def export_unit_get_for_user(*, user, public_code: str) -> Unit:
    """The unit named by a form: 404 outside the user's scope, 403 inside it without the right to export."""
    unit = get_object_or_404(Unit.objects.visible_to(user), public_code=public_code)
    require(user, Capability.EXPORT_DATA, unit)
    return unit


def export_jobs_of(*, user) -> QuerySet:
    """The user's own export jobs, newest first (nobody sees another user's exports)."""
    return ExportJob.objects.filter(requested_by=user).select_related("unit").order_by("-created_at", "-pk")


def export_job_get_for_user(*, user, pk: int) -> ExportJob:
    """One of the user's own jobs; anyone else's is a 404, the same as a missing one."""
    return get_object_or_404(export_jobs_of(user=user), pk=pk)


def export_job_get_for_download(*, user, pk: int) -> ExportJob:
    """A finished job of the user whose file is still kept; otherwise 404 (someone else's, expired, not ready)."""
    job = export_job_get_for_user(user=user, pk=pk)
    if job.status != JobStatus.SUCCESS or not job.file or (job.expires_at and job.expires_at <= timezone.now()):
        raise Http404
    return job
