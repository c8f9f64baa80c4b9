"""The keyword index of the newest listings (``board.recent_index``): built for the wider
window's day, replaced when stale, read only by the searches that ask for it, and the
counts and results of a search are those it had without it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jobboard.board import facets, recent_index, tasks, walk_budget
from jobboard.board.models import Listing
from jobboard.board.search import JobSearch
from tests.board.factories import make_listing, posted

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="a partial GIN index is PostgreSQL's"
)
# CREATE INDEX CONCURRENTLY cannot run in a transaction: these tests run without one.
pytestmark = pytest.mark.django_db(transaction=True)

WALK_ROWS = 4


def _indexes() -> dict[str, tuple[int, bool, str]]:
    """This module's indexes: name -> (oid, valid, predicate)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, c.oid, i.indisvalid, pg_get_expr(i.indpred, i.indrelid) "
            "FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "WHERE i.indrelid = 'board_listing'::regclass AND c.relname LIKE %s",
            [recent_index.PREFIX.replace("_", r"\_") + "%"],
        )
        return {name: (oid, valid, predicate) for name, oid, valid, predicate in cursor.fetchall()}


def _drop_all() -> None:
    with connection.cursor() as cursor:
        for name in _indexes():
            cursor.execute(f'DROP INDEX IF EXISTS "{name}"')


@pytest.fixture
def board(settings) -> Iterator[None]:
    settings.BOARD_FACET_CACHE_SECONDS = 0
    settings.BOARD_SEARCH_COUNT_LIMIT = 4
    settings.BOARD_SEARCH_WALK_ROWS = WALK_ROWS
    # The walks' bounds are kept a minute in the cache: none from another test.
    cache.clear()
    # Forty listings over the last ten days (four a day), five weeks older. Each country
    # with its own name: the counts' label is any of the sample's (the factory's names
    # follow its own counter, whatever the code).
    for i in range(40):
        make_listing(
            title="Python Developer" if i % 2 else "Data Analyst",
            country_code=("DE", "FR", "PL")[i % 3],
            country=("Germany", "France", "Poland")[i % 3],
            remote=i % 4 == 0,
            posted_at=posted(i / 4),
        )
    for i in range(5):
        make_listing(
            title="Python Keeper",
            country_code="DE",
            country="Germany",
            remote=True,
            posted_at=posted(35 + i),
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE board_listing")
    yield
    # DDL outlives the flush that empties the tables after each test.
    _drop_all()
    cache.clear()


def _wider_day():
    with connection.cursor() as cursor:
        return walk_budget.read_bounds(cursor, WALK_ROWS).posted_wider


@on_postgresql
def test_refresh_builds_the_index_of_the_wider_window_s_day(board) -> None:
    day = _wider_day()
    assert day is not None

    name = recent_index.refresh()

    assert name == recent_index.name_of(day)
    oid, valid, predicate = _indexes()[name]
    assert valid
    assert "posted_at >=" in predicate
    assert "infinity" in predicate
    assert recent_index.current() == day
    with connection.cursor() as cursor:
        assert walk_budget.read_bounds(cursor, WALK_ROWS).recent_from == day
    # Done again: the index is fresh, and kept as it is.
    assert recent_index.refresh() == name
    assert _indexes()[name][0] == oid


@on_postgresql
def test_a_stale_index_is_replaced_and_one_cut_off_is_dropped(board) -> None:
    day = _wider_day()
    stale = recent_index.name_of(day - timedelta(days=3))
    wanted = recent_index.name_of(day)
    with connection.cursor() as cursor:
        cursor.execute(
            f'CREATE INDEX "{stale}" ON board_listing USING gin (search_vector) '
            "WHERE posted_at >= %s",
            [day - timedelta(days=3)],
        )
        # A build cut off half way (the process killed) leaves its index invalid.
        cursor.execute(f'CREATE INDEX "{wanted}" ON board_listing (posted_at)')
        cursor.execute(
            "UPDATE pg_index SET indisvalid = false WHERE indexrelid = %s::regclass", [wanted]
        )
    assert recent_index.current() == day - timedelta(days=3)

    assert recent_index.refresh() == wanted

    assert list(_indexes()) == [wanted]
    assert _indexes()[wanted][1]
    assert "search_vector" in _index_definition(wanted)


def _index_definition(name: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_indexdef(%s::regclass)", [name])
        return str(cursor.fetchone()[0])


@on_postgresql
def test_a_board_too_small_for_it_has_none(board, settings) -> None:
    recent_index.refresh()
    settings.BOARD_SEARCH_WALK_ROWS = 10**6  # the window is the whole board

    assert recent_index.refresh() is None

    assert _indexes() == {}
    assert recent_index.current() is None


@on_postgresql
def test_a_refresh_leaves_the_work_to_one_already_running(board) -> None:
    # Another process's refresh holds the lock: a second connection stands for it.
    other = connections.create_connection("default")
    try:
        with other.cursor() as held:
            held.execute("SELECT pg_advisory_lock(%s)", [recent_index._LOCK])
            assert recent_index.refresh() is None
            assert _indexes() == {}
            held.execute("SELECT pg_advisory_unlock(%s)", [recent_index._LOCK])
    finally:
        other.close()
    assert recent_index.refresh() is not None


@on_postgresql
def test_the_beat_task_refreshes_it(board) -> None:
    assert tasks.refresh_recent_search_index() == recent_index.name_of(_wider_day())
    assert tasks.refresh_recent_search_index() == recent_index.name_of(_wider_day())
    assert len(_indexes()) == 1


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the other databases")
def test_elsewhere_there_is_nothing_to_do() -> None:
    assert recent_index.refresh() is None
    assert recent_index.current() is None
    assert tasks.refresh_recent_search_index() == ""


SEARCHES = [
    {"q": "python", "workplace": "remote"},
    {"q": "python", "country": "de", "workplace": "remote"},
    {"q": "data", "country": "fr"},
    {"q": "python developer"},
]


def counted(params: dict[str, str]) -> dict:
    search = JobSearch.from_params(params)
    now = timezone.now()
    return facets.counted_on_listings(search, Listing.objects.visible(now=now), now=now)


def _bitmaps_only() -> None:
    # This small table would be read whole; a large board's keyword searches are read
    # by bitmap (the plans that walk are tested in test_bounded_walks).
    with connection.cursor() as cursor:
        for name in ("enable_seqscan", "enable_indexscan", "enable_tidscan"):
            cursor.execute(f"SET {name} = off")


def _reset() -> None:
    with connection.cursor() as cursor:
        cursor.execute("RESET ALL")


@on_postgresql
def test_searches_read_it_and_count_what_they_did_without_it(board, monkeypatch) -> None:
    _bitmaps_only()
    try:
        before = {str(params): counted(params) for params in SEARCHES}
        recent_index.refresh()
        cache.clear()
        # The newest matches bounded by the wider window, every chosen facet's part read
        # on the newest listings: the reads this index is for.
        monkeypatch.setattr(
            walk_budget,
            "newest_window",
            lambda plan, newest, limit, bounds, walked: bounds.posted_wider,
        )
        monkeypatch.setattr(walk_budget, "EXPECTED_IN_WINDOW", 0)
        with CaptureQueriesContext(connection) as captured:
            after = {str(params): counted(params) for params in SEARCHES}
    finally:
        _reset()
    assert after == before
    day = recent_index.current()
    statements = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("WITH")]
    marked = [sql for sql in statements if recent_index.MARK in sql]
    assert marked, statements
    assert all(day.strftime("%Y-%m-%d") in sql for sql in marked)


@on_postgresql
def test_only_the_searches_that_ask_for_it_read_it(board) -> None:
    name = recent_index.refresh()
    day = recent_index.current()
    later = day + timedelta(hours=6)
    query = (
        "EXPLAIN SELECT id FROM board_listing WHERE search_vector @@ 'python'::tsquery "
        "AND posted_at >= %s"
    )
    plans: dict[str, str] = {}
    with transaction.atomic(), connection.cursor() as cursor:
        # Without the listings' other indexes (rolled back), and any plan but a table
        # scan: the index this module built is the planner's only other choice.
        cursor.execute(
            "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "WHERE i.indrelid = 'board_listing'::regclass AND c.relname <> %s "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)",
            [name],
        )
        for (other,) in cursor.fetchall():
            cursor.execute(f'DROP INDEX "{other}"')
        cursor.execute("SET LOCAL enable_seqscan = off")
        for label, sql, params in (
            ("asked", f"{query} AND {recent_index.MARK}", [day]),
            ("later day, not asked", query, [later]),
            ("its day, not asked", query, [day]),
        ):
            cursor.execute(sql, params)
            plans[label] = "\n".join(row[0] for row in cursor.fetchall())
        transaction.set_rollback(True)
    assert name in plans["asked"]
    assert name not in plans["later day, not asked"]
    assert name not in plans["its day, not asked"]
    assert "listing_search_gin" in _index_definition("listing_search_gin")
