"""Backing up and restoring everything the portal keeps: the database and the stored files.

A backup is a folder ``<destination>/<YYYYmmdd-HHMMSS>/`` holding the database (``pg_dump`` custom format for
PostgreSQL; SQLite's online backup API, a consistent copy even while the portal writes), every stored file as a
``.tar.gz``, and ``manifest.json`` with the row count of every table and each file's name, size and SHA-256.

The files are read and written through Django's storage API (``default_storage``), so the same backup works for
the media folder of one machine and for the bucket of an S3-compatible object store shared by several: a backup
of one may be restored into the other. A restore first checks every file of the archive against the manifest
(nothing is changed when one differs), replaces the database and the stored files by the backup's (files stored
since are removed), then checks every table's row count and every stored file's size and SHA-256 again. It refuses
a backup of another database engine.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
from pathlib import Path
import sqlite3
import subprocess
import tarfile
import tempfile

from django.apps import apps
from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
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


def stored_files(storage=None) -> list[str]:
    """Every file's name in the storage (the media folder or the bucket), walked through the storage API, sorted."""
    storage = storage or default_storage
    names, folders = [], [""]
    while folders:
        folder = folders.pop()
        try:
            subfolders, files = storage.listdir(folder)
        except FileNotFoundError:  # an empty media folder that was never created
            continue
        prefix = f"{folder}/" if folder else ""
        names += [prefix + name for name in files]
        folders += [prefix + name for name in subfolders]
    return sorted(names)


def _digest(handle) -> tuple[int, str]:
    """Size and SHA-256 of an open file, read in chunks."""
    sha, size = hashlib.sha256(), 0
    for chunk in iter(lambda: handle.read(1024 * 1024), b""):
        sha.update(chunk)
        size += len(chunk)
    return size, sha.hexdigest()


def stored_files_manifest(storage=None) -> dict[str, dict]:
    """Name → size and SHA-256 of every stored file (reading each one through the storage)."""
    storage = storage or default_storage
    manifest = {}
    for name in stored_files(storage):
        with storage.open(name, "rb") as handle:
            size, sha256 = _digest(handle)
        manifest[name] = {"size": size, "sha256": sha256}
    return manifest


def _archive_files(archive_path: Path) -> dict[str, dict]:
    """Copy every stored file into the archive under its name, and return the manifest of what was copied."""
    manifest = {}
    with tarfile.open(archive_path, "w:gz") as archive:
        for name in stored_files():
            with default_storage.open(name, "rb") as handle, tempfile.TemporaryFile() as local:
                # A local copy first: the tar header needs the size, and an object store's file is a stream.
                sha = hashlib.sha256()
                for chunk in iter(lambda: handle.read(1024 * 1024), b""):
                    sha.update(chunk)
                    local.write(chunk)
                info = tarfile.TarInfo(name)
                info.size = local.tell()
                info.mtime = int(datetime.datetime.now().timestamp())
                local.seek(0)
                archive.addfile(info, local)
            manifest[name] = {"size": info.size, "sha256": sha.hexdigest()}
    return manifest


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
    files = _archive_files(folder / MEDIA_ARCHIVE)
    manifest = {
        "engine": engine,
        "created_at": datetime.datetime.now(datetime.UTC).isoformat(),
        "tables": table_row_counts(),
        "media_files": len(files),
        "files": files,
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True))
    return folder


def _unpack_checked(archive_path: Path, expected: dict[str, dict] | None, into: Path) -> dict[str, dict]:
    """Unpack the archive into ``into`` (a local temporary folder) and check each file against the manifest's
    ``expected`` names, sizes and SHA-256 (a backup made before the manifest listed files is taken as it is).
    Returns the manifest of what was unpacked; raises BackupError, before anything is replaced, when they differ."""
    if not archive_path.exists():
        raise BackupError(f"{archive_path} is missing.")
    with tarfile.open(archive_path, "r:gz") as archive:
        archive.extractall(into, filter="data")  # "data" refuses absolute paths, links out and devices
    found = {}
    for path in sorted(into.rglob("*")):
        if path.is_file():
            with path.open("rb") as handle:
                size, sha256 = _digest(handle)
            found[path.relative_to(into).as_posix()] = {"size": size, "sha256": sha256}
    if expected is not None and found != expected:
        different = sorted(set(found) ^ set(expected) | {n for n in set(found) & set(expected) if found[n] != expected[n]})
        raise BackupError(f"The backup's files do not match its manifest ({len(different)} differ, e.g. {different[:3]}).")
    return found


def _restore_files(unpacked: Path, files: dict[str, dict]) -> None:
    """Make the storage hold exactly the backup's files: each one written under its own name (an existing file of
    that name is replaced), and every file stored since the backup removed."""
    for name in files:
        if default_storage.exists(name):
            default_storage.delete(name)
        with (unpacked / name).open("rb") as content:
            saved = default_storage.save(name, File(content, name=name))
        if saved != name:
            raise BackupError(f"The storage saved {name} as {saved}.")
    for name in set(stored_files()) - set(files):
        default_storage.delete(name)


def backup_restore(*, source: Path) -> dict:
    """Replace the database and the stored files by those of the backup folder ``source``, then check that every
    table has the row count, and every stored file the size and SHA-256, that the backup recorded. Returns the
    manifest."""
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
    with tempfile.TemporaryDirectory(prefix="conduct-restore-") as unpacked:
        files = _unpack_checked(source / MEDIA_ARCHIVE, manifest.get("files"), Path(unpacked))
        _restore_database(engine, dump)
        _restore_files(Path(unpacked), files)
    restored = table_row_counts()
    different = {table: (count, restored.get(table)) for table, count in manifest["tables"].items() if restored.get(table) != count}
    if different:
        raise BackupError(f"Restored row counts differ from the backup: {different}")
    if stored_files_manifest() != files:
        raise BackupError("The stored files differ from the backup's after the restore.")
    manifest["media_files"] = len(files)
    return manifest


def _restore_database(engine: str, dump: Path) -> None:
    connections.close_all()
    if engine == "postgresql":
        arguments, environment = _pg_arguments()
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction", *arguments, str(dump)],
             environment)
    else:
        connection.ensure_connection()
        with sqlite3.connect(dump) as copy:
            copy.backup(connection.connection)
