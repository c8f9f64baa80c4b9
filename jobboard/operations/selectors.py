"""Reads for readiness, alerts, metrics and the health page: are the periodic jobs on time?"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from jobboard.operations.models import PeriodicJob

HEARTBEAT = "heartbeat"


@dataclass(frozen=True)
class JobHealth:
    """A beat entry as operators see it. ``row`` is None until beat has started once."""

    name: str
    task: str
    interval: timedelta
    row: PeriodicJob | None
    overdue_after: timedelta
    now: datetime

    @property
    def reference(self) -> datetime | None:
        """The last success, or when beat first knew the job if it never succeeded."""
        if self.row is None:
            return None
        return self.row.last_success_at or self.row.created_at

    @property
    def age(self) -> timedelta | None:
        return None if self.reference is None else self.now - self.reference

    @property
    def next_due(self) -> datetime | None:
        if self.row is None:
            return None
        return (self.row.last_sent_at or self.row.created_at) + self.interval

    @property
    def overdue(self) -> bool:
        return self.age is not None and self.age > self.overdue_after

    @property
    def last_error(self) -> str:
        if self.row is None or self.row.last_failure_at is None:
            return ""
        if self.row.last_success_at and self.row.last_success_at > self.row.last_failure_at:
            return ""  # an old error, fixed since
        return self.row.last_error


def overdue_factor() -> float:
    return float(settings.JOB_OVERDUE_FACTOR)


def job_health(*, now: datetime | None = None) -> list[JobHealth]:
    """Every entry of the beat schedule, with its last run as recorded."""
    from jobboard.celery import beat_schedule

    now = now or timezone.now()
    rows = {row.name: row for row in PeriodicJob.objects.all()}
    jobs = []
    for name, entry in sorted(beat_schedule().items()):
        interval = entry["schedule"]
        jobs.append(
            JobHealth(
                name=name,
                task=entry["task"],
                interval=interval,
                row=rows.get(name),
                overdue_after=interval * overdue_factor(),
                now=now,
            )
        )
    return jobs


def beat_seen() -> bool:
    return PeriodicJob.objects.filter(name=HEARTBEAT).exists()


def beat_age(*, now: datetime | None = None) -> timedelta | None:
    """Since beat last sent its heartbeat; None when beat never ran against this database."""
    row = PeriodicJob.objects.filter(name=HEARTBEAT).first()
    if row is None:
        return None
    return (now or timezone.now()) - (row.last_sent_at or row.created_at)


def beat_stale_after() -> timedelta:
    return timedelta(seconds=settings.HEARTBEAT_INTERVAL * overdue_factor())
