"""Record every run of a scheduled task, from Celery's signals.

Task modules stay unaware of this: the beat schedule says which tasks are periodic, and
the signals below note when beat sent one (beat process) and how it ran (worker). A
failure to record is logged and never fails the task itself.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from celery import signals
from django.core.signals import request_finished
from django.db import DatabaseError
from django.db.models import F
from django.utils import timezone

from jobboard import logs
from jobboard.operations import callstats, metrics
from jobboard.operations.models import PeriodicJob

logger = logging.getLogger(__name__)

# task id -> monotonic start, to measure the run's duration in the worker.
_started: dict[str, float] = {}
# True in the beat process only: a publish there is beat sending a due entry.
_in_beat = False


def scheduled_jobs() -> dict[str, tuple[str, int]]:
    """Task name -> (entry name, interval in seconds), from the one beat schedule."""
    from jobboard.celery import beat_schedule

    return {
        entry["task"]: (name, int(entry["schedule"].total_seconds()))
        for name, entry in beat_schedule().items()
    }


def _job(task_name: str) -> PeriodicJob | None:
    job = scheduled_jobs().get(task_name)
    if job is None:
        return None
    name, interval = job
    row, _ = PeriodicJob.objects.update_or_create(
        name=name, defaults={"task": task_name, "interval_seconds": interval}
    )
    return row


def _record(task_name: str, **changes: Any) -> None:
    try:
        job = _job(task_name)
        if job is not None:
            PeriodicJob.objects.filter(pk=job.pk).update(**changes)
    except DatabaseError:
        logger.exception("could not record a run of %s", task_name)


def record_sent(task_name: str) -> None:
    _record(task_name, last_sent_at=timezone.now())


def record_started(task_name: str, task_id: str) -> None:
    _started[task_id] = time.monotonic()
    _record(task_name, last_started_at=timezone.now(), runs=F("runs") + 1)


def _duration_ms(task_id: str) -> int | None:
    started = _started.pop(task_id, None)
    return None if started is None else int((time.monotonic() - started) * 1000)


def record_success(task_name: str, task_id: str) -> None:
    metrics.record_task_run(task_name, metrics.TaskOutcome.SUCCESS)
    now = timezone.now()
    _record(
        task_name,
        last_finished_at=now,
        last_success_at=now,
        consecutive_failures=0,
        last_duration_ms=_duration_ms(task_id),
    )


def record_failure(task_name: str, task_id: str, error: BaseException | str) -> None:
    metrics.record_task_run(task_name, metrics.TaskOutcome.FAILURE)
    now = timezone.now()
    text = error if isinstance(error, str) else f"{type(error).__name__}: {error}"
    _record(
        task_name,
        last_finished_at=now,
        last_failure_at=now,
        last_error=text[:2000],
        failures=F("failures") + 1,
        consecutive_failures=F("consecutive_failures") + 1,
        last_duration_ms=_duration_ms(task_id),
    )


def register_schedule() -> None:
    """Beat starting: a row per entry, so a job that never runs is seen to be overdue."""
    for task_name, (name, interval) in scheduled_jobs().items():
        PeriodicJob.objects.update_or_create(
            name=name, defaults={"task": task_name, "interval_seconds": interval}
        )


def _on_beat_init(**kwargs: Any) -> None:
    global _in_beat
    _in_beat = True
    try:
        register_schedule()
    except DatabaseError:
        logger.exception("could not register the beat schedule")


def _on_publish(sender: str | None = None, **kwargs: Any) -> None:
    if _in_beat and sender:
        record_sent(sender)


def _on_prerun(task_id: str = "", task: Any = None, **kwargs: Any) -> None:
    if task is not None:
        logs.bind_task(task_name=task.name, task_id=task_id)
        record_started(task.name, task_id)


def _on_postrun(**kwargs: Any) -> None:
    logs.unbind_task()
    callstats.flush()


def _on_request_finished(**kwargs: Any) -> None:
    callstats.flush_if_counted_here()


def _on_success(sender: Any = None, **kwargs: Any) -> None:
    if sender is not None:
        record_success(sender.name, sender.request.id or "")


def _on_failure(sender: Any = None, task_id: str = "", exception: Any = None, **kw: Any) -> None:
    if sender is not None:
        record_failure(sender.name, task_id, exception or "failed")


def connect_signals() -> None:
    # weak=False: the receivers are module functions, kept alive anyway; dispatch_uid
    # makes a second ready() (tests) harmless.
    signals.beat_init.connect(_on_beat_init, weak=False, dispatch_uid="ops-beat-init")
    signals.before_task_publish.connect(_on_publish, weak=False, dispatch_uid="ops-publish")
    signals.task_prerun.connect(_on_prerun, weak=False, dispatch_uid="ops-prerun")
    signals.task_postrun.connect(_on_postrun, weak=False, dispatch_uid="ops-postrun")
    request_finished.connect(_on_request_finished, weak=False, dispatch_uid="ops-request")
    signals.task_success.connect(_on_success, weak=False, dispatch_uid="ops-success")
    signals.task_failure.connect(_on_failure, weak=False, dispatch_uid="ops-failure")
