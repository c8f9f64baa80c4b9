"""The board's hook for whoever wants to know that a job page appeared, changed or went.

Sent inside the transaction of the change, so a receiver that writes rows (an outbox)
commits or rolls back with it. The board does not know who listens: search-engine
notifiers do today (``jobboard.searchengines``).
"""

from __future__ import annotations

from enum import StrEnum

from django.dispatch import Signal


class ListingChange(StrEnum):
    PUBLISHED = "published"  # new, or live again after a withdrawal
    UPDATED = "updated"  # live, and something on its page changed
    WITHDRAWN = "withdrawn"  # taken down by its source
    EXPIRED = "expired"  # past its valid-through date


# Arguments: listing (the Listing), change (ListingChange), url (its absolute address).
listing_changed = Signal()
