"""Every listing's search vector computed again, now with its facet tokens
(``board.facet_tokens``): a keyword search's facet filters read them, so a vector
without them would hide the listing from those searches.

One UPDATE of the listings whose vector lacks them (PostgreSQL only; SQLite's keyword
index has no tokens), then ``VACUUM ANALYZE``: the update leaves a dead copy of every
row it wrote, and the planner needs the tokens' statistics to weigh a search for them
(at a million listings, a benchmark run just after the update without it was four to
ten times slower). Outside a transaction, as VACUUM must be; the UPDATE is one
statement. On the benchmark's data it took 29 s at 100,000 listings: a board of a
million should plan minutes for this migration.
"""

from typing import Any

from django.db import migrations


def recompute(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    # The recipe as the code has it: the same statement the board's services run.
    from jobboard.board import search_index

    if search_index.refresh_vectors(without_tokens_only=True):
        schema_editor.execute("VACUUM ANALYZE board_listing")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("board", "0015_live_company_posted_index"),
    ]

    # Backwards, the tokens stay: a vector with them matches every search it did.
    operations = [migrations.RunPython(recompute, migrations.RunPython.noop)]
