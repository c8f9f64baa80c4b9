"""A capped keyword search bounds its walks (PostgreSQL): rare matches cost a bounded
read, not the table, and the counts and results are those of an unbounded walk."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jobboard.board import facet_tokens, facets, walk_budget
from jobboard.board.models import Listing
from jobboard.board.search import JobSearch
from tests.board.factories import make_listing, posted

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the walks and their plans are PostgreSQL's"
    ),
]

SEARCHES = [
    {"q": "zebra"},
    {"q": "zebra", "workplace": "remote"},
    {"q": "zebra", "country": "de", "workplace": "remote"},
    {"q": "python", "workplace": "remote"},
    {"q": "python", "country": "fr"},
    {"q": "python zebra", "country": "de"},
    {"q": "nothing-matches", "workplace": "onsite"},
]


@pytest.fixture
def board(settings):
    settings.BOARD_FACET_CACHE_SECONDS = 0
    settings.BOARD_SEARCH_COUNT_LIMIT = 4
    # Many recent listings without the rare word, then the few with it, older: a walk
    # newest first, or in table order, meets the rare ones last.
    for i in range(5):
        make_listing(
            title="Zebra Keeper",
            country_code="DE" if i % 2 else "FR",
            remote=i < 3,
            posted_at=posted(20 + i),
        )
    for i in range(40):
        make_listing(
            title="Python Developer",
            country_code=("DE", "FR", "PL")[i % 3],
            remote=i % 4 == 0,
            posted_at=posted(i / 4),
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE board_listing")


def counted(params: dict[str, str]) -> dict:
    search = JobSearch.from_params(params)
    now = timezone.now()
    return facets.counted_on_listings(search, Listing.objects.visible(now=now), now=now)


@contextmanager
def plans_off(*names: str) -> Iterator[None]:
    """The planner without these kinds of plan, as they were again afterwards."""
    with connection.cursor() as cursor:
        for name in names:
            cursor.execute(f"SET {name} = off")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for name in names:
                cursor.execute(f"RESET {name}")


@pytest.fixture
def walks_only():
    """Plans that walk (date index, table order) wherever they can, as on a large board
    with dense matches; this small table would otherwise be read whole."""
    with connection.cursor() as cursor:
        cursor.execute("SET enable_bitmapscan = off")
        cursor.execute("SET enable_seqscan = off")
    yield
    with connection.cursor() as cursor:
        cursor.execute("RESET enable_bitmapscan")
        cursor.execute("RESET enable_seqscan")


@pytest.mark.parametrize(
    "params", SEARCHES, ids=lambda p: "&".join(f"{k}={v}" for k, v in p.items())
)
def test_bounded_walks_count_what_unbounded_ones_do(board, settings, walks_only, params) -> None:
    settings.BOARD_SEARCH_WALK_ROWS = 10**9  # never cut: the reference
    unbounded = counted(params)
    settings.BOARD_SEARCH_WALK_ROWS = 2
    with CaptureQueriesContext(connection) as captured:
        bounded = counted(params)
    assert bounded == unbounded
    # The rare word was found past the bound: the indexes were asked again.
    if "zebra" in params["q"] or "nothing" in params["q"]:
        assert any("enable_indexscan" in q["sql"] for q in captured.captured_queries)


def test_a_walk_cut_short_is_read_again_on_the_indexes_only(board, settings, walks_only) -> None:
    settings.BOARD_SEARCH_WALK_ROWS = 2
    with CaptureQueriesContext(connection) as captured:
        counts = counted({"q": "zebra", "workplace": "remote"})
    sqls = [q["sql"] for q in captured.captured_queries]
    # Planned, run bounded, then only the cut walk again without walks.
    assert sum(sql.startswith("EXPLAIN") for sql in sqls) == 1
    assert sum(sql.startswith("WITH") for sql in sqls) == 2
    again = [sql for sql in sqls if sql.startswith("WITH")][-1]
    assert "row_at <" not in again  # not bounded (the row's place is read, not compared)
    # What was turned off for the second reading is as it was again.
    with connection.cursor() as cursor:
        cursor.execute("SHOW enable_indexscan")
        assert cursor.fetchone()[0] == "on"
    # Three remote zebra keepers, all found although older than the bound.
    assert counts[facets.MATCHED]["count"][1] == 3
    assert len(counts[facets.CANDIDATES]) == 3


def test_dense_matches_stay_within_the_bound(board, settings, walks_only) -> None:
    settings.BOARD_SEARCH_WALK_ROWS = 30
    with CaptureQueriesContext(connection) as captured:
        counts = counted({"q": "python"})
    sqls = [q["sql"] for q in captured.captured_queries]
    assert not any("enable_indexscan" in sql for sql in sqls)
    assert counts[facets.MATCHED]["count"][1] == 5  # the cap and one more


def test_a_bitmap_is_not_bounded(board, settings) -> None:
    # Without the forced walks the planner reads this small table by other means; the
    # bound is left out where nothing walks, so nothing is read twice.
    settings.BOARD_SEARCH_WALK_ROWS = 2
    with (
        plans_off("enable_seqscan", "enable_indexscan", "enable_tidscan"),
        CaptureQueriesContext(connection) as captured,
    ):
        counts = counted({"q": "zebra", "country": "de"})
    sqls = [q["sql"] for q in captured.captured_queries]
    assert sum(sql.startswith("WITH") for sql in sqls) == 1
    assert "row_at <" not in sqls[-1]
    assert counts[facets.MATCHED]["count"][1] == 2


def test_a_walk_short_of_dense_matches_reads_a_wider_window(
    board, settings, walks_only, monkeypatch
) -> None:
    # One remote Python listing a day: a window of 8 listings (about two days) holds
    # two or three, short of the cap's five, but dense enough that one four times as
    # long holds them all. That window is read on the indexes (walks off), bounded by
    # date: not the indexes asked for every match.
    settings.BOARD_SEARCH_WALK_ROWS = 10**9
    unbounded = counted({"q": "python", "workplace": "remote"})
    settings.BOARD_SEARCH_WALK_ROWS = 8
    # The narrower window first, whatever the planner expects of it (see below).
    monkeypatch.setattr(walk_budget, "EXPECTED_IN_WINDOW", 0)
    with CaptureQueriesContext(connection) as captured:
        bounded = counted({"q": "python", "workplace": "remote"})
    sqls = [q["sql"] for q in captured.captured_queries]
    assert bounded == unbounded
    assert bounded[facets.MATCHED]["count"][1] == 5  # the cap and one more
    statements = [sql for sql in sqls if sql.startswith("WITH")]
    assert len(statements) == 2
    # The second reading is of the newest matches only, within its own bound, with
    # the walks turned off before it and on again after.
    assert "posted_at >= " in statements[1]
    assert "GROUP BY 2" not in statements[1]  # no chosen facet's part
    second = sqls.index(statements[1])
    assert "set_config('enable_indexscan', 'off', true)" in sqls[second - 1]
    assert "set_config('enable_indexscan', 'on', true)" in sqls[second + 1]
    with connection.cursor() as cursor:
        cursor.execute("SHOW enable_indexscan")
        assert cursor.fetchone()[0] == "on"


def test_a_walk_expected_short_in_the_window_walks_the_wider_one(
    board, settings, walks_only
) -> None:
    # The planner expects the remote Python listings to be too few in the narrower
    # window for the cap: the walk stops at the wider one, read once.
    settings.BOARD_SEARCH_WALK_ROWS = 10**9
    unbounded = counted({"q": "python", "workplace": "remote"})
    settings.BOARD_SEARCH_WALK_ROWS = 8
    with connection.cursor() as cursor:
        bounds = walk_budget.read_bounds(cursor, 8)
    with CaptureQueriesContext(connection) as captured:
        bounded = counted({"q": "python", "workplace": "remote"})
    statements = [q for q in captured.captured_queries if q["sql"].startswith("WITH")]
    assert len(statements) == 1
    assert "posted_at >= " in statements[0]["sql"]
    assert bounds.posted_wider.isoformat(sep=" ") in statements[0]["sql"]
    assert bounded == unbounded


def test_a_narrow_filter_walks_within_the_bound(board, settings, walks_only) -> None:
    # With a country chosen the newest matches may be walked too (the planner decides):
    # the walk stops at its bound like any other.
    settings.BOARD_SEARCH_WALK_ROWS = 2
    with CaptureQueriesContext(connection) as captured:
        counts = counted({"q": "python", "country": "pl"})
    first = next(q["sql"] for q in captured.captured_queries if q["sql"].startswith("WITH"))
    newest = first.split("_candidates AS")[1].split("ORDER BY")[0]
    assert facet_tokens.token("country", "pl") in newest  # the country, as a token
    assert "posted_at >= " in newest
    assert counts[facets.MATCHED]["count"][1] == 5


def test_a_whole_table_read_for_the_newest_matches_is_bounded(board, settings) -> None:
    # A filter without an index of its own can make the planner read the whole table
    # for the newest matches and sort them; bounded by date it reads the window only.
    settings.BOARD_SEARCH_WALK_ROWS = 10**9
    unbounded = counted({"q": "python", "country": "pl"})
    settings.BOARD_SEARCH_WALK_ROWS = 2
    with (
        plans_off("enable_indexscan", "enable_bitmapscan"),
        CaptureQueriesContext(connection) as captured,
    ):
        bounded = counted({"q": "python", "country": "pl"})
    first = next(q["sql"] for q in captured.captured_queries if q["sql"].startswith("WITH"))
    assert "posted_at >= " in first.split("_candidates AS")[1].split("ORDER BY")[0]
    assert bounded == unbounded


BOUNDS_QUERY = "FILTER (WHERE running >= "


def test_the_bounds_are_read_once_for_a_minute_of_searches(board, settings, walks_only) -> None:
    settings.BOARD_SEARCH_WALK_ROWS = 2
    with CaptureQueriesContext(connection) as captured:
        first = counted({"q": "python", "country": "pl"})
        again = counted({"q": "zebra", "workplace": "remote"})
    reads = [q["sql"] for q in captured.captured_queries if BOUNDS_QUERY in q["sql"]]
    assert len(reads) == 1
    # Both found what they would have with the bounds read afresh (see the tests above).
    assert first[facets.MATCHED]["count"][1] == 5
    assert again[facets.MATCHED]["count"][1] == 3
    # Another budget is another set of bounds.
    settings.BOARD_SEARCH_WALK_ROWS = 3
    with CaptureQueriesContext(connection) as captured:
        counted({"q": "python", "country": "pl"})
    assert sum(BOUNDS_QUERY in q["sql"] for q in captured.captured_queries) == 1


def test_a_capped_search_compiles_its_filters_once(
    board, settings, walks_only, monkeypatch
) -> None:
    # Planned, run bounded, read again without walks: three statements, one compilation
    # of each filter (every filter; every filter but the country; but the workplace).
    settings.BOARD_SEARCH_WALK_ROWS = 2
    compiled: list[str] = []
    where_sql = facets._where_sql

    def counting(q):
        sql, params = where_sql(q)
        compiled.append(sql)
        return sql, params

    monkeypatch.setattr(facets, "_where_sql", counting)
    # And the base query (the keywords, their rank, the row's place) once in all.
    memos: list[dict] = []
    statement = facets._facet_statement

    def keeping(*args, compiled, **kwargs):
        memos.append(compiled)
        return statement(*args, compiled=compiled, **kwargs)

    monkeypatch.setattr(facets, "_facet_statement", keeping)
    params = {"q": "zebra", "country": "de", "workplace": "remote"}
    with CaptureQueriesContext(connection) as captured:
        bounded = counted(params)
    assert sum(q["sql"].startswith("WITH") for q in captured.captured_queries) >= 2
    # The country and the workplace are searched as tokens (``facet_tokens``): what is
    # left of each filter for its columns may be the same SQL, compiled once per filter.
    assert len(compiled) == 3
    assert len(memos) >= 2
    assert all(memo is memos[0] for memo in memos)
    assert sum(key[0] == "base" for key in memos[0] if isinstance(key, tuple)) == 1
    settings.BOARD_SEARCH_WALK_ROWS = 10**9
    assert bounded == counted(params)


def _plan(newest_node: dict) -> list[dict]:
    """An ``EXPLAIN (FORMAT JSON)`` of a statement whose newest matches read as given."""
    table = Listing._meta.db_table
    return [
        {
            "Plan": {
                "Node Type": "Append",
                "Plans": [
                    {"Subplan Name": "CTE _candidates", "Node Type": "Limit", "Plans": [
                        {"Node Type": "Sort", "Plans": [{**newest_node, "Relation Name": table}]}
                    ]},
                    {"Parent Relationship": "Member", "Node Type": "Subquery Scan"},
                ],
            }
        }
    ]  # fmt: skip


DAY = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
# A window of a tenth of the listings, a wider one of a third.
BOUNDS = walk_budget.Bounds(
    posted_from=DAY,
    page_to=None,
    posted_wider=DAY - timedelta(days=4),
    window_share=0.1,
    wider_share=0.3,
)


def window_of(scan: str, expected: float, *, walked: bool = False) -> datetime | None:
    plan = _plan({"Node Type": scan, "Plan Rows": expected})
    return walk_budget.newest_window(plan, "_candidates", 1001, BOUNDS, walked=walked)


def test_a_bitmap_expected_to_fetch_many_matches_is_bounded_by_date() -> None:
    # Every match a bitmap finds is fetched, then sorted: many of them cost what a
    # walk through the table would, so the newest part is bounded by date, at the
    # narrowest window expected to hold the cap's worth.
    assert window_of("Bitmap Heap Scan", 10 * 1001) == BOUNDS.posted_from
    assert window_of("Bitmap Heap Scan", 10 * 1001 - 1) == BOUNDS.posted_wider
    # Too few expected in either window: bounded, it would be read twice.
    assert window_of("Bitmap Heap Scan", 1001 / 0.3 - 1) is None
    # Few matches in all: fetched and sorted, never bounded.
    few = 2 * 1001 - 1
    bounds = replace(BOUNDS, window_share=1.0)
    plan = _plan({"Node Type": "Bitmap Heap Scan", "Plan Rows": few})
    assert walk_budget.newest_window(plan, "_candidates", 1001, bounds, walked=False) is None


def test_a_walk_is_bounded_at_the_window_expected_to_hold_its_matches() -> None:
    assert window_of("Index Scan", 10 * 1001, walked=True) == BOUNDS.posted_from
    assert window_of("Index Scan", 5 * 1001, walked=True) == BOUNDS.posted_wider
    # Rare matches: a walk stops at the narrower window all the same (the indexes
    # read them after).
    assert window_of("Seq Scan", 10, walked=True) == BOUNDS.posted_from
    assert walk_budget.walks(_plan({"Node Type": "Index Scan"}), [], newest="_candidates") == {
        "_candidates"
    }
    assert (
        walk_budget.walks(_plan({"Node Type": "Bitmap Heap Scan"}), [], newest="_candidates")
        == set()
    )


def test_the_bounds_know_each_window_s_share_of_the_listings(board, settings) -> None:
    # 45 listings: 40 over the last ten days (four a day), five weeks older.
    with connection.cursor() as cursor:
        bounds = walk_budget.read_bounds(cursor, 8)
    live = Listing.objects.visible(now=timezone.now())
    total = live.count()
    assert bounds.posted_from is not None
    assert bounds.posted_wider is not None
    since = live.filter(posted_at__gte=bounds.posted_from).count()
    wider = live.filter(posted_at__gte=bounds.posted_wider).count()
    assert since >= 8
    assert wider >= 8 * walk_budget.WIDER
    assert bounds.window_share == pytest.approx(since / total)
    assert bounds.wider_share == pytest.approx(wider / total)


def test_a_bitmap_expected_short_in_every_window_is_read_once(board, settings, monkeypatch) -> None:
    # The planner reads by bitmap; it expects more matches than the cap, but fewer in
    # the window: one reading, not bounded (it would come short and be read again).
    settings.BOARD_SEARCH_WALK_ROWS = 10**9
    unbounded = counted({"q": "python", "country": "fr"})
    settings.BOARD_SEARCH_WALK_ROWS = 2
    monkeypatch.setattr(walk_budget, "BITMAP_BOUNDED_AT", 0)  # any bitmap may be bounded
    monkeypatch.setattr(walk_budget, "EXPECTED_IN_WINDOW", 10**6)  # no window will do
    with (
        plans_off("enable_seqscan", "enable_indexscan", "enable_tidscan"),
        CaptureQueriesContext(connection) as captured,
    ):
        once = counted({"q": "python", "country": "fr"})
    statements = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("WITH")]
    assert len(statements) == 1
    assert "posted_at >= " not in statements[0].split("_candidates AS")[1].split("ORDER BY")[0]
    assert once == unbounded


def test_a_bounded_bitmap_counts_what_an_unbounded_one_does(board, settings, monkeypatch) -> None:
    # The planner reads by bitmap here; bounded by a window that holds too few of
    # "python", the matches are read again without the bound.
    settings.BOARD_SEARCH_WALK_ROWS = 10**9
    unbounded = counted({"q": "python", "country": "fr"})
    settings.BOARD_SEARCH_WALK_ROWS = 2
    monkeypatch.setattr(walk_budget, "BITMAP_BOUNDED_AT", 0)  # every bitmap is bounded
    monkeypatch.setattr(walk_budget, "EXPECTED_IN_WINDOW", 0)  # by the narrower window
    with (
        plans_off("enable_seqscan", "enable_indexscan", "enable_tidscan"),
        CaptureQueriesContext(connection) as captured,
    ):
        bounded = counted({"q": "python", "country": "fr"})
    statements = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("WITH")]
    assert "posted_at >= " in statements[0].split("_candidates AS")[1].split("ORDER BY")[0]
    assert len(statements) >= 2  # read again: the window held too few
    assert bounded == unbounded
