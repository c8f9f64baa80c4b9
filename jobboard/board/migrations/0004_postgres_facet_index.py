"""A covering index for facet counts and totals (PostgreSQL only).

Counting facets on 100k listings reads every visible row; with all the columns the
facets need INCLUDEd here, PostgreSQL answers from this ~15 MB index (index-only scan)
instead of the table, whose rows carry the job ad HTML. SQLite has no INCLUDE.
"""

from django.db import migrations

from jobboard.board.postgres_only import run_on_postgresql

CREATE = [
    "CREATE INDEX IF NOT EXISTS listing_facets ON board_listing (state, valid_through) "
    "INCLUDE (id, posted_at, remote, country_code, country, city, function, industry, "
    "experience_level, employment_type, salary_annual, salary_min, salary_max)",
]
DROP = ["DROP INDEX IF EXISTS listing_facets"]


class Migration(migrations.Migration):
    dependencies = [("board", "0003_postgres_search_index")]

    operations = [run_on_postgresql(CREATE, DROP)]
