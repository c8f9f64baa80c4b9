"""Stemming, places and typo tolerance: the same answers on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from django.db import connection

from jobboard.board import selectors
from jobboard.board.keywords import closest_words, corrected_query, parse_keywords
from jobboard.board.models import SearchWord
from jobboard.board.search import JobSearch
from tests.board.factories import make_listing, posted

pytestmark = pytest.mark.django_db


def titles(**params) -> list[str]:
    search = JobSearch.from_params(params)
    return [listing.title for listing in selectors.search_listings(search=search).page]


@pytest.fixture
def jobs() -> None:
    make_listing(title="Senior Software Engineer", function="Finance", city="Berlin")
    make_listing(title="Pastry Chef", function="Finance", city="Barcelona", country="Spain")
    make_listing(title="Accountant", function="Finance", city="Kraków", country="Poland")


@pytest.mark.parametrize("q", ["engineer", "engineers", "enginer", "Engineering", "ENGINEER"])
def test_stemming_finds_other_forms_of_a_word(jobs, q) -> None:
    assert titles(q=q) == ["Senior Software Engineer"]


def test_keywords_match_places(jobs) -> None:
    assert titles(q="barcelona") == ["Pastry Chef"]
    assert titles(q="chef barcelona") == ["Pastry Chef"]
    assert titles(q="spain") == ["Pastry Chef"]


def test_a_place_typed_without_its_accents_still_finds_it(jobs) -> None:
    assert titles(q="krakow") == ["Accountant"]


def test_the_vocabulary_holds_the_words_of_titles_companies_and_places(jobs) -> None:
    words = set(SearchWord.objects.values_list("word", flat=True))
    assert {"senior", "software", "engineer", "pastry", "chef", "barcelona", "kraków"} <= words
    # Ad text is not suggested: it is long, and rarely what anyone types.
    assert "build" not in words


def test_closest_words_finds_the_vocabulary_word_a_typo_meant(jobs) -> None:
    assert closest_words(["enigneer", "barcleona", "chef", "zzzzzz"]) == {
        "enigneer": "engineer",
        "barcleona": "barcelona",
        "chef": "chef",
    }


def test_a_corrected_query_keeps_its_syntax_and_its_exclusions(jobs) -> None:
    text = 'seniro enigneer -chef "pastry cheff"'
    assert corrected_query(text, parse_keywords(text)) == ('senior engineer -chef "pastry chef"')
    assert corrected_query("engineer", parse_keywords("engineer")) is None


def test_a_misspelt_search_shows_the_corrected_results_and_says_so(client, jobs) -> None:
    response = client.get("/", {"q": "enigneer", "sort": "newest"})
    html = response.content.decode()
    assert "Senior Software Engineer" in html
    assert "No jobs matched “enigneer”. Showing results for <strong>“engineer”</strong>" in html
    # Links and the alert form carry the corrected search.
    assert 'value="engineer"' in html
    assert 'name="query" value="q=engineer"' in html


def test_a_search_nothing_resembles_says_nothing_matched(client, jobs) -> None:
    html = client.get("/", {"q": "xylophone"}).content.decode()
    assert "No jobs match this search" in html
    assert "Showing results for" not in html


def test_a_correct_search_with_no_match_is_not_corrected(client, jobs) -> None:
    # Both words are known; together they match nothing. Nothing to correct.
    html = client.get("/", {"q": "pastry engineer"}).content.decode()
    assert "No jobs match this search" in html
    assert "Showing results for" not in html


def test_title_matches_rank_above_matches_in_the_ad_on_both_databases() -> None:
    make_listing(title="Barista", job_description="<p>Rust in the pipes</p>", posted_at=posted(0))
    make_listing(title="Rust Developer", posted_at=posted(5))
    assert titles(q="rust") == ["Rust Developer", "Barista"]
    assert titles(q="rust", sort="newest") == ["Barista", "Rust Developer"]


def test_republishing_replaces_the_listings_index_entry() -> None:
    make_listing(external_id="same", title="Plumber", function="Finance")
    make_listing(external_id="same", title="Electrician", function="Finance")
    assert titles(q="electrician") == ["Electrician"]
    assert titles(q="plumber") == []


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the FTS5 table is SQLite's")
def test_on_sqlite_the_index_is_an_fts5_table_with_the_porter_stemmer(jobs) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT sql FROM sqlite_master WHERE name = 'board_listing_fts'")
        (sql,) = cursor.fetchone()
    assert "fts5" in sql
    assert "porter" in sql


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_trgm is PostgreSQL's")
def test_on_postgresql_the_vocabulary_has_a_gin_trigram_index() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'searchword_trgm'")
        (definition,) = cursor.fetchone()
    assert "gin" in definition
    assert "gin_trgm_ops" in definition


@pytest.mark.parametrize(
    "q", ["_", "-_", "__ OR _", '"', "a_b", "日本", "-日本", "x" * 300, "NOT", "AND OR", "*", "c++"]
)
def test_odd_queries_never_break_the_page(client, q) -> None:
    make_listing(title="Engineer")
    assert client.get("/", {"q": q}).status_code == 200
