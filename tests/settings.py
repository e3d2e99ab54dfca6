"""Test settings: the real settings, in development mode, with a throw-away Celery queue and media folder.

DATABASE_URL and REDIS_URL are honoured as in production, so CI runs the suite on PostgreSQL and Redis.
"""

import os
import tempfile
import uuid

os.environ.setdefault("DEBUG", "1")  # the generated development key; pytest-django still runs with DEBUG off

from conduct_portal.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # tests create many users
# A Celery worker that a test starts in a subprocess (tests/reports/test_quarterly_celery.py) is given the run's
# media folder and queue through these variables.
MEDIA_ROOT = Path(os.environ.get("CONDUCT_TEST_MEDIA_ROOT") or tempfile.mkdtemp(prefix="conduct-media-"))  # noqa: F405
# A queue of its own, so a developer's running worker never steals (and runs against the wrong database)
# the tasks of a test run, and two test runs never see each other's tasks.
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CONDUCT_TEST_QUEUE") or f"conduct-test-{uuid.uuid4().hex[:8]}"
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
# Each test run keeps its cache keys (rate limits) apart from other runs sharing the same Redis; the processes one
# test starts (tests/portal/test_several_machines.py) share one, as the machines of one site do.
CACHES["default"]["KEY_PREFIX"] = os.environ.get("CONDUCT_TEST_CACHE_PREFIX") or f"conduct-test-{uuid.uuid4().hex[:8]}"  # noqa: F405
# Celery beat processes started by a test send only a probe, every second, to a queue of the test's that nobody
# reads: the test counts the messages and which process sent each.
if os.environ.get("CONDUCT_TEST_BEAT_PROBE_QUEUE"):
    CELERY_BEAT_SCHEDULE = {"probe": {"task": "tests.beat_probe", "schedule": 1.0,
                                      "options": {"queue": os.environ["CONDUCT_TEST_BEAT_PROBE_QUEUE"]}}}
# Tests change units between requests (dissolved, restored): the public form reads its unit every time.
FEEDBACK_UNIT_CACHE_SECONDS = 0
