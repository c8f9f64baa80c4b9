"""Keeping the keyword index in step with the listings (written by the board's services).

PostgreSQL: the weighted ``search_vector`` column. SQLite: the FTS5 table
``board_listing_fts`` (created by migration 0006). Both: the vocabulary of words that
spelling suggestions compare a query with (``SearchWord``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from itertools import islice

from django.conf import settings
from django.db import connection

from jobboard.board import facet_tokens
from jobboard.board.html import plain_text
from jobboard.board.keywords import FTS_TABLE, vocabulary_words
from jobboard.board.models import Listing, SearchWord

# Listings read per round trip when the whole index is rebuilt.
CHUNK = 2000

# The weighted document a keyword search matches: title (A), company (B), the ad's text
# (C) and the facets' words (D). PostgreSQL's parser skips HTML tags and entities, so
# the sanitised sections go in as they are. Then the row's facet tokens
# (``facet_tokens``), which its facet filters search for with the words.
_SEARCH_VECTOR_SQL = (
    """
UPDATE board_listing AS l SET search_vector =
    setweight(to_tsvector(%(config)s::regconfig, coalesce(l.title, '')), 'A')
    || setweight(to_tsvector(%(config)s::regconfig, coalesce(c.name, '')), 'B')
    || setweight(to_tsvector(%(config)s::regconfig,
           concat_ws(' ', l.job_description, l.qualifications)), 'C')
    || setweight(to_tsvector(%(config)s::regconfig,
           concat_ws(' ', l.function, l.industry, l.experience_level, l.employment_type,
                     l.city, l.region, l.country, l.additional_information)), 'D')
    || """
    + facet_tokens.vector_sql(facet_tokens.columns_of("l"))
    + """
FROM board_company AS c
WHERE c.id = l.company_id
"""
)

# What the FTS5 columns and the vocabulary read, besides the company's name.
_FIELDS = (
    "id", "title", "company__name", "job_description", "qualifications", "function",
    "industry", "experience_level", "employment_type", "city", "region", "country",
    "additional_information",
)  # fmt: skip
_EXTRA = (
    "function", "industry", "experience_level", "employment_type", "city", "region",
    "country",
)  # fmt: skip
# The words worth suggesting: what people type into a job search box.
_VOCABULARY = ("title", "company__name", "function", "industry", "city", "region", "country")


def refresh(*, listing_ids: Sequence[int] | None = None) -> None:
    """Recompute the keyword index of some listings (all when ``None``)."""
    if connection.vendor == "postgresql":
        refresh_vectors(listing_ids)
    for rows in _chunks(_rows(listing_ids)):
        _write(rows)


def index_listing(listing: Listing) -> None:
    """Index one listing just written, from the values in hand."""
    index_listings([listing])


def index_listings(listings: Sequence[Listing]) -> None:
    """Index listings just written, from the values in hand: two statements for all.

    ``publish_listings`` runs for every chunk of a feed pass; reading the rows back
    would cost a query per posting for nothing.
    """
    if not listings:
        return
    if connection.vendor == "postgresql":
        refresh_vectors([listing.pk for listing in listings])
    rows = []
    for listing in listings:
        row = {name: getattr(listing, name) for name in _FIELDS if "__" not in name}
        row["company__name"] = listing.company.name
        rows.append(row)
    _write(rows)


def _write(rows: Sequence[dict[str, object]]) -> None:
    if connection.vendor != "postgresql":
        _write_fts(rows)
    words: set[str] = set()
    for row in rows:
        words |= vocabulary_words(*(str(row[name] or "") for name in _VOCABULARY))
    SearchWord.objects.bulk_create(
        [SearchWord(word=w) for w in sorted(words)], ignore_conflicts=True, batch_size=500
    )


def refresh_vectors(
    listing_ids: Sequence[int] | None = None, *, without_tokens_only: bool = False
) -> int:
    """Recompute the search vectors of some listings (all when ``None``), PostgreSQL;
    with ``without_tokens_only``, only those whose vector lacks its facet tokens (as
    written before them). Returns how many were written."""
    sql = _SEARCH_VECTOR_SQL
    params: dict[str, str | list[int]] = {"config": str(settings.BOARD_SEARCH_CONFIG)}
    if listing_ids is not None:
        sql += " AND l.id = ANY(%(ids)s)"
        params["ids"] = list(listing_ids)
    if without_tokens_only:
        # Every listing has one workplace token: a vector without its own lacks them all.
        own = facet_tokens.workplace_sql("l.remote")
        sql += f" AND NOT coalesce(l.search_vector @@ ({own})::tsquery, FALSE)"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        written: int = cursor.rowcount
    return written


def _rows(listing_ids: Sequence[int] | None) -> Iterator[dict[str, object]]:
    listings = Listing.objects.order_by("pk")
    if listing_ids is not None:
        listings = listings.filter(pk__in=list(listing_ids))
    rows: Iterator[dict[str, object]] = listings.values(*_FIELDS).iterator(chunk_size=CHUNK)
    return rows


def _chunks(rows: Iterable[dict[str, object]]) -> Iterator[list[dict[str, object]]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, CHUNK)):
        yield chunk


def _write_fts(rows: Sequence[dict[str, object]]) -> None:
    """Replace the FTS5 rows of these listings (rowid = listing id)."""

    def text(row: dict[str, object], name: str) -> str:
        return str(row[name] or "")

    values = [
        (
            int(str(row["id"])),
            text(row, "title"),
            text(row, "company__name"),
            plain_text(f"{text(row, 'job_description')} {text(row, 'qualifications')}"),
            " ".join(
                [*(text(row, f) for f in _EXTRA), plain_text(text(row, "additional_information"))]
            ),
        )
        for row in rows
    ]
    with connection.cursor() as cursor:
        # A constant table name; every value is a parameter. FTS5 honours OR REPLACE on
        # its rowid: a listing published again replaces its own entry.
        cursor.executemany(
            f"INSERT OR REPLACE INTO {FTS_TABLE} (rowid, title, company, body, extra) "  # noqa: S608
            "VALUES (%s, %s, %s, %s, %s)",
            values,
        )
