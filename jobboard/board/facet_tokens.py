"""Facet tokens in the keyword index: a keyword search's facet filters answered by the
search vector itself (PostgreSQL).

A keyword search with a country and remote counted each part of its facet statement
(``facets._facet_statement``) by ANDing three bitmaps: every match of the word from
the GIN index, every listing of the country and every remote listing from B-tree
indexes. For a broad word each is a large read ("engineer" is a quarter of the board),
however few listings all three keep. Each listing's vector also holds one token per
facet value it has (its country, city, function, industry, level, type, and remote or
on-site), so the same filters become terms of one GIN search, which intersects the
terms' lists itself and skips through them: at a million listings "engineer" in
Germany took 22 ms that way against 77 ms for the three bitmaps.

A token is ``<facet>=<16 hex digits of the value's MD5>``: plain characters whatever the
value (quotes, spaces, accents), and never a word PostgreSQL's parser makes of a
visitor's query, which splits at ``=``. The vector is computed from the row's own
columns in the statement that writes it (``search_index``), so the tokens say exactly
what the columns do and replace those filters in the statement.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

from jobboard.board.search import CHOICE_FACETS, JobSearch

WORKPLACE = "workplace"
# The facets whose filters become tokens: the ones chosen among fixed values. The date
# window and salaries are ranges, still filtered on their columns.
FACETS = (*CHOICE_FACETS, WORKPLACE)
# How much of the MD5 a token keeps: 64 bits, no collision among a facet's values.
_DIGITS = 16


def token(facet: str, value: str) -> str:
    """The token of one facet value (``WORKPLACE``: ``remote`` or ``onsite``)."""
    digest = hashlib.md5(value.encode(), usedforsecurity=False).hexdigest()
    return f"{facet}={digest[:_DIGITS]}"


def columns_of(alias: str) -> dict[str, str]:
    """``FACETS`` as the columns of the listings table under ``alias``, for ``vector_sql``."""
    return {
        **{facet: f"{alias}.{column}" for facet, column in CHOICE_FACETS.items()},
        WORKPLACE: f"{alias}.remote",
    }


def vector_sql(columns: Mapping[str, str]) -> str:
    """SQL of a row's tokens as a ``tsvector``, to join to its words with ``||``.

    ``columns`` gives each of ``FACETS`` as a SQL expression of the row (``WORKPLACE``: a
    boolean, true for remote). The same digest as ``token``: ``md5`` of the UTF-8 text.
    """
    terms = [
        f"'{facet}=' || left(md5(coalesce(({columns[facet]})::text, '')), {_DIGITS})"
        for facet in CHOICE_FACETS
    ]
    terms.append(workplace_sql(columns[WORKPLACE]))
    return f"array_to_tsvector(ARRAY[{', '.join(terms)}])"


def workplace_sql(remote: str) -> str:
    """SQL of a row's workplace token, ``remote`` being its boolean expression."""
    remote_token, onsite_token = token(WORKPLACE, "remote"), token(WORKPLACE, "onsite")
    return f"CASE WHEN {remote} THEN '{remote_token}' ELSE '{onsite_token}' END"


def chosen(search: JobSearch, facet: str) -> tuple[str, ...]:
    """The values chosen in a facet that its filter keeps (none: no filter)."""
    if facet == WORKPLACE:
        # Both workplaces chosen filter nothing (``JobSearch.facet_q``).
        return search.workplace if len(search.workplace) == 1 else ()
    values: tuple[str, ...] = getattr(search, facet)
    return values


def tsquery(search: JobSearch, *, except_facet: str | None = None) -> str | None:
    """The filters of ``FACETS`` chosen in a search (but ``except_facet``'s), as the text
    of a ``tsquery``: any of a facet's values, every facet. None when none is chosen."""
    clauses = []
    for facet in FACETS:
        values = () if facet == except_facet else chosen(search, facet)
        if values:
            clauses.append("(" + " | ".join(f"'{token(facet, v)}'" for v in values) + ")")
    return " & ".join(clauses) or None
