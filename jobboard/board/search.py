"""The job search: what a visitor asked for, how it filters listings, and its facets.

``JobSearch`` is the whole state of the list page. It is parsed from the URL and
rendered back into it, so every search is shareable, bookmarkable and survives the
back button. Keyword search runs on PostgreSQL's full-text search (weighted vector,
GIN index, prefix matching, web-search syntax); on SQLite it falls back to a simpler,
still correct, case-insensitive substring match of the same parsed query.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connection, transaction
from django.db.models import Case, CharField, Count, F, Max, Q, Value, When
from django.db.models.functions import Cast

from jobboard.board.models import Listing, ListingQuerySet

MAX_QUERY_LENGTH = 200
# Long pasted texts would become huge tsqueries; a dozen terms is plenty for a job search.
MAX_TERMS = 12
POSTED_CHOICES = (1, 3, 7, 30)
MIN_SALARY_CHOICES = (30_000, 50_000, 75_000, 100_000, 150_000)
SORTS = ("relevance", "newest")
# Listing fields that are plain multi-choice facets: URL parameter -> model field.
CHOICE_FACETS: dict[str, str] = {
    "country": "country_code",
    "city": "city",
    "function": "function",
    "industry": "industry",
    "level": "experience_level",
    "type": "employment_type",
}
FACET_TITLES: dict[str, str] = {
    "workplace": "Workplace",
    "country": "Country",
    "city": "City",
    "posted": "Date posted",
    "type": "Employment type",
    "level": "Experience level",
    "function": "Function",
    "industry": "Industry",
    "salary": "Salary",
    "min_salary": "Minimum salary (per year)",
}
WORKPLACE_LABELS = {"remote": "Remote", "onsite": "On-site"}
MAX_VALUES_PER_FACET = 20


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


def _fallback_keyword_q(groups: Sequence[Group]) -> Q:
    q = Q()
    for group in groups:
        group_q = Q()
        for term in group:
            group_q |= _substring_q(term)
        q &= group_q
    return q


def uses_full_text_search() -> bool:
    return connection.vendor == "postgresql"


# ---------------------------------------------------------------------------
# The search state
# ---------------------------------------------------------------------------
def _ints(values: Iterable[str], allowed: Sequence[int]) -> int | None:
    for value in values:
        try:
            number = int(value)
        except (TypeError, ValueError):
            continue
        if number in allowed:
            return number
    return None


def _strings(values: Iterable[str], *, lower: bool = False) -> tuple[str, ...]:
    cleaned = []
    for value in values:
        value = " ".join(str(value).split())[:120]
        if value:
            cleaned.append(value.lower() if lower else value)
    # Sorted and de-duplicated: one search, one URL (and one cache key).
    return tuple(sorted(set(cleaned)))[:MAX_VALUES_PER_FACET]


@dataclass(frozen=True)
class JobSearch:
    q: str = ""
    workplace: tuple[str, ...] = ()
    country: tuple[str, ...] = ()
    city: tuple[str, ...] = ()
    function: tuple[str, ...] = ()
    industry: tuple[str, ...] = ()
    level: tuple[str, ...] = ()
    type: tuple[str, ...] = ()
    posted: int | None = None
    salary: bool = False
    min_salary: int | None = None
    sort: str = ""
    page: int = 1
    groups: tuple[Group, ...] = field(default=(), compare=False, repr=False)

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> JobSearch:
        """Read the search from a QueryDict (or a plain dict); bad values are dropped."""

        def getlist(name: str) -> list[str]:
            if hasattr(params, "getlist"):
                return list(params.getlist(name))
            value = params.get(name)
            if value is None:
                return []
            return list(value) if isinstance(value, list | tuple) else [value]

        q = " ".join(" ".join(getlist("q")).split())[:MAX_QUERY_LENGTH]
        sort = next((s for s in getlist("sort") if s in SORTS), "")
        try:
            page = max(1, int(next(iter(getlist("page")), "1")))
        except ValueError:
            page = 1
        return cls(
            q=q,
            workplace=tuple(w for w in _strings(getlist("workplace")) if w in WORKPLACE_LABELS),
            country=tuple(c for c in _strings(getlist("country"), lower=True) if len(c) == 2),
            city=_strings(getlist("city")),
            function=_strings(getlist("function")),
            industry=_strings(getlist("industry")),
            level=_strings(getlist("level")),
            type=_strings(getlist("type")),
            posted=_ints(getlist("posted"), POSTED_CHOICES),
            salary="shown" in getlist("salary"),
            min_salary=_ints(getlist("min_salary"), MIN_SALARY_CHOICES),
            sort=sort,
            page=min(page, 10_000),
            groups=parse_keywords(q),
        )

    # -- URL -----------------------------------------------------------------
    def params(self, *, page: bool = True, sort: bool = True) -> list[tuple[str, str]]:
        items: list[tuple[str, str]] = []
        if self.q:
            items.append(("q", self.q))
        for name in ("workplace", *CHOICE_FACETS):
            items.extend((name, v) for v in getattr(self, name))
        if self.posted:
            items.append(("posted", str(self.posted)))
        if self.salary:
            items.append(("salary", "shown"))
        if self.min_salary:
            items.append(("min_salary", str(self.min_salary)))
        if sort and self.sort:
            items.append(("sort", self.sort))
        if page and self.page > 1:
            items.append(("page", str(self.page)))
        return items

    def query_string(self, **kwargs: bool) -> str:
        return urlencode(self.params(**kwargs))

    def url_with(self, **changes: Any) -> str:
        """The query string of this search with some fields changed (page back to 1)."""
        changes.setdefault("page", 1)
        return "?" + replace(self, **changes).query_string()

    def toggled(self, name: str, value: str) -> str:
        current: tuple[str, ...] = getattr(self, name)
        values = tuple(v for v in current if v != value)
        if value not in current:
            values = (*current, value)
        return self.url_with(**{name: tuple(sorted(values))})

    @property
    def url_with_q_removed(self) -> str:
        return self.url_with(q="", groups=())

    def page_url(self, number: int) -> str:
        return "?" + replace(self, page=number).query_string()

    @property
    def effective_sort(self) -> str:
        if self.sort:
            return self.sort
        return "relevance" if self.has_keywords else "newest"

    @property
    def has_keywords(self) -> bool:
        return bool(self.groups)

    @property
    def is_filtered(self) -> bool:
        return bool(self.params(page=False, sort=False))

    @property
    def alert_query(self) -> str:
        """What a job alert stores: the filters, without page and sort."""
        return self.query_string(page=False, sort=False)

    def describe(self) -> str:
        """A short human summary, for alert emails and page titles."""
        parts: list[str] = []
        if self.q:
            parts.append(f"“{self.q}”")
        for name in ("workplace", *CHOICE_FACETS):
            values = getattr(self, name)
            if name == "workplace":
                values = [WORKPLACE_LABELS[v] for v in values]
            elif name == "country":
                values = [v.upper() for v in values]
            if values:
                parts.append(" or ".join(values))
        if self.posted:
            parts.append(f"posted in the last {self.posted} day{'s' if self.posted > 1 else ''}")
        if self.salary:
            parts.append("salary shown")
        if self.min_salary:
            parts.append(f"at least {self.min_salary:,} a year")
        return ", ".join(parts) or "All jobs"

    # -- Filtering -----------------------------------------------------------
    def keyword_filter(self, listings: ListingQuerySet) -> ListingQuerySet:
        if not self.groups:
            return listings
        if uses_full_text_search():
            return listings.filter(search_vector=_tsquery(self.groups))
        return listings.filter(_fallback_keyword_q(self.groups))

    def facet_q(self, name: str, *, now: datetime) -> Q:
        """The filter one facet adds, or an empty Q when nothing is chosen there."""
        if name in CHOICE_FACETS:
            values = getattr(self, name)
            return Q(**{f"{CHOICE_FACETS[name]}__in": values}) if values else Q()
        if name == "workplace":
            if len(self.workplace) == 1:
                return Q(remote=self.workplace[0] == "remote")
            return Q()
        if name == "posted":
            return Q(posted_at__gte=now - timedelta(days=self.posted)) if self.posted else Q()
        if name == "salary":
            return _salary_shown_q() if self.salary else Q()
        if name == "min_salary":
            return Q(salary_annual__gte=Decimal(self.min_salary)) if self.min_salary else Q()
        raise KeyError(name)

    def filters_q(self, *, now: datetime, except_facet: str | None = None) -> Q:
        q = Q()
        for name in FACETS:
            if name != except_facet:
                q &= self.facet_q(name, now=now)
        return q

    def apply(self, listings: ListingQuerySet, *, now: datetime) -> ListingQuerySet:
        """Keyword and every facet filter, ordered as asked, with a stable tie-break."""
        listings = self.keyword_filter(listings).filter(self.filters_q(now=now))
        if self.effective_sort == "relevance" and self.groups:
            if uses_full_text_search():
                from django.contrib.postgres.search import SearchRank

                listings = listings.annotate(
                    rank=SearchRank(F("search_vector"), _tsquery(self.groups), weights=RANK_WEIGHTS)
                )
            else:
                listings = listings.annotate(rank=_fallback_rank(self.groups))
            return listings.order_by("-rank", "-posted_at", "-id")
        return listings.order_by("-posted_at", "-id")


# Weights for D, C, B, A: a title hit counts most, then the company, then the ad text.
RANK_WEIGHTS = [0.1, 0.3, 0.6, 1.0]


def _tsquery(groups: Sequence[Group]) -> Any:
    from django.contrib.postgres.search import SearchQuery

    return SearchQuery(to_tsquery(groups), search_type="raw", config=settings.BOARD_SEARCH_CONFIG)


def _fallback_rank(groups: Sequence[Group]) -> Case:
    # SQLite has no ranking; a listing whose title holds every wanted term comes first.
    title_q = Q()
    for group in groups:
        for term in group:
            if not term.negated:
                title_q &= Q(title__icontains=" ".join(term.words))
    return Case(When(title_q, then=Value(1)), default=Value(0))


def _salary_shown_q() -> Q:
    return Q(salary_min__isnull=False) | Q(salary_max__isnull=False)


# ---------------------------------------------------------------------------
# Facets
# ---------------------------------------------------------------------------
FACETS = (
    "workplace",
    "country",
    "city",
    "posted",
    "type",
    "level",
    "function",
    "industry",
    "salary",
    "min_salary",
)


@dataclass(frozen=True)
class FacetOption:
    value: str
    label: str
    count: int
    selected: bool
    # The URL of this search with the option toggled; set for selected options only.
    url: str


@dataclass(frozen=True)
class Facet:
    name: str
    title: str
    options: tuple[FacetOption, ...]
    # A single-choice facet is shown as radio buttons, the others as checkboxes.
    single: bool = False

    @property
    def has_selection(self) -> bool:
        return any(o.selected for o in self.options)


def _facet_key(name: str, *, now: datetime) -> tuple[Any, Any]:
    """The grouping expression of a facet and the label expression next to it."""
    text = CharField()
    if name in CHOICE_FACETS:
        column = CHOICE_FACETS[name]
        label = Max("country") if name == "country" else Max(column)
        return Cast(column, text), label
    if name == "workplace":
        key = Case(When(remote=True, then=Value("remote")), default=Value("onsite"))
        return key, Max(Value(""))
    if name == "posted":
        # Each listing falls in the narrowest window that holds it; the counts of the
        # wider windows are sums, added up in Python.
        whens = [
            When(posted_at__gte=now - timedelta(days=d), then=Value(str(d))) for d in POSTED_CHOICES
        ]
        return Case(*whens, default=Value(""), output_field=text), Max(Value(""))
    if name == "salary":
        key = Case(When(_salary_shown_q(), then=Value("shown")), default=Value(""))
        return key, Max(Value(""))
    if name == "min_salary":
        whens = [
            When(salary_annual__gte=Decimal(s), then=Value(str(s)))
            for s in reversed(MIN_SALARY_CHOICES)
        ]
        return Case(*whens, default=Value(""), output_field=text), Max(Value(""))
    raise KeyError(name)


def facet_counts(
    search: JobSearch, listings: ListingQuerySet, *, now: datetime
) -> dict[str, dict[str, tuple[str, int]]]:
    """``{facet: {value: (label, count)}}`` in one SQL statement.

    Counts are disjunctive: a facet's counts apply every filter except its own, so a
    visitor who picked Germany still sees how many jobs France has.
    """
    base = search.keyword_filter(listings).order_by()
    if connection.vendor == "postgresql":
        rows = _facet_rows_postgres(search, base, now=now)
    else:
        rows = _facet_rows_portable(search, base, now=now)
    result: dict[str, dict[str, tuple[str, int]]] = {name: {} for name in FACETS}
    for name, key, label, count in rows:
        if key:
            result[name][str(key)] = (label or str(key), int(count))
    # Windows and thresholds are cumulative: "last 7 days" includes "last 3 days".
    for name, choices in (("posted", POSTED_CHOICES), ("min_salary", MIN_SALARY_CHOICES)):
        ordered = choices if name == "posted" else tuple(reversed(choices))
        running = 0
        cumulative = {}
        for choice in ordered:
            running += result[name].get(str(choice), ("", 0))[1]
            cumulative[str(choice)] = ("", running)
        result[name] = cumulative
    return result


def total_from_facets(
    search: JobSearch, counts: Mapping[str, Mapping[str, tuple[str, int]]]
) -> int:
    """The number of results, read off the facet counts instead of a COUNT query.

    Every listing is either remote or on-site, and the workplace counts apply every
    other filter, so their sum over the chosen workplaces (all when none is chosen)
    is exactly the total.
    """
    workplace = counts.get("workplace", {})
    chosen = search.workplace or tuple(WORKPLACE_LABELS)
    return sum(workplace.get(value, ("", 0))[1] for value in chosen)


def _facet_rows_portable(
    search: JobSearch, base: ListingQuerySet, *, now: datetime
) -> Iterable[tuple[str, str, str, int]]:
    # One GROUP BY branch per facet, joined with UNION ALL: any database runs it.
    branches = []
    for name in FACETS:
        key, label = _facet_key(name, now=now)
        branch = (
            base.filter(search.filters_q(now=now, except_facet=name))
            .annotate(facet_name=Value(name), facet_key=key)
            .values("facet_name", "facet_key")
            .annotate(facet_label=label, facet_count=Count("pk"))
            .values_list("facet_name", "facet_key", "facet_label", "facet_count")
        )
        branches.append(branch)
    return branches[0].union(*branches[1:], all=True)


# Columns the facets read; a covering index (migration 0004) holds them all, so the
# scan of 100k listings never touches the wide rows with the job ad HTML.
_FACET_COLUMNS = (
    "remote", "country_code", "country", "city", "function", "industry", "experience_level",
    "employment_type", "posted_at", "salary_min", "salary_max", "salary_annual",
)  # fmt: skip


FACET_BASE = "facet_base"


def _joins(q: Q) -> bool:
    """Whether the filter reads a table other than the listings' own."""
    query = Listing.objects.filter(q).query
    base = query.get_initial_alias()
    return any(count and alias != base for alias, count in query.alias_refcount.items())


def _where_sql(q: Q) -> tuple[str, list[Any]]:
    """SQL for a filter on listings, to run in ``FROM facet_base`` (the facet CTE).

    The ORM compiles the filter with the listing table's alias renamed to the CTE's, so
    every column it reads is qualified with ``facet_base`` and nothing is rewritten as
    text. A filter that joins another table (a company's name, say) cannot be answered
    from the CTE's columns: it becomes a semi-join on the listing id, which the CTE
    then carries (see ``_facet_rows_postgres``).
    """
    if _joins(q):
        ids_sql, ids_params = Listing.objects.filter(q).values("pk").query.sql_with_params()
        return f"{FACET_BASE}.id IN ({ids_sql})", list(ids_params)
    query = Listing.objects.filter(q).query
    query.change_aliases({query.get_initial_alias(): FACET_BASE})
    compiler = query.get_compiler(connection=connection)
    try:
        sql, params = compiler.compile(query.where)
    except EmptyResultSet:
        return "FALSE", []
    except FullResultSet:
        return "TRUE", []
    return (sql or "TRUE"), list(params)


def _facet_key_sql(name: str, *, now: datetime) -> tuple[str, list[Any]]:
    """(key SQL, params) of a facet, over the base query's columns."""
    if name in CHOICE_FACETS:
        return connection.ops.quote_name(CHOICE_FACETS[name]), []
    if name == "workplace":
        return "CASE WHEN remote THEN 'remote' ELSE 'onsite' END", []
    if name == "salary":
        return "CASE WHEN salary_min IS NOT NULL OR salary_max IS NOT NULL THEN 'shown' END", []
    if name == "posted":
        whens = " ".join(f"WHEN posted_at >= %s THEN '{d}'" for d in POSTED_CHOICES)
        return f"CASE {whens} END", [now - timedelta(days=d) for d in POSTED_CHOICES]
    if name == "min_salary":
        amounts = tuple(reversed(MIN_SALARY_CHOICES))
        whens = " ".join(f"WHEN salary_annual >= %s THEN '{a}'" for a in amounts)
        return f"CASE {whens} END", [Decimal(a) for a in amounts]
    raise KeyError(name)


def _facet_rows_postgres(
    search: JobSearch, base: ListingQuerySet, *, now: datetime
) -> Iterable[tuple[str, str, str, int]]:
    """All facets in one statement.

    The visible (and keyword-matching) rows are a CTE of narrow columns, answered
    from the covering index when there are no keywords. A facet
    without a selection of its own is counted under the same filters as every other
    such facet, so all of those share one GROUPING SETS pass; only a facet the visitor
    has chosen in needs a GROUP BY of its own (its counts ignore its own filter).
    """
    # Every piece of SQL below is a fixed identifier, a facet name from FACETS or SQL
    # compiled by Django; every value a visitor sent travels as a parameter (S608).
    # The listing id travels only when a filter needs it (a semi-join, see _where_sql).
    columns = _FACET_COLUMNS + (("id",) if _joins(search.filters_q(now=now)) else ())
    base_sql, base_params = base.values(*columns).query.sql_with_params()
    keys: list[str] = []
    params: list[Any] = []
    for name in FACETS:
        key_sql, key_params = _facet_key_sql(name, now=now)
        keys.append(f"({key_sql})::text AS k_{name}")
        params += key_params
    selects = ", ".join(keys)
    # With keywords the matching rows come from the GIN index and the wide table: read
    # them once. Without, each reference is an index-only scan of the covering index,
    # cheaper than writing and re-reading 100k rows, so PostgreSQL may inline the CTE.
    materialized = "MATERIALIZED" if search.has_keywords else "NOT MATERIALIZED"
    cte = f"WITH {FACET_BASE} AS {materialized} (SELECT b.*, {selects} FROM ({base_sql}) b) "  # noqa: S608
    params += base_params
    selected = [name for name in FACETS if search.facet_q(name, now=now)]
    shared = [name for name in FACETS if name not in selected]
    parts: list[str] = []
    if shared:
        grouped = ", ".join(f"k_{name}" for name in shared)
        width = len(shared)
        # GROUPING() sets a bit for every column *not* grouped in the row's set.
        masks = {name: (2**width - 1) ^ (1 << (width - 1 - i)) for i, name in enumerate(shared)}
        facet_case = " ".join(f"WHEN {mask} THEN '{name}'" for name, mask in masks.items())
        key_case = " ".join(f"WHEN {mask} THEN k_{name}" for name, mask in masks.items())
        where_sql, where_params = _where_sql(search.filters_q(now=now))
        parts.append(
            f"SELECT CASE GROUPING({grouped}) {facet_case} END, "  # noqa: S608
            f"CASE GROUPING({grouped}) {key_case} END, max(country), count(*) "
            f"FROM {FACET_BASE} WHERE {where_sql} "
            f"GROUP BY GROUPING SETS ({', '.join(f'(k_{n})' for n in shared)})"
        )
        params += where_params
    for name in selected:
        where_sql, where_params = _where_sql(search.filters_q(now=now, except_facet=name))
        parts.append(
            f"SELECT '{name}', k_{name}, max(country), count(*) FROM {FACET_BASE} "  # noqa: S608
            f"WHERE {where_sql} GROUP BY 2"
        )
        params += where_params
    with transaction.atomic(), connection.cursor() as cursor:
        # The CTE of 100k narrow rows fits in memory with this; the default 4 MB spills
        # it to temporary files. SET LOCAL ends with the transaction.
        cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute(cte + " UNION ALL ".join(parts), params)
        rows = cursor.fetchall()
    return [
        (name, key, label if name == "country" else "", count) for name, key, label, count in rows
    ]


def _format_salary_threshold(amount: int) -> str:
    return f"{amount // 1000}k+"


def build_facets(
    search: JobSearch, counts: Mapping[str, Mapping[str, tuple[str, int]]]
) -> list[Facet]:
    """Turn counts into what the template shows: options with labels, counts and links."""
    facets: list[Facet] = []
    for name in FACETS:
        found = counts.get(name, {})
        options: list[FacetOption] = []
        if name in CHOICE_FACETS or name == "workplace":
            selected: tuple[str, ...] = getattr(search, name)
            rows = sorted(found.items(), key=lambda item: (-item[1][1], item[1][0].lower()))
            keep = list(rows[:MAX_VALUES_PER_FACET])
            # A chosen value stays visible even when it has no match any more.
            kept_values = {value for value, _ in keep}
            keep += [(v, (v, 0)) for v in selected if v not in kept_values]
            for value, (label, count) in keep:
                if name == "workplace":
                    label = WORKPLACE_LABELS.get(value, value)
                elif name == "country":
                    label = label or value.upper()
                options.append(
                    FacetOption(
                        value,
                        label,
                        count,
                        value in selected,
                        # Only chosen values are links (to remove them); the panel
                        # itself is a form, and 80 URLs a page are not free.
                        search.toggled(name, value) if value in selected else "",
                    )
                )
            facets.append(Facet(name, FACET_TITLES[name], tuple(options)))
        elif name == "posted":
            for days in POSTED_CHOICES:
                label = "Last 24 hours" if days == 1 else f"Last {days} days"
                count = found.get(str(days), ("", 0))[1]
                selected_now = search.posted == days
                url = search.url_with(posted=None if selected_now else days)
                options.append(FacetOption(str(days), label, count, selected_now, url))
            facets.append(Facet(name, FACET_TITLES[name], tuple(options), single=True))
        elif name == "salary":
            count = found.get("shown", ("", 0))[1]
            url = search.url_with(salary=not search.salary)
            options.append(FacetOption("shown", "Salary shown", count, search.salary, url))
            facets.append(Facet(name, FACET_TITLES[name], tuple(options)))
        elif name == "min_salary":
            for amount in MIN_SALARY_CHOICES:
                count = found.get(str(amount), ("", 0))[1]
                selected_now = search.min_salary == amount
                url = search.url_with(min_salary=None if selected_now else amount)
                options.append(
                    FacetOption(
                        str(amount),
                        _format_salary_threshold(amount),
                        count,
                        selected_now,
                        url,
                    )
                )
            facets.append(Facet(name, FACET_TITLES[name], tuple(options), single=True))
    return facets
