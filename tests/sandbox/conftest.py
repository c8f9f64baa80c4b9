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
