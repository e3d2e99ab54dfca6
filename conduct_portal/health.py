"""``GET /healthz``: is the database up, is the broker up, does the file storage answer.

Anyone may ask (load balancers, monitoring), so the answer names only each component's state: why one is down
(a driver's message carries host names, ports, user names) goes to the log, and is shown only to a logged-in
superuser who has finished logging in.
"""

import logging
import time

from django.core.files.storage import default_storage
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from conduct_portal.celery import app as celery_app
from portal import two_factor

logger = logging.getLogger(__name__)


def _check(name: str, probe) -> dict:
    started = time.perf_counter()
    try:
        probe()
    except Exception as error:  # any failure means "down"
        reason = f"{type(error).__name__}: {error}"[:300]
        logger.error("Health check: the %s is down: %s", name, reason)
        return {"ok": False, "error": reason}
    return {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 1)}


def _probe_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _probe_broker():
    with celery_app.connection_for_write() as broker:
        broker.ensure_connection(max_retries=1, interval_start=0, timeout=2)
        # A Redis connection is lazy: a round trip proves the server answers.
        client = getattr(broker.default_channel, "client", None)
        if client is not None and hasattr(client, "ping"):
            client.ping()


# A name nothing is stored under: asking for it is one authenticated round trip to an object store (a HEAD request)
# or a look at the media folder, and it writes nothing.
STORAGE_PROBE = "healthz/probe"


def _probe_storage():
    default_storage.exists(STORAGE_PROBE)


def _shows_details(request) -> bool:
    """A superuser past every step of logging in sees why a component is down. Reading the user needs the
    session, which lives in the database that may be the very thing down: then the caller is anonymous."""
    try:
        user = request.user
        if not (user.is_authenticated and user.is_active and user.is_superuser):
            return False
        state = request.session.get(two_factor.SESSION_KEY)
        return not (isinstance(state, dict) and state.get("step"))
    except Exception:  # the session store is unreachable
        return False


def _public(check: dict) -> dict:
    return {"ok": check["ok"]}


@never_cache
@require_GET
def healthz(request):
    """200 when the database, the broker and the file storage all answer, 503 otherwise, with each one's state (and,
    for a superuser, the time it took or why it is down)."""
    checks = {
        "database": _check("database", _probe_database),
        "broker": _check("broker", _probe_broker),
        "storage": _check("storage", _probe_storage),
    }
    healthy = all(check["ok"] for check in checks.values())
    if not _shows_details(request):
        checks = {name: _public(check) for name, check in checks.items()}
    return JsonResponse({"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503)
