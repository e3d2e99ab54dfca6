"""The bench's own database, next to the configured one: ``<name>_bench`` on the same PostgreSQL server.

Created, migrated and filled by ``generate_synthetic`` on first use at the chosen scale; the scale is recorded as
the database's comment, and a later run at the same scale reuses it (a different scale rebuilds it). Everything
here runs before Django is set up, since the settings read ``DATABASE_URL``.
"""

from __future__ import annotations

from contextlib import contextmanager
import json
import os
from pathlib import Path
import sys
from urllib.parse import urlsplit, urlunsplit

import django
from django.core.management import call_command
import psycopg2
from psycopg2 import sql


class BenchSetupError(SystemExit):
    """A clear message instead of a traceback (``make bench`` on SQLite, no server, …)."""

    def __init__(self, message: str):
        super().__init__(f"make bench: {message}")


def configured_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        try:  # the developer's .env, as the settings would read it
            for raw in (Path(__file__).resolve().parent.parent / ".env").read_text().splitlines():
                if raw.strip().startswith("DATABASE_URL="):
                    url = raw.split("=", 1)[1].strip().strip("'\"")
        except OSError:
            pass
    if not url.startswith(("postgres://", "postgresql://", "pgsql://")):
        raise BenchSetupError(
            "benchmarks run on PostgreSQL only (the portal's production database; SQLite would measure something "
            f"else). DATABASE_URL is {url or 'not set (SQLite by default)'}. Set it, e.g. "
            "DATABASE_URL=postgres://postgres@127.0.0.1:5432/conduct make bench"
        )
    return url


def with_name(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


@contextmanager
def server_cursor(url: str):
    """A cursor on the server's maintenance database (to create and drop databases), in autocommit: psycopg2's
    own ``with connection`` would open a transaction, where CREATE and DROP DATABASE are refused."""
    connection = psycopg2.connect(with_name(url, "postgres"))
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            yield cursor
    finally:
        connection.close()


def recorded_scale(url: str, name: str) -> dict | None:
    """The scale recorded on database ``name`` (None when it does not exist or holds no bench data)."""
    with server_cursor(url) as cursor:
        cursor.execute("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [name])
        row = cursor.fetchone()
    if row is None:
        return None
    try:
        return json.loads(row[0] or "null")
    except ValueError:
        return None


def record_scale(url: str, name: str, scale: dict) -> None:
    with server_cursor(url) as cursor:
        cursor.execute(sql.SQL("COMMENT ON DATABASE {} IS %s").format(sql.Identifier(name)), [json.dumps(scale)])


def recreate(url: str, name: str, template: str | None = None) -> None:
    with server_cursor(url) as cursor:
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        if template:
            cursor.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name), sql.Identifier(template)))
        else:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop(url: str, name: str) -> None:
    with server_cursor(url) as cursor:
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def prepare_environment(bench_url: str) -> None:
    """The environment of the bench process and of its children (gunicorn, the export runs)."""
    os.environ["DATABASE_URL"] = bench_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.settings"
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 40)
    os.environ["ALLOWED_HOSTS"] = "127.0.0.1,localhost,testserver"
    os.environ["SECURE_SSL_REDIRECT"] = "0"
    os.environ["DB_CONN_MAX_AGE"] = "600"
    os.environ["FEEDBACK_RATE_LIMIT"] = str(10**9)  # the load tool posts from one address
    os.environ.setdefault("REDIS_URL", os.environ.get("REDIS_URL", ""))


def ensure_database(scale_name: str, scale: dict, *, log=print) -> str:
    """The bench database's URL, created, migrated and filled at ``scale`` when needed."""
    url = configured_url()
    name = f"{database_name(url)}_bench"
    bench_url = with_name(url, name)
    try:
        current = recorded_scale(url, name)
    except psycopg2.OperationalError as error:
        raise BenchSetupError(f"cannot reach PostgreSQL at {with_name(url, 'postgres')}: {error}") from error
    prepare_environment(bench_url)
    if current == {"scale": scale_name, **scale}:
        log(f"Reusing {name} ({scale_name} scale).")
        return bench_url
    log(f"Creating {name} at {scale_name} scale: migrate, import units, generate_synthetic …")
    recreate(url, name)
    django.setup()
    call_command("migrate", verbosity=0)
    call_command(
        "generate_synthetic", wards=scale["wards"], staff_per_ward=scale["staff_per_ward"], months=scale["months"],
        feedback=scale["feedback"], seed=2026, stdout=sys.stdout,
    )
    record_scale(url, name, {"scale": scale_name, **scale})
    return bench_url
