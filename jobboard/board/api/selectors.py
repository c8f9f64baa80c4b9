"""Reads of the jobs API, built on the board's own search and visibility rules."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from django.db.models import Max, Min, Q

from jobboard.board import selectors
from jobboard.board.models import Listing, ListingQuerySet
from jobboard.board.search import JobSearch

# What the cards of the API read (the board's card columns and the company's name/slug).
API_CARD_FIELDS = selectors.CARD_FIELDS
# The job page's columns on top: the ad's sections, function and video.
API_DETAIL_FIELDS = (
    *selectors.CARD_FIELDS,
    "function", "company_description", "job_description", "qualifications",
    "additional_information", "video_url", "apply_url", "updated_at",
)  # fmt: skip


def api_search(params: Mapping[str, Any]) -> JobSearch:
    """The board's search from the API's query parameters (the list page's names).

    Always newest first: a cursor needs a stable order, and relevance ranks move as jobs
    come and go. Keywords still filter. The page number is the cursor's business.
    """
    return replace(selectors.locate(JobSearch.from_params(params)), sort="newest", page=1)


def api_job_list(*, search: JobSearch, now: datetime) -> ListingQuerySet:
    """The visible listings matching ``search``, newest first, with their companies."""
    listings = selectors.visible_listings(now=now).only(*API_CARD_FIELDS)
    return search.apply(listings, now=now)


def api_job(*, pk: int, now: datetime) -> Listing | None:
    """One visible listing; None for a withdrawn, expired or unknown one."""
    return selectors.visible_listings(now=now).only(*API_DETAIL_FIELDS).filter(pk=pk).first()


@dataclass(frozen=True)
class BoardState:
    """What the list's validators are made of."""

    # When what the board shows last changed (Last-Modified).
    changed_at: datetime | None
    # The next moment a visible listing leaves the board by its date alone.
    next_lapse: datetime | None


def board_state(*, now: datetime) -> BoardState:
    """The board's state in one query: every change to what it shows moves it.

    Every publish, edit, withdrawal and expiry moves ``max(updated_at)``. A listing also
    leaves the board, without a write, the moment its valid-through date passes (the
    expiry job records it later): the next such moment is part of the state, so the
    state changes when it passes, and the latest passed one counts as a change.
    """
    live = Q(state=Listing.State.LIVE)
    row = Listing.objects.aggregate(
        changed=Max("updated_at"),
        lapsed=Max("valid_through", filter=live & Q(valid_through__lte=now)),
        next_lapse=Min("valid_through", filter=live & Q(valid_through__gt=now)),
    )
    moments = [moment for moment in (row["changed"], row["lapsed"]) if moment is not None]
    return BoardState(changed_at=max(moments) if moments else None, next_lapse=row["next_lapse"])
