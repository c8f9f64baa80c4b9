"""The result cards of a page of listings, taken from the cache where rendered before.

A card (``board/_job_card.html``) is cached by the ``{% cache %}`` tag of
``board/_cards.html`` under its listing's id and version (``updated_at``), the language
and today's date (it says "posted 3 days ago"). A page of results carries its listings'
id and version only (``selectors.CARD_VERSION``): the cards found in the cache come
along as ``card_html``, and only the other listings are loaded whole, for the template
to render and cache their cards. Loading twenty listings whole and their companies was
2.4 ms of Python and 1.2 ms of SQL on every page, for cards that were nearly always
cached.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.cache import BaseCache, caches
from django.core.cache.backends.base import InvalidCacheBackendError
from django.core.cache.utils import make_template_fragment_key
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from jobboard.board import selectors
from jobboard.board.models import Listing

# The fragment name of the cards' ``{% cache %}`` tag in the list and company pages.
FRAGMENT = "board-card"


def fragment_cache() -> BaseCache:
    """The cache of template fragments, as the ``{% cache %}`` tag picks it."""
    try:
        return caches["template_fragments"]
    except InvalidCacheBackendError:
        return caches["default"]


def card_key(listing: Listing, *, today: str) -> str:
    """The key the ``{% cache %}`` tag stores this listing's card under (the same
    arguments, in the same order: the pages' tag reads
    ``listing.pk listing.updated_at.isoformat LANGUAGE_CODE today``)."""
    vary_on = [listing.pk, listing.updated_at.isoformat(), get_language(), today]
    return make_template_fragment_key(FRAGMENT, vary_on)


def with_cards(listings: Sequence[Listing], *, today: str) -> list[Listing]:
    """The page's listings, in order: those whose card is cached with it as
    ``card_html``, the others loaded whole (``selectors.card_listings``). A listing
    that left the board since the page was read is left out."""
    keys = {listing.pk: card_key(listing, today=today) for listing in listings}
    found = fragment_cache().get_many(list(keys.values()))
    missing = [pk for pk, key in keys.items() if key not in found]
    whole = selectors.card_listings(ids=missing) if missing else {}
    page: list[Listing] = []
    for listing in listings:
        html = found.get(keys[listing.pk])
        if html is not None:
            # The tag stored what it rendered: safe HTML, pickled as a plain string by
            # some backends.
            listing.card_html = mark_safe(html)
            page.append(listing)
        elif listing.pk in whole:
            page.append(whole[listing.pk])
    return page
