"""One rate budget per SmartRecruiters credential, shared by every process that calls it.

SmartRecruiters allows 10 requests/s and 8 concurrent requests **per key**, however many
web and worker processes send them (contracts README, "Rate limits across processes").
A throttle inside each process multiplies the budget by the number of processes, so the
budget lives where every process sees it:

- ``RedisBudget`` when ``SMARTRECRUITERS_BUDGET_URL`` (by default ``CACHE_URL`` or
  ``CELERY_BROKER_URL``, whichever is Redis) names a Redis server. Every decision is one
  Lua script, so two processes never both take the last token or the last slot, and the
  clock is Redis's own, so hosts whose clocks disagree still share one timeline.
- ``MemoryBudget`` otherwise: the same algorithm inside one process (the embedded
  default, which has no shared server to keep it in).

The algorithm, per credential:

- **Rate**: a GCRA token bucket without burst. ``tat`` is the time the next request may
  start; each start moves it one interval (1/rate) on. No tolerance for a waiter that
  wakes late: SmartRecruiters counts requests when they *arrive*, and the time between
  our grant and their arrival varies (a busy CPU, a process's first connection). With
  8/s granted and 10/s allowed, arrivals may bunch by 125 ms in a second before a 429;
  half an interval of early starts would halve that margin (the benchmark met a 429 so).
- **Arrivals**: SmartRecruiters' own limit, 10 a second (``SR_PER_SECOND``), is kept
  however late our requests arrive: a request counts from its grant until one second after
  its answer, and no turn is granted while 10 count. Whenever one arrived, it was in that
  span, so no second can see more than 10 arrive. The pace above keeps this rule idle
  while answers are quick; it bites when the server stalls and our requests pile up
  (the benchmark met a 429 so, requests bunched behind a busy gunicorn worker).
- **Concurrency**: a semaphore whose slots are entries with an expiry. A process that dies
  while holding a slot does not leak it: the slot frees itself after the longest a request
  can take (connect + read timeout, plus a margin).
- **Fair turns between kinds of work** (``Work``): feed reports, application submissions,
  status polls and assessment calls each wait in their own queue. The next token goes to
  the queue that has had the fewest turns (start-time fair queueing: a virtual clock
  ``vclock``, and per queue the virtual time of its next turn, never behind ``vclock``).
  So four busy kinds take turns one by one, an idle kind's share goes to the busy ones,
  and a kind that comes back after a quiet spell gets its turn at once instead of a
  burst "owed" to it. Without this a feed pass with sixteen threads waiting would leave
  an application submission one chance in seventeen. Within a queue: first come, first
  served. Waiters keep their place by asking again at least every ``WAITER_TTL`` seconds;
  the place of a waiter whose process died is given up after that.

A waiter gives up after ``SMARTRECRUITERS_BUDGET_WAIT`` seconds with a
``BudgetTimeoutError`` (transient: the task retries later, a web request answers at once).
"""

from __future__ import annotations

import logging
import os
import threading
import time
import uuid
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.conf import settings
from prometheus_client import Histogram

from partner.smartrecruiters.errors import TransientError

logger = logging.getLogger(__name__)

# Earliest start of a request before its due time, in intervals: none (see the module doc).
TOLERANCE = 0.0
# SmartRecruiters' limit per key and second (contracts README, "Rate limits").
SR_PER_SECOND = 10
# A waiter that has not asked again for this long has gone (its process died).
WAITER_TTL = 2.0
# Longest sleep between two asks of a waiter: well under WAITER_TTL.
MAX_NAP = 0.5
# How often a waiter asks again while every concurrency slot is taken.
SLOT_POLL = 0.02
# A request may outlast its timeouts by this much (DNS, TLS, a slow close).
SLOT_MARGIN = 5.0
# Redis forgets a credential's state after this long unused.
STATE_TTL = 300

WAIT_SECONDS = Histogram(
    "smartrecruiters_budget_wait_seconds",
    "Time a request waited for its turn in the SmartRecruiters rate budget, by kind of work.",
    ["work"],
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)


class Work(StrEnum):
    """The kinds of work that take turns in a credential's budget."""

    FEED = "feed"  # feed pages, status reports, offers
    APPLY = "apply"  # application submissions and the apply form's configuration
    STATUS = "status"  # application status polls
    ASSESSMENT = "assessment"  # Assessment API and its OAuth tokens


WORK_ORDER: tuple[Work, ...] = tuple(Work)


class BudgetTimeoutError(TransientError):
    """No turn in the rate budget within ``SMARTRECRUITERS_BUDGET_WAIT`` seconds."""


class BudgetUnavailableError(TransientError):
    """The budget's Redis did not answer: nothing is sent (it could break the limit)."""


@dataclass(frozen=True)
class Limits:
    rate: float  # requests per second
    max_in_flight: int
    slot_ttl: float  # seconds a slot is held at most (a dead holder's slot frees then)
    per_second: int = SR_PER_SECOND  # in flight + answered in the last second, at most


@dataclass(frozen=True)
class Lease:
    """A granted turn: one concurrency slot, held until ``release``."""

    key: str
    holder: str
    work: Work
    waited: float


@dataclass(frozen=True)
class Try:
    """The answer to one ask: granted, or when to ask again (``None``: a slot must free)."""

    granted: bool
    retry_in: float | None = None


def current_limits() -> Limits:
    """The limits from settings, read at each call so that changed settings apply at once."""
    timeouts = float(settings.SMARTRECRUITERS_CONNECT_TIMEOUT) + float(
        settings.SMARTRECRUITERS_READ_TIMEOUT
    )
    return Limits(
        rate=float(settings.SMARTRECRUITERS_RATE_PER_SECOND),
        max_in_flight=int(settings.SMARTRECRUITERS_MAX_IN_FLIGHT),
        slot_ttl=timeouts + SLOT_MARGIN,
        per_second=int(settings.SMARTRECRUITERS_ARRIVALS_PER_SECOND),
    )


class Budget:
    """What both backends offer; ``acquire`` is the blocking loop around ``try_acquire``."""

    def try_acquire(self, key: str, *, work: Work, holder: str, limits: Limits) -> Try:
        raise NotImplementedError

    def release(self, lease: Lease) -> None:
        raise NotImplementedError

    def cancel(self, key: str, *, holder: str) -> None:
        """Leave the queue without a turn (gave up waiting)."""
        raise NotImplementedError

    def pause(self, key: str, seconds: float) -> None:
        """No request on ``key`` starts for ``seconds`` (SmartRecruiters said Retry-After)."""
        raise NotImplementedError

    def _nap(self, seconds: float) -> None:
        time.sleep(seconds)

    def acquire(
        self, key: str, *, work: Work, limits: Limits | None = None, timeout: float | None = None
    ) -> Lease:
        limits = limits or current_limits()
        if timeout is None:
            timeout = float(settings.SMARTRECRUITERS_BUDGET_WAIT)
        holder = uuid.uuid4().hex
        started = time.monotonic()
        deadline = started + timeout
        while True:
            answer = self.try_acquire(key, work=work, holder=holder, limits=limits)
            now = time.monotonic()
            if answer.granted:
                waited = now - started
                WAIT_SECONDS.labels(work.value).observe(waited)
                return Lease(key=key, holder=holder, work=work, waited=waited)
            if now >= deadline:
                self.cancel(key, holder=holder)
                raise BudgetTimeoutError(
                    f"no turn in the SmartRecruiters rate budget within {timeout:.0f} s "
                    f"({work.value})"
                )
            nap = SLOT_POLL if answer.retry_in is None else answer.retry_in
            self._nap(max(0.001, min(nap, MAX_NAP, deadline - now)))


# ---------------------------------------------------------------------------
# In one process
# ---------------------------------------------------------------------------
@dataclass
class _Credential:
    """One credential's state; the attributes mirror the Redis keys of ``RedisBudget``."""

    tat: float = 0.0
    vclock: float = 0.0
    vtime: dict[Work, float] = field(default_factory=dict)
    holders: dict[str, float] = field(default_factory=dict)  # holder -> slot expiry
    recent: dict[str, float] = field(default_factory=dict)  # holder -> answered at
    queues: dict[Work, dict[str, float]] = field(default_factory=dict)  # holder -> joined at
    alive: dict[str, float] = field(default_factory=dict)  # waiter -> alive until


class MemoryBudget(Budget):
    """The budget for one process (the embedded default); same turns as ``RedisBudget``."""

    def __init__(self, clock: Any = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._credentials: dict[str, _Credential] = {}

    def try_acquire(self, key: str, *, work: Work, holder: str, limits: Limits) -> Try:
        with self._lock:
            now = self._clock()
            state = self._credentials.setdefault(key, _Credential())
            for gone in [h for h, until in state.holders.items() if until <= now]:
                del state.holders[gone]
            for gone in [h for h, done in state.recent.items() if done <= now - 1.0]:
                del state.recent[gone]
            for gone in [h for h, until in state.alive.items() if until <= now]:
                del state.alive[gone]
                for queue in state.queues.values():
                    queue.pop(gone, None)
            state.queues.setdefault(work, {}).setdefault(holder, now)
            state.alive[holder] = now + WAITER_TTL

            chosen_work, chosen_holder, tag = self._next_turn(state)
            interval = 1.0 / limits.rate
            wait = self._next_grant_in(
                state, limits, now, token_at=state.tat - TOLERANCE * interval
            )
            if chosen_holder != holder:
                # Not our turn: ask again once the chosen waiter could have had its token.
                # Not sooner: while the chosen one waits for a slot or the arrivals rule,
                # asking every millisecond burned more CPU than the requests themselves
                # (a grant or a release wakes us early anyway).
                return Try(False, None if wait is None else wait + interval / 4)
            if wait is None or wait > 0.0:
                return Try(False, wait)
            state.tat = max(state.tat, now) + interval
            state.vclock = tag
            state.vtime[chosen_work] = tag + 1.0
            del state.queues[work][holder]
            del state.alive[holder]
            state.holders[holder] = now + limits.slot_ttl
            self._changed.notify_all()
            return Try(True)

    @staticmethod
    def _next_grant_in(
        state: _Credential, limits: Limits, now: float, *, token_at: float
    ) -> float | None:
        """Seconds until the next turn may start (0: now), or None until a slot frees."""
        if len(state.holders) >= limits.max_in_flight:
            return None
        if len(state.holders) + len(state.recent) >= limits.per_second:
            if not state.recent:
                return None
            return min(state.recent.values()) + 1.0 - now
        return max(token_at - now, 0.0)

    @staticmethod
    def _next_turn(state: _Credential) -> tuple[Work, str, float]:
        """(kind, holder, virtual start) of the waiter whose turn is next."""
        best: tuple[float, float, int] | None = None
        choice: tuple[Work, str, float] | None = None
        for order, work in enumerate(WORK_ORDER):
            queue = state.queues.get(work)
            if not queue:
                continue
            head, joined = min(queue.items(), key=lambda item: item[1])
            tag = max(state.vtime.get(work, 0.0), state.vclock)
            rank = (tag, joined, order)
            if best is None or rank < best:
                best, choice = rank, (work, head, tag)
        if choice is None:  # unreachable: the asking waiter was queued just before
            raise RuntimeError("no waiter")
        return choice

    def release(self, lease: Lease) -> None:
        with self._changed:
            state = self._credentials.get(lease.key)
            if state is not None and state.holders.pop(lease.holder, None) is not None:
                state.recent[lease.holder] = self._clock()
            self._changed.notify_all()

    def cancel(self, key: str, *, holder: str) -> None:
        with self._changed:
            state = self._credentials.get(key)
            if state is not None:
                state.alive.pop(holder, None)
                for queue in state.queues.values():
                    queue.pop(holder, None)
            self._changed.notify_all()

    def pause(self, key: str, seconds: float) -> None:
        with self._lock:
            state = self._credentials.setdefault(key, _Credential())
            state.tat = max(state.tat, self._clock() + seconds)

    def _nap(self, seconds: float) -> None:
        # Woken early by a release or a grant, when the next turn may be ours.
        with self._changed:
            self._changed.wait(seconds)


# ---------------------------------------------------------------------------
# The process's budget
# ---------------------------------------------------------------------------
_budget: Budget | None = None
_budget_url = ""
_budget_lock = threading.Lock()


def get_budget() -> Budget:
    """The process's budget for ``settings.SMARTRECRUITERS_BUDGET_URL``."""
    global _budget, _budget_url
    url = str(settings.SMARTRECRUITERS_BUDGET_URL)
    with _budget_lock:
        if _budget is None or url != _budget_url:
            if url.startswith(("redis://", "rediss://", "unix://")):
                # Imported here: that module builds on this one's Budget.
                from partner.smartrecruiters.budget_redis import RedisBudget

                _budget = RedisBudget(url)
            else:
                _budget = MemoryBudget()
            _budget_url = url
        return _budget


def reset_budget() -> None:
    """Forget the process's budget (tests; a forked child starts its own)."""
    global _budget, _budget_url
    with _budget_lock:
        _budget, _budget_url = None, ""


def _forget_after_fork() -> None:
    # A forked worker (Celery prefork) must not share the parent's lock or sockets.
    global _budget, _budget_url, _budget_lock
    _budget, _budget_url = None, ""
    _budget_lock = threading.Lock()


os.register_at_fork(after_in_child=_forget_after_fork)
