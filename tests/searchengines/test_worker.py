"""A real Celery worker, fed through Redis, sends a job's notices right after its commit.

No beat here: the board's change wakes the relay after commit (``services._wake_relay``);
beat's periodic run is proven by tests/foundation/test_beat.py.
"""

from __future__ import annotations

import time

import pytest
from celery.contrib.testing.worker import start_worker

from jobboard.celery import app
from jobboard.searchengines.models import SearchEngineNotice
from tests.board.factories import make_listing
from tests.celery_redis import app_on_redis, redis_available

# This suite's own Redis database (helpers' budget: 7 for the API work).
REDIS_URL = "redis://127.0.0.1:6379/7"


pytestmark = [
    pytest.mark.redis,
    pytest.mark.skipif(
        not redis_available(REDIS_URL), reason="Redis is not running on 127.0.0.1:6379"
    ),
    pytest.mark.django_db(transaction=True),
]


def _wait_for(condition, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the worker")
        time.sleep(0.1)


def test_a_published_job_reaches_both_engines_without_waiting_for_beat(configured) -> None:
    with (
        app_on_redis(REDIS_URL),
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
