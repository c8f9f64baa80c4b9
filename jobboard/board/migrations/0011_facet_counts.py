"""Facet counts kept by the board's services (``board.counts``), filled from the listings."""

from django.db import migrations, models

from jobboard.board import recount


class Migration(migrations.Migration):
    dependencies = [
        ("board", "0010_languages"),
    ]

    operations = [
        migrations.CreateModel(
            name="FacetCount",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("scope", models.CharField(max_length=200)),
                ("facet", models.CharField(max_length=20)),
                ("key", models.CharField(max_length=200)),
                ("label", models.CharField(blank=True, max_length=200)),
                ("count", models.IntegerField(default=0)),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("scope", "facet", "key"), name="facetcount_key"
                    )
                ],
            },
        ),
        migrations.RunPython(recount.rebuild_in_migration, migrations.RunPython.noop),
    ]
