"""One feed pass at a time, across processes.

PostgreSQL: a session advisory lock, released by the server if the process dies.
Elsewhere (SQLite): a lock row taken with a conditional UPDATE, as a lease that expires,
so a pass that died half-way does not block the next one forever. The row names its
holder's host and process id; SQLite lives on one machine, so a holder on this host
whose process is gone is known dead and its lease is taken over at once instead of
after FEED_SYNC_LOCK_TTL.
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from partner.postings.models import SyncLock

logger = logging.getLogger(__name__)

# Held by a sync pass, a reconciliation and the periodic relay: one of them at a time.
SYNC_LOCK = "feed-sync"

# Names held in this process. PostgreSQL advisory locks are re-entrant per session, so a
# nested attempt on the same connection would succeed without this.
_held_here: set[str] = set()
_held_here_lock = threading.Lock()


class HeldLock:
    """A lock this process holds; ``renew`` extends a lease (no-op for advisory locks)."""

    def __init__(self, name: str, owner: str | None) -> None:
        self.name = name
        self._owner = owner

    def renew(self) -> None:
        if self._owner is None:
            return
        SyncLock.objects.filter(name=self.name, owner=self._owner).update(
            expires_at=timezone.now() + _lease()
        )


def _lease() -> timedelta:
    return timedelta(seconds=int(getattr(settings, "FEED_SYNC_LOCK_TTL", 900)))


def _advisory_key(name: str) -> int:
    # A stable signed 64-bit key per lock name (pg_try_advisory_lock takes a bigint).
    digest = hashlib.sha256(f"jobboard:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def _holder_is_dead(owner: str) -> bool:
    """True only when the holder ran on this host and its process no longer exists."""
    host, _, rest = owner.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return False  # another machine, or an old-style owner: wait for the lease
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # exists, under another user
        return False
    return False


@contextmanager
def exclusive(name: str) -> Iterator[HeldLock | None]:
    """Yield a ``HeldLock``, or None when another holder (any process) has ``name``."""
    with _held_here_lock:
        if name in _held_here:
            held_elsewhere = True
        else:
            held_elsewhere = False
            _held_here.add(name)
    if held_elsewhere:
        yield None
        return
    try:
        with _exclusive(name) as lock:
            yield lock
    finally:
        with _held_here_lock:
            _held_here.discard(name)


@contextmanager
def _exclusive(name: str) -> Iterator[HeldLock | None]:
    if connection.vendor == "postgresql":
        key = _advisory_key(name)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
            got = bool(cursor.fetchone()[0])
        if not got:
            yield None
            return
        try:
            yield HeldLock(name, None)
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
        return

    owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:12]}"
    row, _ = SyncLock.objects.get_or_create(name=name)
    now = timezone.now()
    free = Q(expires_at__isnull=True) | Q(expires_at__lt=now)
    if row.owner and _holder_is_dead(row.owner):
        logger.warning("lock %s: holder %s is gone; taking it over", name, row.owner)
        free |= Q(owner=row.owner)  # only if nobody else took it meanwhile
    taken = (
        SyncLock.objects.filter(name=name)
        .filter(free)
        .update(owner=owner, expires_at=now + _lease())
    )
    if not taken:
        yield None
        return
    try:
        yield HeldLock(name, owner)
    finally:
        SyncLock.objects.filter(name=name, owner=owner).update(owner="", expires_at=None)
