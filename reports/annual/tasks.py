"""Background jobs of the reports app: the annual summary (tổng kết năm), built by Celery."""

from celery import shared_task

from reports.annual import services

__all__ = ["annual_report_build", "annual_reports_build_past_year"]


@shared_task(name="reports.annual_report_build", bind=True, acks_late=True, reject_on_worker_lost=True)
def annual_report_build(self, report_id: int) -> str | None:
    """Build one annual summary. Acknowledged only once done: a worker that dies mid-job gets the message
    redelivered with the same task id, which may take over the row it left RUNNING. Returns the file name."""
    report = services.annual_report_build(report_id=report_id, task_id=self.request.id)
    return report.file.name if report is not None and report.file else None


@shared_task(name="reports.annual_reports_build_past_year")
def annual_reports_build_past_year() -> int:
    """Celery beat, in January: request the past year's summary of every province and city and every ward and
    commune in force (idempotent: existing summaries are reused). Returns how many summaries it concerns."""
    return len(services.annual_reports_request_past_year())
