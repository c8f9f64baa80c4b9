"""Bounds on the walks of a capped keyword search's facet statement (PostgreSQL).

A capped search reads its matches by walking: the newest first along the date index,
or the table from its start, until it has the cap's worth. That is quick when the
matches are dense and slow without bound when they are rare or absent ("manager" with
remote in the benchmark: a million rows read to find none, 3.4 s). Here are the bounds
the statement (``facets._facet_statement``) puts on its walks, which of its parts walk
(the planner says), and which walks stopped at their bound short of matches; those
are read again on the indexes alone, at a cost bounded by the matches.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection

from jobboard.board import counts as counts_table
from jobboard.board import recent_index
from jobboard.board.models import FacetCount, Listing


@dataclass(frozen=True)
class Bounds:
    """Where the walks stop: the newest-first one at ``posted_from`` (a date), a chosen
    facet's table scan before the page ``page_to`` (a ``tid``); None: not cut at all.
    ``posted_wider`` is where a newest-first walk stops when it is run again over
    ``WIDER`` times the listings (None: that would cut nothing). ``window_share`` and
    ``wider_share`` are the parts of the board's listings posted since each (None:
    unknown). ``recent_from`` is the day of the keyword index of the newest listings
    (``recent_index``; None: there is none)."""

    posted_from: datetime | None
    page_to: str | None
    posted_wider: datetime | None = None
    window_share: float | None = None
    wider_share: float | None = None
    recent_from: datetime | None = None

    @property
    def cut(self) -> bool:
        return self.posted_from is not None or self.page_to is not None


def run(
    cursor: Any,
    statement: Callable[..., tuple[str, list[Any]]],
    *,
    limit: int,
    chosen: Sequence[str],
    shared: Sequence[str],
    newest: str,
) -> list[tuple[Any, ...]]:
    """The rows of a capped facet statement, its walks bounded.

    ``statement(bounds=, budgeted=, dated=, pieces=)`` gives the SQL: each walk in
    ``budgeted`` stops at ``bounds`` (None: no bound), each chosen facet's part in
    ``dated`` reads the listings since ``bounds.recent_from``, and only the parts in
    ``pieces`` (all if None) are counted: ``newest`` for the newest matches and the
    ``shared`` facets counted over them, a ``chosen`` facet's name for its own part.
    """
    bounds = current_bounds(cursor, settings.BOARD_SEARCH_WALK_ROWS)
    if not bounds.cut:
        # A board smaller than the bounds: nothing to cut, nothing to plan first.
        cursor.execute(*statement(bounds=None))
        return list(cursor.fetchall())
    # A bound helps only a walk, and would cut a bitmap's matches short for nothing:
    # the planner says which parts would walk without one (planning only, 1-3 ms).
    # The bounds travel as values, so that it weighs a range of pages or days as long
    # as it is.
    sql, params = statement(bounds=None)
    cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
    plan = cursor.fetchone()[0]
    walking = walks(plan, chosen, newest=newest)
    if bounds.posted_from is None:
        walking.discard(newest)
    if bounds.page_to is None:
        walking.intersection_update({newest})
    walked = newest in walking
    window = newest_window(plan, newest, limit, bounds, walked=walked)
    if (
        not walked
        and window is not None
        and window == bounds.posted_wider
        and bounds.recent_from is not None
        and bounds.recent_from <= window
    ):
        # A bitmap over the wider window reads the keyword index of the newest listings
        # (which holds that window): bounded by the index's very day, not the window's,
        # so that the planner needs no date index besides. Not the narrower window: the
        # index holds several times its listings, whose matches would all be fetched
        # (the benchmark's searches by one word at a million, cold p95 141-143 against
        # 163-164 ms). Nor a read expected short of the cap's matches in the window: more
        # often short than not in the benchmark, then read whole, it was slower.
        window = bounds.recent_from
    if window is not None:
        # A walk, or a bitmap of many matches: bounded by the narrowest window expected
        # to hold the cap's worth (see ``newest_window``).
        walking.add(newest)
        bounds = replace(bounds, posted_from=window)
    # Any sample of the matches serves a chosen facet's part: the newest listings'.
    dated = dated_parts(plan, chosen, limit, bounds) - walking
    walking |= dated
    cut = walking - dated
    cursor.execute(*statement(bounds=bounds if walking else None, budgeted=cut, dated=dated))
    rows: list[tuple[Any, ...]] = cursor.fetchall()
    short = walked_short(rows, limit=limit, walking=walking, newest=newest)
    found = sum(1 for row in rows if row[0] == newest)
    wider_from = bounds.posted_wider
    if (
        newest in short
        and wider_from is not None
        # Past the window read (the keyword index of the newest listings may hold more).
        and (bounds.posted_from is None or wider_from < bounds.posted_from)
        and found * WIDER >= limit * 5 / 4
    ):
        # The newest matches were too few in the window, but dense enough that a window
        # WIDER times as long holds them: reading it costs its own matches, where the
        # indexes without a bound would fetch every match, however many (at a million
        # listings, "manager" in Engineering: 452 in the window, 12,610 in all, 740 ms).
        widened = Bounds(posted_from=wider_from, page_to=None)
        if bounds.recent_from is not None and bounds.recent_from <= wider_from:
            # On the keyword index of the newest listings (see above).
            widened = Bounds(
                posted_from=bounds.recent_from, page_to=None, recent_from=bounds.recent_from
            )
        # Read on the indexes, not walked: a walk checks every listing's words on the
        # table (a few microseconds each), while the keyword index with the facet
        # tokens (``facet_tokens``) ANDed with the date range reads the window's
        # matches only. At a million listings "engineer" with remote walked 47,000
        # listings in 207 ms; the 60 searches of the benchmark with a filter, one run
        # each, p95 238 → 175 ms.
        with walks_off(cursor):
            cursor.execute(*statement(bounds=widened, budgeted={newest}, pieces={newest}))
            rows = replaced(rows, cursor.fetchall(), pieces={newest, *shared})
        short = (short - {newest}) | walked_short(
            rows, limit=limit, walking={newest}, newest=newest
        )
    if short:
        # Rare matches: a bitmap of the keyword index (and of the filters') finds them
        # wherever they are; a walk would read the table. A bitmap heap scan visits the
        # table in its physical order, as the walk from its start does, so a capped
        # part counts the same first matches. Only the walks cut short run again.
        with walks_off(cursor):
            cursor.execute(*statement(bounds=None, pieces=short))
            again = set(short)
            if newest in short:
                again.update(shared)  # counted over the newest matches
            rows = replaced(rows, cursor.fetchall(), pieces=again)
    return rows


@contextmanager
def walks_off(cursor: Any) -> Iterator[None]:
    """The planner without the plans that walk (``_WALKS``) while inside, as it was after."""
    # The settings as they were, then off (a target list is evaluated in order).
    cursor.execute(
        "SELECT "
        + ", ".join(f"current_setting('{name}')" for name in _WALKS)
        + ", "
        + ", ".join(f"set_config('{name}', 'off', true)" for name in _WALKS)
    )
    before = cursor.fetchone()[: len(_WALKS)]
    yield
    # SET LOCAL lasts as long as the transaction, which may be a caller's.
    restore = ", ".join(f"set_config('{name}', %s, true)" for name in _WALKS)
    cursor.execute(f"SELECT {restore}", list(before))


def replaced(
    rows: Iterable[Sequence[Any]], again: Iterable[Sequence[Any]], *, pieces: set[str]
) -> list[tuple[Any, ...]]:
    """The statement's rows with those of ``pieces`` taken from a second reading."""
    return [tuple(row) for row in rows if row[0] not in pieces] + [tuple(row) for row in again]


# How much longer than the first a second newest-first walk may be (see ``run``).
WIDER = 4

# How many times the cap's rows a bitmap read of the newest matches is expected to
# fetch before it is bounded by date like a walk (see ``newest_window``). The planner
# thinks a word and a filter independent, which they seldom are ("nurse" and remote:
# 12,000 expected, 50,000 read), so the bound comes early; when the window holds too
# few, the matches are read again without it (a second bitmap, 20-30 ms at a million
# listings). At a million listings, the benchmark's 60 searches with a filter, one at a
# time, one run each: unbounded, mean 124 ms and the slowest 456 ms; at 2, 103 and 188
# ms; at 8, 113 and 250 ms.
BITMAP_BOUNDED_AT = 2

# How many times the cap's matches a window must be expected to hold for a bitmap to be
# bounded by it: the planner's estimate of all the matches times the window's share of
# the listings. A window expected to hold fewer would only make the matches be read
# twice (at a million listings "sales" in Germany with remote: 5,000 expected, 231 of
# them in the two days' window; 149 found there, then every match read again).
EXPECTED_IN_WINDOW = 1

# The plans that walk, turned off where the matches are known to be rare.
_WALKS = ("enable_seqscan", "enable_indexscan", "enable_tidscan")

# What bounds a walk, in the statement (each takes its bound as a parameter): the
# newest-first one stops at a date, the table scan of a chosen facet's part at a page
# (its rows carry their place as ``row_at``).
NEWEST_BOUND = " AND posted_at >= %s"
SCAN_BOUND = " AND row_at < %s::tid"
# The newest-first bound on the keyword index of the newest listings: at its day, with
# the clause that lets the planner use it (``recent_index.MARK``).
RECENT_BOUND = f"{NEWEST_BOUND} AND {recent_index.MARK}"


def date_bound(day: datetime, recent_from: datetime | None) -> str:
    """The SQL that stops a read at ``day`` (a parameter): on the keyword index of the
    newest listings when that is its day, ``recent_from``."""
    return RECENT_BOUND if recent_from is not None and day == recent_from else NEWEST_BOUND


def walked_short(
    rows: Iterable[Sequence[Any]], *, limit: int, walking: set[str], newest: str
) -> set[str]:
    """The bounded walks that found at most ``limit`` matches (past the bound there may
    be more): ``newest`` for the newest-first one (a row each), a chosen facet's name
    for its part's table scan (counts)."""
    seen: dict[str, int] = {}
    for name, _key, _label, count in rows:
        seen[name] = seen.get(name, 0) + (1 if name == newest else int(count))
    return {name for name in walking if seen.get(name, 0) <= limit}


def _plans(plan: Any) -> list[dict[str, Any]]:
    """The top node's children in an ``EXPLAIN (FORMAT JSON)``, as text or as read."""
    if isinstance(plan, str):
        plan = json.loads(plan)
    children: list[dict[str, Any]] = plan[0]["Plan"].get("Plans", [])
    return children


def walks(plan: Any, chosen: Sequence[str], *, newest: str) -> set[str]:
    """The walks in a statement's plan (``EXPLAIN (FORMAT JSON)``): the newest matches
    read along the date index (an Index Scan in the CTE named ``newest``) or from the
    whole table (a sequential scan there, sorted after); and the chosen facets' parts
    read in table order (a sequential scan)."""
    walking: set[str] = set()
    for child in _plans(plan):
        if child.get("Subplan Name") != f"CTE {newest}":
            continue
        # A whole-table read for the newest matches comes of a filter without an index
        # (a function, say) that the planner thinks rare: at 100,000 listings "engineer"
        # in Engineering read them all, 93 ms. Bounded by date, it reads the day window
        # by bitmap: 19 ms.
        if _has_node(child, "Index Scan") or _has_node(child, "Seq Scan"):
            walking.add(newest)
    for name, member in _chosen_parts(plan, chosen).items():
        if _has_node(member, "Seq Scan") or _has_node(member, "Tid Range Scan"):
            walking.add(name)
    return walking


def _chosen_parts(plan: Any, chosen: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Each chosen facet's part in a statement's plan, by the facet's name."""
    # The parts in the statement's order: the shared facets (if any), the chosen ones,
    # then the newest matches.
    members = [child for child in _plans(plan) if child.get("Parent Relationship") == "Member"]
    parts = members[-1 - len(chosen) : -1]
    if len(parts) != len(chosen):
        # A part the planner proved empty is left out of the plan: which is which is
        # unknown, and the parts are left unbounded, as they were before bounds.
        return {}
    return dict(zip(chosen, parts, strict=True))


def dated_parts(plan: Any, chosen: Sequence[str], limit: int, bounds: Bounds) -> set[str]:
    """The chosen facets' parts read by bitmap that the keyword index of the newest
    listings (``recent_index``) can read instead: those the planner expects to find the
    cap's worth of matches there (its estimate of their matches, times the share of the
    listings that index holds, at least that of the wider window)."""
    if bounds.recent_from is None or not bounds.wider_share:
        return set()
    return {
        name
        for name, member in _chosen_parts(plan, chosen).items()
        if _estimated_rows(member, "Bitmap Heap Scan") * bounds.wider_share
        >= EXPECTED_IN_WINDOW * limit
    }


def newest_window(
    plan: Any, newest: str, limit: int, bounds: Bounds, *, walked: bool
) -> datetime | None:
    """Where the read of the newest matches stops, by date; None: it is not bounded.

    A walk (``walked``) always stops somewhere: rare matches would have it read the
    table. Every match a bitmap finds is fetched, then sorted: when the planner expects
    ``BITMAP_BOUNDED_AT`` times the cap ``limit`` or more, ANDed with the date index it
    reads a window's only ("nurse" with remote fetched all of its 50,000 matches at a
    million listings, 330 ms, where the window held 1,500).

    The window is the narrower of the two (``posted_from``, ``posted_wider``) where the
    planner's estimate of the matches, times the window's share of the listings, comes
    to ``EXPECTED_IN_WINDOW`` times the cap. Neither does: a bitmap is read whole, once;
    a walk stops at the narrower, and its matches, rare, are read again by bitmap.
    """
    expected = expected_newest(plan, newest)
    if not walked and expected < BITMAP_BOUNDED_AT * limit:
        return None
    for posted_from, share in (
        (bounds.posted_from, bounds.window_share),
        (bounds.posted_wider, bounds.wider_share),
    ):
        if posted_from is not None and expected * (share or 0) >= EXPECTED_IN_WINDOW * limit:
            return posted_from
    return bounds.posted_from if walked else None


def expected_newest(plan: Any, newest: str) -> float:
    """How many matches the planner expects the read of the newest matches to fetch."""
    return max(
        (_estimated_rows(child, node) for child in _plans(plan)
         if child.get("Subplan Name") == f"CTE {newest}"
         for node in ("Bitmap Heap Scan", "Index Scan", "Seq Scan")),
        default=0.0,
    )  # fmt: skip


def _estimated_rows(plan: Mapping[str, Any], node_type: str) -> float:
    """The most rows the planner expects of a ``node_type`` of the listings table under
    ``plan`` (0: none there)."""
    rows = 0.0
    if plan.get("Node Type") == node_type and plan.get("Relation Name") == Listing._meta.db_table:
        rows = float(plan.get("Plan Rows", 0))
    return max([rows, *(_estimated_rows(child, node_type) for child in plan.get("Plans", ()))])


def _has_node(plan: Mapping[str, Any], node_type: str) -> bool:
    """Whether a plan node, or one under it, is a ``node_type`` of the listings table."""
    if plan.get("Node Type") == node_type and plan.get("Relation Name") == Listing._meta.db_table:
        return True
    return any(_has_node(child, node_type) for child in plan.get("Plans", ()))


# A table scan reads its rows in sequence, a walk in date order jumps from page to page
# (at a million listings 0.6 against 1.6-3.9 microseconds a row), so the scan may read
# more. Not much more: a scan that finds nothing is then read again from the indexes, so
# it should stop near what that costs. At a million listings "manager" with remote scanned
# 150,000 rows in 92 ms, then the bitmaps took 66 ms; five times the budget cost the 40
# searches with a country and remote p95 235 ms one at a time, twice 170 ms.
SCAN_ROWS_PER_WALKED_ROW = 2


# How long a process (or the shared cache) reuses the bounds it read. They steer the
# walks only: a walk cut short by a bound is read again without it, so bounds a minute
# old cost time at worst, never a match. Reading them is a query a search (1.6 ms at
# 100,000 listings, 3 ms at a million).
BOUNDS_SECONDS = 60


def current_bounds(cursor: Any, budget: int) -> Bounds:
    """``read_bounds``, from the cache when read in the last ``BOUNDS_SECONDS``."""
    key = f"board:walk-bounds:{budget}"
    bounds = cache.get(key)
    if not isinstance(bounds, Bounds):
        bounds = read_bounds(cursor, budget)
        cache.set(key, bounds, BOUNDS_SECONDS)
    return bounds


def read_bounds(cursor: Any, budget: int) -> Bounds:
    """Where the walks stop, each None when it would cut nothing off.

    The newest-first walk stops at the start of the newest UTC day by which the board
    has ``budget`` live listings (``WIDER`` times as many for a second walk; each with
    its share of all the listings), read off
    the kept counts by day (``board.counts``: a row a day and workplace; none at all, as
    before any recount, and the walk is not cut). The table scans stop at the page
    ``SCAN_ROWS_PER_WALKED_ROW`` times as many rows in (at the table's mean rows a page;
    one a page if never analysed).
    """
    counts = connection.ops.quote_name(FacetCount._meta.db_table)
    prefix = f"{counts_table.DAY_SCOPE}="
    # The newest day by which the running count reaches a budget is the latest of the
    # days where it does (it grows as the days go back).
    day = "to_date(substr(max(scope) FILTER (WHERE running >= %s), %s), 'YYYY-MM-DD')"
    # The listings posted since that day: the least running count that reaches it.
    since = "min(running) FILTER (WHERE running >= %s)"
    cursor.execute(
        f"SELECT {day}::timestamp AT TIME ZONE 'UTC', {day}::timestamp AT TIME ZONE 'UTC', "  # noqa: S608
        f"{since}, {since}, max(running), "
        "min(page_budget), bool_and(page_budget < pages), "
        f"{recent_index.CUTOFF_SQL} FROM (SELECT scope, "
        "sum(sum(count)) OVER (ORDER BY scope DESC) AS running "
        f"FROM {counts} WHERE scope > %s AND scope < %s AND facet = 'workplace' GROUP BY scope) "
        "days RIGHT JOIN (SELECT least(ceil(%s / CASE WHEN relpages > 0 AND reltuples > 0 "
        "THEN reltuples / relpages ELSE 1 END), 4294967295)::bigint AS page_budget, "
        "pg_relation_size(oid) / current_setting('block_size')::bigint AS pages "
        "FROM pg_class WHERE oid = %s::regclass) p ON TRUE",
        [
            budget,
            len(prefix) + 1,
            budget * WIDER,
            len(prefix) + 1,
            budget,
            budget * WIDER,
            *recent_index.cutoff_params(),
            prefix,
            f"{prefix}9999",
            budget * SCAN_ROWS_PER_WALKED_ROW,
            Listing._meta.db_table,
        ],
    )
    (posted_from, posted_wider, window, wider, total, page_budget, scan_cut, recent) = (
        cursor.fetchone()
    )
    return Bounds(
        posted_from=posted_from,
        page_to=f"({page_budget},0)" if scan_cut else None,
        posted_wider=posted_wider,
        window_share=float(window / total) if window and total else None,
        wider_share=float(wider / total) if wider and total else None,
        recent_from=recent_index.day_of(recent),
    )
