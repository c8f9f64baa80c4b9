"""Fixed-window rate limits on Django's cache.

Every process that shares the cache shares the counts: Redis in production; the
local-memory cache (development, tests) counts per process. A limit is a key, a number
of events and a window in seconds; the window opens with the key's first event.

``allow`` counts and judges in one step. ``exceeded`` only looks, for limits that count
some events and not others (the apply form counts an application once it is accepted,
but must refuse before it accepts one over the limit).
"""

from __future__ import annotations

from django.core.cache import cache


def allow(*, key: str, limit: int, window: int) -> bool:
    """Count one event against ``key``; True while at most ``limit`` fell in its window.

    ``add`` is atomic and sets the expiry only for the first event, so later events do not
    stretch the window; ``incr`` counts atomically on Redis and memcached.
    """
    cache.add(key, 0, timeout=window)
    try:
        return cache.incr(key) <= limit
    except ValueError:
        # Expired or evicted between add and incr: this event opens a new window.
        cache.set(key, 1, timeout=window)
        return True


def exceeded(*, key: str, limit: int) -> bool:
    """True when ``key`` already counted ``limit`` events in its window; counts nothing."""
    try:
        return int(cache.get(key) or 0) >= limit
    except (TypeError, ValueError):
        return False
