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
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from django.conf import settings
from django.db import connection

from jobboard.board import counts as counts_table
from jobboard.board.models import FacetCount, Listing


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

    ``statement(budget=, budgeted=, pieces=)`` gives the SQL: each walk in ``budgeted``
    (all if None) reads at most ``budget`` listings (0: no bound), and only the parts
    in ``pieces`` (all if None) are counted: ``newest`` for the newest matches and the
    ``shared`` facets counted over them, a ``chosen`` facet's name for its own part.
    """
    budget: int = settings.BOARD_SEARCH_WALK_ROWS
    # A bound helps only a walk, and would cut a bitmap's matches short for nothing:
    # the planner says which parts walk (planning only, about 1 ms).
    sql, params = statement(budget=budget)
    cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
    walking = walks(cursor.fetchone()[0], chosen, newest=newest)
    cursor.execute(*statement(budget=budget if walking else 0, budgeted=walking))
    rows: list[tuple[Any, ...]] = cursor.fetchall()
    short = walked_short(rows, limit=limit, walking=walking, newest=newest) if walking else set()
    if short:
        # Rare matches: a bitmap of the keyword index (and of the filters') finds them
        # wherever they are; a walk would read the table. A bitmap heap scan visits the
        # table in its physical order, as the walk from its start does, so a capped
        # part counts the same first matches. Only the walks cut short run again.
        # The settings as they were, then off (a target list is evaluated in order).
        cursor.execute(
            "SELECT "
            + ", ".join(f"current_setting('{name}')" for name in _WALKS)
            + ", "
            + ", ".join(f"set_config('{name}', 'off', true)" for name in _WALKS)
        )
        before = cursor.fetchone()[: len(_WALKS)]
        cursor.execute(*statement(budget=0, pieces=short))
        again = set(short)
        if newest in short:
            again.update(shared)  # counted over the newest matches
        rows = [row for row in rows if row[0] not in again] + cursor.fetchall()
        # SET LOCAL lasts as long as the transaction, which may be a caller's.
        restore = ", ".join(f"set_config('{name}', %s, true)" for name in _WALKS)
        cursor.execute(f"SELECT {restore}", list(before))
    return [row for row in rows if row[0] != BUDGET]


# The plans that walk, turned off where the matches are known to be rare.
_WALKS = ("enable_seqscan", "enable_indexscan", "enable_tidscan")

# The row of a budgeted statement that tells which of its walks were cut short: the key
# says whether the newest-first walk was, the label whether the table scans were.
BUDGET = "_budget"

# What bounds a walk, in the statement: the newest-first one stops at a date, the table
# scan of a chosen facet's part at a page (its rows carry their place as ``row_at``).
NEWEST_BOUND = " AND posted_at >= COALESCE((SELECT posted_from FROM _budget), '-infinity')"
SCAN_BOUND = " AND row_at < (SELECT page_to FROM _budget)"
# The statement's last part: whether each bound cut anything off (see ``walked_short``).
CUTS_PART = "SELECT '_budget', (posted_from IS NOT NULL)::text, scan_cut::text, 0 FROM _budget"


def walked_short(
    rows: Iterable[Sequence[Any]], *, limit: int, walking: set[str], newest: str
) -> set[str]:
    """The walks of a budgeted statement that stopped at their bound with at most
    ``limit`` matches (past it there may be more): ``newest`` for the newest-first one
    (a row each), a chosen facet's name for its part's table scan (counts)."""
    seen: dict[str, int] = {}
    walk_cut = scan_cut = False
    for name, key, label, count in rows:
        if name == BUDGET:
            walk_cut, scan_cut = key == "true", label == "true"
        else:
            seen[name] = seen.get(name, 0) + (1 if name == newest else int(count))
    return {
        name
        for name in walking
        if (walk_cut if name == newest else scan_cut) and seen.get(name, 0) <= limit
    }


def walks(plan: Any, chosen: Sequence[str], *, newest: str) -> set[str]:
    """The walks in a budgeted statement's plan (``EXPLAIN (FORMAT JSON)``): the newest
    matches read along the date index (an Index Scan in the CTE named ``newest``), and
    the chosen facets' parts read in table order (a TID range scan)."""
    if isinstance(plan, str):
        plan = json.loads(plan)
    children = plan[0]["Plan"].get("Plans", [])
    walking: set[str] = set()
    for child in children:
        if child.get("Subplan Name") == f"CTE {newest}" and _has_node(child, "Index Scan"):
            walking.add(newest)
    # The parts in the statement's order: the shared facets (if any), the chosen ones,
    # then the newest matches and the budget.
    members = [child for child in children if child.get("Parent Relationship") == "Member"]
    parts = members[-2 - len(chosen) : -2]
    if len(parts) != len(chosen):
        # A part the planner proved empty is left out of the plan: which is which is
        # unknown, and the parts are left unbounded, as they were before bounds.
        return walking
    for name, member in zip(chosen, parts, strict=True):
        if _has_node(member, "Tid Range Scan"):
            walking.add(name)
    return walking


def _has_node(plan: Mapping[str, Any], node_type: str) -> bool:
    """Whether a plan node, or one under it, is a ``node_type`` of the listings table."""
    if plan.get("Node Type") == node_type and plan.get("Relation Name") == Listing._meta.db_table:
        return True
    return any(_has_node(child, node_type) for child in plan.get("Plans", ()))


# A table scan reads its rows in sequence, a walk in date order jumps from page to page:
# at a million listings 0.8 against 3.9 microseconds a row, so the scan may read more.
SCAN_ROWS_PER_WALKED_ROW = 5


def budget_cte(budget: int) -> tuple[str, list[Any]]:
    """The bounds of a budgeted statement's walks, with whether each cuts anything off.

    The newest-first walk stops at the start of the newest UTC day by which the board
    has ``budget`` live listings, read off the kept counts by day (``board.counts``: a
    row a day and workplace; none at all, as before any recount, and the walk is not
    cut). The table scans stop at the page ``SCAN_ROWS_PER_WALKED_ROW`` times as many
    rows in (at the table's mean rows a page; one a page if never analysed).
    """
    counts = connection.ops.quote_name(FacetCount._meta.db_table)
    prefix = f"{counts_table.DAY_SCOPE}="
    return (
        f", {BUDGET} AS MATERIALIZED (SELECT w.posted_from, "  # noqa: S608
        "('(' || p.page_budget || ',0)')::tid AS page_to, p.page_budget < p.pages AS scan_cut "
        "FROM (SELECT (SELECT to_date(substr(scope, %s), 'YYYY-MM-DD')::timestamp "
        "AT TIME ZONE 'UTC' FROM (SELECT scope, sum(sum(count)) OVER (ORDER BY scope DESC) "
        f"AS running FROM {counts} WHERE scope > %s AND scope < %s AND facet = 'workplace' "
        "GROUP BY scope) days WHERE running >= %s ORDER BY scope DESC LIMIT 1) AS posted_from) w, "
        "(SELECT least(ceil(%s / CASE WHEN relpages > 0 AND reltuples > 0 "
        "THEN reltuples / relpages ELSE 1 END), 4294967295)::bigint AS page_budget, "
        "pg_relation_size(oid) / current_setting('block_size')::bigint AS pages "
        f"FROM pg_class WHERE oid = %s::regclass) p) ",
        [
            len(prefix) + 1,
            prefix,
            f"{prefix}9999",
            budget,
            budget * SCAN_ROWS_PER_WALKED_ROW,
            Listing._meta.db_table,
        ],
    )
