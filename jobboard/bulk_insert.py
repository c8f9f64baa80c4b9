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
from datetime import datetime
from typing import Any, TypeVar

from django.db import connection, models
from django.utils import timezone

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

    plain = [_is_plain(f) for f in fields]

    def copy_rows(*_: Any) -> None:
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            for obj in objs:
                copy.write_row([_value(obj, f, p) for f, p in zip(fields, plain, strict=True)])

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


# Fields whose attribute is already what psycopg writes to the column: no conversion
# to run (get_db_prep_save was a quarter of the feed sync's thread, for nothing).
_PLAIN_FIELDS = (
    models.AutoField, models.BigAutoField, models.CharField, models.TextField,
    models.IntegerField, models.BigIntegerField, models.PositiveIntegerField,
    models.SmallIntegerField, models.BooleanField, models.DateTimeField, models.ForeignKey,
)  # fmt: skip


def _is_plain(field: models.Field[Any, Any]) -> bool:
    if type(field) not in _PLAIN_FIELDS:  # a subclass may convert (encrypted text...)
        return False
    # auto_now fields are filled by pre_save, as an INSERT would fill them.
    return not (getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False))


def _value(obj: models.Model, field: models.Field[Any, Any], plain: bool) -> Any:
    if plain:
        value = getattr(obj, field.attname)
        # A naive datetime is made aware (with a warning) by the field's own conversion.
        if not (isinstance(value, datetime) and timezone.is_naive(value)):
            return value
    # pre_save fills auto_now fields; get_db_prep_save turns the value into what the
    # column takes (JSON, encrypted text, a quantized decimal...).
    return field.get_db_prep_save(field.pre_save(obj, True), connection)


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
