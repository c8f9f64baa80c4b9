"""A real Celery worker, fed through Redis, sends a job's notices right after its commit.

No beat here: the board's change wakes the relay after commit (``services._wake_relay``);
beat's periodic run is proven by tests/foundation/test_beat.py.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator

import pytest
from celery.contrib.testing.worker import start_worker

from jobboard.celery import app
from jobboard.searchengines.models import SearchEngineNotice
from tests.board.factories import make_listing

# This suite's own Redis database (helpers' budget: 7 for the API work).
REDIS_URL = "redis://127.0.0.1:6379/7"


def _redis_available() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.exceptions.ConnectionError:
        return False


pytestmark = [
    pytest.mark.redis,
    pytest.mark.skipif(not _redis_available(), reason="Redis is not running on 127.0.0.1:6379"),
    pytest.mark.django_db(transaction=True),
]


def _forget_connections() -> None:
    # The app caches its broker pool, producers and result backend; drop the eager ones.
    app._pool = None
    app.amqp._producer_pool = None
    app._backend_cache = None
    app._local = threading.local()


@contextlib.contextmanager
def app_on_redis() -> Iterator[None]:
    keys = ("broker_url", "task_always_eager")
    saved = {key: app.conf[key] for key in keys}
    app.conf.update(broker_url=REDIS_URL, task_always_eager=False)
    _forget_connections()
    try:
        app.control.purge()  # nothing an earlier run left in this database's queue
        yield
    finally:
        app.conf.update(saved)
        _forget_connections()


def _wait_for(condition, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the worker")
        time.sleep(0.1)


def test_a_published_job_reaches_both_engines_without_waiting_for_beat(configured) -> None:
    with (
        app_on_redis(),
        start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10),
    ):
        job = make_listing(title="Baker")
        _wait_for(lambda: configured.to("/publish") and configured.to("/indexnow"))
        _wait_for(
            lambda: set(SearchEngineNotice.objects.values_list("state", flat=True)) == {"sent"}
        )

    url = f"https://jobs.example.org/jobs/{job.pk}-baker/"
    assert [r.json() for r in configured.to("/publish")] == [{"url": url, "type": "URL_UPDATED"}]
    assert configured.to("/indexnow")[0].json()["urlList"] == [url]
