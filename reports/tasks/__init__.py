"""Background jobs of the reports app (found by Celery's autodiscovery through this package)."""

from reports.tasks.exports import *  # noqa: F401,F403
from reports.tasks.quarterly import *  # noqa: F401,F403
