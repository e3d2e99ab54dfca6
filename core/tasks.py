"""Background jobs of core: the sweeper that sends again the jobs whose worker died or whose message was lost."""

from celery import shared_task

from core import jobs

__all__ = ["background_jobs_sweep"]


@shared_task(name="core.background_jobs_sweep")
def background_jobs_sweep() -> dict:
    """Celery beat, every minute: send again the background jobs (quarterly reports, exports) that show no sign
    of life for ``JOB_STALE_AFTER`` seconds or whose message could not be sent (``core.jobs``)."""
    return jobs.background_jobs_sweep()
