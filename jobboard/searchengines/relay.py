"""The relay: send what the outbox owes search engines.

The machine is ``jobboard.outbox``'s: claims with a lease, full-jitter backoff from
``SEARCH_NOTIFY_RETRY_BASE`` capped at an hour, failed after
``SEARCH_NOTIFY_MAX_ATTEMPTS``. What is ours: Google takes one URL per call, IndexNow a
batch; and a transient failure ends the run for that engine (the rest of the batch is
given back untouched), so an outage costs one timeout per run, not one per notice.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from django.conf import settings
from django.utils import timezone

from jobboard import outbox
from jobboard.searchengines import config, google, indexnow
from jobboard.searchengines.http import NotifyError
from jobboard.searchengines.models import Engine, SearchEngineNotice

logger = logging.getLogger(__name__)

# Google's default quota is 200 publish calls a day; a run sends at most this many.
GOOGLE_BATCH = 50
RETRY_CAP_SECONDS = 3600.0
# A run stops starting calls after this long (the task's time limit is 300 s).
RUN_BUDGET_SECONDS = 200.0


class Delivery(StrEnum):
    SENT = "sent"
    RETRIED = "retried"
    FAILED = "failed"


@dataclass
class RelayResult:
    sent: int = 0
    retried: int = 0
    failed: int = 0

    def record(self, delivery: Delivery, count: int = 1) -> None:
        setattr(self, delivery.value, getattr(self, delivery.value) + count)


def _claim(engine: Engine, *, limit: int) -> list[SearchEngineNotice]:
    ids = outbox.claim_due(
        SearchEngineNotice.objects.filter(engine=engine),
        lease=timedelta(seconds=settings.SEARCH_NOTIFY_CLAIM_TIMEOUT),
        limit=limit,
    )
    return list(SearchEngineNotice.objects.filter(pk__in=ids).order_by("next_attempt_at", "pk"))


def _record_failure(notice: SearchEngineNotice, error: NotifyError, result: RelayResult) -> None:
    if error.permanent:
        outbox.mark_failed(notice, error=str(error))
        result.record(Delivery.FAILED)
        logger.warning("search engine notice %s failed for good: %s", notice.pk, error)
        return
    retry_at = outbox.schedule_retry(
        notice,
        error=str(error),
        base=float(settings.SEARCH_NOTIFY_RETRY_BASE),
        cap=RETRY_CAP_SECONDS,
        max_attempts=int(settings.SEARCH_NOTIFY_MAX_ATTEMPTS),
        retry_after=error.retry_after,
    )
    result.record(Delivery.RETRIED if retry_at else Delivery.FAILED)


def _give_back(notices: Sequence[SearchEngineNotice]) -> None:
    # Not tried in this run: pending again at once, the attempt not counted.
    now = timezone.now()
    for notice in notices:
        outbox.postpone(notice, until=now)


def relay_google(result: RelayResult, *, deadline: float) -> None:
    notices = _claim(Engine.GOOGLE, limit=GOOGLE_BATCH)
    for index, notice in enumerate(notices):
        if time.monotonic() > deadline:
            _give_back(notices[index:])
            return
        try:
            google.publish(url=notice.url, action=notice.action)
        except NotifyError as exc:
            _record_failure(notice, exc, result)
            if not exc.permanent:
                _give_back(notices[index + 1 :])
                return
            continue
        outbox.mark_sent(notice, sent_at=timezone.now())
        result.record(Delivery.SENT)


def relay_indexnow(result: RelayResult) -> None:
    notices = _claim(Engine.INDEXNOW, limit=indexnow.MAX_URLS)
    if not notices:
        return
    try:
        indexnow.submit(list(dict.fromkeys(notice.url for notice in notices)))
    except NotifyError as exc:
        for notice in notices:
            _record_failure(notice, exc, result)
        return
    sent = outbox.mark_all_sent(
        SearchEngineNotice.objects.filter(pk__in=[n.pk for n in notices]), sent_at=timezone.now()
    )
    result.record(Delivery.SENT, sent)


def relay_notices() -> RelayResult:
    """One run: the due notices of every configured engine; returns counts."""
    result = RelayResult()
    deadline = time.monotonic() + RUN_BUDGET_SECONDS
    if config.indexnow_enabled():
        relay_indexnow(result)
    if config.google_enabled():
        relay_google(result, deadline=deadline)
    return result
