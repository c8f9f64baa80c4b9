"""Calls to SmartRecruiters per minute, API and outcome, kept in the database.

The transport counts each exchange in memory (it may run on HTTP threads that must not
touch the database); the counts are written at the end of each task and request
(``flush``), from the thread that owns the database connection. Rows older than a day
are pruned by the flush itself.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone

from jobboard.operations.models import CallStat

logger = logging.getLogger(__name__)

Outcome = CallStat.Outcome
KEEP = timedelta(days=1)

_lock = threading.Lock()
_pending: Counter[tuple[datetime, str, Outcome]] = Counter()
# Set in a thread that counted a call: a request thread writes only when it made calls.
_local = threading.local()


def outcome_of(status: int | None) -> Outcome:
    if status is None:
        return Outcome.NETWORK
    if status == 429:
        return Outcome.RATE_LIMITED
    if status in (401, 403):
        return Outcome.AUTH_REFUSED
    if status >= 500:
        return Outcome.SERVER_ERROR
    if status >= 400:
        return Outcome.CLIENT_ERROR
    return Outcome.OK


def count(*, api: str, status: int | None, at: datetime | None = None) -> None:
    minute = (at or timezone.now()).replace(second=0, microsecond=0)
    with _lock:
        _pending[(minute, api, outcome_of(status))] += 1
    _local.counted = True


def flush_if_counted_here() -> None:
    """End of a request: write only if this thread called SmartRecruiters.

    Requests that made no call (nearly all) touch the database not at all.
    """
    if getattr(_local, "counted", False):
        _local.counted = False
        flush()


def _add(minute: datetime, api: str, outcome: Outcome, n: int) -> None:
    rows = CallStat.objects.filter(minute=minute, api=api, outcome=outcome)
    if rows.update(count=F("count") + n):
        return
    try:
        with transaction.atomic():
            CallStat.objects.create(minute=minute, api=api, outcome=outcome, count=n)
    except IntegrityError:  # another process created the row meanwhile
        rows.update(count=F("count") + n)


def flush() -> None:
    """Write what this process counted (called after each task and request)."""
    with _lock:
        if not _pending:
            return
        batch = dict(_pending)
        _pending.clear()
    try:
        for (minute, api, outcome), n in batch.items():
            _add(minute, api, outcome, n)
        CallStat.objects.filter(minute__lt=timezone.now() - KEEP).delete()
    except Exception:  # counting must never fail the request or task it ends
        logger.warning("could not write SmartRecruiters call counts; kept for the next flush")
        with _lock:
            _pending.update(batch)


def forget() -> None:
    """Drop what this process counted and did not write (tests start from nothing)."""
    with _lock:
        _pending.clear()


def last_hour(*, now: datetime | None = None) -> dict[str, dict[str, int]]:
    """{api: {outcome: count}} over the last 60 minutes."""
    since = (now or timezone.now()) - timedelta(hours=1)
    table: dict[str, dict[str, int]] = {}
    rows = (
        CallStat.objects.filter(minute__gte=since)
        .values("api", "outcome")
        .annotate(n=Sum("count"))
        .order_by("api")
    )
    for row in rows:
        table.setdefault(row["api"], {})[row["outcome"]] = row["n"]
    return table


def auth_refusals(*, since: datetime) -> dict[str, int]:
    """401/403 answers per API since ``since``: a revoked key or locked traffic."""
    rows = (
        CallStat.objects.filter(minute__gte=since, outcome=Outcome.AUTH_REFUSED)
        .values("api")
        .annotate(n=Sum("count"))
    )
    return {row["api"]: row["n"] for row in rows}


def busiest_minute(*, now: datetime | None = None) -> int:
    """The most calls in one minute of the last hour (all APIs), for the budget's share."""
    since = (now or timezone.now()) - timedelta(hours=1)
    per_minute = (
        CallStat.objects.filter(minute__gte=since)
        .values("minute")
        .annotate(n=Sum("count"))
        .order_by("-n")
        .values_list("n", flat=True)[:1]
    )
    return next(iter(per_minute), 0)
