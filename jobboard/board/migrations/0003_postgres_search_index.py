"""PostgreSQL-only indexes for search.

A GIN index cannot be declared in ``Meta.indexes`` without breaking SQLite (which
has no ``USING gin``), so it is created here, and only when the database is PostgreSQL.
"""

from django.db import migrations

from jobboard.board.postgres_only import run_on_postgresql

CREATE = [
    "CREATE INDEX IF NOT EXISTS listing_search_gin ON board_listing USING gin (search_vector)",
]
DROP = ["DROP INDEX IF EXISTS listing_search_gin"]


class Migration(migrations.Migration):
    dependencies = [("board", "0002_search_salary_alerts")]

    operations = [run_on_postgresql(CREATE, DROP)]
