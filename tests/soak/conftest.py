from __future__ import annotations

import time
from collections.abc import Generator, Iterator

import pytest

from tests.soak.stack import Stack, new_stack, start_stack

# The whole soak, starting and stopping the processes included, is bounded: each test's
# hard limit (pytest-timeout) is what is left of this budget when it starts.
SOAK_BUDGET_SECONDS = 170.0

_STACK = pytest.StashKey[Stack]()
_DEADLINE = pytest.StashKey[float]()


@pytest.fixture(scope="module")
def soak(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    """Web (board and sandbox), worker and beat, running for this module's tests."""
    stack = new_stack(tmp_path_factory.mktemp("soak"))
    request.config.stash[_STACK] = stack
    try:
        start_stack(stack)
        yield stack
    finally:
        stack.stop_all()


@pytest.fixture
def fresh_switches(soak: Stack) -> Iterator[None]:
    """Each test starts and ends with the sandbox's default switches (no outage, no fault)."""
    with soak.control() as control:
        control.put("switches", json={"_reset": True}).raise_for_status()
    yield
    with soak.control() as control:
        control.put("switches", json={"_reset": True}).raise_for_status()


def _is_soak(item: pytest.Item) -> bool:
    return "soak" in getattr(item, "fixturenames", ())


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    # Outside pytest-timeout's own wrapper, so that it sees this limit.
    if _is_soak(item):
        deadline = item.config.stash.setdefault(_DEADLINE, time.monotonic() + SOAK_BUDGET_SECONDS)
        item.add_marker(pytest.mark.timeout(max(1.0, deadline - time.monotonic())))
    yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, None]:
    # A failed soak test (or its start) shows what the three processes were doing.
    outcome = yield
    report = outcome.get_result()
    stack = item.config.stash.get(_STACK, None)
    if report.failed and stack is not None and _is_soak(item):
        for title, text in stack.tails():
            report.sections.append((title, text))
