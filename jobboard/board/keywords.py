"""Keyword queries in web-search syntax: parsing, matching, ranking and spelling.

The same parsed query runs on both databases the board supports, with stemming on
both, so a newcomer on the embedded SQLite sees what production does:

- PostgreSQL: a weighted ``tsvector`` (GIN index), prefix matching, ``ts_rank``.
- SQLite: an FTS5 table with the Porter stemmer (``search_index`` keeps it in step
  with the listings), prefix matching, ``bm25``.

Prefix matching is for words typed in part ("pyth"); a whole word of the vocabulary
("engineer") is matched as its stem alone, which its stemming already widens to its
forms (``whole_words``).

Typos: a vocabulary of the words job seekers search for (titles, companies, places)
is compared by trigram similarity, with ``pg_trgm`` and its GIN index on PostgreSQL
and the same measure as a registered function on SQLite, for "did you mean" and a
fuzzy fallback when a search finds nothing.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import F, Q, Value
from django.db.models.expressions import RawSQL

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


def to_tsquery(groups: Sequence[Group], *, whole: Collection[str] = ()) -> str:
    """Render parsed groups as a tsquery for ``to_tsquery``, with prefix matching.

    Each lexeme is quoted and made only of word characters; the last word of every
    term gets ``:*`` so that "engin" finds "engineer" as the visitor types, unless it
    is in ``whole`` (``whole_words``): a whole word is matched as its stem alone.
    """

    def lexeme(word: str, prefix: bool) -> str:
        return f"'{word}'" + (":*" if prefix and word not in whole else "")

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


# How long a process trusts what it learnt of a word; the vocabulary only grows, so a
# word not in it yet may join it, and then is matched exactly within this time.
WHOLE_WORD_SECONDS = 300


def whole_words(groups: Sequence[Group]) -> frozenset[str]:
    """The wanted terms' last words that are whole words of the vocabulary.

    Such a word is matched as its stem without a prefix: "engineer" still finds
    "engineers" and "engineering" (one stem), not every word that merely starts with
    "engin". A prefix reads every lexeme it opens in the text index: at a million
    listings 142 ms for "engineer" against 56 ms for its stem. At most one query on
    the vocabulary's primary key, and none while the cache remembers the words.
    """
    last = {t.words[-1] for g in groups for t in g if not t.negated}
    if not last:
        return frozenset()
    keys = {_whole_word_key(w): w for w in last}
    known = cache.get_many(list(keys))
    missing = [w for key, w in keys.items() if key not in known]
    if missing:
        marks = ", ".join(["%s"] * len(missing))
        with connection.cursor() as cursor:
            # A constant table name; the words travel as parameters.
            cursor.execute(f"SELECT word FROM {VOCABULARY_TABLE} WHERE word IN ({marks})", missing)  # noqa: S608
            found = {word for (word,) in cursor.fetchall()}
        learnt = {key: w in found for key, w in keys.items() if w in missing}
        cache.set_many(learnt, WHOLE_WORD_SECONDS)
        known.update(learnt)
    return frozenset(w for key, w in keys.items() if known[key])


def _whole_word_key(word: str) -> str:
    return f"board:whole-word:{hashlib.sha256(word.encode()).hexdigest()[:24]}"


def remember_whole_words(words: Collection[str]) -> None:
    """Note words known to be in the vocabulary (a spelling correction's), sparing
    ``whole_words`` the query."""
    cache.set_many({_whole_word_key(w): True for w in words}, WHOLE_WORD_SECONDS)


def uses_full_text_search() -> bool:
    """Whether the database is PostgreSQL (tsvector); else SQLite's FTS5."""
    return connection.vendor == "postgresql"


# ---------------------------------------------------------------------------
# PostgreSQL: tsquery
# ---------------------------------------------------------------------------
# Weights for D, C, B, A: a title hit counts most, then the company, then the ad text.
RANK_WEIGHTS = [0.1, 0.3, 0.6, 1.0]


def ts_query(groups: Sequence[Group]) -> Any:
    from django.contrib.postgres.search import SearchQuery

    text = to_tsquery(groups, whole=whole_words(groups))
    return SearchQuery(text, search_type="raw", config=settings.BOARD_SEARCH_CONFIG)


# ---------------------------------------------------------------------------
# SQLite: FTS5
# ---------------------------------------------------------------------------
FTS_TABLE = "board_listing_fts"
# The FTS5 table's columns, in order, and their bm25 weights: the same order of
# importance as RANK_WEIGHTS (title, company, ad text, the rest).
FTS_COLUMNS = ("title", "company", "body", "extra")
FTS_WEIGHTS = (10.0, 6.0, 3.0, 1.0)
# Porter stemming over Unicode words, accents folded: "engineers", "Enginer" and
# "engineer" meet at "engin"; "krakow" finds "Kraków".
FTS_TOKENIZER = "porter unicode61 remove_diacritics 2"


def fts_term(term: Term, whole: Collection[str] = ()) -> str:
    """One term as an FTS5 phrase; wanted terms match as prefixes, like the tsquery,
    unless their last word is a whole word of the vocabulary (``whole_words``).

    Words hold only word characters (``parse_keywords``), so quoting them is enough:
    nothing a visitor types becomes an FTS5 operator.
    """
    phrase = '"' + " ".join(term.words) + '"'
    return phrase if term.negated or term.words[-1] in whole else phrase + " *"


def _fts_ids(expression: str) -> RawSQL:
    # FTS_TABLE is a constant; the expression travels as a parameter.
    sql = f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"  # noqa: S608
    return RawSQL(sql, [expression])  # noqa: S611


def fts_keyword_q(groups: Sequence[Group]) -> Q:
    """The listings matching the query, as ``id IN (FTS5 match)`` conditions.

    Groups of wanted words become one FTS5 expression (one index lookup); an excluded
    term is ``NOT IN`` its own match, since FTS5 cannot start a query with NOT.
    """
    wanted = [g for g in groups if not any(t.negated for t in g)]
    whole = whole_words(groups)
    q = Q()
    if wanted:
        expression = " AND ".join(
            "(" + " OR ".join(fts_term(t, whole) for t in g) + ")" for g in wanted
        )
        q &= Q(pk__in=_fts_ids(expression))
    for group in groups:
        if group in wanted:
            continue
        group_q = Q()
        for term in group:
            match = Q(pk__in=_fts_ids(fts_term(term, whole)))
            group_q |= ~match if term.negated else match
        q &= group_q
    return q


def fts_rank(groups: Sequence[Group]) -> RawSQL | Value:
    """bm25 of the wanted words (higher is better, like ts_rank); 0 when only exclusions."""
    whole = whole_words(groups)
    wanted = [fts_term(t, whole) for g in groups for t in g if not t.negated]
    if not wanted:
        return Value(0.0)
    weights = ", ".join(str(w) for w in FTS_WEIGHTS)
    # bm25 is negative, the better the lower: negated so that "-rank" sorts best first.
    # Correlated on the listing table, whose alias is its name in the board's queries.
    sql = (
        f"-(SELECT bm25({FTS_TABLE}, {weights}) FROM {FTS_TABLE} "  # noqa: S608
        f"WHERE {FTS_TABLE} MATCH %s AND {FTS_TABLE}.rowid = board_listing.id)"
    )
    return RawSQL(sql, [" OR ".join(wanted)])  # noqa: S611


def keyword_q(groups: Sequence[Group]) -> Q:
    """The keyword filter on listings, for the database in use."""
    if uses_full_text_search():
        return Q(search_vector=ts_query(groups))
    return fts_keyword_q(groups)


def keyword_rank(groups: Sequence[Group]) -> Any:
    """The relevance of a listing to the query (higher first), for the database in use."""
    if uses_full_text_search():
        from django.contrib.postgres.search import SearchRank

        return SearchRank(F("search_vector"), ts_query(groups), weights=RANK_WEIGHTS)
    return fts_rank(groups)


# ---------------------------------------------------------------------------
# Spelling: trigram similarity against the vocabulary
# ---------------------------------------------------------------------------
# pg_trgm's default similarity threshold (pg_trgm.similarity_threshold): below it two
# words have too little in common for one to be a typo of the other.
SIMILARITY_THRESHOLD = 0.3
VOCABULARY_TABLE = "board_searchword"
MIN_WORD_LENGTH = 3
MAX_WORD_LENGTH = 40


def vocabulary_words(*texts: str) -> set[str]:
    """The words of some texts worth suggesting: lower case, 3 to 40 letters, not numbers."""
    words = set()
    for text in texts:
        for word in _WORD.findall(text.lower()):
            if MIN_WORD_LENGTH <= len(word) <= MAX_WORD_LENGTH and not word.isdigit():
                words.add(word)
    return words


def _trigrams(text: str) -> set[str]:
    # pg_trgm's recipe: lower-case words of letters and digits, each padded with two
    # spaces in front and one behind, cut into every run of three characters.
    grams: set[str] = set()
    for word in re.findall(r"[^\W_]+", text.lower()):
        padded = f"  {word} "
        grams.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return grams


def trigram_similarity(a: str | None, b: str | None) -> float:
    """pg_trgm's ``similarity(a, b)``: shared trigrams over all trigrams of both.

    Registered as ``similarity`` on SQLite connections (see ``apps``), so the spelling
    query is the same SQL on both databases.
    """
    if a is None or b is None:
        return 0.0
    left, right = _trigrams(a), _trigrams(b)
    if not left or not right:
        return 0.0
    shared = len(left & right)
    return shared / (len(left) + len(right) - shared)


def _closest_words_sql(count: int) -> str:
    """One statement: for each of ``count`` words, the most similar vocabulary word."""
    if uses_full_text_search():
        # `%` is pg_trgm's similarity operator, answered from the GIN trigram index.
        match = "v.word %% q.word"
        words = "SELECT unnest(%s::text[]) AS word"
    else:
        match = f"similarity(v.word, q.word) >= {SIMILARITY_THRESHOLD}"
        words = " UNION ALL ".join(["SELECT %s AS word"] * count)
    # A constant table name, fixed SQL per vendor; the words travel as parameters. The
    # best match per word is a window rank: SQLite cannot correlate an ORDER BY.
    return (
        "SELECT word, found FROM (SELECT q.word AS word, v.word AS found, row_number() "  # noqa: S608
        "OVER (PARTITION BY q.word ORDER BY similarity(v.word, q.word) DESC, "
        f"length(v.word), v.word) AS n FROM ({words}) q JOIN {VOCABULARY_TABLE} v ON {match}"
        ") best WHERE n = 1"
    )


def closest_words(words: Sequence[str]) -> dict[str, str]:
    """``{word: the most similar word of the vocabulary}`` for words that have one.

    A word of the vocabulary is its own closest word; a word nothing resembles is left
    out. One query, whatever the number of words.
    """
    words = list(dict.fromkeys(w for w in words if w))
    if not words:
        return {}
    params: list[Any] = [words] if uses_full_text_search() else words
    with connection.cursor() as cursor:
        cursor.execute(_closest_words_sql(len(words)), params)
        return {word: found for word, found in cursor.fetchall() if found}


def corrected_query(text: str, groups: Sequence[Group]) -> str | None:
    """The query with its misspelt wanted words replaced, or None when nothing changes.

    "enigneer -intern" becomes "engineer -intern": excluded words, phrases and the
    query's syntax are kept; only words the vocabulary does not know are replaced.
    """
    wanted = [w for g in groups for t in g if not t.negated for w in t.words]
    if not wanted:
        return None
    closest = closest_words(wanted)
    replacements = {w: closest[w] for w in wanted if w in closest and closest[w] != w}
    if not replacements:
        return None
    # Every replacement is a word of the vocabulary: the corrected search needs not ask.
    remember_whole_words(replacements.values())

    def replace(match: re.Match[str]) -> str:
        return replacements.get(match.group(0).lower(), match.group(0))

    corrected = _WORD.sub(replace, text)
    return corrected if corrected != text else None
