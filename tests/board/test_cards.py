"""A page of results finds its cards in the cache and loads whole only the listings
whose cards it lacks (``board.cards``)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jobboard.board import cards, selectors
from jobboard.board.models import Listing
from jobboard.board.services import withdraw_listing
from tests.board.factories import make_listing

pytestmark = pytest.mark.django_db

# The query that loads listings whole for their cards reads their titles.
WHOLE = '"board_listing"."title"'


@pytest.fixture(autouse=True)
def _cold(settings):
    # Every page counted and rendered afresh: only the cards are kept.
    settings.BOARD_FACET_CACHE_SECONDS = 0
    settings.BOARD_LIST_PAGE_CACHE_SECONDS = 0


def _whole_loads(client, path: str) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return response.content.decode(), sum(WHOLE in q["sql"] for q in captured.captured_queries)


@pytest.mark.parametrize("path", ["/", "/?q=nurse", "company"])
def test_cached_cards_are_not_loaded_again(client, path) -> None:
    for i in range(3):
        listing = make_listing(title=f"Night Nurse {i}", company_name="St Mary's")
    if path == "company":
        path = f"/companies/{listing.company.slug}/"
    first, loads = _whole_loads(client, path)
    assert loads == 1
    again, loads = _whole_loads(client, path)
    assert loads == 0
    assert again.count('class="job-card"') == first.count('class="job-card"') == 3
    for i in range(3):
        assert f"Night Nurse {i}" in again


def test_a_changed_listing_gets_a_new_card(client) -> None:
    listing = make_listing(title="Night Nurse", external_id="n-1")
    make_listing(title="Day Nurse")
    client.get("/")
    make_listing(title="Head Nurse", external_id="n-1")  # published again, new version
    page, loads = _whole_loads(client, "/")
    assert loads == 1  # that one listing only
    assert "Head Nurse" in page
    assert "Night Nurse" not in page
    assert "Day Nurse" in page
    assert Listing.objects.get(pk=listing.pk).title == "Head Nurse"


def test_the_key_is_the_template_tag_s(client) -> None:
    listing = make_listing(title="Night Nurse")
    client.get("/")
    today = timezone.localdate().isoformat()
    assert cards.fragment_cache().get(cards.card_key(listing, today=today)) is not None


def test_a_listing_gone_from_the_board_is_left_out() -> None:
    kept, gone = make_listing(title="Kept"), make_listing(title="Gone")
    today = timezone.localdate().isoformat()
    page = list(Listing.objects.filter(pk__in=[kept.pk, gone.pk]).only(*selectors.CARD_VERSION))
    withdraw_listing(source="test", external_id=gone.external_id)
    shown = cards.with_cards(page, today=today)
    assert [listing.pk for listing in shown] == [kept.pk]
    assert shown[0].title == "Kept"
