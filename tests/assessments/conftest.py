from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import respx

from jobboard import outbox
from partner.assessments import branding
from partner.smartrecruiters.oauth import token_cache
from tests.assessments.factories import SR_API, Connected, connected_company, issue_token


class TaskRecorder:
    """Stands in for the broker: records what services enqueue (``outbox.enqueue_on_commit``)
    by the task's short name; ``run()`` executes it."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[object, ...]]] = []
        self._tasks: dict[str, Callable[..., object]] = {}

    def __call__(self, task: Any, *args: object) -> None:
        name = task.name.rsplit(".", 1)[-1]
        self._tasks[name] = task
        self.calls.append((name, args))

    def names(self) -> list[str]:
        return [name for name, _ in self.calls]

    def run(self, *only: str) -> None:
        """Run what was enqueued (and what that enqueues), or only the tasks named."""
        while True:
            pending = [call for call in self.calls if not only or call[0] in only]
            if not pending:
                return
            self.calls.remove(pending[0])
            name, args = pending[0]
            self._tasks[name](*args)

    def install(self, monkeypatch: pytest.MonkeyPatch) -> TaskRecorder:
        monkeypatch.setattr(outbox, "enqueue_on_commit", self)
        return self


@pytest.fixture(autouse=True)
def queued(monkeypatch: pytest.MonkeyPatch) -> TaskRecorder:
    return TaskRecorder().install(monkeypatch)


@pytest.fixture(autouse=True)
def sr_mock():
    """No test here reaches the network: SR's host is faked with respx (routes added per
    test); anything not routed fails loudly. Flows against the real sandbox over HTTP live
    in tests/sandbox_assessments and tests/e2e."""
    with respx.mock(assert_all_called=False, assert_all_mocked=True) as mock:
        yield mock


@pytest.fixture(autouse=True)
def _sr_settings(settings) -> None:
    settings.SMARTRECRUITERS_API_URL = SR_API
    settings.SITE_URL = "https://board.example"
    settings.SMARTRECRUITERS_WEB_HOSTS = ["www.smartrecruiters.com", "jobs.smartrecruiters.com"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.ASSESSMENT_PUSH_BACKOFF_BASE = 0.0
    settings.SMARTRECRUITERS_BACKOFF_BASE = 0.0
    settings.SMARTRECRUITERS_BACKOFF_CAP = 0.0
    settings.SMARTRECRUITERS_CLIENT_ID = "master-client-test"
    settings.SMARTRECRUITERS_CLIENT_SECRET = "master-secret-test-0123456789"
    settings.ASSESSMENT_VENDOR_LOGO = ""
    token_cache.clear()
    branding.forget()


@pytest.fixture
def company(db) -> Connected:
    return connected_company()


@pytest.fixture
def other_company(db) -> Connected:
    return connected_company(company_id="6a2d1d3f0c2e5b0023456789", client_name="Globex")


@pytest.fixture
def bearer(company: Connected) -> Callable[..., dict[str, str]]:
    def headers(conn: Connected | None = None, **kwargs: int) -> dict[str, str]:
        token = issue_token((conn or company).integration, **kwargs)
        return {"HTTP_AUTHORIZATION": f"Bearer {token}"}

    return headers
