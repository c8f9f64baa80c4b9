"""Reads for the board's pages, feeds, sitemap and alerts.

Everything a job seeker can reach starts from ``Listing.objects.visible()``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypedDict

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db import connection, transaction
from django.db.models import Exists, Max, OuterRef, QuerySet, Subquery
from django.db.models.expressions import BaseExpression
from django.utils import timezone

from jobboard.board import counts, places
from jobboard.board.facet_panel import Facet, build_facets
from jobboard.board.facets import (
    MATCHED,
    facet_counts,
    is_capped,
    matches_in_order,
    total_from_facets,
)
from jobboard.board.keywords import corrected_query, parse_keywords
from jobboard.board.models import Company, GazetteerPlace, JobAlert, Listing, ListingQuerySet
from jobboard.board.places import Place, fold, split_where
from jobboard.board.search import JobSearch

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

# Columns a result card shows; the long HTML sections stay in the database.
CARD_FIELDS = (
    "id", "title", "slug", "company__name", "company__slug", "city", "region", "country",
    "country_code", "remote", "employment_type", "experience_level", "salary_min",
    "salary_max", "salary_currency", "salary_period", "posted_at", "valid_through", "state",
    "updated_at",
)  # fmt: skip


# What a page of results reads of its listings: enough to find their cards in the cache
# (``board.cards``), which loads the rest (``card_listings``) for the cards it lacks.
CARD_VERSION = ("id", "updated_at")


def card_listings(*, ids: Sequence[int]) -> dict[int, Listing]:
    """The visible listings of these ids, with what their cards show, by id."""
    return visible_listings().only(*CARD_FIELDS).in_bulk(ids)


def live_listing_ids() -> QuerySet[Listing, int]:
    """Ids of the live listings, as a subquery (``…filter(listing_id__in=…)``).

    Live is the state, not visibility: a listing past its date stays live until the
    expiry job closes it, and sources follow the state.
    """
    return Listing.objects.filter(state=Listing.State.LIVE).values_list("pk", flat=True)


def listing_id_by_key(*, source: str, external_id: Any) -> Subquery:
    """The id of a source's listing, as an expression (``external_id`` may be an
    ``OuterRef``): lets a source record many listing ids in one UPDATE."""
    return Subquery(Listing.objects.filter(source=source, external_id=external_id).values("pk")[:1])


def live_listing(*, listing_id: int | None) -> Listing | None:
    """The listing if it is live; None when it is not (or gone, or never was)."""
    if listing_id is None:
        return None
    return Listing.objects.filter(pk=listing_id, state=Listing.State.LIVE).first()


def visible_listings(*, now: datetime | None = None) -> ListingQuerySet:
    return Listing.objects.visible(now=now).select_related("company")


@dataclass(frozen=True)
class SearchResults:
    search: JobSearch
    page: Page
    total: int
    facets: list[Facet]
    # The total is a cap, not a count: "1,000+" (``facets.count_limit``).
    total_capped: bool = False
    # Names the facet counts in the cache (None when not cached), so that templates
    # can cache the rendered filter panel under the same key.
    facets_cache_key: str | None = None
    # The keywords the visitor typed when nothing matched them and ``search`` is the
    # spelling-corrected search shown instead ("Showing results for ...").
    corrected_from: str = ""

    @property
    def facets_digest(self) -> str:
        """Names the filter panel by what it shows: the facets (their counts, labels and
        links) and the search its form carries. Equal digests, equal panels, so the
        rendered panel is reused whenever the counts are the same, cached or not."""
        shown = f"{self.facets!r}|{self.search.query_string(page=False)}"
        return hashlib.sha256(shown.encode()).hexdigest()[:32]

    @property
    def total_capped_mark(self) -> str:
        """What follows the total in the page: "+" when it is the cap ("1,000+")."""
        return "+" if self.total_capped else ""


def find_place(*, where: str) -> Place | None:
    """The place a visitor typed: a country by name, else the most populous city of
    that name in the gazetteer ("Paris, US" narrows to a country). One query at most."""
    typed, qualifier = split_where(where)
    if not typed:
        return None
    if not qualifier and (found := places.country(typed)):
        return found
    cities = GazetteerPlace.objects.filter(key=fold(typed))
    if qualifier and (within := places.country(qualifier)):
        cities = cities.filter(country_code=within.country_code)
    city = cities.order_by("-population", "pk").first()
    if city is None:
        return None
    return Place(
        name=city.name,
        country_code=city.country_code,
        latitude=city.latitude,
        longitude=city.longitude,
    )


def locate(search: JobSearch) -> JobSearch:
    """The search with its place looked up (unchanged when it names none)."""
    if not search.where or search.place is not None:
        return search
    return replace(search, place=find_place(where=search.where))


# How long the location field's suggestions are kept (see ``place_suggestions``).
PLACES_SECONDS = 300


def place_suggestions(*, limit: int = 200) -> list[str]:
    """Places of the visible listings, the busiest first, for the location field.

    "Kraków, Poland" style, then the countries. Cached ``PLACES_SECONDS`` whether or
    not the facet counts are: a suggestion a few minutes old does no harm, and the
    list does not change with the search (every page read it when the facet cache was
    off, a quarter of a millisecond of SQL and a millisecond of Python a page).
    """
    key = f"board:places:{limit}"
    found: list[str] | None = cache.get(key)
    if found is None:
        # From the counts the board keeps (live listings per place): a read of `limit` rows.
        rows = counts.places(limit=limit)
        cities = [", ".join(p for p in (city, country) if p) for city, country, _ in rows]
        countries = sorted({country for _, country, _ in rows if country})
        found = list(dict.fromkeys([*cities, *countries]))
        cache.set(key, found, PLACES_SECONDS)
    return found


def search_listings(*, search: JobSearch, now: datetime | None = None) -> SearchResults:
    """One page of results, their total and the facet counts: two queries at most.

    The total is read off the facet counts, so the paginator runs no COUNT query. The
    order ends with ``-id`` so that pages never overlap or skip a row.

    When keywords find nothing, misspelt words are replaced by the closest words of
    the vocabulary and that search is shown instead, if it finds something (three more
    queries, on that path only).
    """
    now = now or timezone.now()
    search = locate(search)
    counts, cache_key = _cached_facet_counts(search, now=now)
    corrected_from = ""
    if search.has_keywords and not total_from_facets(search, counts):
        corrected = corrected_query(search.q, search.groups)
        if corrected:
            fixed = replace(search, q=corrected, groups=parse_keywords(corrected))
            fixed_counts, fixed_key = _cached_facet_counts(fixed, now=now)
            if total_from_facets(fixed, fixed_counts):
                corrected_from = search.q
                search, counts, cache_key = fixed, fixed_counts, fixed_key
    total = total_from_facets(search, counts)
    # A capped search's counts read its newest matches, in order: with the relevance
    # and date sorts every result a visitor can reach is among them.
    ordered = matches_in_order(search, counts)
    if ordered is not None and search.uses_newest:
        page = _page_of(ordered, search, now=now)
    else:
        listings = Listing.objects.visible(now=now).only(*CARD_VERSION)
        paginator = Paginator(search.apply(listings, now=now), settings.BOARD_PAGE_SIZE)
        # Paginator.count is a cached_property: setting it spares the COUNT(*) query.
        paginator.__dict__["count"] = total
        # Only a search with more matches than it counts has a bitmap worth the room.
        with _room_for_matches() if is_capped(counts, MATCHED) else nullcontext():
            page = _cached_page(paginator, search, now=now, board_key=cache_key)
            page.object_list = list(page.object_list)
    return SearchResults(
        search=search,
        page=page,
        total=total,
        total_capped=is_capped(counts, MATCHED),
        facets=build_facets(search, counts),
        facets_cache_key=cache_key,
        corrected_from=corrected_from,
    )


@contextmanager
def _room_for_matches() -> Iterator[None]:
    """Memory for a keyword search's bitmap of matches (PostgreSQL).

    With the default 4 MB a broad word's bitmap turns lossy, and every row of the lossy
    pages is checked against the query again: at a million listings, 254,000 rechecks
    and 435 ms for the page of "engineer" in Germany, 285 ms with room. SET LOCAL ends
    with the transaction.
    """
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL work_mem = '64MB'")
        yield


def _page_of(ids: list[int], search: JobSearch, *, now: datetime) -> Page:
    """The page of a search whose results are these ids, in this order."""
    page = Paginator(ids, settings.BOARD_PAGE_SIZE).get_page(search.page)
    return _page_of_rows(list(page.object_list), page.number, page.paginator, now=now)


def _page_of_rows(ids: list[int], number: int, paginator: Paginator, *, now: datetime) -> Page:
    """A page of these listings in this order, loaded by id and filtered by ``visible()``
    again (one that left the board since its id was read is left out); their id and
    version only (``CARD_VERSION``)."""
    rows = Listing.objects.visible(now=now).only(*CARD_VERSION).in_bulk(ids)
    return Page([rows[pk] for pk in ids if pk in rows], number, paginator)


def _cached_page(
    paginator: Paginator, search: JobSearch, *, now: datetime, board_key: str | None
) -> Page:
    """The page of results, its row ids cached under the board's change marker.

    Ranking every match of a broad keyword is the costly part of a search page; the
    ids of a page are kept as long as the facet counts (the key changes whenever any
    listing does). Rows are always loaded fresh and filtered by ``visible()`` again.
    """
    if board_key is None:
        return paginator.get_page(search.page)
    key = f"{board_key}:page:{search.effective_sort}:{search.page}"
    cached = cache.get(key)
    if cached is None:
        page = paginator.get_page(search.page)
        cache.set(
            key,
            (page.number, [row.pk for row in page.object_list]),
            settings.BOARD_FACET_CACHE_SECONDS,
        )
        return page
    number, ids = cached
    return _page_of_rows(ids, number, paginator, now=now)


def _cached_facet_counts(search: JobSearch, *, now: datetime) -> tuple[dict, str | None]:
    timeout = settings.BOARD_FACET_CACHE_SECONDS
    if not timeout:
        return facet_counts(search, Listing.objects.visible(now=now), now=now), None
    # Every publish, withdrawal and expiry moves max(updated_at), so the key changes
    # the moment the board does, in every process (one index lookup). What the key
    # cannot see, a valid-through date passing by, is at most `timeout` seconds old.
    changed = Listing.objects.aggregate(changed=Max("updated_at"))["changed"]
    digest = hashlib.sha256(search.alert_query.encode()).hexdigest()[:32]
    marker = changed.timestamp() if changed else 0
    key = f"board:facets:{marker}:{digest}"
    counts = cache.get(key)
    if counts is None:
        counts = facet_counts(search, Listing.objects.visible(now=now), now=now)
        cache.set(key, counts, timeout)
    return counts, key


class LiveFlag(TypedDict):
    is_live: bool


def listing_for_page(*, pk: int) -> WithAnnotations[Listing, LiveFlag] | None:
    """A job page's listing whatever its state: gone ones answer 410, not 404.

    ``is_live`` says whether it is visible, by the one definition of visible, in the
    same query.
    """
    live = Listing.objects.visible().filter(pk=OuterRef("pk"))
    return (
        Listing.objects.select_related("company")
        .annotate(is_live=Exists(live))
        .filter(pk=pk)
        .first()
    )


def saved_listings(*, ids: Sequence[int]) -> list[WithAnnotations[Listing, LiveFlag]]:
    """The listings a visitor saved in their browser, in their order, gone ones too.

    ``is_live`` tells which can still be applied for (one query, whatever the number).
    """
    live = Listing.objects.visible().filter(pk=OuterRef("pk"))
    rows = (
        Listing.objects.select_related("company")
        .only(*CARD_FIELDS)
        .annotate(is_live=Exists(live))
        .in_bulk(list(ids))
    )
    return [rows[pk] for pk in ids if pk in rows]


def more_at_company(*, listing: Listing, limit: int = 5) -> list[Listing]:
    return list(
        visible_listings()
        .filter(company_id=listing.company_id)
        .exclude(pk=listing.pk)
        .only(*CARD_FIELDS)
        .order_by("-posted_at", "-id")[:limit]
    )


def similar_listings(*, listing: Listing, limit: int = 5) -> list[Listing]:
    """Live jobs like a gone one: same function, else same industry, else same company."""
    base = visible_listings().exclude(pk=listing.pk).only(*CARD_FIELDS)
    for field in ("function", "industry"):
        value = getattr(listing, field)
        if value:
            found = list(base.filter(**{field: value}).order_by("-posted_at", "-id")[:limit])
            if found:
                return found
    return list(base.filter(company_id=listing.company_id).order_by("-posted_at", "-id")[:limit])


def company_names(*, slugs: Sequence[str]) -> dict[str, str]:
    """``{slug: name}`` of the companies with these slugs (one query; none when empty)."""
    if not slugs:
        return {}
    rows = Company.objects.filter(slug__in=list(slugs)).order_by("slug", "pk")
    names: dict[str, str] = {}
    for slug, name in rows.values_list("slug", "name"):
        names.setdefault(slug, name)
    return names


def describe_search(search: JobSearch) -> str:
    """The search in words, companies by their names (a query only when one is chosen)."""
    return locate(search).describe(company_names=company_names(slugs=search.company))


def company_by_slug(*, slug: str) -> Company | None:
    """The employer behind /companies/<slug>/; the oldest of several of the same name."""
    return Company.objects.filter(slug=slug).order_by("pk").first()


def sitemap_companies() -> QuerySet[Any, Any]:
    """A row per company page with a visible job: its slug and its last change.

    A company page changes whenever one of its listings does (a new job, one gone), so
    its last change is the newest ``updated_at`` among all of them.
    """
    visible_companies = Listing.objects.visible().values("company_id")
    return (
        Company.objects.filter(pk__in=visible_companies)
        .values("slug")
        .annotate(lastmod=Max("listings__updated_at"))
        .order_by("slug")
    )


def alerts_for_email(*, email: str) -> list[JobAlert]:
    """Every alert of an address, newest first, whatever the case it was typed in."""
    return list(JobAlert.objects.filter(email__iexact=email.strip()).order_by("-created_at", "-pk"))


def sitemap_listings() -> ListingQuerySet:
    return Listing.objects.visible().only("id", "slug", "updated_at").order_by("-id")


def feed_listings(*, search: JobSearch, limit: int = 50) -> list[Listing]:
    """The newest matching jobs for RSS/Atom: the list page's filters, newest first."""
    now = timezone.now()
    newest = replace(locate(search), sort="newest")
    return list(newest.apply(visible_listings(now=now), now=now)[:limit])


def alert_matches(
    *, search: JobSearch, since: datetime, until: datetime, limit: int
) -> list[Listing]:
    """Jobs that arrived on the board in ``(since, until]`` and match a saved search."""
    now = timezone.now()
    newest = replace(locate(search), sort="newest")
    listings = (
        visible_listings(now=now)
        .filter(created_at__gt=since, created_at__lte=until)
        .only(*CARD_FIELDS)
    )
    return list(newest.apply(listings, now=now)[:limit])


def listing_with(*, pk: int, annotations: Mapping[str, BaseExpression]) -> Listing | None:
    """One listing whatever its state, with its company, and ``annotations`` in the same query.

    For pages other apps build on a job (the apply page): what they know about a listing
    comes as their own annotations, so the board need not know it and the page still
    reads the listing in one query.
    """
    return Listing.objects.select_related("company").annotate(**annotations).filter(pk=pk).first()
