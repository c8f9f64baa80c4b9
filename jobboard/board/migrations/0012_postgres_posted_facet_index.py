"""A covering index on the posting date of live listings (PostgreSQL only).

The date filter ("posted in the last 7 days") is the one filter the kept counts cannot
answer for the other facets: they are counted on the listings of the window. Ordered by
posted_at and holding every column the facets read, this index makes that a range scan
of the window (index-only) instead of a scan of every live listing: at a million
listings, /?posted=7 went from 485 to 267 ms. SQLite has no INCLUDE.
"""

from django.db import migrations

from jobboard.board.postgres_only import run_on_postgresql

CREATE = [
    "CREATE INDEX IF NOT EXISTS listing_live_posted_facets ON board_listing (posted_at) "
    "INCLUDE (valid_through, remote, country_code, country, city, function, industry, "
    "experience_level, employment_type, salary_annual, salary_min, salary_max) "
    "WHERE state = 'live'",
]
DROP = ["DROP INDEX IF EXISTS listing_live_posted_facets"]


class Migration(migrations.Migration):
    dependencies = [("board", "0011_facet_counts")]

    operations = [run_on_postgresql(CREATE, DROP)]
