"""Database gauges of this app for /metrics."""

from __future__ import annotations

from jobboard.operations import metrics, outboxes, selectors


def _job_ages() -> metrics.Samples:
    for job in selectors.job_health():
        if job.age is not None:
            yield {"job": job.name}, job.age.total_seconds()


def _job_overdue() -> metrics.Samples:
    for job in selectors.job_health():
        yield {"job": job.name}, 1.0 if job.overdue else 0.0


def _beat_age() -> metrics.Samples:
    age = selectors.beat_age()
    if age is not None:
        yield {}, age.total_seconds()


def _outbox_depth() -> metrics.Samples:
    for box in outboxes.outbox_health():
        for state, count in box.depth.items():
            yield {"outbox": box.label, "state": state}, float(count)


def _outbox_oldest() -> metrics.Samples:
    for box in outboxes.outbox_health():
        age = box.oldest_due_age.total_seconds() if box.oldest_due_age is not None else 0.0
        yield {"outbox": box.label}, age


def register() -> None:
    metrics.register_gauge(
        "outbox_items", "Outbox rows by state.", ["outbox", "state"], _outbox_depth
    )
    metrics.register_gauge(
        "outbox_oldest_due_seconds",
        "Age of the oldest item a sender may take now (0 when none).",
        ["outbox"],
        _outbox_oldest,
    )
    metrics.register_gauge(
        "periodic_job_seconds_since_success",
        "Seconds since each periodic job last succeeded (or beat first knew it).",
        ["job"],
        _job_ages,
    )
    metrics.register_gauge(
        "periodic_job_overdue", "1 when a periodic job is overdue.", ["job"], _job_overdue
    )
    metrics.register_gauge(
        "beat_heartbeat_age_seconds", "Seconds since beat last sent its heartbeat.", [], _beat_age
    )
