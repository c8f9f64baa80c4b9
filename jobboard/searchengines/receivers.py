"""The board's changes, heard: which notice each kind of change becomes."""

from __future__ import annotations

from typing import Any

from jobboard.board.signals import ListingChange
from jobboard.searchengines import services
from jobboard.searchengines.models import Action

ACTIONS = {
    ListingChange.PUBLISHED: Action.UPDATED,
    ListingChange.UPDATED: Action.UPDATED,
    ListingChange.WITHDRAWN: Action.DELETED,
    ListingChange.EXPIRED: Action.DELETED,
}


def notify_search_engines(*, change: ListingChange, url: str, **kwargs: Any) -> None:
    services.record_page_change(url=url, action=ACTIONS[change])
