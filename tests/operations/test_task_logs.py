"""Log lines written while a Celery task runs carry the task's name and id."""

from __future__ import annotations

import logging

import pytest

from jobboard.celery import app
from jobboard.logs import RequestIdFilter

logger = logging.getLogger("tests.operations.task")


@app.task(name="tests.operations.log_something")
def log_something() -> None:
    logger.warning("inside the task")


@pytest.mark.django_db
def test_a_task_log_line_carries_the_task_name_and_id(caplog: pytest.LogCaptureFixture) -> None:
    caplog.handler.addFilter(RequestIdFilter())
    with caplog.at_level(logging.WARNING, logger="tests.operations.task"):
        result = log_something.apply(task_id="task-id-1234")
    assert result.successful()
    record = next(r for r in caplog.records if r.getMessage() == "inside the task")
    assert record.request_id == "task-id-1234"
    assert record.task_name == "tests.operations.log_something"
    assert record.task_label == " tests.operations.log_something"
