"""Background jobs of the reports app (found by Celery's autodiscovery through this package)."""

from reports.annual.tasks import *  # noqa: F403
from reports.exports.tasks import *  # noqa: F403
from reports.quarterly.tasks import *  # noqa: F403
