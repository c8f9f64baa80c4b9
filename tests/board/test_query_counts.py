"""Each page costs a fixed number of queries, however many rows it shows."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from tests.board.factories import make_listing

pytestmark = pytest.mark.django_db

# The misspelt search is the most: the page cache's marker, the vocabulary asked twice
# (whole words, then the closest ones), two searches' counts in savepoints (each asks
# the planner first on PostgreSQL: which of its walks to bound), the rows, the places.
MAX_QUERIES = 15


@pytest.fixture
def many_listings(settings):
    settings.BOARD_FACET_CACHE_SECONDS = 0  # measure the uncached page
    settings.BOARD_JOB_PAGE_CACHE_SECONDS = 0
    return [make_listing(company_name=f"Company {i % 3}") for i in range(45)]


def count_queries(django_assert_max_num_queries, client, url: str, params=None) -> int:
    with django_assert_max_num_queries(MAX_QUERIES) as captured:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"q": "developer", "country": "de", "workplace": "remote"},
        {"page": "2"},
        {"q": "enigneer"},
        {"q": "-engineer"},
        {"where": "Berlin", "radius": "50", "sort": "salary"},
        {"where": "Germany", "sort": "closing", "company": "company-1"},
    ],
    ids=[
        "list",
        "search with facets",
        "page 2",
        "misspelt search",
        "only excluded words",
        "near a city",
        "in a country at a company",
    ],
)
def test_the_list_page_needs_the_same_queries_for_few_or_many_rows(
    client, settings, django_assert_max_num_queries, params
) -> None:
    settings.BOARD_FACET_CACHE_SECONDS = 0
    settings.BOARD_PAGE_SIZE = 3
    for _ in range(8):
        make_listing(country_code="DE", remote=True)
    # Both pages cold: what the board remembers of words (keywords.whole_words) and
    # places would spare the second its first reads.
    cache.clear()
    few = count_queries(django_assert_max_num_queries, client, "/", params)
    settings.BOARD_PAGE_SIZE = 30
    for _ in range(60):
        make_listing(country_code="DE", remote=True)
    cache.clear()
    many = count_queries(django_assert_max_num_queries, client, "/", params)
    assert few == many <= MAX_QUERIES


def test_job_pages_feeds_and_sitemap_have_constant_query_counts(
    client, many_listings, django_assert_max_num_queries
) -> None:
    listing = many_listings[0]
    counts = {
        url: count_queries(django_assert_max_num_queries, client, url)
        for url in (
            listing.get_absolute_url(),
            "/jobs/feed/rss/",
            "/jobs/feed/atom/",
            "/sitemap.xml",
            "/sitemap-jobs.xml",
        )
    }
    more = [make_listing(company_name="Company 0") for _ in range(40)]
    assert more
    for url, before in counts.items():
        assert count_queries(django_assert_max_num_queries, client, url) == before


def test_company_pages_and_their_sitemap_have_constant_query_counts(
    client, many_listings, django_assert_max_num_queries
) -> None:
    urls = ("/companies/company-0/", "/sitemap-companies.xml", "/?company=company-0")
    counts = {url: count_queries(django_assert_max_num_queries, client, url) for url in urls}
    for i in range(40):
        make_listing(company_name=f"Company {i % 6}")
    cache.clear()  # cold again: the list page's place suggestions are kept a while
    for url, before in counts.items():
        assert count_queries(django_assert_max_num_queries, client, url) == before
