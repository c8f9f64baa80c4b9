"""A keyword search counts at most BOARD_SEARCH_COUNT_LIMIT matches and says so ("5+")."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jobboard.board import selectors
from jobboard.board.search import JobSearch
from tests.board.factories import make_listing, posted

pytestmark = pytest.mark.django_db


def search(**params: str) -> selectors.SearchResults:
    return selectors.search_listings(search=JobSearch.from_params(params))


@pytest.fixture
def board(settings):
    settings.BOARD_FACET_CACHE_SECONDS = 0
    settings.BOARD_SEARCH_COUNT_LIMIT = 5
    settings.BOARD_PAGE_SIZE = 2
    for _ in range(4):
        make_listing(title="Python Developer", country_code="DE", remote=True)
    for _ in range(4):
        make_listing(title="Python Developer", country_code="FR", remote=False)
    make_listing(title="Chef", country_code="FR", remote=False)


def test_below_the_cap_counts_are_exact_and_unmarked(board) -> None:
    results = search(q="python", country="de")
    assert (results.total, results.total_capped) == (4, False)
    workplace = next(f for f in results.facets if f.name == "workplace")
    # The workplace counts ignore their own filter: 4 matches, below the cap.
    assert {o.value: (o.count, o.at_least) for o in workplace.options} == {"remote": (4, False)}


def test_above_the_cap_the_total_is_the_cap_and_counts_are_lower_bounds(board) -> None:
    results = search(q="python")
    assert (results.total, results.total_capped) == (5, True)
    country = next(f for f in results.facets if f.name == "country")
    counts = {o.value: o.count for o in country.options}
    # Six rows were read (the cap and one more): every count is at most the true one.
    assert sum(counts.values()) == 6
    assert counts["de"] <= 4
    assert counts["fr"] <= 4
    assert all(o.at_least for o in country.options)
    # Pages stop at the cap: 5 results, 2 a page.
    assert results.page.paginator.num_pages == 3


def test_a_facet_counted_apart_is_capped_on_its_own(board) -> None:
    # Country has a choice: its counts ignore it and see 8 matches, capped; the others
    # see Germany's 4 only, exact.
    results = search(q="python", country="de")
    facets = {f.name: f for f in results.facets}
    assert all(o.at_least for o in facets["country"].options)
    assert not any(o.at_least for o in facets["workplace"].options)


def test_every_facet_chosen_still_counts_the_total(board) -> None:
    params = {
        "q": "python", "workplace": "remote", "country": "de", "city": "Berlin",
        "function": "x", "industry": "x", "level": "x", "type": "x", "posted": "30",
        "salary": "shown", "min_salary": "30000",
    }  # fmt: skip
    results = search(**params)
    assert (results.total, results.total_capped) == (0, False)


def test_without_keywords_nothing_is_capped(board) -> None:
    results = search()
    assert (results.total, results.total_capped) == (9, False)
    assert not any(o.at_least for f in results.facets for o in f.options)


def test_a_cap_of_zero_counts_every_match(board, settings) -> None:
    settings.BOARD_SEARCH_COUNT_LIMIT = 0
    results = search(q="python")
    assert (results.total, results.total_capped) == (8, False)


def test_the_page_shows_the_capped_total_and_counts_with_a_plus(board, client) -> None:
    page = client.get("/", {"q": "python"}).content.decode()
    assert "5+ jobs found" in page
    assert 'class="facet-count"><span class="visually-hidden">(</span>' in page
    assert '+<span class="visually-hidden"> jobs)' in page
    exact = client.get("/", {"q": "python", "country": "de"}).content.decode()
    assert "4 jobs found" in exact
    assert "4+ jobs" not in exact


def test_the_capped_total_is_translated(board, client) -> None:
    page = client.get("/de/", {"q": "python"}).content.decode()
    assert "5+ Jobs gefunden" in page


def test_relevance_ranks_the_newest_matches_up_to_the_cap(settings) -> None:
    # A title hit ranks first among the matches that are ranked; past the cap, the
    # relevance sort ranks the newest matches only, as the README says.
    settings.BOARD_FACET_CACHE_SECONDS = 0
    settings.BOARD_PAGE_SIZE = 10
    title_hit = make_listing(title="Rust Developer", country_code="DE", posted_at=posted(3))
    newer = make_listing(
        title="Barista",
        job_description="<p>Rust in pipes</p>",
        country_code="DE",
        posted_at=posted(2),
    )
    newest = make_listing(
        title="Plumber",
        job_description="<p>Rust, pipes</p>",
        country_code="DE",
        posted_at=posted(1),
    )
    settings.BOARD_SEARCH_COUNT_LIMIT = 3
    ranked = [row.pk for row in search(q="rust").page.object_list]
    assert ranked[0] == title_hit.pk
    assert set(ranked) == {title_hit.pk, newer.pk, newest.pk}
    settings.BOARD_SEARCH_COUNT_LIMIT = 2
    results = search(q="rust")
    assert (results.total, results.total_capped) == (2, True)
    assert {row.pk for row in results.page.object_list} == {newer.pk, newest.pk}
    # With a country the newest matches are sorted, not walked: the same ones.
    in_germany = search(q="rust", country="de").page.object_list
    assert {row.pk for row in in_germany} == {newer.pk, newest.pk}
    # The other sorts see every match; pages stop at the cap.
    by_date = search(q="rust", sort="newest").page.object_list
    assert [row.pk for row in by_date] == [newest.pk, newer.pk]


def test_the_relevance_sort_costs_no_extra_query(board, django_assert_max_num_queries) -> None:
    # The newest matches are a subquery of the page's query, not a query of their own:
    # the relevance sort needs as many queries as the date sort.
    with django_assert_max_num_queries(8) as by_date:
        search(q="python", country="de", sort="newest")
    with django_assert_max_num_queries(len(by_date.captured_queries)):
        results = search(q="python", country="de")
    assert len(results.page.object_list) == 2


@pytest.fixture
def many_matches(settings) -> list[int]:
    """Twelve Rust jobs for a cap of seven, three a page: titles and descriptions
    rank apart, and two pairs share a posting time, so ties of rank and of date both
    need their tie-breaks."""
    settings.BOARD_FACET_CACHE_SECONDS = 0
    settings.BOARD_SEARCH_COUNT_LIMIT = 7
    settings.BOARD_PAGE_SIZE = 3
    ids = []
    for n in range(12):
        title = "Rust Developer" if n % 3 == 0 else "Systems Engineer"
        listing = make_listing(
            title=title,
            job_description="<p>Rust and C, rust everywhere</p>" if n % 2 else "<p>Rust</p>",
            country_code="DE" if n % 4 else "FR",
            remote=bool(n % 2),
            posted_at=posted(1 + (n // 2 if n in (2, 3, 8, 9) else n)),
        )
        ids.append(listing.pk)
    return ids


def _matched_again(search_: JobSearch) -> list[list[int]]:
    # Every page as the rows query orders all matches (the API's and the other sorts'
    # way): the reference the pages read off the counting statement must equal.
    from django.core.paginator import Paginator

    results = selectors.search_listings(search=search_)
    listings = selectors.visible_listings().only(*selectors.CARD_FIELDS)
    paginator = Paginator(search_.apply(listings, now=timezone.now()), 3)
    paginator.__dict__["count"] = results.total
    return [[row.pk for row in paginator.page(n).object_list] for n in paginator.page_range]


@pytest.mark.parametrize("sort", ["", "newest"])
@pytest.mark.parametrize("country", ["", "de"])
def test_pages_of_a_capped_search_are_those_of_ranking_every_match(
    many_matches, sort, country
) -> None:
    params = {"q": "rust", "sort": sort, "country": country}
    expected = _matched_again(JobSearch.from_params(params))
    assert sum(len(page) for page in expected) == min(7, 12 if not country else 9)
    shown = [
        [row.pk for row in search(**params, page=str(n)).page.object_list]
        for n in range(1, len(expected) + 1)
    ]
    assert shown == expected


def test_a_capped_page_does_not_match_the_keywords_again(many_matches) -> None:
    # The counting read and ranked the newest matches; the page loads its listings by
    # id (their id and version: the cards are the view's), without the words (a text
    # index on PostgreSQL, FTS5 on SQLite) or a ranking.
    keyword_sql = "@@" if connection.vendor == "postgresql" else " MATCH "
    with CaptureQueriesContext(connection) as captured:
        results = search(q="rust", country="de", page="2")
    assert (results.total, results.total_capped) == (7, True)
    assert len(results.page.object_list) == 3
    page_sql = '"board_listing"."updated_at" FROM "board_listing"'
    cards = [q["sql"] for q in captured.captured_queries if page_sql in q["sql"]]
    assert len(cards) == 1
    assert keyword_sql not in cards[0]
    assert "rank" not in cards[0].lower()


def test_the_salary_sort_still_sees_every_match(many_matches, settings) -> None:
    # Past the cap the newest matches are not every result a salary sort can show: it
    # orders all matches, as before.
    results = search(q="rust", sort="salary")
    expected = _matched_again(JobSearch.from_params({"q": "rust", "sort": "salary"}))
    assert [row.pk for row in results.page.object_list] == expected[0]
