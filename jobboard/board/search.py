"""The job search: what a visitor asked for and how it filters and orders listings.

``JobSearch`` is the whole state of the list page. It is parsed from the URL and
rendered back into it, so every search is shareable, bookmarkable and survives the
back button. The keyword part is in ``keywords``, the facet counts in ``facets``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.db import connection
from django.db.models import DateTimeField, ExpressionWrapper, F, FloatField, Q, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import ASin, Cast, Cos, Least, Power, Radians, Sin, Sqrt
from django.db.models.lookups import LessThanOrEqual
from django.utils.formats import number_format
from django.utils.translation import gettext, gettext_noop, ngettext

from jobboard.board.keywords import (
    MAX_QUERY_LENGTH,
    Group,
    keyword_q,
    keyword_rank,
    parse_keywords,
)
from jobboard.board.models import ListingQuerySet
from jobboard.board.places import EARTH_RADIUS_KM, KM_PER_DEGREE, Place, split_where

POSTED_CHOICES = (1, 3, 7, 30)
MIN_SALARY_CHOICES = (30_000, 50_000, 75_000, 100_000, 150_000)
SORTS = ("relevance", "newest", "salary", "closing")
# The order of each sort; every one ends with "-id" so that pages never overlap.
SORT_ORDER: dict[str, tuple[Any, ...]] = {
    "newest": ("-posted_at", "-id"),
    # Highest yearly salary first; ads without one after all those with one.
    "salary": (F("salary_annual").desc(nulls_last=True), "-posted_at", "-id"),
    # Soonest closing first; ads open until filled after all those with a date.
    "closing": (F("valid_through").asc(nulls_last=True), "-posted_at", "-id"),
}
# "Within N km": the choices of the distance list, and what a place alone means.
RADIUS_CHOICES = (5, 10, 25, 50, 100)
DEFAULT_RADIUS = 25
MAX_WHERE_LENGTH = 120
# A company is named by its slug in URLs (/companies/<slug>/, ?company=<slug>).
_SLUG = re.compile(r"^[-a-z0-9_]{1,200}$")
# Listing fields that are plain multi-choice facets: URL parameter -> model field.
CHOICE_FACETS: dict[str, str] = {
    "country": "country_code",
    "city": "city",
    "function": "function",
    "industry": "industry",
    "level": "experience_level",
    "type": "employment_type",
}
# Marked for translation here, translated where shown (gettext at render time).
FACET_TITLES: dict[str, str] = {
    "workplace": gettext_noop("Workplace"),
    "country": gettext_noop("Country"),
    "city": gettext_noop("City"),
    "posted": gettext_noop("Date posted"),
    "type": gettext_noop("Employment type"),
    "level": gettext_noop("Experience level"),
    "function": gettext_noop("Function"),
    "industry": gettext_noop("Industry"),
    "salary": gettext_noop("Salary"),
    "min_salary": gettext_noop("Minimum salary (per year)"),
}
WORKPLACE_LABELS = {"remote": gettext_noop("Remote"), "onsite": "On-site"}
MAX_VALUES_PER_FACET = 20


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
    where: str = ""
    radius: int | None = None
    company: tuple[str, ...] = ()
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
    # What ``where`` names, looked up in the gazetteer (``selectors.locate``); None when
    # not looked up yet or not found, and then the place is matched by its name only.
    place: Place | None = field(default=None, compare=False, repr=False)

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
        where = " ".join(" ".join(getlist("where")).split())[:MAX_WHERE_LENGTH]
        radius = _ints(getlist("radius"), RADIUS_CHOICES)
        return cls(
            q=q,
            where=where,
            # One search, one URL: the default distance is left out, and a distance
            # without a place means nothing.
            radius=radius if where and radius != DEFAULT_RADIUS else None,
            company=tuple(c for c in _strings(getlist("company"), lower=True) if _SLUG.match(c)),
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
        if self.where:
            items.append(("where", self.where))
        if self.radius:
            items.append(("radius", str(self.radius)))
        items.extend(("company", v) for v in self.company)
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
    def carried_params(self) -> list[tuple[str, str]]:
        """What a form of facets carries along unchanged: keywords, company, place, sort."""
        return [(name, value) for name, value in self.params(page=False) if name not in FACETS]

    @property
    def url_with_where_removed(self) -> str:
        return self.url_with(where="", radius=None, place=None)

    @property
    def effective_radius(self) -> int:
        return self.radius or DEFAULT_RADIUS

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

    def describe(self, *, company_names: Mapping[str, str] | None = None) -> str:
        """A short human summary, for alert emails and page titles.

        ``company_names`` maps the company slugs of the search to their names
        (``selectors.company_names``); a slug stands for itself without it.
        """
        parts: list[str] = []
        if self.q:
            parts.append(f"“{self.q}”")
        if self.company:
            names = company_names or {}
            companies = gettext(" or ").join(names.get(c, c) for c in self.company)
            parts.append(gettext("at %(companies)s") % {"companies": companies})
        if self.where:
            if self.place is not None and not self.place.is_country:
                parts.append(
                    gettext("within %(km)s km of %(where)s")
                    % {"km": self.effective_radius, "where": self.where}
                )
            else:
                parts.append(gettext("in %(where)s") % {"where": self.where})
        for name in ("workplace", *CHOICE_FACETS):
            values = getattr(self, name)
            if name == "workplace":
                values = [gettext(WORKPLACE_LABELS[v]) for v in values]
            elif name == "country":
                values = [v.upper() for v in values]
            if values:
                parts.append(gettext(" or ").join(values))
        if self.posted:
            parts.append(
                ngettext(
                    "posted in the last %(days)d day",
                    "posted in the last %(days)d days",
                    self.posted,
                )
                % {"days": self.posted}
            )
        if self.salary:
            parts.append(gettext("salary shown"))
        if self.min_salary:
            parts.append(
                gettext("at least %(amount)s a year")
                % {"amount": number_format(self.min_salary, force_grouping=True)}
            )
        return ", ".join(parts) or gettext("All jobs")

    # -- Filtering -----------------------------------------------------------
    def keyword_filter(self, listings: ListingQuerySet) -> ListingQuerySet:
        if not self.groups:
            return listings
        return listings.filter(keyword_q(self.groups))

    def base_filter(self, listings: ListingQuerySet) -> ListingQuerySet:
        """The filters that are not facets (keywords, company), which every count obeys.

        Facet counts are taken over these rows (``facets.facet_counts``).
        """
        listings = self.keyword_filter(listings)
        if self.company:
            listings = listings.filter(company__slug__in=self.company)
        if self.where:
            listings = listings.filter(self.place_q())
        return listings

    @property
    def narrows_much(self) -> bool:
        """Whether a filter other than the keywords may leave few of them (a country, a
        company, a place, a date window): not remote, salary or the words alone."""
        return bool(
            self.company
            or self.where
            or self.posted
            or any(getattr(self, n) for n in CHOICE_FACETS)
        )

    @property
    def uses_newest(self) -> bool:
        """Whether every result a visitor can reach is among the newest matches (the
        relevance and date sorts of a capped search), not the other sorts."""
        return self.effective_sort in ("relevance", "newest")

    @property
    def narrows_base(self) -> bool:
        """Whether the base rows are fewer than all visible ones (an index picks them)."""
        return bool(self.groups or self.company or self.where)

    def place_q(self) -> Q:
        """The listings in (or near) the place asked for.

        A city found in the gazetteer: every listing within the radius of it (a
        bounding box on the indexed coordinates, then the exact distance). A country:
        its listings. Always also the listings whose location names the place, since
        not every listing has coordinates.
        """
        typed, _ = split_where(self.where)
        named = Q(city__iexact=typed) | Q(region__iexact=typed) | Q(country__iexact=typed)
        place = self.place
        if place is None:
            return named
        if place.is_country:
            return Q(country_code=place.country_code) | named
        return within_q(place, self.effective_radius) | named | Q(city__iexact=place.name)

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
            return salary_shown_q() if self.salary else Q()
        if name == "min_salary":
            return Q(salary_annual__gte=Decimal(self.min_salary)) if self.min_salary else Q()
        raise KeyError(name)

    def filters_q(
        self, *, now: datetime, except_facet: str | None = None, without: Iterable[str] = ()
    ) -> Q:
        """Every facet's filter but ``except_facet``'s and those ``without`` names."""
        left_out = {except_facet, *without}
        q = Q()
        for name in FACETS:
            if name not in left_out:
                q &= self.facet_q(name, now=now)
        return q

    def apply(self, listings: ListingQuerySet, *, now: datetime) -> ListingQuerySet:
        """Keyword and every facet filter, ordered as asked, with a stable tie-break.

        Relevance ranks the newest ``BOARD_SEARCH_COUNT_LIMIT`` matches only (all of
        them when the limit is 0), see ``relevance_candidates``.
        """
        matches = self.base_filter(listings).filter(self.filters_q(now=now))
        if self.effective_sort == "relevance" and self.groups:
            candidates = relevance_candidates(listings, matches, walk=not self.narrows_much)
            ranked = candidates.annotate(rank=keyword_rank(self.groups))
            return ranked.order_by("-rank", "-posted_at", "-id")
        return matches.order_by(*SORT_ORDER.get(self.effective_sort, SORT_ORDER["newest"]))


def relevance_candidates(
    listings: ListingQuerySet, matches: ListingQuerySet, *, walk: bool = True
) -> ListingQuerySet:
    """The matches a relevance sort ranks: the newest ``BOARD_SEARCH_COUNT_LIMIT`` of them.

    Ranking every match of a broad word reads every matching row (at a million listings
    "engineer" matches 266,000: seconds and hundreds of MB a search). Only the newest
    matches are ranked. Pages stop at the same cap (``facets.count_limit``), so every
    result a visitor can reach is among them; below the cap this is every match, ranked
    exactly as before.

    ``walk``: the words are the only narrow filter, so PostgreSQL may find the newest
    matches by walking the date index with the words as a filter (few rows for a broad
    word; a rare word takes its text index). With a country, a city, a date window…
    the matches are sparse in date order, and a walk read 309,000 rows for "engineer"
    remote in Germany at a million listings (6.3 s): the order is then an expression no
    index serves, so the matches come from the text and facet indexes and are sorted.
    """
    limit: int = settings.BOARD_SEARCH_COUNT_LIMIT
    if not limit:
        return matches
    order: tuple[Any, ...] = SORT_ORDER["newest"]
    if not walk and connection.vendor == "postgresql":
        not_indexed = ExpressionWrapper(F("posted_at") + Value(timedelta(0)), DateTimeField())
        order = (not_indexed.desc(), "-id")
    newest = matches.order_by(*order).values("pk")[:limit]
    # Over ``listings`` (visible, the card's columns): the filters ran once, inside.
    return listings.filter(pk__in=newest)


def ids_q(ids: Sequence[int]) -> Q:
    """The listings with these ids, for the portable facet counts (``facets``).

    On SQLite the ids go as one JSON parameter: builds before 3.32 refuse more than 999
    placeholders, and a capped search reads a thousand ids.
    """
    if connection.vendor == "sqlite":
        listed = ",".join(str(int(pk)) for pk in ids)
        return Q(pk__in=RawSQL("SELECT value FROM json_each(%s)", ["[" + listed + "]"]))
    return Q(pk__in=list(ids))


def within_q(place: Place, radius_km: int) -> Q:
    """Listings whose coordinates lie within ``radius_km`` of a place (haversine).

    The bounding box is plain ranges on the indexed coordinates, so the database reads
    only the listings near the place before it computes any distance. The distance is
    Django's own math functions: SQL on PostgreSQL and SQLite alike.
    """
    if place.latitude is None or place.longitude is None:
        return Q(pk__in=[])
    lat, lon = place.latitude, place.longitude
    dlat = radius_km / KM_PER_DEGREE
    box = Q(latitude__gte=_degrees(lat - dlat), latitude__lte=_degrees(lat + dlat))
    # Near a pole or across the antimeridian a longitude range would be wrong: the
    # latitude range and the exact distance do the work there.
    if abs(lat) + dlat < 89:
        dlon = radius_km / (KM_PER_DEGREE * math.cos(math.radians(lat)))
        if lon - dlon > -180 and lon + dlon < 180:
            box &= Q(longitude__gte=_degrees(lon - dlon), longitude__lte=_degrees(lon + dlon))
    phi1, lambda1 = math.radians(lat), math.radians(lon)
    phi2 = Radians(Cast("latitude", FloatField()))
    lambda2 = Radians(Cast("longitude", FloatField()))
    half_chord = Power(Sin((phi2 - phi1) / 2), 2) + math.cos(phi1) * Cos(phi2) * Power(
        Sin((lambda2 - lambda1) / 2), 2
    )
    distance = 2 * EARTH_RADIUS_KM * ASin(Sqrt(Least(half_chord, Value(1.0))))
    return box & Q(LessThanOrEqual(distance, Value(float(radius_km))))


def _degrees(value: float) -> Decimal:
    # The columns are DECIMAL(9, 6): compare with decimals, so the index serves.
    return Decimal(str(round(value, 6)))


def salary_shown_q() -> Q:
    return Q(salary_min__isnull=False) | Q(salary_max__isnull=False)


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
