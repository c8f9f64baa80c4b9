"""Readiness checks of the periodic machinery (registered with jobboard.health)."""

from __future__ import annotations

from typing import Any

from jobboard.operations import selectors


def beat_readiness() -> tuple[bool, dict[str, Any]]:
    """Beat is alive when its heartbeat is recent. Never seen: ready (a fresh instance)."""
    age = selectors.beat_age()
    limit = selectors.beat_stale_after()
    if age is None:
        return True, {"seen": False}
    return age <= limit, {
        "seen": True,
        "heartbeat_age_seconds": round(age.total_seconds(), 1),
        "stale_after_seconds": limit.total_seconds(),
    }


def jobs_readiness() -> tuple[bool, dict[str, Any]]:
    """Every periodic job succeeded within JOB_OVERDUE_FACTOR times its interval."""
    jobs = selectors.job_health()
    ages = {
        job.name: None if job.age is None else round(job.age.total_seconds(), 1) for job in jobs
    }
    overdue = [job.name for job in jobs if job.overdue]
    return not overdue, {"age_seconds": ages, "overdue": overdue}
