"""The real enqueue path: a task is sent only after the transaction commits."""

from __future__ import annotations

import logging

from partner.assessments import queue as queue_module
from partner.assessments import tasks

# Bound at import, before the autouse fixture swaps ``enqueue`` for a recorder.
from partner.assessments.queue import enqueue as real_enqueue


def test_a_task_is_sent_after_commit(monkeypatch, django_capture_on_commit_callbacks, db):
    sent: list[tuple[object, ...]] = []
    monkeypatch.setattr(tasks.send_invitation, "delay", lambda *args: sent.append(args))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        real_enqueue("send_invitation", 42)
        assert sent == []
    assert len(callbacks) == 1
    assert sent == [(42,)]


def test_a_broker_failure_is_logged_not_raised(monkeypatch, caplog, db):
    def broken(*args: object) -> None:
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.push_order_results, "delay", broken)
    with caplog.at_level(logging.WARNING):
        queue_module._send("push_order_results", 7)
    assert "periodic sweep will pick it up" in caplog.text
