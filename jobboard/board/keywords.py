"""Keyword queries in web-search syntax: parsing, PostgreSQL full-text, SQLite fallback.

Keyword search runs on PostgreSQL's full-text search (weighted vector, GIN index,
prefix matching, web-search syntax); on SQLite it falls back to a simpler, still
correct, case-insensitive substring match of the same parsed query.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Case, Q, Value, When

MAX_QUERY_LENGTH = 200
# Long pasted texts would become huge tsqueries; a dozen terms is plenty for a job search.
MAX_TERMS = 12


# ---------------------------------------------------------------------------
# Keyword query: web-search syntax
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Term:
    """One search term: a word, or several words that must appear together."""

    words: tuple[str, ...]
    negated: bool = False


# An OR-group of terms; a query is an AND of groups (websearch semantics).
Group = tuple[Term, ...]

_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_WORD = re.compile(r"\w+", re.UNICODE)


def parse_keywords(text: str) -> tuple[Group, ...]:
    """Parse ``developer "project manager" -intern python OR django`` into groups.

    Quoted text is a phrase, a leading ``-`` excludes, ``OR`` joins its neighbours.
    Only word characters survive, so nothing a visitor types can inject operators
    into a tsquery.
    """
    groups: list[list[Term]] = []
    join_next = False
    terms_seen = 0
    for match in _TOKEN.finditer(text[:MAX_QUERY_LENGTH]):
        minus, phrase, bare = match.groups()
        if bare is not None and bare.lower() == "or":
            join_next = bool(groups)
            continue
        negated = bool(minus)
        raw = phrase if phrase is not None else bare
        if bare is not None and bare.startswith("-") and len(bare) > 1:
            negated, raw = True, bare[1:]
        words = tuple(w.lower() for w in _WORD.findall(raw or ""))
        if not words:
            continue
        term = Term(words=words, negated=negated)
        if join_next and groups:
            groups[-1].append(term)
        else:
            groups.append([term])
        join_next = False
        terms_seen += 1
        if terms_seen >= MAX_TERMS:
            break
    return tuple(tuple(g) for g in groups)


def to_tsquery(groups: Sequence[Group]) -> str:
    """Render parsed groups as a tsquery for ``to_tsquery``, with prefix matching.

    Each lexeme is quoted and made only of word characters; the last word of every
    term gets ``:*`` so that "engin" finds "engineer" as the visitor types.
    """

    def lexeme(word: str, prefix: bool) -> str:
        return f"'{word}'" + (":*" if prefix else "")

    def term_sql(term: Term) -> str:
        # An exclusion stays exact: "-intern" must not also drop "international".
        last = -1 if term.negated else len(term.words) - 1
        body = " <-> ".join(lexeme(w, i == last) for i, w in enumerate(term.words))
        if len(term.words) > 1:
            body = f"({body})"
        return f"!{body}" if term.negated else body

    parts = []
    for group in groups:
        rendered = [term_sql(t) for t in group]
        parts.append(rendered[0] if len(rendered) == 1 else "(" + " | ".join(rendered) + ")")
    return " & ".join(parts)


def _substring_q(term: Term) -> Q:
    phrase = " ".join(term.words)
    q = (
        Q(title__icontains=phrase)
        | Q(company__name__icontains=phrase)
        | Q(job_description__icontains=phrase)
        | Q(qualifications__icontains=phrase)
    )
    return ~q if term.negated else q


def fallback_keyword_q(groups: Sequence[Group]) -> Q:
    q = Q()
    for group in groups:
        group_q = Q()
        for term in group:
            group_q |= _substring_q(term)
        q &= group_q
    return q


def uses_full_text_search() -> bool:
    return connection.vendor == "postgresql"


# Weights for D, C, B, A: a title hit counts most, then the company, then the ad text.
RANK_WEIGHTS = [0.1, 0.3, 0.6, 1.0]


def ts_query(groups: Sequence[Group]) -> Any:
    from django.contrib.postgres.search import SearchQuery

    return SearchQuery(to_tsquery(groups), search_type="raw", config=settings.BOARD_SEARCH_CONFIG)


def fallback_rank(groups: Sequence[Group]) -> Case | Value:
    # SQLite has no ranking; a listing whose title holds every wanted term comes first.
    title_q = Q()
    for group in groups:
        for term in group:
            if not term.negated:
                title_q &= Q(title__icontains=" ".join(term.words))
    if not title_q:
        # Only excluded words ("-intern"): nothing to rank by, and an empty Q() is no
        # condition a CASE can hold.
        return Value(0)
    return Case(When(title_q, then=Value(1)), default=Value(0))
