"""A real Celery worker, fed through Redis, polls a status change and mails it once."""

from __future__ import annotations

import os
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail

from jobboard.celery import app
from partner.applications import tasks
from partner.applications.models import Application
from partner.applications.services import intake
from tests.applications.sandbox_helpers import answers_ok, candidate, sandbox_listing
from tests.celery_redis import app_on_redis, redis_available

# This suite's own Redis database: the worker and the test share its queue.
REDIS_URL = os.environ.get("APPLICATIONS_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


pytestmark = [
    pytest.mark.redis,
    pytest.mark.skipif(
        not redis_available(REDIS_URL), reason="Redis is not running on 127.0.0.1:6379"
    ),
    pytest.mark.django_db(transaction=True),
]


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
        app_on_redis(REDIS_URL, results=True),
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
