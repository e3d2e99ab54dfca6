"""Helpers of the tests that run reports on real Celery workers (tests/reports/test_*_celery.py): waiting for a
condition, a worker's pool processes, killing a worker as a whole, forgetting the messages a killed worker left
unacknowledged in Redis. The worker fixtures themselves are in tests/reports/conftest.py."""

from contextlib import suppress
import json
import os
from pathlib import Path
import signal
import subprocess
import time

from django.conf import settings
from django.db import connection
import redis


def wait_for(condition, *, timeout: float, step: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(step)
    raise AssertionError(f"timed out after {timeout} s")


def database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except FileNotFoundError:
        return []


def kill_group(worker: subprocess.Popen) -> None:
    """SIGKILL the worker's main process and its pool children at once (its process group), and wait until
    none is left."""
    with suppress(ProcessLookupError):
        os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(timeout=30)

    def gone():
        try:
            os.killpg(worker.pid, 0)
        except ProcessLookupError:
            return True
        return False

    wait_for(gone, timeout=30)


def forget_unacked(queue: str) -> None:
    """Remove from Redis the unacknowledged messages of ``queue`` left by a worker killed as a whole (Redis would
    give them back after its visibility timeout, hours later, to a queue nobody reads any more)."""
    client = redis.Redis.from_url(settings.REDIS_URL)
    for tag, payload in client.hgetall("unacked").items():
        try:
            routing_key = json.loads(payload)[2]
        except (ValueError, IndexError, TypeError):
            continue
        if routing_key == queue:
            client.hdel("unacked", tag)
            client.zrem("unacked_index", tag)
