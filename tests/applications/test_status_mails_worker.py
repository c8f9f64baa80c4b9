"""A real Celery worker, fed through Redis, polls a status change and mails it once."""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Iterator

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail

from jobboard.celery import app
from partner.applications import tasks
from partner.applications.models import Application
from partner.applications.services import intake
from tests.applications.sandbox_helpers import answers_ok, candidate, sandbox_listing

# This suite's own Redis database: the worker and the test share its queue.
REDIS_URL = os.environ.get("APPLICATIONS_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


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
    keys = ("broker_url", "result_backend", "task_ignore_result", "task_always_eager")
    saved = {key: app.conf[key] for key in keys}
    app.conf.update(
        broker_url=REDIS_URL,
        result_backend=REDIS_URL,
        task_ignore_result=False,
        task_always_eager=False,
    )
    _forget_connections()
    try:
        app.control.purge()  # nothing an earlier run left in this database's queue
        yield
    finally:
        app.conf.update(saved)
        _forget_connections()


def _status_mails() -> list:
    return [m for m in mail.outbox if m.subject.startswith("News about your application")]


def _wait_for(condition, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the worker")
        time.sleep(0.1)


def test_a_real_worker_polls_a_status_change_and_mails_it_once(sandbox):
    # Applied and sent with eager tasks (the autouse fixture), then the worker takes over.
    application, _ = intake.application_create(
        listing=sandbox_listing(sandbox),
        language="en",
        candidate=candidate(),
        answers=answers_ok(),
        files={},
        notify_status_changes=True,
    )
    [stored] = sandbox.candidates()
    sandbox.set_candidate_status(stored, "OFFER")
    mail.outbox.clear()

    with (
        app_on_redis(),
        start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10),
    ):
        assert tasks.poll_statuses.apply_async(ignore_result=False).get(timeout=30) == {
            "checked": 1,
            "errors": 0,
        }
        # The mail task was queued after the poll's commit; the same worker sends it.
        _wait_for(lambda: len(_status_mails()) == 1)
        # The poll runs again (nothing changed since): no second mail.
        Application.objects.filter(pk=application.pk).update(sr_status_checked_at=None)
        assert tasks.poll_statuses.apply_async(ignore_result=False).get(timeout=30) == {
            "checked": 1,
            "errors": 0,
        }
        time.sleep(1)

    [message] = _status_mails()
    assert "An offer has been made." in message.body
    assert message.to == ["jane.doe@example.test"]
