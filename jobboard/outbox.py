"""The one durable outbox: work we owe another system, written with the change it reports.

Status reports to SmartRecruiters, application submissions and assessment result pushes
are all the same machine: a row is written in the transaction of the local change, a
task is asked to send it after commit, and a periodic sweeper re-drives whatever a lost
message or a dead worker left behind. This module is that machine, once:

- ``OutboxItem``: the abstract model (state, attempts, next_attempt_at, claimed_until,
  last_error). A subclass adds what it sends and may add states of its own (its
  ``State`` must keep the four values below).
- ``claim_due``: take due rows for this worker. A row is due when it is pending and its
  time has come, or when it is ``sending`` but the worker that claimed it let the lease
  run out (it died). Claims are exclusive: ``SELECT … FOR UPDATE SKIP LOCKED`` on
  PostgreSQL; SQLite's IMMEDIATE transactions serialise writers, so the select and the
  update cannot interleave there either.
- ``mark_sent`` (``mark_all_sent`` for a batch), ``schedule_retry``, ``mark_failed``,
  ``postpone``, ``retry_failed``, ``release_claims``: the transitions, each a conditional
  UPDATE on the state the caller expects, so a worker whose lease was taken over cannot
  overwrite the newer outcome.
- ``backoff``: full-jitter exponential backoff, shared with the HTTP transport.
- ``enqueue_on_commit``: ask a worker after commit; a broker outage is logged, never
  raised (the sweeper sends the row later).

It imports no app: the board and partner code build on it.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import partial
from typing import Any, Protocol, TypeVar

from django.db import models, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

logger = logging.getLogger(__name__)

PENDING = "pending"
SENDING = "sending"
SENT = "sent"
FAILED = "failed"

_ErrorText = str


class OutboxItem(models.Model):
    """A unit of outbound work. Subclasses set ``state``'s choices with their ``State``."""

    state = models.CharField(max_length=12, default=PENDING, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    # While a worker sends the row. Past it, the worker is presumed dead and the row is due.
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    # When it reached a final state (sent, failed, ...): "gave up in the last hour".
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True


Item = TypeVar("Item", bound=OutboxItem)


def backoff(attempt: int, *, base: float, cap: float) -> float:
    """Seconds to wait before retry number ``attempt`` (from 0): full jitter.

    random(0, min(cap, base * 2**attempt)): spreads retries of many clients evenly,
    which matters when they all failed at once (an outage ended).
    """
    ceiling = min(cap, base * (2 ** max(0, attempt)))
    return random.uniform(0, ceiling)  # noqa: S311 - jitter, not cryptography


def due(queryset: QuerySet[Item], *, now: datetime) -> QuerySet[Item]:
    """The rows a sender may take now (pending and due, or abandoned by a dead worker)."""
    return queryset.filter(
        Q(state=PENDING, next_attempt_at__lte=now) | Q(state=SENDING, claimed_until__lt=now)
    )


def claim_due(
    queryset: QuerySet[Item],
    *,
    lease: timedelta,
    limit: int = 100,
    now: datetime | None = None,
    ignore_schedule: bool = False,
) -> list[int]:
    """Claim up to ``limit`` due rows of ``queryset`` for this worker; returns their ids.

    Each claimed row is ``sending`` until ``now + lease`` with one more attempt counted.
    ``ignore_schedule`` also takes pending rows whose next attempt is still ahead (a
    caller that was asked to send these rows now, e.g. right after the write).
    """
    now = now or timezone.now()
    candidates = due(queryset, now=now)
    if ignore_schedule:
        candidates = queryset.filter(Q(state=PENDING) | Q(state=SENDING, claimed_until__lt=now))
    with transaction.atomic():
        ids = list(
            candidates.select_for_update(skip_locked=True, of=("self",))
            .order_by("next_attempt_at", "pk")
            .values_list("pk", flat=True)[:limit]
        )
        if ids:
            queryset.model._default_manager.filter(pk__in=ids).update(
                state=SENDING, claimed_until=now + lease, attempts=F("attempts") + 1
            )
    return ids


def claim_one(
    queryset: QuerySet[Item], *, pk: int, lease: timedelta, now: datetime | None = None
) -> bool:
    """Claim one row if it is due; True when this worker got it."""
    return bool(claim_due(queryset.filter(pk=pk), lease=lease, limit=1, now=now))


def _claimed(item: OutboxItem) -> QuerySet[Any]:
    # Only the worker that still holds the claim may record the outcome.
    return type(item)._default_manager.filter(pk=item.pk, state=SENDING)


def mark_sent(item: OutboxItem, **fields: Any) -> bool:
    """The other side has it. ``fields`` are stored with the transition."""
    return bool(
        _claimed(item).update(
            state=SENT, claimed_until=None, last_error="", finished_at=timezone.now(), **fields
        )
    )


def mark_all_sent(queryset: QuerySet[Any], **fields: Any) -> int:
    """``mark_sent`` for many rows in one UPDATE: those of ``queryset`` still sending."""
    return queryset.filter(state=SENDING).update(
        state=SENT, claimed_until=None, last_error="", finished_at=timezone.now(), **fields
    )


def mark_failed(item: OutboxItem, *, error: _ErrorText, state: str = FAILED, **fields: Any) -> bool:
    """Given up for good (or another final ``state``, e.g. superseded, dropped)."""
    return bool(
        _claimed(item).update(
            state=state,
            claimed_until=None,
            last_error=error[:2000],
            finished_at=timezone.now(),
            **fields,
        )
    )


def schedule_retry(
    item: OutboxItem,
    *,
    error: _ErrorText,
    base: float,
    cap: float,
    max_attempts: int | None = None,
    retry_after: float | None = None,
    give_up_at: datetime | None = None,
    now: datetime | None = None,
    **fields: Any,
) -> datetime | None:
    """Back to pending after a transient failure; returns when it will be tried again.

    Returns None when the row gave up instead (``max_attempts`` reached, or the next try
    would fall after ``give_up_at``) and is now failed.
    """
    now = now or timezone.now()
    delay = backoff(max(0, item.attempts - 1), base=base, cap=cap)
    if retry_after:
        delay = max(delay, retry_after)
    retry_at = now + timedelta(seconds=delay)
    out_of_attempts = max_attempts is not None and item.attempts >= max_attempts
    out_of_time = give_up_at is not None and retry_at > give_up_at
    if out_of_attempts or out_of_time:
        mark_failed(item, error=error, **fields)
        return None
    _claimed(item).update(
        state=PENDING,
        claimed_until=None,
        next_attempt_at=retry_at,
        last_error=error[:2000],
        **fields,
    )
    return retry_at


def postpone(item: OutboxItem, *, until: datetime) -> bool:
    """Not now, and not a failure: back to pending without counting the attempt."""
    return bool(
        _claimed(item).update(
            state=PENDING,
            claimed_until=None,
            next_attempt_at=until,
            attempts=F("attempts") - 1,
        )
    )


def retry_failed(queryset: QuerySet[Any], *, now: datetime | None = None, **fields: Any) -> int:
    """Put failed rows back in the queue with a fresh count (an operator's retry)."""
    return queryset.filter(state=FAILED).update(
        state=PENDING,
        attempts=0,
        claimed_until=None,
        finished_at=None,
        next_attempt_at=now or timezone.now(),
        **fields,
    )


def release_claims(queryset: QuerySet[Any]) -> int:
    """Give back the claims of workers known to be dead: their rows are due at once.

    Only for a caller that can prove it, e.g. one holding a lock that every sender of
    these rows takes; anyone else waits for the lease to run out.
    """
    return queryset.filter(state=SENDING).update(state=PENDING, claimed_until=None)


class _Task(Protocol):
    name: str

    def delay(self, *args: Any, **kwargs: Any) -> Any: ...


def _send(task: _Task, args: Iterable[Any], kwargs: dict[str, Any]) -> None:
    try:
        task.delay(*args, **kwargs)
    except Exception:  # kombu raises many types for an unreachable broker
        logger.warning("could not enqueue %s; the periodic sweeper will send it", task.name)


def enqueue_on_commit(task: _Task, *args: Any, **kwargs: Any) -> None:
    """Ask a worker to run ``task`` once the current transaction commits.

    Never raises for a broker outage: the row is in the outbox and the sweeper finds it.
    Outside a transaction the task is sent at once.
    """
    transaction.on_commit(partial(_send, task, args, kwargs))
