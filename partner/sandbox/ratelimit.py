"""Per-credential rate limiter: a sliding one-second window and a concurrency counter.

SmartRecruiters limits per key, not per server process, and so does the sandbox: the
``limiter`` every endpoint uses is ``SharedRateLimiter``, which counts in the database, so
several sandbox processes (gunicorn workers, or runserver beside a second server) share one
limit per credential. ``RateLimiter`` is the same rules in one process's memory.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass

from django.db import connection, transaction

from partner.sandbox.models import RateHit


@dataclass(frozen=True)
class Decision:
    allowed: bool
    limit: int
    remaining: int
    concurrent_limit: int
    concurrent_remaining: int

    def headers(self) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Concurrent-Limit": str(self.concurrent_limit),
            "X-RateLimit-Concurrent-Remaining": str(self.concurrent_remaining),
        }


class RateLimiter:
    WINDOW = 1.0

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._hits: dict[str, deque[float]] = {}
        self._in_flight: dict[str, int] = {}

    def acquire(self, key: str, *, rps: int, concurrent: int, enforce: bool) -> Decision:
        """Count one request; when ``enforce`` and over a limit, refuse it (nothing counted).

        An allowed request holds a concurrency slot until ``release``.
        """
        now = time.monotonic()
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and now - hits[0] >= self.WINDOW:
                hits.popleft()
            in_flight = self._in_flight.get(key, 0)
            over = len(hits) >= rps or in_flight >= concurrent
            if enforce and over:
                return Decision(
                    allowed=False,
                    limit=rps,
                    remaining=max(0, rps - len(hits)),
                    concurrent_limit=concurrent,
                    concurrent_remaining=max(0, concurrent - in_flight),
                )
            hits.append(now)
            self._in_flight[key] = in_flight + 1
            return Decision(
                allowed=True,
                limit=rps,
                remaining=max(0, rps - len(hits)),
                concurrent_limit=concurrent,
                concurrent_remaining=max(0, concurrent - in_flight - 1),
            )

    def release(self, key: str) -> None:
        with self._lock:
            count = self._in_flight.get(key, 0)
            if count <= 1:
                self._in_flight.pop(key, None)
            else:
                self._in_flight[key] = count - 1

    def peek(self, key: str | None, *, rps: int, concurrent: int) -> Decision:
        """The headers for a response that consumed nothing (401, outage)."""
        now = time.monotonic()
        with self._lock:
            hits = self._hits.get(key or "", deque())
            used = sum(1 for t in hits if now - t < self.WINDOW)
            in_flight = self._in_flight.get(key or "", 0)
        return Decision(
            allowed=True,
            limit=rps,
            remaining=max(0, rps - used),
            concurrent_limit=concurrent,
            concurrent_remaining=max(0, concurrent - in_flight),
        )

    def clear(self) -> None:
        with self._lock:
            self._hits.clear()
            self._in_flight.clear()


def clock() -> float:
    """Epoch seconds: the one clock every sandbox process on the host agrees on."""
    return time.time()


# A request's concurrency slot ends after this long even if its process died mid-request
# (longer than any slow or hanging fault holds a request).
SLOT_TTL = 300.0
# Rows older than this are deleted, now and then, by the request that happens to come by.
KEEP_SECONDS = 60.0
PRUNE_EVERY = 200

# Names from the model, never from input; "key" quoted: a keyword in SQL.
_TABLE = RateHit._meta.db_table
_COUNTS_SQL = (
    f'SELECT (SELECT COUNT(*) FROM {_TABLE} WHERE "key" = %s AND started_at > %s),'  # noqa: S608
    f' (SELECT COUNT(*) FROM {_TABLE} WHERE "key" = %s AND in_flight_until > %s)'
)
_TAKE_SQL = (
    f'INSERT INTO {_TABLE} ("key", started_at, in_flight_until) SELECT %s, %s, %s'  # noqa: S608
    " WHERE %s OR ("
    f'(SELECT COUNT(*) FROM {_TABLE} WHERE "key" = %s AND started_at > %s) < %s'
    f' AND (SELECT COUNT(*) FROM {_TABLE} WHERE "key" = %s AND in_flight_until > %s) < %s'
    ") RETURNING id"
)


class SharedRateLimiter:
    """The rules of ``RateLimiter``, counted in the database for every sandbox process.

    Counting and taking a slot must be one step, or two processes would both see the last
    free place. On SQLite a single ``INSERT ... SELECT ... WHERE <counts below the limits>``
    is that step: a write statement holds the database's write lock from its start, so
    the counts it reads cannot change under it. PostgreSQL reads a snapshot, so the same
    statement runs under a transaction-level advisory lock on the credential.
    """

    WINDOW = 1.0

    def _counts(self, key: str, now: float) -> tuple[int, int]:
        with connection.cursor() as cursor:
            cursor.execute(
                _COUNTS_SQL,
                [key, now - self.WINDOW, key, now],
            )
            hits, in_flight = cursor.fetchone()
        return int(hits), int(in_flight)

    def _take(self, key: str, now: float, *, rps: int, concurrent: int, enforce: bool) -> int:
        """Insert the hit when under both limits (or not enforcing); its id, or 0 if refused."""
        with connection.cursor() as cursor:
            cursor.execute(
                _TAKE_SQL,
                [key, now, now + SLOT_TTL, not enforce,
                 key, now - self.WINDOW, rps, key, now, concurrent],
            )  # fmt: skip
            row = cursor.fetchone()
        return int(row[0]) if row else 0

    def acquire(self, key: str, *, rps: int, concurrent: int, enforce: bool) -> Decision:
        """Count one request; when ``enforce`` and over a limit, refuse it (nothing counted).

        An allowed request holds a concurrency slot until ``release``.
        """
        now = clock()
        if connection.vendor == "postgresql":
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"sbx:{key}"])
                hit = self._take(key, now, rps=rps, concurrent=concurrent, enforce=enforce)
        else:
            # Autocommit: the one statement is the atomic step (see the class doc).
            hit = self._take(key, now, rps=rps, concurrent=concurrent, enforce=enforce)
        if hit:
            _held.setdefault(key, []).append(hit)
            if hit % PRUNE_EVERY == 0:
                self._prune(now)
        hits, in_flight = self._counts(key, now)
        return Decision(
            allowed=bool(hit),
            limit=rps,
            remaining=max(0, rps - hits),
            concurrent_limit=concurrent,
            concurrent_remaining=max(0, concurrent - in_flight),
        )

    def release(self, key: str) -> None:
        """End the slot this thread took last for ``key``."""
        held = _held.get(key)
        if not held:
            return
        RateHit.objects.filter(pk=held.pop()).update(in_flight_until=0)

    def peek(self, key: str | None, *, rps: int, concurrent: int) -> Decision:
        """The headers for a response that consumed nothing (401, outage)."""
        hits, in_flight = self._counts(key or "", clock()) if key else (0, 0)
        return Decision(
            allowed=True,
            limit=rps,
            remaining=max(0, rps - hits),
            concurrent_limit=concurrent,
            concurrent_remaining=max(0, concurrent - in_flight),
        )

    def clear(self) -> None:
        """Forget every count (the sandbox's reset)."""
        _held.clear()
        RateHit.objects.all().delete()

    def forget(self) -> None:
        """Forget the slots this thread holds, as a process that died would (tests)."""
        _held.clear()

    @staticmethod
    def _prune(now: float) -> None:
        RateHit.objects.filter(started_at__lt=now - KEEP_SECONDS, in_flight_until__lt=now).delete()


class _Held(threading.local):
    """The hit ids of the requests this thread is serving, per key, to release them."""

    def __init__(self) -> None:
        self.by_key: dict[str, list[int]] = {}

    def setdefault(self, key: str, default: list[int]) -> list[int]:
        return self.by_key.setdefault(key, default)

    def get(self, key: str) -> list[int] | None:
        return self.by_key.get(key)

    def clear(self) -> None:
        self.by_key.clear()


_held = _Held()

limiter = SharedRateLimiter()
