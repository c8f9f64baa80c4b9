"""Pages that read a few rows read them off an index in order (PostgreSQL plans)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jobboard.board import selectors
from tests.board.factories import make_listing, posted

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the plans are PostgreSQL's"),
]


def plan_of(sql: str) -> str:
    """The plan PostgreSQL picks for this statement when a table scan is its last resort
    (a test table is small enough to be read whole anyway)."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE board_listing")
        cursor.execute("SET enable_seqscan = off")
        try:
            cursor.execute(f"EXPLAIN {sql}")
            return "\n".join(line for (line,) in cursor.fetchall())
        finally:
            cursor.execute("RESET enable_seqscan")


def test_more_at_this_company_reads_the_newest_five_off_the_index_without_sorting():
    # Before the index, every live job of the company was fetched and sorted for five.
    listings = [make_listing(company_name="Acme", posted_at=posted(n / 3)) for n in range(30)]
    with CaptureQueriesContext(connection) as captured:
        more = selectors.more_at_company(listing=listings[0])
    assert [row.pk for row in more] == [row.pk for row in listings[1:6]]
    plan = plan_of(captured.captured_queries[-1]["sql"])
    assert "listing_live_company_posted" in plan
    assert "Sort" not in plan
