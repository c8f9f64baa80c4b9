"""The keyword index of the newest listings (PostgreSQL): a partial GIN index of the
listings posted since a day, rebuilt as the days go by.

A keyword search at a million listings reads its matches from the keyword index: for a
broad word with a country and remote ("engineer", 266,000 listings; Germany, 150,000;
remote, 250,000), each GIN search decodes every listing of each word, 12-20 ms however
few the matches, and a capped search makes three of them (its newest matches, and a
sample of the matches for each chosen facet's other values). The newest matches lie in
the walks' date window (``walk_budget``), and any sample serves a chosen facet: this
index holds only the listings posted since that window's start, an eighth of the board
there, and the same searches on it take 2-5 ms.

Its predicate is a constant, so it is replaced, not updated: ``refresh`` builds the index
of the current window's first day beside the old one (``CREATE INDEX CONCURRENTLY``:
the board keeps publishing meanwhile), then drops the old. The day is in the index's
name; ``walk_budget.read_bounds`` reads it there. A read bounded by that very day, with
``MARK``, may use the index, and no other: bounded by a later day, the planner would AND
the date index's bitmap of the window, as costly as what the index saves.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection

from jobboard.board.models import Listing

logger = logging.getLogger(__name__)

PREFIX = "listing_search_since_"
_DAY = "%Y%m%d"

# Any number will do, the same for every process: a refresh that finds another one
# running leaves the work to it.
_LOCK = 7_301_301

# How many days older than the window's start the index may be before it is rebuilt:
# a day older, it holds a day's listings more than searches need.
STALE_AFTER = timedelta(days=1)

# In the index's predicate besides its day, and in every search meant to read it (always
# true): a search bounded by the index's day, or a later one, would otherwise be read on
# it whenever the planner thinks so, and it thinks fetching all of a window's matches
# cheaper than walking to the newest thousand of a broad word ("engineer" at a million
# listings: 9 ms walked, 29 ms read on this index).
MARK = "posted_at < 'infinity'"

# SQL of the index's day, from the catalog, for a statement that knows ``PREFIX``.
CUTOFF_SQL = (
    "(SELECT max(c.relname) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
    "WHERE i.indrelid = %s::regclass AND i.indisvalid AND i.indisready "
    "AND c.relname LIKE %s)"
)


def name_of(day: datetime) -> str:
    return f"{PREFIX}{day.astimezone(UTC):{_DAY}}"


def day_of(name: str | None) -> datetime | None:
    """The day an index of this module holds the listings since (None: not one of them)."""
    if not name or not name.startswith(PREFIX):
        return None
    try:
        return datetime.strptime(name.removeprefix(PREFIX), _DAY).replace(tzinfo=UTC)
    except ValueError:
        return None


def cutoff_params() -> list[str]:
    """The parameters of ``CUTOFF_SQL``."""
    return [Listing._meta.db_table, PREFIX.replace("_", r"\_") + "%"]


def current() -> datetime | None:
    """The day of the valid index (the newest, while a refresh holds two); None: none."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {CUTOFF_SQL}", cutoff_params())
        return day_of(cursor.fetchone()[0])


def _names(cursor: Any) -> list[tuple[str, bool]]:
    """Every index of this module on the listings, and whether it is valid."""
    cursor.execute(
        "SELECT c.relname, i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
        "WHERE i.indrelid = %s::regclass AND c.relname LIKE %s ORDER BY c.relname",
        cutoff_params(),
    )
    return list(cursor.fetchall())


def wanted_day() -> datetime | None:
    """The first day of the window a second newest-first walk reads (``walk_budget``),
    at midnight UTC; None when that window is the whole board (no index is needed)."""
    from jobboard.board import walk_budget

    with connection.cursor() as cursor:
        bounds = walk_budget.read_bounds(cursor, settings.BOARD_SEARCH_WALK_ROWS)
    return bounds.posted_wider


def refresh() -> str | None:
    """Build the index of the current window if the one there is missing or stale, then
    drop every other (and any left invalid by a build that was cut off). Returns the
    index's name (None: none is needed, or not PostgreSQL). Safe to run at any time, in
    any number of processes."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [_LOCK])
        if not cursor.fetchone()[0]:
            logger.info("recent keyword index: another process is refreshing it")
            return None
        try:
            return _refresh(cursor)
        finally:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [_LOCK])


def _refresh(cursor: Any) -> str | None:
    day = wanted_day()
    existing = _names(cursor)
    keep: str | None = None
    if day is not None:
        # A valid index of the wanted day, or of the day before (it holds the window and
        # a day more), stays; else one of the wanted day is built.
        fresh = [
            name
            for name, valid in existing
            if valid and (held := day_of(name)) is not None and day - STALE_AFTER <= held <= day
        ]
        keep = max(fresh) if fresh else name_of(day)
        if keep not in fresh:
            if keep in {name for name, _valid in existing}:
                # A build cut off half way leaves an invalid index that no search uses.
                _drop(cursor, keep)
            _build(cursor, keep, day)
    for name, _valid in existing:
        if name != keep:
            _drop(cursor, name)
    return keep


def _build(cursor: Any, name: str, day: datetime) -> None:
    table = connection.ops.quote_name(Listing._meta.db_table)
    started = time.perf_counter()
    # The name and the day are ours (a fixed prefix and a date), never a visitor's.
    cursor.execute(
        f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {connection.ops.quote_name(name)} "
        f"ON {table} USING gin (search_vector) WHERE posted_at >= %s AND {MARK}",
        [day],
    )
    logger.info("recent keyword index %s built in %.1f s", name, time.perf_counter() - started)


def _drop(cursor: Any, name: str) -> None:
    cursor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {connection.ops.quote_name(name)}")
    logger.info("recent keyword index %s dropped", name)
