"""Reads for the board's pages."""

from __future__ import annotations

from jobboard.board.models import Listing, ListingQuerySet


def listing_list(*, company_slug: str | None = None) -> ListingQuerySet:
    listings = Listing.objects.visible().select_related("company")
    if company_slug:
        listings = listings.filter(company__slug=company_slug)
    return listings.order_by("-posted_at", "-id")
