"""``manage.py check --deploy`` warns when a web process would keep what every process must share."""

from django.core import checks
import pytest

from core.checks import shared_cache_check, shared_sessions_check

LOCAL = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
REDIS = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:6379/0"}}


@pytest.mark.parametrize(("debug", "concurrency", "caches", "warned"), [
    (False, 1, LOCAL, True),   # production: gunicorn's workers, maybe several machines
    (True, 3, LOCAL, True),    # development with three gunicorn workers
    (True, 1, LOCAL, False),   # `make run`: one development server
    (False, 4, REDIS, False),  # shared through Redis
])
def test_a_per_process_cache_is_reported_when_several_processes_serve(settings, debug, concurrency, caches, warned):
    settings.DEBUG, settings.WEB_CONCURRENCY, settings.CACHES = debug, concurrency, caches
    found = shared_cache_check()
    assert [message.id for message in found] == (["core.W001"] if warned else [])
    assert all(message.level == checks.WARNING and "REDIS_URL" in message.hint for message in found)


def test_sessions_kept_in_a_local_cache_or_files_are_reported(settings):
    settings.DEBUG, settings.CACHES = False, LOCAL
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cache"
    assert [message.id for message in shared_sessions_check()] == ["core.W002"]
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.file"
    assert [message.id for message in shared_sessions_check()] == ["core.W002"]
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    assert shared_sessions_check() == []


def test_the_checks_run_only_with_deploy():
    assert shared_cache_check in checks.registry.registry.get_checks(include_deployment_checks=True)
    assert shared_cache_check not in checks.registry.registry.get_checks(include_deployment_checks=False)
