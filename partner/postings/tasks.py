"""Celery tasks of the feed sync. Thin: each calls one service.

The schedule is declared by name in jobboard/celery.py.
"""

from __future__ import annotations

from celery import shared_task

from partner.postings import relay, sync


# A pass over 10,000 postings takes a few minutes at SR's rate limit; 15 minutes bounds
# a wedged pass, and the lock lease (FEED_SYNC_LOCK_TTL) lets the next one start.
@shared_task(name="partner.postings.tasks.sync_feed", time_limit=900, soft_time_limit=870)
def sync_feed() -> dict[str, object]:
    """One full pass over the feed (no-op when another pass holds the lock)."""
    summary = sync.run_sync_pass()
    return {"run": summary.run_id, "outcome": summary.outcome, "seen": summary.seen}


# Each report is one PUT; five minutes is ample even behind a rate limit.
@shared_task(
    name="partner.postings.tasks.relay_status_reports", time_limit=300, soft_time_limit=280
)
def relay_status_reports() -> dict[str, int]:
    """Send the status reports that are due (outbox); skipped while a pass runs."""
    result = relay.relay_outbox()
    if result is None:  # a pass is running and relays as it goes
        return {"skipped": 1}
    return {"sent": result.sent, "failed": result.failed, "retried": result.retried}


@shared_task(name="partner.postings.tasks.reconcile_feed", time_limit=1800, soft_time_limit=1750)
def reconcile_feed() -> dict[str, object]:
    """Daily: repair differences between our live listings and SR's Active postings."""
    summary = sync.reconcile_feed()
    return {"run": summary.run_id, "outcome": summary.outcome}
