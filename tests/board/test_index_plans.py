"""Pages that read a few rows can read them off an index in order (PostgreSQL plans)."""

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


def plan_without(sql: str, *, indexes: tuple[str, ...]) -> str:
    """The plan of this statement with these indexes gone and a table scan the last
    resort. On a test's few rows the planner picks among equals as it likes (a walk of the
    whole board by date skips the sort too); without the others, the plan says whether the
    index under test serves the statement at all. The drop ends with the test's
    transaction."""
    with connection.cursor() as cursor:
        for name in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute("ANALYZE board_listing")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}")
        return "\n".join(line for (line,) in cursor.fetchall())


def test_more_at_this_company_reads_the_newest_five_off_an_index_without_sorting():
    # Before the index, every live job of the company was fetched and sorted for five.
    for n in range(10):
        make_listing(company_name="Other", posted_at=posted(n / 10))
    listings = [make_listing(company_name="Acme", posted_at=posted(1 + n / 3)) for n in range(30)]
    with CaptureQueriesContext(connection) as captured:
        more = selectors.more_at_company(listing=listings[0])
    assert [row.pk for row in more] == [row.pk for row in listings[1:6]]
    plan = plan_without(
        captured.captured_queries[-1]["sql"],
        indexes=("listing_state_posted", "board_listing_posted_at_3a34d14f"),
    )
    assert "listing_live_company_posted" in plan
    assert "Sort" not in plan
