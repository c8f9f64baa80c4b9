"""Every listing's search vector computed again, now with its facet tokens
(``board.facet_tokens``): a keyword search's facet filters read them, so a vector
without them would hide the listing from those searches.

One UPDATE of every listing (PostgreSQL only; SQLite's keyword index has no tokens).
On the benchmark's data it took 29 s at 100,000 listings, its indexes kept up to date
as it goes: a board of a million should plan minutes for this migration.
"""

from typing import Any

from django.db import migrations


def recompute(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    # The recipe as the code has it: the same statement the board's services run.
    from jobboard.board import search_index

    search_index.refresh_vectors()


class Migration(migrations.Migration):
    dependencies = [
        ("board", "0015_live_company_posted_index"),
    ]

    # Backwards, the tokens stay: a vector with them matches every search it did.
    operations = [migrations.RunPython(recompute, migrations.RunPython.noop)]
