"""Waiting for the sandbox requests still being served (in_flight), without a server."""

from __future__ import annotations

import threading

import pytest

from partner.sandbox import in_flight


def test_wait_idle_waits_for_the_last_request_and_gives_up_at_its_timeout():
    entered, finish = threading.Event(), threading.Event()

    def serve() -> None:
        with in_flight.serving():
            entered.set()
            finish.wait(10)

    server = threading.Thread(target=serve)
    server.start()
    entered.wait(10)
    try:
        assert in_flight.count() == 1
        assert in_flight.wait_idle(timeout=0.05) is False
    finally:
        finish.set()
    assert in_flight.wait_idle(timeout=10) is True
    server.join()
    assert in_flight.count() == 0


def test_a_request_that_raises_is_no_longer_counted():
    with pytest.raises(RuntimeError), in_flight.serving():
        raise RuntimeError("the view failed")
    assert in_flight.count() == 0
    assert in_flight.wait_idle(timeout=0) is True
