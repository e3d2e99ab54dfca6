"""System checks of a deployment (``manage.py check --deploy``): what breaks once more than one process serves.

Rate limits (public form, tracking codes, kiosks) count a client's requests in the cache: a per-process cache
(local memory) lets each web process count apart, so N processes allow N times the limit, and a lock-out seen
by one is unknown to the others. More than one process serves in production (gunicorn's workers, several
machines), or whenever ``WEB_CONCURRENCY`` is above 1.
"""

from django.conf import settings
from django.core import checks

PER_PROCESS_CACHES = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
)


@checks.register(checks.Tags.caches, deploy=True)
def shared_cache_check(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Warn when the cache is per process while more than one process would serve (production, or
    ``WEB_CONCURRENCY`` above 1)."""
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    several = not settings.DEBUG or getattr(settings, "WEB_CONCURRENCY", 1) > 1
    if backend in PER_PROCESS_CACHES and several:
        return [
            checks.Warning(
                f"The cache ({backend.rsplit('.', 1)[-1]}) is kept in each process, but more than one process serves: "
                "each counts rate limits apart.",
                hint="Set REDIS_URL so that every web process and machine shares one cache.",
                id="core.W001",
            )
        ]
    return []


@checks.register(checks.Tags.security, deploy=True)
def shared_sessions_check(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Warn when sessions are kept where another web server cannot read them (a local cache or files)."""
    engine = settings.SESSION_ENGINE
    cache_backend = settings.CACHES.get(getattr(settings, "SESSION_CACHE_ALIAS", "default"), {}).get("BACKEND", "")
    local = engine.endswith(".file") or (engine.endswith((".cache", ".cached_db")) and cache_backend in PER_PROCESS_CACHES)
    if local and (not settings.DEBUG or getattr(settings, "WEB_CONCURRENCY", 1) > 1):
        return [
            checks.Warning(
                f"Sessions ({engine}) are kept where another web process cannot read them: users would be logged out "
                "at random.",
                hint="Keep sessions in the database (django.contrib.sessions.backends.db) or in a Redis cache.",
                id="core.W002",
            )
        ]
    return []
