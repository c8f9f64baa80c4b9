"""Celery tasks of the board. Thin: each calls one service."""

from __future__ import annotations

from celery import shared_task

from jobboard.board import alerts, recent_index, services


# A digest run walks every confirmed alert; an hour is far more than it needs and
# stops a wedged SMTP server from holding a worker forever.
@shared_task(name="jobboard.board.tasks.send_job_alerts", time_limit=3600, soft_time_limit=3500)
def send_job_alerts() -> int:
    """Email each confirmed job alert its digest of new matching jobs."""
    return alerts.send_job_alerts()


# Expiry is a few UPDATEs per listing; five minutes bounds it far above need.
@shared_task(name="jobboard.board.tasks.expire_listings", time_limit=300, soft_time_limit=280)
def expire_listings() -> int:
    """Close live listings past their valid-through date; returns how many.

    Sources notice on their own (the feed sync reports ``Inactive`` for its postings
    whose listing closed): the board tells nobody.
    """
    return len(services.expire_listings())


# A rebuild reads the listings of about a week: seconds at a million; far less than this.
@shared_task(
    name="jobboard.board.tasks.refresh_recent_search_index", time_limit=1800, soft_time_limit=1700
)
def refresh_recent_search_index() -> str:
    """Keep the keyword index of the newest listings on the current days (rebuilt when
    stale, none on a board small enough not to need it); returns its name, or ''."""
    return recent_index.refresh() or ""
