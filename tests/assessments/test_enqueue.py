"""The real enqueue path (``jobboard.outbox.enqueue_on_commit``) with the assessment tasks:
a task is sent only after the transaction commits, and a broker outage is logged."""

from __future__ import annotations

import logging

# Bound at import, before the autouse fixture swaps ``enqueue_on_commit`` for a recorder.
from jobboard.outbox import enqueue_on_commit as real_enqueue
from partner.assessments import tasks


def test_a_task_is_sent_after_commit(monkeypatch, django_capture_on_commit_callbacks, db):
    sent: list[tuple[object, ...]] = []
    monkeypatch.setattr(tasks.send_invitation, "delay", lambda *args: sent.append(args))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        real_enqueue(tasks.send_invitation, 42)
        assert sent == []
    assert len(callbacks) == 1
    assert sent == [(42,)]


def test_a_broker_failure_is_logged_not_raised(
    monkeypatch, caplog, django_capture_on_commit_callbacks, db
):
    def broken(*args: object) -> None:
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.push_order_results, "delay", broken)
    with caplog.at_level(logging.WARNING), django_capture_on_commit_callbacks(execute=True):
        real_enqueue(tasks.push_order_results, 7)
    assert "periodic sweeper will send it" in caplog.text
