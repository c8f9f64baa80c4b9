"""Operations' own periodic job."""

from __future__ import annotations

from celery import shared_task


# Does nothing but run: beat sending it and a worker running it, every HEARTBEAT_INTERVAL,
# is what readiness and the alerts read as "beat and the workers are alive".
@shared_task(name="jobboard.operations.tasks.heartbeat", time_limit=30, soft_time_limit=25)
def heartbeat() -> str:
    return "alive"
