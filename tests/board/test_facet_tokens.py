"""Facet tokens in the search vector (PostgreSQL): a keyword search's facet filters are
searched as tokens with its words, and count exactly what the columns' filters count."""

from __future__ import annotations

import importlib

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jobboard.board import facet_tokens, facets, search_index
from jobboard.board.models import Listing
from jobboard.board.search import JobSearch
from tests.board.factories import make_listing

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the search vector is PostgreSQL's"
    ),
]

# A value with what a tsquery's syntax would choke on, written as is.
ODD_FUNCTION = "R&D 'Süd' / Forschung: (a | b) & !c"


def lexemes(listing: Listing) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tsvector_to_array(search_vector) FROM board_listing WHERE id = %s",
            [listing.pk],
        )
        return set(cursor.fetchone()[0])


def test_the_vector_holds_the_listing_facet_tokens_and_follows_its_columns() -> None:
    listing = make_listing(
        external_id="moving", title="Python Developer", country_code="de", remote=True,
        function=ODD_FUNCTION,
    )  # fmt: skip
    words = lexemes(listing)
    assert {
        facet_tokens.token("country", "de"),
        facet_tokens.token("workplace", "remote"),
        facet_tokens.token("function", ODD_FUNCTION),
        facet_tokens.token("city", listing.city),
        facet_tokens.token("industry", listing.industry),
        facet_tokens.token("level", listing.experience_level),
        facet_tokens.token("type", listing.employment_type),
    } <= words
    assert "python" in words  # the words are still there

    moved = make_listing(
        external_id="moving", title="Python Developer", country_code="fr", remote=False
    )
    words = lexemes(moved)
    assert facet_tokens.token("country", "fr") in words
    assert facet_tokens.token("workplace", "onsite") in words
    assert facet_tokens.token("country", "de") not in words
    assert facet_tokens.token("workplace", "remote") not in words


def test_a_visitor_query_never_makes_a_token() -> None:
    token = facet_tokens.token("country", "de")
    with connection.cursor() as cursor:
        cursor.execute("SELECT tsvector_to_array(to_tsvector('english', %s))", [token])
        words = cursor.fetchone()[0]
    assert token not in words


@pytest.fixture
def board(settings):
    settings.BOARD_FACET_CACHE_SECONDS = 0
    for i in range(30):
        make_listing(
            title="Python Developer",
            country_code=("de", "fr", "pl")[i % 3],
            remote=i % 4 == 0,
            function=ODD_FUNCTION if i % 5 == 0 else "Engineering",
        )
    # Words that name a facet value, on listings without it: only the columns count.
    make_listing(title="Python Developer for Germany", country_code="fr", remote=False)
    make_listing(title="Remote Python Developer", country_code="pl", remote=False)
    make_listing(title="Java Developer", country_code="de", remote=True)


def counted(params: dict[str, str | list[str]]) -> dict:
    search = JobSearch.from_params(params)
    now = timezone.now()
    return facets.counted_on_listings(search, Listing.objects.visible(now=now), now=now)


def facet_counts(counts: dict) -> dict:
    return {name: values for name, values in counts.items() if not name.startswith("_")}


SEARCHES: list[dict[str, str | list[str]]] = [
    {"q": "python", "country": "de"},
    {"q": "python", "country": "de", "workplace": "remote"},
    {"q": "python", "country": ["de", "fr"], "workplace": "onsite"},
    {"q": "python", "workplace": ["remote", "onsite"]},
    {"q": "python", "function": ODD_FUNCTION},
    {"q": "python", "function": ODD_FUNCTION, "country": "pl"},
    {"q": "developer", "country": "fr", "workplace": "onsite", "posted": "7"},
]


@pytest.mark.parametrize("params", SEARCHES)
def test_token_filters_count_what_the_column_filters_count(board, settings, params) -> None:
    # Below the cap a capped search counts exactly: the same counts as the uncapped
    # statement, which filters on the columns.
    settings.BOARD_SEARCH_COUNT_LIMIT = 1000
    with CaptureQueriesContext(connection) as captured:
        with_tokens = counted(params)
    settings.BOARD_SEARCH_COUNT_LIMIT = 0
    with_columns = counted(params)

    assert facet_counts(with_tokens) == facet_counts(with_columns)
    assert with_tokens[facets.MATCHED]["count"][1] == facets.total_from_facets(
        JobSearch.from_params(params), with_columns
    )
    search = JobSearch.from_params(params)
    if facet_tokens.tsquery(search) is not None:
        statement = next(q["sql"] for q in captured if q["sql"].startswith("WITH facet_base"))
        assert "search_vector @@" in statement
        for facet in facet_tokens.FACETS:
            for value in facet_tokens.chosen(search, facet):
                assert facet_tokens.token(facet, value) in statement


@pytest.mark.django_db(transaction=True)
def test_the_migration_adds_the_tokens_to_vectors_written_before_them(settings) -> None:
    settings.BOARD_FACET_CACHE_SECONDS = 0
    old = make_listing(title="Python Developer", country_code="de", remote=True)
    new = make_listing(title="Python Developer", country_code="fr", remote=False)
    with connection.cursor() as cursor:
        # The first as written before the tokens: its words only.
        cursor.execute(
            "UPDATE board_listing SET search_vector = to_tsvector('english', title) WHERE id = %s",
            [old.pk],
        )
    assert facet_tokens.token("country", "de") not in lexemes(old)
    assert not facet_counts(counted({"q": "python", "country": "de"}))["workplace"]

    migration = importlib.import_module("jobboard.board.migrations.0016_search_vector_facet_tokens")
    with (
        CaptureQueriesContext(connection) as captured,
        connection.schema_editor(atomic=False) as editor,
    ):
        migration.recompute(None, editor)

    assert facet_tokens.token("country", "de") in lexemes(old)
    assert facet_counts(counted({"q": "python", "country": "de"}))["workplace"] == {
        "remote": ("remote", 1)
    }
    # Only the vector without tokens was written, then the table vacuumed and analysed.
    update = next(q["sql"] for q in captured if q["sql"].lstrip().startswith("UPDATE"))
    assert "NOT coalesce(" in update
    assert any(q["sql"] == "VACUUM ANALYZE board_listing" for q in captured)
    assert search_index.refresh_vectors(without_tokens_only=True) == 0
    assert facet_tokens.token("country", "fr") in lexemes(new)
