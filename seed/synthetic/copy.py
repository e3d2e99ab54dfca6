"""Fast loading for synthetic data: PostgreSQL COPY from an in-memory buffer, and ids reserved up front.

Rows are written in COPY's text format (tab-separated, ``\\N`` for NULL) into a ``StringIO`` of a bounded size
and sent with ``cursor.copy_expert``; a generator of a million rows therefore never sits in memory at once.
Ids are taken from the table's own sequence before the rows are written (``reserve_ids``), so children can
point at parents without reading anything back.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
import datetime
from decimal import Decimal
import io
import json

from django.db import DatabaseError, connection

# Rows per COPY statement: big enough to amortise the round trip, small enough to keep the buffer to a few MB.
BATCH_ROWS = 50_000
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def text(value) -> str:
    """One value in COPY's text format."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        # Most values need no escaping; testing first is several times faster than translating every one.
        if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
            return value.translate(_ESCAPES)
        return value
    if isinstance(value, (int, Decimal)):
        return str(value)
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat()
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False).translate(_ESCAPES)
    return str(value).translate(_ESCAPES)


def line(values: Sequence) -> str:
    return "\t".join(text(value) for value in values) + "\n"


def table_columns(model, fields: Sequence[str]) -> tuple[str, list[str]]:
    """The table of ``model`` and the database columns of ``fields`` (model field names, FKs without _id)."""
    return model._meta.db_table, [model._meta.get_field(name).column for name in fields]


def copy_lines(model, fields: Sequence[str], lines: Iterable[str]) -> int:
    """COPY pre-formatted ``lines`` (see ``line``) into ``model``'s table, in batches; returns the rows written."""
    table, columns = table_columns(model, fields)
    sql = f'COPY "{table}" ({", ".join(f"{c}" for c in columns)}) FROM STDIN'
    written = 0
    buffer, in_buffer = io.StringIO(), 0
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg2's own cursor: copy_expert is not part of Django's wrapper
        for row in lines:
            buffer.write(row)
            in_buffer += 1
            if in_buffer == BATCH_ROWS:
                buffer.seek(0)
                raw.copy_expert(sql, buffer)
                written += in_buffer
                buffer, in_buffer = io.StringIO(), 0
        if in_buffer:
            buffer.seek(0)
            raw.copy_expert(sql, buffer)
            written += in_buffer
    return written


def copy_rows(model, fields: Sequence[str], rows: Iterable[Sequence]) -> int:
    """COPY ``rows`` (sequences of Python values in the order of ``fields``) into ``model``'s table."""
    return copy_lines(model, fields, (line(row) for row in rows))


def reserve_ids(model, count: int) -> int:
    """Take ``count`` consecutive ids from the table's sequence; returns the first. Rows are then written with
    explicit ids first, first + 1, …, so later tables can refer to them without a round trip."""
    if count <= 0:
        return 0
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        (sequence,) = cursor.fetchone()
        # One statement: nothing else can take an id of the block in between (the generator runs alone anyway).
        cursor.execute("SELECT setval(%s, nextval(%s) + %s - 1)", [sequence, sequence, count])
        (last,) = cursor.fetchone()
    return last - count + 1


def analyze(*models) -> None:
    """Fresh planner statistics: the first queries after a bulk load must not plan on empty-table estimates."""
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f'ANALYZE "{model._meta.db_table}"')


def foreign_key_checks_off() -> bool:
    """Skip the per-row foreign-key triggers while loading (``session_replication_role = replica``): COPY into
    a table with three foreign keys runs several times faster. Needs a superuser; False (checks stay on) when
    the role may not. ``foreign_keys_verify`` then checks every key of the loaded tables in one query each."""
    try:
        with connection.cursor() as cursor:  # autocommit: a refused SET leaves nothing to roll back
            cursor.execute("SET session_replication_role = replica")
    except DatabaseError:  # not a superuser: the checks stay on
        return False
    return True


def foreign_key_checks_on() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = DEFAULT")


def foreign_keys_verify(*models) -> list[str]:
    """Every foreign key of ``models`` (and of their many-to-many tables) checked set-wise: one anti-join per
    key. Returns the broken ones as "table.column → table" (empty when all hold)."""
    broken = []
    tables = []
    for model in models:
        tables.append(model)
        tables.extend(field.remote_field.through for field in model._meta.local_many_to_many)
    with connection.cursor() as cursor:
        for model in tables:
            for field in model._meta.concrete_fields:
                if not field.is_relation or not getattr(field, "db_constraint", False):
                    continue
                table, column = model._meta.db_table, field.column
                target = field.related_model._meta
                target_column = target.get_field(field.target_field.name).column
                cursor.execute(
                    f'SELECT EXISTS (SELECT 1 FROM "{table}" t WHERE t."{column}" IS NOT NULL AND NOT EXISTS '
                    f'(SELECT 1 FROM "{target.db_table}" p WHERE p."{target_column}" = t."{column}"))'
                )
                if cursor.fetchone()[0]:
                    broken.append(f"{table}.{column} → {target.db_table}")
    return broken
