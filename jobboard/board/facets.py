"""Facet counts of a search: one SQL statement on PostgreSQL, a portable UNION elsewhere."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connection, transaction
from django.db.models import Case, CharField, Count, Max, Q, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast

from jobboard.board import counts as counts_table
from jobboard.board import facet_tokens, walk_budget
from jobboard.board.keywords import keyword_rank
from jobboard.board.models import Listing, ListingQuerySet
from jobboard.board.search import (
    CHOICE_FACETS,
    FACETS,
    MIN_SALARY_CHOICES,
    POSTED_CHOICES,
    SORT_ORDER,
    WORKPLACE_LABELS,
    JobSearch,
    ids_q,
    salary_shown_q,
)

T = TypeVar("T")


def _facet_key(name: str, *, now: datetime) -> tuple[Any, Any]:
    """The grouping expression of a facet and the label expression next to it."""
    text = CharField()
    if name in CHOICE_FACETS:
        column = CHOICE_FACETS[name]
        label = Max("country") if name == "country" else Max(column)
        return Cast(column, text), label
    if name == "workplace":
        key = Case(When(remote=True, then=Value("remote")), default=Value("onsite"))
        return key, Max(Value(""))
    if name == "posted":
        # Each listing falls in the narrowest window that holds it; the counts of the
        # wider windows are sums, added up in Python.
        whens = [
            When(posted_at__gte=now - timedelta(days=d), then=Value(str(d))) for d in POSTED_CHOICES
        ]
        return Case(*whens, default=Value(""), output_field=text), Max(Value(""))
    if name == "salary":
        key = Case(When(salary_shown_q(), then=Value("shown")), default=Value(""))
        return key, Max(Value(""))
    if name == "min_salary":
        whens = [
            When(salary_annual__gte=Decimal(s), then=Value(str(s)))
            for s in reversed(MIN_SALARY_CHOICES)
        ]
        return Case(*whens, default=Value(""), output_field=text), Max(Value(""))
    raise KeyError(name)


def facet_counts(
    search: JobSearch, listings: ListingQuerySet, *, now: datetime
) -> dict[str, dict[str, tuple[str, int]]]:
    """``{facet: {value: (label, count)}}``: from the kept counts (``board.counts``) for the
    board and a single filter, else in one SQL statement over the listings.

    Counts are disjunctive: a facet's counts apply every filter except its own, so a
    visitor who picked Germany still sees how many jobs France has.
    """
    if counts_table.answerable(search) is not None:
        return counts_table.read(search, now=now)
    if search.posted and counts_table.answerable(replace(search, posted=None)) == "":
        # The date filter alone: the date counts ignore their own filter, so they are
        # the whole board's, kept in the table. The other facets are kept per day of
        # posting: the window's whole days are read, and only the part-day at its start
        # is counted on the listings (at most a day of them, on the covering index).
        cutoff = now - timedelta(days=search.posted)
        first_day = counts_table.first_whole_day(cutoff)
        counted = counts_table.read_days(first_day=first_day, now=now)
        if first_day != cutoff:
            part_day = listings.filter(posted_at__lt=first_day)
            part = counted_on_listings(search, part_day, now=now, skip=("posted",))
            counted = counts_table.added(counted, part)
        counted["posted"] = counts_table.read(JobSearch(), now=now)["posted"]
        return counted
    return counted_on_listings(search, listings, now=now)


def counted_on_listings(
    search: JobSearch,
    listings: ListingQuerySet,
    *,
    now: datetime,
    skip: tuple[str, ...] = (),
) -> dict[str, dict[str, tuple[str, int]]]:
    """``facet_counts`` counted on the listings themselves, whatever the search; the
    facets in ``skip`` are left empty (the caller has them from elsewhere)."""
    base = search.base_filter(listings).order_by()
    if connection.vendor == "postgresql":
        rows = _facet_rows_postgres(search, base, now=now, skip=skip)
    else:
        rows = _facet_rows_portable(search, base, now=now, skip=skip)
    result: dict[str, dict[str, tuple[str, int]]] = {name: {} for name in FACETS}
    # Every row a facet counts falls in exactly one of its groups (the empty key too):
    # their sum is the number of rows that facet saw, which tells a capped count.
    seen: dict[str, int] = dict.fromkeys((*FACETS, MATCHED), 0)
    newest: dict[str, tuple[str, int]] = {}
    for name, key, label, count in rows:
        if name == CANDIDATES:
            # A newest match: its id, its rank and its place, newest first.
            newest[str(key)] = (str(label), int(count))
            continue
        seen[name] += int(count)
        if key and name in result:
            result[name][str(key)] = (label or str(key), int(count))
    limit = count_limit(search)
    if limit is not None:
        # Every filter applied, at most limit + 1 rows: the total, or more than the cap.
        seen[MATCHED] = len(newest)
        result[MATCHED] = {"count": ("", seen[MATCHED])}
        result[CANDIDATES] = newest
        capped = sorted(name for name, rows_seen in seen.items() if rows_seen > limit)
        if capped:
            result[CAPPED] = dict.fromkeys(capped, ("", 1))
    # Windows and thresholds are cumulative: "last 7 days" includes "last 3 days".
    for name, choices in (("posted", POSTED_CHOICES), ("min_salary", MIN_SALARY_CHOICES)):
        ordered = choices if name == "posted" else tuple(reversed(choices))
        running = 0
        cumulative = {}
        for choice in ordered:
            running += result[name].get(str(choice), ("", 0))[1]
            cumulative[str(choice)] = ("", running)
        result[name] = cumulative
    return result


# Where ``counted_on_listings`` names the facets whose counts hit the cap, the number
# of rows every filter lets through, and the newest of those rows (a capped search only).
CAPPED = "_capped"
MATCHED = "_matched"
CANDIDATES = "_candidates"


def count_limit(search: JobSearch) -> int | None:
    """How many matches a keyword search counts at most (None: no cap, every row counts).

    Counting every match of a broad word ("data" finds most of a million listings) is
    what made keyword searches slow; past the cap, "1,000+" says as much to a visitor.
    """
    limit: int = settings.BOARD_SEARCH_COUNT_LIMIT
    return limit if search.has_keywords and limit else None


def matches_in_order(
    search: JobSearch, counts: Mapping[str, Mapping[str, tuple[str, int]]]
) -> list[int] | None:
    """The ids of a capped search's newest matches (every filter applied), up to the
    cap: by relevance (then newest) for the relevance sort, else newest first. None
    when the counts did not read them (no cap).

    The counting statement reads these rows for the shared facets and the total anyway,
    and ranks them there; the page then loads its own twenty by id instead of matching
    and ranking a thousand rows again.
    """
    found = counts.get(CANDIDATES)
    limit = count_limit(search)
    if found is None or limit is None:
        return None
    # Each is ``{id: (rank, place among the newest, from 1)}``. The match past the cap
    # only told that there are more; the place breaks ties of rank as the relevance
    # sort does (newest first, then the higher id).
    newest = [(pk, rank, place) for pk, (rank, place) in found.items() if place <= limit]
    if search.effective_sort == "relevance":
        newest.sort(key=lambda row: (-float(row[1]), row[2]))
    else:
        newest.sort(key=lambda row: row[2])
    return [int(pk) for pk, _, _ in newest]


def is_capped(counts: Mapping[str, Mapping[str, tuple[str, int]]], facet: str) -> bool:
    """Whether a facet's counts are over a capped sample of the matches (lower bounds)."""
    return facet in counts.get(CAPPED, {})


def total_from_facets(
    search: JobSearch, counts: Mapping[str, Mapping[str, tuple[str, int]]]
) -> int:
    """The number of results, read off the facet counts instead of a COUNT query.

    Every listing is either remote or on-site, and the workplace counts apply every
    other filter, so their sum over the chosen workplaces (all when none is chosen)
    is exactly the total. A capped search counted it (up to the cap, "1,000+" beyond).
    """
    if MATCHED in counts and (limit := count_limit(search)) is not None:
        return min(counts[MATCHED]["count"][1], limit)
    workplace = counts.get("workplace", {})
    chosen = search.workplace or tuple(WORKPLACE_LABELS)
    return sum(workplace.get(value, ("", 0))[1] for value in chosen)


def _facet_rows_portable(
    search: JobSearch, base: ListingQuerySet, *, now: datetime, skip: tuple[str, ...] = ()
) -> Iterable[tuple[str, str, str, int]]:
    # One GROUP BY branch per facet, joined with UNION ALL: any database runs it.
    limit = count_limit(search)
    found: list[tuple[int, float]] = []
    if limit is not None:
        # The newest matches of every filter, ranked: the facets without a choice count
        # them, and the page shows them (``matches_in_order``).
        matches = base.filter(search.filters_q(now=now)).order_by(*SORT_ORDER["newest"])
        ranked = matches.annotate(rank=keyword_rank(search.groups))
        found = list(ranked.values_list("pk", "rank")[: limit + 1])
    newest = [pk for pk, _ in found]
    branches = []
    for name in FACETS:
        if name in skip:
            continue
        key, label = _facet_key(name, now=now)
        rows = base.filter(search.filters_q(now=now, except_facet=name))
        if limit is not None and not search.facet_q(name, now=now):
            rows = base.filter(ids_q(newest))
        elif limit is not None:
            # The first limit + 1 matches, in no order: enough to tell "more than limit".
            rows = base.filter(pk__in=rows.values("pk")[: limit + 1])
        branch = (
            rows.annotate(facet_name=Value(name), facet_key=key)
            .values("facet_name", "facet_key")
            .annotate(facet_label=label, facet_count=Count("pk"))
            .values_list("facet_name", "facet_key", "facet_label", "facet_count")
        )
        branches.append(branch)
    candidates = [
        (CANDIDATES, str(pk), repr(float(rank or 0)), place)
        for place, (pk, rank) in enumerate(found, start=1)
    ]
    return [*branches[0].union(*branches[1:], all=True), *candidates]


# Columns the facets read; a covering index (migration 0004) holds them all, so the
# scan of 100k listings never touches the wide rows with the job ad HTML.
_FACET_COLUMNS = (
    "remote", "country_code", "country", "city", "function", "industry", "experience_level",
    "employment_type", "posted_at", "salary_min", "salary_max", "salary_annual",
)  # fmt: skip


FACET_BASE = "facet_base"


def _joins(q: Q) -> bool:
    """Whether the filter reads a table other than the listings' own."""
    query = Listing.objects.filter(q).query
    base = query.get_initial_alias()
    return any(count and alias != base for alias, count in query.alias_refcount.items())


def _where_sql(q: Q) -> tuple[str, list[Any]]:
    """SQL for a filter on listings, to run in ``FROM facet_base`` (the facet CTE).

    The ORM compiles the filter with the listing table's alias renamed to the CTE's, so
    every column it reads is qualified with ``facet_base`` and nothing is rewritten as
    text. A filter that joins another table (a company's name, say) cannot be answered
    from the CTE's columns: it becomes a semi-join on the listing id, which the CTE
    then carries (see ``_facet_rows_postgres``).
    """
    if _joins(q):
        ids_sql, ids_params = Listing.objects.filter(q).values("pk").query.sql_with_params()
        return f"{FACET_BASE}.id IN ({ids_sql})", list(ids_params)
    query = Listing.objects.filter(q).query
    query.change_aliases({query.get_initial_alias(): FACET_BASE})
    compiler = query.get_compiler(connection=connection)
    try:
        sql, params = compiler.compile(query.where)
    except EmptyResultSet:
        return "FALSE", []
    except FullResultSet:
        return "TRUE", []
    return (sql or "TRUE"), list(params)


def _facet_key_sql(name: str, *, now: datetime) -> tuple[str, list[Any]]:
    """(key SQL, params) of a facet, over the base query's columns."""
    if name in CHOICE_FACETS:
        return connection.ops.quote_name(CHOICE_FACETS[name]), []
    if name == "workplace":
        return "CASE WHEN remote THEN 'remote' ELSE 'onsite' END", []
    if name == "salary":
        return "CASE WHEN salary_min IS NOT NULL OR salary_max IS NOT NULL THEN 'shown' END", []
    if name == "posted":
        whens = " ".join(f"WHEN posted_at >= %s THEN '{d}'" for d in POSTED_CHOICES)
        return f"CASE {whens} END", [now - timedelta(days=d) for d in POSTED_CHOICES]
    if name == "min_salary":
        amounts = tuple(reversed(MIN_SALARY_CHOICES))
        whens = " ".join(f"WHEN salary_annual >= %s THEN '{a}'" for a in amounts)
        return f"CASE {whens} END", [Decimal(a) for a in amounts]
    raise KeyError(name)


def _facet_rows_postgres(
    search: JobSearch, base: ListingQuerySet, *, now: datetime, skip: tuple[str, ...] = ()
) -> Iterable[tuple[str, str, str, int]]:
    """All facets in one statement.

    The visible (and keyword-matching) rows are a CTE of narrow columns, answered
    from the covering index when there are no keywords. A facet
    without a selection of its own is counted under the same filters as every other
    such facet, so all of those share one GROUPING SETS pass; only a facet the visitor
    has chosen in needs a GROUP BY of its own (its counts ignore its own filter).

    A capped search bounds its walks through the matches (``walk_budget``).
    """
    limit = count_limit(search)
    with transaction.atomic(), connection.cursor() as cursor:
        # The CTE of 100k narrow rows fits in memory with this; the default 4 MB spills
        # it to temporary files. A capped part counts the first matches a scan meets: a
        # table scan joins one already running, wherever it is (synchronized scans), and
        # parallel workers race, so each request counted another sample, the numbers
        # moved on every reload and the rendered panel, cached under its counts, was
        # never reused. From the table's start, in one process, the sample is the same.
        # set_config(..., true) is SET LOCAL: it ends with the transaction.
        # JIT compiling pays for long analytic queries, not for these: it cost 85 ms of a
        # 220 ms statement whose estimate crossed jit_above_cost.
        settings_sql = "SELECT set_config('work_mem', '64MB', true), set_config('jit', 'off', true)"
        if limit is None:
            cursor.execute(settings_sql)
            cursor.execute(*_facet_statement(search, base, now=now, skip=skip))
            rows = cursor.fetchall()
        else:
            cursor.execute(
                settings_sql + ", set_config('synchronize_seqscans', 'off', true)"
                ", set_config('max_parallel_workers_per_gather', '0', true)"
            )
            chosen = [n for n in FACETS if search.facet_q(n, now=now) and n not in skip]
            shared = [n for n in FACETS if n not in chosen and n not in skip]

            # A capped search plans its statement, then runs it, perhaps twice more
            # (walk_budget): the SQL Django compiles for it is the same every time.
            compiled: dict[Any, Any] = {}

            def statement(**bounds: Any) -> tuple[str, list[Any]]:
                return _facet_statement(
                    search, base, now=now, skip=skip, compiled=compiled, **bounds
                )

            rows = walk_budget.run(
                cursor, statement, limit=limit, chosen=chosen, shared=shared, newest=CANDIDATES
            )
    return [
        (name, key, label if name in ("country", CANDIDATES) else "", count)
        for name, key, label, count in rows
    ]


def _once(memo: dict[Any, Any], key: Any, make: Callable[[], T]) -> T:
    """``make()``, kept in ``memo`` under ``key``: what Django compiles for one search
    (its filters, the base query) costs more than the statement's own assembly, about
    2 ms a search, and a capped search builds its statement two to four times."""
    if key not in memo:
        memo[key] = make()
    value: T = memo[key]
    return value


def _facet_statement(
    search: JobSearch,
    base: ListingQuerySet,
    *,
    now: datetime,
    skip: tuple[str, ...],
    bounds: walk_budget.Bounds | None = None,
    pieces: Collection[str] | None = None,
    budgeted: Collection[str] = (),
    dated: Collection[str] = (),
    compiled: dict[Any, Any] | None = None,
) -> tuple[str, list[Any]]:
    """The SQL of ``_facet_rows_postgres`` and its parameters; the walks of a capped
    search stop at ``bounds`` (None: no bound). ``pieces`` (all if None)
    names the parts to count: ``CANDIDATES`` for the newest matches and the facets
    counted over them, a chosen facet's name for its own part; ``budgeted`` the walks
    that ``bounds`` stop (none unless named: a bound on a part read by bitmap would cut
    its matches short for nothing); ``dated`` the chosen facets' parts read from the
    listings posted since ``bounds.recent_from`` (``recent_index``). ``compiled`` keeps
    what Django compiled for one search across the calls that build its statement (see
    ``_once``)."""
    newest = pieces is None or CANDIDATES in pieces
    memo: dict[Any, Any] = {} if compiled is None else compiled

    limit = count_limit(search)
    # A capped search (keywords) has its facet tokens searched with its words
    # (``facet_tokens``): the filters of those facets are terms of the same GIN search.
    tokens = limit is not None

    def filters(except_facet: str | None) -> tuple[str, list[Any]]:
        if not tokens:
            return _where_sql(search.filters_q(now=now, except_facet=except_facet))
        sql, params = _where_sql(
            search.filters_q(now=now, except_facet=except_facet, without=facet_tokens.FACETS)
        )
        terms = facet_tokens.tsquery(search, except_facet=except_facet)
        if terms is None:
            return sql, params
        return f"{sql} AND {FACET_BASE}.search_vector @@ %s::tsquery", [*params, terms]

    def where(except_facet: str | None = None) -> tuple[str, list[Any]]:
        return _once(memo, ("where", except_facet), lambda: filters(except_facet))

    def bounded(piece: str) -> bool:
        return bounds is not None and piece in budgeted

    page_to = bounds.page_to if bounds is not None else None
    posted_from = bounds.posted_from if bounds is not None else None
    recent_from = bounds.recent_from if bounds is not None else None

    # Every piece of SQL below is a fixed identifier, a facet name from FACETS or SQL
    # compiled by Django; every value a visitor sent travels as a parameter (S608).
    # The listing id travels only when a filter needs it (a semi-join, see _where_sql)
    # or the newest matches are read (a capped search).
    with_id = limit is not None or _once(memo, "joins", lambda: _joins(search.filters_q(now=now)))
    columns = _FACET_COLUMNS + (("id",) if with_id else ())
    if limit is not None:
        # Ranked only where read: in the newest matches (``_candidates``, below).
        columns += ("rank",)
    # What the newest matches keep (not the vector, which only the filters read).
    kept = ", ".join((*columns, *(f"k_{name}" for name in FACETS)))
    if limit is not None:
        # Where a row lies in the table: a scan that stops at a page is a TID range scan.
        # In every statement of a capped search, bounded or not (unread, it costs nothing):
        # its planning and its bounded reading then share one compiled base query.
        columns += ("row_at",)
    if tokens:
        columns += ("search_vector",)

    def base_query() -> tuple[str, list[Any]]:
        annotated = base
        if limit is not None:
            annotated = annotated.annotate(rank=keyword_rank(search.groups))
        if limit is not None:
            table = connection.ops.quote_name(Listing._meta.db_table)
            row_at = RawSQL(f"{table}.ctid", (), output_field=CharField())  # noqa: S611
            annotated = annotated.annotate(row_at=row_at)
        sql, params = annotated.values(*columns).query.sql_with_params()
        return sql, list(params)

    base_sql, base_params = _once(memo, ("base", columns), base_query)
    keys: list[str] = []
    params: list[Any] = []
    for name in FACETS:
        key_sql, key_params = _facet_key_sql(name, now=now)
        keys.append(f"({key_sql})::text AS k_{name}")
        params += key_params
    selects = ", ".join(keys)
    # With keywords (or a company, a place) the matching rows come from another index
    # and the wide table: read them once. Without, each reference is an index-only
    # scan of the covering index, cheaper than writing and re-reading 100k rows, so
    # PostgreSQL may inline the CTE.
    # A capped search must not be materialized: inlined, each part's LIMIT stops the
    # scan of the matches after limit + 1 rows instead of reading every one.
    materialized = "MATERIALIZED" if search.narrows_base and limit is None else "NOT MATERIALIZED"

    # What a part reads: the keys and the country's name (not the rank, say).
    counted_columns = ", ".join(("country", *(f"k_{name}" for name in FACETS)))

    def rows_of(where_sql: str, piece: str = "") -> tuple[str, list[Any]]:
        # The rows one part counts; under the CTE's name, so that the part reads the same.
        if limit is None:
            return f"{FACET_BASE} WHERE {where_sql}", []
        bound: list[Any] = []
        if page_to is not None and bounded(piece):
            where_sql += walk_budget.SCAN_BOUND
            bound = [page_to]
        elif recent_from is not None and piece in dated:
            where_sql += walk_budget.RECENT_BOUND
            bound = [recent_from]
        sql = f"(SELECT {counted_columns} FROM {FACET_BASE} WHERE {where_sql} LIMIT {int(limit) + 1}) {FACET_BASE}"  # noqa: E501, S608
        return sql, bound

    cte = f"WITH {FACET_BASE} AS {materialized} (SELECT b.*, {selects} FROM ({base_sql}) b) "  # noqa: S608
    params += base_params
    if limit is not None and newest:
        # The newest matches of every filter, read once: the facets without a choice
        # count them, their number is the total (up to the cap and one more), and the
        # page loads them by id (``matches_in_order``) instead of matching again.
        where_sql, where_params = where()
        # The planner walks the date index or reads the matches by bitmap and sorts
        # them, as it judges; a walk stops at its bound (``walk_budget``). Before the
        # bound, a narrow filter (a country, a function) was kept from walking, as
        # rare matches made it read the table (6.3 s); every match was then fetched
        # and sorted instead: a broad word in one country, 93,000 rows at a million
        # listings, 0.8 s, where walking finds the newest in a few thousand.
        if posted_from is not None and bounded(CANDIDATES):
            where_sql += walk_budget.date_bound(posted_from, recent_from)
            where_params = [*where_params, posted_from]
        cte += (
            f", {CANDIDATES} AS MATERIALIZED (SELECT {kept} FROM {FACET_BASE} WHERE {where_sql} "  # noqa: S608
            f"ORDER BY posted_at DESC, id DESC LIMIT {int(limit) + 1}) "
        )
        params += where_params
    selected = [name for name in FACETS if search.facet_q(name, now=now) and name not in skip]
    shared = [name for name in FACETS if not search.facet_q(name, now=now) and name not in skip]
    if pieces is not None:
        selected = [name for name in selected if name in pieces]
        shared = shared if newest else []
    parts: list[str] = []
    if shared:
        grouped = ", ".join(f"k_{name}" for name in shared)
        width = len(shared)
        # GROUPING() sets a bit for every column *not* grouped in the row's set.
        masks = {name: (2**width - 1) ^ (1 << (width - 1 - i)) for i, name in enumerate(shared)}
        facet_case = " ".join(f"WHEN {mask} THEN '{name}'" for name, mask in masks.items())
        key_case = " ".join(f"WHEN {mask} THEN k_{name}" for name, mask in masks.items())
        if limit is None:
            where_sql, where_params = where()
            counted, _ = rows_of(where_sql)
        else:
            # Every filter applied: the newest matches, read above.
            counted, where_params = f"{CANDIDATES} {FACET_BASE}", []
        parts.append(
            f"SELECT CASE GROUPING({grouped}) {facet_case} END, "  # noqa: S608
            f"CASE GROUPING({grouped}) {key_case} END, max(country), count(*) "
            f"FROM {counted} "
            f"GROUP BY GROUPING SETS ({', '.join(f'(k_{n})' for n in shared)})"
        )
        params += where_params
    for name in selected:
        where_sql, where_params = where(name)
        rows_sql, bound = rows_of(where_sql, name)
        parts.append(
            f"SELECT '{name}', k_{name}, max(country), count(*) FROM {rows_sql} GROUP BY 2"  # noqa: S608
        )
        params += [*where_params, *bound]
    if limit is not None and newest:
        parts.append(
            f"SELECT '{CANDIDATES}', id::text, rank::text, "  # noqa: S608
            f"row_number() OVER (ORDER BY posted_at DESC, id DESC) FROM {CANDIDATES}"
        )
    return cte + " UNION ALL ".join(parts), params
