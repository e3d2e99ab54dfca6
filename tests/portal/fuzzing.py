"""What the fuzz tests (``test_fuzz_*.py``) share: the hypothesis profiles, a savepoint per example, media checks.

Two profiles, chosen with the environment variable ``HYPOTHESIS_PROFILE`` (default ``ci``):

- ``ci``: Hypothesis's own CI profile (derandomised, no example database) with a number of examples that keeps
  each fuzz target within about half a minute on PostgreSQL; what ``make test`` and CI run;
- ``fuzz``: 1,000 random examples per target, for a deliberate fuzz run::

      HYPOTHESIS_PROFILE=fuzz .venv/bin/python -m pytest -p no:cacheprovider -q tests/portal/test_fuzz_*.py

The profiles are applied with ``fuzz_settings(...)`` to the fuzz tests only: other hypothesis tests of the suite
keep the settings they declare.

Each example runs in a savepoint rolled back at its end (``rolled_back``), so examples never see each other's
rows; the invariants (nothing saved on a refusal) are checked inside it, before the rollback.
"""

from __future__ import annotations

from contextlib import contextmanager
import os
from pathlib import Path

from django.conf import settings as django_settings
from django.db import transaction
from hypothesis import HealthCheck, settings

_SLOW_IS_FINE = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large]

settings.register_profile(
    "ci", settings.get_profile("ci"), deadline=None, suppress_health_check=_SLOW_IS_FINE, max_examples=100,
)
settings.register_profile(
    "fuzz", deadline=None, suppress_health_check=_SLOW_IS_FINE, max_examples=1000, database=None, print_blob=True,
)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")


def fuzz_settings(*, ci_examples: int) -> settings:
    """The selected profile for one fuzz target; under ``ci``, ``ci_examples`` examples (measured to fit the
    target's time budget); under any other profile, what the profile says."""
    profile = settings.get_profile(PROFILE)
    if PROFILE == "ci":
        return settings(profile, max_examples=ci_examples)
    return settings(profile)


@contextmanager
def rolled_back():
    """A savepoint for one example: everything it wrote is undone at the end, whatever happened."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def media_files() -> set[Path]:
    """Every file under MEDIA_ROOT right now."""
    root = Path(django_settings.MEDIA_ROOT)
    return {path for path in root.rglob("*") if path.is_file()} if root.exists() else set()


def assert_not_5xx(response) -> None:
    assert response.status_code < 500, f"server error {response.status_code}"
