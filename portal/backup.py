"""Backing up and restoring everything the portal keeps: the database and the uploaded files.

A backup is a folder ``<destination>/<YYYYmmdd-HHMMSS>/`` holding the database (``pg_dump`` custom format for
PostgreSQL; SQLite's online backup API, a consistent copy even while the portal writes), the media folder as a
``.tar.gz``, and ``manifest.json`` with the row count of every table and the number of files, which a restore
checks afterwards. A restore replaces the database and the media folder by the backup's, refusing a backup of
another database engine.
"""

from __future__ import annotations

import datetime
import json
import os
from pathlib import Path
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile

from django.apps import apps
from django.conf import settings
from django.db import connection, connections

DATABASE_DUMP = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
MEDIA_ARCHIVE = "media.tar.gz"
MANIFEST = "manifest.json"


class BackupError(Exception):
    """The backup or restore could not be done; the message says why."""


def _engine() -> str:
    vendor = connection.vendor
    if vendor not in DATABASE_DUMP:
        raise BackupError(f"Backups support PostgreSQL and SQLite, not {vendor}.")
    return vendor


def _pg_arguments() -> tuple[list[str], dict]:
    db = settings.DATABASES["default"]
    arguments = ["--dbname", db["NAME"], "--no-password"]
    if db.get("HOST"):
        arguments += ["--host", db["HOST"]]
    if db.get("PORT"):
        arguments += ["--port", str(db["PORT"])]
    if db.get("USER"):
        arguments += ["--username", db["USER"]]
    environment = {**os.environ}
    if db.get("PASSWORD"):
        environment["PGPASSWORD"] = db["PASSWORD"]
    return arguments, environment


def _run(command: list[str], environment: dict | None = None) -> None:
    try:
        subprocess.run(command, check=True, capture_output=True, text=True, env=environment)
    except FileNotFoundError:
        raise BackupError(f"{command[0]} is not installed (Debian: apt-get install postgresql-client).") from None
    except subprocess.CalledProcessError as error:
        raise BackupError(f"{command[0]} failed: {error.stderr.strip()}") from None


def table_row_counts() -> dict[str, int]:
    """Rows in every table of the portal's models (history tables included)."""
    tables = sorted({model._meta.db_table for model in apps.get_models(include_auto_created=True)})
    with connection.cursor() as cursor:
        counts = {}
        for table in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def _media_files(root: Path) -> int:
    return sum(1 for path in root.rglob("*") if path.is_file()) if root.exists() else 0


def backup_create(*, destination: Path) -> Path:
    """Write a backup folder under ``destination`` and return it."""
    engine = _engine()
    folder = Path(destination) / datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    folder.mkdir(parents=True, exist_ok=False)
    dump = folder / DATABASE_DUMP[engine]
    if engine == "postgresql":
        arguments, environment = _pg_arguments()
        _run(["pg_dump", "--format", "custom", "--no-owner", "--file", str(dump), *arguments], environment)
    else:
        connection.ensure_connection()
        with sqlite3.connect(dump) as copy:
            connection.connection.backup(copy)
    media_root = Path(settings.MEDIA_ROOT)
    with tarfile.open(folder / MEDIA_ARCHIVE, "w:gz") as archive:
        if media_root.exists():
            archive.add(media_root, arcname=".")
    manifest = {
        "engine": engine,
        "created_at": datetime.datetime.now(datetime.UTC).isoformat(),
        "tables": table_row_counts(),
        "media_files": _media_files(media_root),
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True))
    return folder


def _restore_media(archive_path: Path) -> None:
    """Unpack beside MEDIA_ROOT, then swap folders, so a failed unpack leaves the current files in place."""
    media_root = Path(settings.MEDIA_ROOT)
    media_root.parent.mkdir(parents=True, exist_ok=True)
    unpacked = Path(tempfile.mkdtemp(prefix=".media-restore-", dir=media_root.parent))
    with tarfile.open(archive_path, "r:gz") as archive:
        archive.extractall(unpacked, filter="data")  # "data" refuses absolute paths, links out and devices
    if media_root.exists():
        previous = media_root.with_name(f".{media_root.name}-before-restore")
        shutil.rmtree(previous, ignore_errors=True)
        media_root.rename(previous)
        unpacked.rename(media_root)
        shutil.rmtree(previous, ignore_errors=True)
    else:
        unpacked.rename(media_root)


def backup_restore(*, source: Path) -> dict:
    """Replace the database and the uploaded files by those of the backup folder ``source``, then check that
    every table has the row count the backup recorded. Returns the manifest."""
    source = Path(source)
    try:
        manifest = json.loads((source / MANIFEST).read_text())
    except (OSError, ValueError):
        raise BackupError(f"{source} is not a backup folder (no readable {MANIFEST}).") from None
    engine = _engine()
    if manifest.get("engine") != engine:
        raise BackupError(f"This backup is of a {manifest.get('engine')} database; the portal uses {engine}.")
    dump = source / DATABASE_DUMP[engine]
    if not dump.exists():
        raise BackupError(f"{dump} is missing.")
    connections.close_all()
    if engine == "postgresql":
        arguments, environment = _pg_arguments()
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction", *arguments, str(dump)],
             environment)
    else:
        connection.ensure_connection()
        with sqlite3.connect(dump) as copy:
            copy.backup(connection.connection)
    _restore_media(source / MEDIA_ARCHIVE)
    restored = table_row_counts()
    different = {table: (count, restored.get(table)) for table, count in manifest["tables"].items() if restored.get(table) != count}
    if different:
        raise BackupError(f"Restored row counts differ from the backup: {different}")
    return manifest
