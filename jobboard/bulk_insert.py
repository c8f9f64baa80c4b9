"""Many new rows in one go: COPY on PostgreSQL, ``bulk_create`` elsewhere.

Django's ``bulk_create`` on PostgreSQL sends each column as an array parameter of an
``INSERT … SELECT * FROM UNNEST(…)``. Django's psycopg backend quotes parameters on the
client, and quoting an array runs a regular expression over every element: with the
query text split on its placeholders, that was a fifth of the feed sync's own CPU
(``tests/bench/test_feed_sync_ours.py``). COPY sends the rows as they are, and the
primary keys are drawn from the table's sequence beforehand, so the objects come back
with them as ``bulk_create``'s do.

Only for rows that cannot conflict (no ``ignore_conflicts``): a duplicate key fails the
whole COPY, as it fails ``bulk_create``.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.db import connection, models

M = TypeVar("M", bound=models.Model)


def insert_new(objs: Sequence[M]) -> Sequence[M]:
    """Insert unsaved objects of one model; they come back saved, with their pks."""
    if not objs:
        return objs
    model = type(objs[0])
    if connection.vendor != "postgresql":
        return model._default_manager.bulk_create(objs)
    opts = model._meta
    missing = [obj for obj in objs if obj.pk is None]
    if missing:
        column = opts.pk.column if opts.pk and opts.pk.column else "id"
        for obj, value in zip(missing, _next_ids(opts.db_table, column, len(missing)), strict=True):
            obj.pk = value
    fields = opts.concrete_fields
    names = ", ".join(connection.ops.quote_name(f.column or f.attname) for f in fields)
    # Constant identifiers from the model's own metadata; the rows travel as COPY data.
    sql = f"COPY {connection.ops.quote_name(opts.db_table)} ({names}) FROM STDIN"

    def copy_rows(*_: Any) -> None:
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            for obj in objs:
                # pre_save fills auto_now fields as an INSERT would; get_db_prep_save
                # turns each value into what the column takes (JSON, encrypted text...).
                copy.write_row(
                    [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
                )

    try:
        # Errors come as Django's (IntegrityError, DataError...), as bulk_create's do.
        with connection.wrap_database_errors:
            _as_a_query(sql, copy_rows)
    except Exception:
        # Nothing was written: the objects stay unsaved, as a failed bulk_create leaves them.
        for obj in missing:
            obj.pk = None
        raise
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias
    return objs


def _as_a_query(sql: str, run: Callable[..., None]) -> None:
    """Run a COPY as Django runs a query: through the connection's execute wrappers
    and into its query log, so query counts (tests, benchmarks) see it."""
    executor: Callable[..., None] = run
    for wrapper in reversed(connection.execute_wrappers):
        executor = functools.partial(wrapper, executor)
    started = time.monotonic()
    try:
        executor(sql, None, False, {"connection": connection, "cursor": None})
    finally:
        if connection.queries_logged:
            took = time.monotonic() - started
            connection.queries_log.append({"sql": sql, "time": f"{took:.3f}"})


def _next_ids(table: str, column: str, count: int) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [table, column, count],
        )
        return [row[0] for row in cursor.fetchall()]
