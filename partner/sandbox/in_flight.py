"""The sandbox API requests this process is serving, so a caller can wait for the last one.

A caller that gave up on a slow or timed-out answer has moved on, but the sandbox has not:
it finishes the view and writes the journal seconds later. In the test suite that write
lands in the next test, and on in-memory SQLite (one connection shared by the live server's
threads and the test) it collides with the test's own statements ("cannot open savepoint -
SQL statements in progress"). The ``sandbox`` fixture waits here before a test's database is
flushed.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

_changed = threading.Condition()
_serving = 0


@contextmanager
def serving() -> Iterator[None]:
    """Count one request from before its view runs until its journal row is written."""
    global _serving
    with _changed:
        _serving += 1
    try:
        yield
    finally:
        with _changed:
            _serving -= 1
            _changed.notify_all()


def count() -> int:
    with _changed:
        return _serving


def wait_idle(*, timeout: float) -> bool:
    """Block until no request is being served; False if some still are after ``timeout`` s."""
    with _changed:
        return _changed.wait_for(lambda: _serving == 0, timeout)
