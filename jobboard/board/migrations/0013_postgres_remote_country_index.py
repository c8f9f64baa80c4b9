"""An index on (remote, country_code) of live listings (PostgreSQL only).

The board's searches narrow by workplace and country together ("engineer", remote, in
Germany). The text index and the country index alone left a remote filter to the
table: at a million listings "engineer" in Germany is 40,000 rows, each in a page of
its own, read to keep the 3,200 remote ones (37,000 heap blocks for the results, 11,500
for a facet part). With this index the bitmaps meet on all three: 3,200 and 1,000
blocks. It serves "remote" alone too (its first column). A few MB at a million rows.
"""

from django.db import migrations

from jobboard.board.postgres_only import run_on_postgresql

CREATE = [
    "CREATE INDEX IF NOT EXISTS listing_live_remote_country ON board_listing "
    "(remote, country_code) WHERE state = 'live'",
]
DROP = ["DROP INDEX IF EXISTS listing_live_remote_country"]


class Migration(migrations.Migration):
    dependencies = [("board", "0012_postgres_posted_facet_index")]

    operations = [run_on_postgresql(CREATE, DROP)]
