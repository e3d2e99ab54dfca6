"""Background jobs of the reports app: the quarterly review (sơ kết quý), built by Celery."""

from celery import shared_task

from reports.quarterly import services

__all__ = ["quarterly_report_build", "quarterly_reports_build_past_quarter"]


@shared_task(name="reports.quarterly_report_build", bind=True, acks_late=True, reject_on_worker_lost=True)
def quarterly_report_build(self, report_id: int) -> str | None:
    """Build one quarterly report. Acknowledged only once done: a worker that dies mid-job gets the message
    redelivered with the same task id, which may take over the row it left RUNNING. Returns the file name."""
    report = services.quarterly_report_build(report_id=report_id, task_id=self.request.id)
    return report.file.name if report is not None and report.file else None


@shared_task(name="reports.quarterly_reports_build_past_quarter")
def quarterly_reports_build_past_quarter() -> int:
    """Celery beat, day 5 after a quarter ends: request the past quarter's report of every province and city and
    every ward and commune in force then (idempotent: existing reports are reused). Returns how many reports it
    concerns."""
    return len(services.reports_request_past_quarter())
