"""Per-address rate limits of the public feedback pages, counted in the shared cache (Redis in production).

A fixed window: each hit increments the address's counter atomically and the first one gives it the window as its
lifetime, so concurrent requests on several web workers are all counted. On Redis this is one command, a small
script run atomically by the server (``INCR``, then ``EXPIRE`` when the count is 1); on another cache backend,
``cache.add`` then ``cache.incr``.

The limit is a guard, not a gate: when the cache cannot be reached the hit is allowed (and a warning logged), so a
Redis outage never loses a citizen's feedback or hides a case's progress.
"""

from __future__ import annotations

import hashlib
import logging

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.core.cache.backends.redis import RedisCache

from core.http import client_address as request_client_address

logger = logging.getLogger(__name__)

FORM = "form"
TRACK = "track"
KIOSK = "kiosk"


def client_address(request) -> str:
    """The key of a request's counters: the client's address (``core.http.client_address``, which honours
    ``TRUSTED_PROXY_COUNT``), or ``"unknown"``."""
    return request_client_address(request) or "unknown"


def limit_for(scope: str) -> tuple[int, int]:
    """(hits allowed, window in seconds) of a scope."""
    window = settings.FEEDBACK_RATE_WINDOW
    if scope == TRACK:
        # Lookups are cheap for an honest citizen (a few per visit) and the only way to guess codes.
        return getattr(settings, "FEEDBACK_TRACK_RATE_LIMIT", 30), window
    if scope == KIOSK:
        # A desk tablet votes from one address all day: allow what its own lock-out allows, never less than the form.
        return max(settings.FEEDBACK_RATE_LIMIT, window // max(settings.KIOSK_LOCKOUT_SECONDS, 1)), window
    return settings.FEEDBACK_RATE_LIMIT, window


def _key(scope: str, address: str) -> str:
    digest = hashlib.sha256(address.encode()).hexdigest()[:32]
    return f"feedback:rate:{scope}:{digest}"


def rate_limit_hit(*, scope: str, address: str) -> bool:
    """Count one hit of ``address`` in ``scope``; True when this hit goes over the limit (refuse it). False, with a
    warning in the log, when the cache is unreachable."""
    try:
        return _count_hit(scope=scope, address=address)
    except Exception as error:  # the backend's own error class (redis, memcached…): any failure means "unreachable"
        logger.warning("Rate limit %s not applied: the cache is unreachable (%s: %s)", scope, type(error).__name__, error)
        return False


# The count, and the window's lifetime set by the first hit only, atomically (a script runs alone on the server).
_HIT_SCRIPT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return count
"""


def _redis_client(key: str):
    """The redis-py client behind Django's Redis cache for writing ``key`` (its primary server), with the hit script
    registered on it, or None for any other cache backend. Kept on the cache backend (one per thread): Django builds
    a new client on every call, which costs more than the command itself."""
    backend = caches[DEFAULT_CACHE_ALIAS]
    if not isinstance(backend, RedisCache):
        return None
    client = getattr(backend, "_rate_limit_client", None)
    if client is None:
        client = backend._cache.get_client(key, write=True)
        # redis-py sends the script by its SHA1, and loads it again when the server restarted and forgot it.
        client.hit_script = client.register_script(_HIT_SCRIPT)
        backend._rate_limit_client = client
    return client


def _count_hit(*, scope: str, address: str) -> bool:
    limit, window = limit_for(scope)
    key = _key(scope, address)
    full_key = cache.make_and_validate_key(key)
    client = _redis_client(full_key)
    if client is not None:
        # One command. Django's Redis cache stores integers as such, so ``cache.add``/``cache.delete`` of the same
        # key still agree with it.
        count = client.hit_script(keys=[full_key], args=[window])
        return int(count) > limit
    if cache.add(key, 1, timeout=window):
        return limit < 1
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.add(key, 1, timeout=window)
        count = 1
    return count > limit


def rate_limit_uncount(*, scope: str, address: str) -> None:
    """Take back one hit (a repeated submission that stored nothing new); nothing when the cache is unreachable."""
    try:
        cache.decr(_key(scope, address))
    except ValueError:  # the counter expired meanwhile
        pass
    except Exception as error:  # the backend's own error class: unreachable
        logger.warning("Rate limit %s not corrected: the cache is unreachable (%s: %s)", scope, type(error).__name__, error)


def rate_limit_reset(*, scope: str, address: str) -> None:
    """Forget an address's counter (tests, or an officer unblocking a desk)."""
    cache.delete(_key(scope, address))
