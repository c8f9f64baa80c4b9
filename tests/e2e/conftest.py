"""Fixtures of the browser tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache

from jobboard.celery import app as celery_app


@pytest.fixture
def eager_tasks(settings) -> Iterator[None]:
    """Tasks run in the web thread right after commit: the application is sent, and its
    mails are in the outbox, by the time the page answers."""
    cache.clear()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous
