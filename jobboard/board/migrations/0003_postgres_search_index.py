"""PostgreSQL-only indexes for search.

A GIN index cannot be declared in ``Meta.indexes`` without breaking SQLite (which
has no ``USING gin``), so it is created here, and only when the database is PostgreSQL.
"""

from django.db import migrations

CREATE = [
    "CREATE INDEX IF NOT EXISTS listing_search_gin ON board_listing USING gin (search_vector)",
]
DROP = ["DROP INDEX IF EXISTS listing_search_gin"]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("board", "0002_search_salary_alerts")]

    operations = [migrations.RunPython(_run(CREATE), _run(DROP))]
