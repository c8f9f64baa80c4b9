"""Fixtures for the sandbox's own contract tests: httpx clients against live_server."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest


@pytest.fixture
def api(sandbox: Any) -> Iterator[httpx.Client]:
    """The partner's view: X-SmartToken set, JSON accepted."""
    with httpx.Client(
        base_url=sandbox.url,
        headers={"X-SmartToken": sandbox.token, "Accept": "application/json"},
        timeout=10,
    ) as client:
        yield client


@pytest.fixture
def anonymous(sandbox: Any) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sandbox.url, timeout=10) as client:
        yield client


@pytest.fixture
def control(sandbox: Any) -> Iterator[httpx.Client]:
    with httpx.Client(
        base_url=f"{sandbox.url}/control",
        headers={"X-Sandbox-Control-Token": sandbox.control_token},
        timeout=10,
    ) as client:
        yield client


@pytest.fixture
def posting(sandbox: Any) -> Any:
    return sandbox.create_posting(name="Senior Backend Engineer", company_name="Acme Corp")


# Each live_server test flushes the database afterwards; flushing only the tables these
# tests touch (instead of every app's) makes that several times cheaper on PostgreSQL.
SANDBOX_TEST_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "partner.sandbox",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        in_sandbox_tests = "/tests/sandbox/" in item.path.as_posix()
        if in_sandbox_tests and item.get_closest_marker("django_db") is None:
            item.add_marker(
                pytest.mark.django_db(transaction=True, available_apps=SANDBOX_TEST_APPS)
            )
