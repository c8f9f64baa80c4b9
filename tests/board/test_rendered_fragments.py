"""The list page's filter panel and result cards are cached under what they show."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.cache.utils import make_template_fragment_key
from django.utils import timezone

from jobboard.board.services import publish_listing
from tests.board.factories import listing_data, make_listing

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _counts_uncached(settings):
    # The panel's cache must not lean on the facet-count cache: count on every request.
    settings.BOARD_FACET_CACHE_SECONDS = 0


def test_a_card_is_kept_under_its_listing_version_language_and_day(client) -> None:
    listing = make_listing(title="Nurse")
    listing.refresh_from_db()
    client.get("/")
    today = timezone.localdate().isoformat()
    key = make_template_fragment_key(
        "board-card", [listing.pk, listing.updated_at.isoformat(), "en", today]
    )
    assert "Nurse" in cache.get(key)


def test_a_changed_listing_shows_its_new_card(client) -> None:
    make_listing(title="Nurse", external_id="c-1")
    assert "Nurse" in client.get("/").content.decode()
    publish_listing(source="test", external_id="c-1", data=listing_data(title="Head Chef"))
    page = client.get("/").content.decode()
    assert "Head Chef" in page
    assert ">Nurse<" not in page


def test_the_panel_follows_the_counts(client) -> None:
    make_listing(country_code="DE", country="Germany")
    first = client.get("/").content.decode()
    make_listing(country_code="DE", country="Germany")
    second = client.get("/").content.decode()
    assert first != second
    assert "2 jobs" in second


def test_the_same_counts_read_the_same_panel(client, django_assert_max_num_queries) -> None:
    make_listing(country_code="DE")
    client.get("/", {"country": "de"})
    # The panel of this search (and language) is in the cache under its digest.
    keys = [k for k in cache._cache if "board-facets" in k]  # type: ignore[attr-defined]
    assert len(keys) == 1
    client.get("/", {"country": "de"})
    assert [k for k in cache._cache if "board-facets" in k] == keys  # type: ignore[attr-defined]
