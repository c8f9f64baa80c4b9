"""Threads for HTTP only: a chunk's offers and status PUTs go out concurrently.

The database is used from the calling thread only; the transport's throttle, not the
number of threads, sets the pace towards SmartRecruiters.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from django.conf import settings

from partner.smartrecruiters.errors import SmartRecruitersError

T = TypeVar("T")
R = TypeVar("R")


def guarded(fn: Callable[[T], R], item: T) -> R | SmartRecruitersError:
    """``fn(item)``, with a SmartRecruiters error returned instead of raised."""
    try:
        return fn(item)
    except SmartRecruitersError as exc:
        return exc


def http_pool() -> ThreadPoolExecutor:
    workers = max(1, int(settings.SMARTRECRUITERS_MAX_IN_FLIGHT))
    return ThreadPoolExecutor(max_workers=workers, thread_name_prefix="sr-feed")


def concurrently(
    fn: Callable[[T], R], items: Sequence[T], *, pool: ThreadPoolExecutor | None = None
) -> list[R | SmartRecruitersError]:
    """Run ``fn`` over ``items`` on the HTTP threads; SmartRecruiters errors are returned."""
    if pool is not None:
        futures = [pool.submit(guarded, fn, item) for item in items]
        return [future.result() for future in futures]
    if len(items) <= 1:
        return [guarded(fn, item) for item in items]
    with http_pool() as own:
        return concurrently(fn, items, pool=own)
