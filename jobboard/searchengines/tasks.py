"""Celery task of the notifiers. Thin: one service call. Beat runs it (jobboard/celery.py)."""

from __future__ import annotations

from celery import shared_task

from jobboard.searchengines import relay


# A run stops starting calls after 200 s (relay.RUN_BUDGET_SECONDS); each call has
# SEARCH_NOTIFY_TIMEOUT seconds, so 300 s bounds a run with one slow call in flight.
@shared_task(name="jobboard.searchengines.tasks.relay_notices", time_limit=300, soft_time_limit=280)
def relay_notices() -> dict[str, int]:
    """Send the search-engine notices that are due (idempotent: rows are claimed)."""
    result = relay.relay_notices()
    return {"sent": result.sent, "retried": result.retried, "failed": result.failed}
