"""Celery tasks of the board. Thin: each calls one service."""

from __future__ import annotations

from celery import shared_task

from jobboard.board import services


# A digest run walks every confirmed alert; an hour is far more than it needs and
# stops a wedged SMTP server from holding a worker forever.
@shared_task(name="jobboard.board.tasks.send_job_alerts", time_limit=3600, soft_time_limit=3500)
def send_job_alerts() -> int:
    """Email each confirmed job alert its digest of new matching jobs."""
    return services.send_job_alerts()
