"""The kept facet counts gain a scope per day of posting (``board.counts.DAY_SCOPE``), so
the date filter is answered from the table: recounted from the listings."""

from django.db import migrations


def count_again(apps, schema_editor):
    from jobboard.board import recount

    recount.rebuild(
        listings=apps.get_model("board", "Listing"), counts=apps.get_model("board", "FacetCount")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("board", "0013_postgres_remote_country_index"),
    ]

    operations = [
        migrations.RunPython(count_again, migrations.RunPython.noop),
    ]
