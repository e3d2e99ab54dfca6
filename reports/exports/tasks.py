"""Background jobs of the reports app: large Excel exports, and the removal of their files once expired."""

from celery import shared_task

from reports.exports import services as export_services

__all__ = ["export_build", "export_files_purge"]


@shared_task(name="reports.export_build", bind=True, acks_late=True, reject_on_worker_lost=True)
def export_build(self, job_id: int) -> None:
    """Write the workbook of an export job (claimed by this delivery's task id: a redelivered message after
    a worker died finishes the job, a stray second one does nothing)."""
    export_services.export_job_build(job_id=job_id, task_id=self.request.id)


@shared_task(name="reports.export_files_purge")
def export_files_purge() -> int:
    """Celery beat: remove the files of exports past their expiry date (the rows stay, marked expired)."""
    return export_services.export_files_purge()
