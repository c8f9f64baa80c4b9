"""The Celery app pointed at a Redis database for one test: what the tests that run a
real worker through Redis (the production path) share."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

from jobboard.celery import app


def redis_available(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except redis.exceptions.ConnectionError:
        return False


def forget_connections() -> None:
    # The app caches its broker pool, producers and result backend (per thread, or
    # globally when the backend is thread-safe); a test that ran earlier may have
    # cached the eager or disabled one.
    app._pool = None
    app.amqp._producer_pool = None
    app._backend_cache = None
    app._local = threading.local()


@contextlib.contextmanager
def app_on_redis(url: str, *, results: bool = False, purge: bool = True) -> Iterator[None]:
    """Send tasks through ``url`` (and keep their results there with ``results``)."""
    changes: dict[str, object] = {
        "broker_url": url,
        "task_always_eager": False,
        "broker_transport_options": {"visibility_timeout": 3600},
    }
    if results:
        changes.update(result_backend=url, task_ignore_result=False)
    saved = {key: app.conf[key] for key in changes}
    app.conf.update(changes)
    forget_connections()
    try:
        if purge:
            app.control.purge()  # nothing an earlier run left in this database's queue
        yield
    finally:
        app.conf.update(saved)
        forget_connections()
