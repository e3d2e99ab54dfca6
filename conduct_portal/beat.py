"""One Celery beat at a time, however many are started (two machines, a restarted container, a second `make run`).

``LockedScheduler`` is Celery's file-backed scheduler with a lock in Redis (``SET NX PX``): the beat holding it sends
the schedule's tasks and renews it at every tick (at least every third of ``BEAT_LOCK_TIMEOUT``); any other beat
keeps following the schedule without sending anything, and takes the lock over when it is left to expire (its
holder stopped or lost its machine) or released (its holder shut down cleanly). So a schedule entry is sent once,
whichever machine sends it, and a standby beat picks up where the stopped one was instead of catching up on every
entry at once.

Without Redis (the embedded development set-up: one machine, one beat) there is nothing to share and every beat sends.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid

from celery.beat import PersistentScheduler
from django.conf import settings
import redis

logger = logging.getLogger(__name__)

# Extend the lock only when this beat still holds it (compare and extend in one step).
RENEW = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    return redis.call('pexpire', KEYS[1], ARGV[2])
end
return 0
"""
# Release the lock only when this beat holds it.
RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    return redis.call('del', KEYS[1])
end
return 0
"""


def beat_lock_key(app) -> str:
    """The lock's key: one per task queue, so test runs with queues of their own never wait on each other."""
    return f"conduct-portal:beat-lock:{app.conf.task_default_queue}"


class LockedScheduler(PersistentScheduler):
    """Celery's scheduler, sending only while it holds the beat lock in Redis (see the module's docstring)."""

    def __init__(self, *args, **kwargs):
        self._token = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._leader: bool | None = None  # not known before the first tick
        self._client = None
        super().__init__(*args, **kwargs)

    @property
    def lock_timeout_ms(self) -> int:
        return max(3, int(getattr(settings, "BEAT_LOCK_TIMEOUT", 60))) * 1000

    def _redis(self):
        if self._client is None:
            self._client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2)
        return self._client

    def hold_lock(self) -> bool:
        """Take the lock if it is free, or extend it if this beat holds it; whether this beat may send. Redis out of
        reach means no: the broker is the same Redis, so nothing could be sent anyway."""
        if not settings.REDIS_URL:
            self._leader = True
            return True
        key, timeout = beat_lock_key(self.app), self.lock_timeout_ms
        try:
            client = self._redis()
            held = bool(client.set(key, self._token, nx=True, px=timeout)) or bool(
                client.eval(RENEW, 1, key, self._token, timeout)
            )
        except redis.RedisError as error:
            logger.warning("beat: the lock in Redis could not be checked (%s); not sending until it can", error)
            held = False
        if held != self._leader:
            if held:
                logger.info("beat: this beat (%s) holds the lock and sends the schedule", self._token)
            else:
                logger.warning("beat: another beat holds the lock; this one (%s) stands by", self._token)
        self._leader = held
        return held

    def tick(self, *args, **kwargs):
        self.hold_lock()
        interval = super().tick(*args, **kwargs)
        # Wake up often enough to renew the lock before it expires.
        return min(interval, self.lock_timeout_ms / 3000)

    def apply_entry(self, entry, producer=None):
        if not self._leader:
            logger.debug("beat: standing by, %s not sent (another beat sends it)", entry.name)
            return
        super().apply_entry(entry, producer=producer)

    def close(self):
        if self._leader and settings.REDIS_URL:
            try:
                self._redis().eval(RELEASE, 1, beat_lock_key(self.app), self._token)
            except redis.RedisError:
                logger.warning("beat: the lock could not be released; it expires by itself", exc_info=True)
            self._leader = False
        super().close()
