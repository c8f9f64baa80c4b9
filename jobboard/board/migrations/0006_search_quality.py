"""Search quality on both databases: stemming and typo tolerance.

- The vocabulary (``SearchWord``) that spelling suggestions compare a query with, with
  a GIN trigram index (``pg_trgm``) on PostgreSQL.
- On SQLite, an FTS5 table with the Porter stemmer in place of the substring match.
  A virtual table cannot be declared as a model; ``jobboard.board.search_index`` keeps
  it in step with the listings.

Both are filled from the listings already there.
"""

import re
from html import unescape

import nh3
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models

FTS_CREATE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS board_listing_fts USING fts5("
    "title, company, body, extra, tokenize='porter unicode61 remove_diacritics 2')"
)
TRGM_CREATE = (
    "CREATE INDEX IF NOT EXISTS searchword_trgm ON board_searchword "
    "USING gin (word gin_trgm_ops)"
)
WORD = re.compile(r"\w+")


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRGM_CREATE)
    else:
        schema_editor.execute(FTS_CREATE)


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS searchword_trgm")
    else:
        schema_editor.execute("DROP TABLE IF EXISTS board_listing_fts")


def _text(html):
    return " ".join(unescape(nh3.clean(html or "", tags=set(), attributes={})).split())


def fill(apps, schema_editor):
    # The same words and columns as jobboard.board.search_index, frozen here.
    Listing = apps.get_model("board", "Listing")
    SearchWord = apps.get_model("board", "SearchWord")
    sqlite = schema_editor.connection.vendor != "postgresql"
    rows = Listing.objects.order_by("pk").values(
        "id", "title", "company__name", "job_description", "qualifications", "function",
        "industry", "experience_level", "employment_type", "city", "region", "country",
        "additional_information",
    )
    words = set()
    batch = []
    for row in rows.iterator(chunk_size=2000):
        row = {k: v or "" for k, v in row.items()}
        for name in ("title", "company__name", "function", "industry", "city", "region", "country"):
            for word in WORD.findall(row[name].lower()):
                if 3 <= len(word) <= 40 and not word.isdigit():
                    words.add(word)
        if sqlite:
            extra = [row[f] for f in ("function", "industry", "experience_level",
                     "employment_type", "city", "region", "country")]
            batch.append((
                row["id"], row["title"], row["company__name"],
                _text(f"{row['job_description']} {row['qualifications']}"),
                " ".join([*extra, _text(row["additional_information"])]),
            ))
    if batch:
        with schema_editor.connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO board_listing_fts (rowid, title, company, body, extra) "
                "VALUES (%s, %s, %s, %s, %s)",
                batch,
            )
    SearchWord.objects.bulk_create(
        [SearchWord(word=w) for w in sorted(words)], ignore_conflicts=True, batch_size=500
    )


class Migration(migrations.Migration):

    dependencies = [
        ('board', '0005_listing_updated_index'),
    ]

    operations = [
        # A no-op on SQLite (Django checks the vendor).
        TrigramExtension(),
        migrations.CreateModel(
            name='SearchWord',
            fields=[
                ('word', models.CharField(max_length=40, primary_key=True, serialize=False)),
            ],
        ),
        migrations.RunPython(create_indexes, drop_indexes),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
