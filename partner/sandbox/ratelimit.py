"""Per-credential rate limiter: a sliding one-second window and a concurrency counter.

In-process and thread-safe: good enough for the sandbox's single web process (runserver or
live_server). Several web processes would each count on their own, which would let a
client through at a multiple of the limit; the sandbox never runs that way.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass


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


limiter = RateLimiter()
