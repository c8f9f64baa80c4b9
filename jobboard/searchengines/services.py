"""Writes: record that a job page changed, once per configured engine."""

from __future__ import annotations

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from jobboard import outbox
from jobboard.searchengines import config
from jobboard.searchengines.models import Action, SearchEngineNotice

# Waking the relay after every write of a sync pass would queue hundreds of tasks that
# find nothing; one wake-up per few seconds sends everything (beat sweeps the rest).
WAKE_DEBOUNCE_SECONDS = 5
_WAKE_KEY = "searchengines:relay-woken"


def record_page_change(*, url: str, action: Action) -> int:
    """Queue a notice about ``url`` for each configured engine; returns how many are new.

    Runs in the caller's transaction (the board's change). A pending notice of the same
    engine, URL and action already says it: none is added (the partial unique constraint
    makes that hold under concurrent writers too). A pending notice of the opposite
    action is superseded: only the page's latest state is worth telling.
    """
    engines = config.enabled_engines()
    if not engines:
        return 0
    opposite = Action.DELETED if action == Action.UPDATED else Action.UPDATED
    SearchEngineNotice.objects.filter(
        engine__in=engines, url=url, action=opposite, state=SearchEngineNotice.State.PENDING
    ).update(state=SearchEngineNotice.State.SUPERSEDED, finished_at=timezone.now())
    pending = set(
        SearchEngineNotice.objects.filter(
            engine__in=engines, url=url, action=action, state=SearchEngineNotice.State.PENDING
        ).values_list("engine", flat=True)
    )
    new = [
        SearchEngineNotice(engine=engine, url=url, action=action)
        for engine in engines
        if engine not in pending
    ]
    if new:
        SearchEngineNotice.objects.bulk_create(new, ignore_conflicts=True)
        transaction.on_commit(_wake_relay)
    return len(new)


def _wake_relay() -> None:
    if cache.add(_WAKE_KEY, 1, timeout=WAKE_DEBOUNCE_SECONDS):
        from jobboard.searchengines.tasks import relay_notices

        # After commit: outside a transaction this asks a worker at once.
        outbox.enqueue_on_commit(relay_notices)
