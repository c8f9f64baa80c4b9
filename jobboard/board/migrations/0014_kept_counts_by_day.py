"""The kept facet counts gain a scope per day of posting (``board.counts.DAY_SCOPE``), so
the date filter is answered from the table: recounted from the listings."""

from django.db import migrations

from jobboard.board import recount


class Migration(migrations.Migration):
    dependencies = [
        ("board", "0013_postgres_remote_country_index"),
    ]

    operations = [
        migrations.RunPython(recount.rebuild_in_migration, migrations.RunPython.noop),
    ]
