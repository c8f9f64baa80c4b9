"""What the feed sync tells operators: its outbox, alerts and gauges (jobboard.operations)."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from jobboard.operations import alerts, metrics, outboxes
from jobboard.outbox import OutboxItem
from partner.postings import relay, selectors
from partner.postings.models import StatusReport, SyncRun


def _retry(failed: QuerySet[OutboxItem]) -> int:
    return relay.retry_failed_reports(report_ids=failed.values_list("pk", flat=True))


def consecutive_failed_passes() -> int:
    """Feed passes that failed since the last one that succeeded."""
    outcomes = SyncRun.objects.filter(kind=SyncRun.Kind.SYNC).exclude(
        outcome=SyncRun.Outcome.RUNNING
    )
    count = 0
    for outcome in outcomes.order_by("-started_at", "-id").values_list("outcome", flat=True)[:50]:
        if outcome != SyncRun.Outcome.FAILED:
            break
        count += 1
    return count


def feed_findings() -> Iterable[alerts.Finding]:
    failed = consecutive_failed_passes()
    limit = int(settings.ALERT_FEED_FAILURES)
    problem = None
    if failed >= limit:
        last = (
            SyncRun.objects.filter(kind=SyncRun.Kind.SYNC, outcome=SyncRun.Outcome.FAILED)
            .order_by("-started_at")
            .first()
        )
        problem = f"The last {failed} feed passes failed."
        if last is not None and last.error:
            problem += f" Last error: {last.error[:500]}"
    yield "feed pass failing", problem


def _feed_lag() -> metrics.Samples:
    run = selectors.last_successful_sync()
    if run is not None and run.finished_at is not None:
        yield {}, (timezone.now() - run.finished_at).total_seconds()


def register() -> None:
    outboxes.register_outbox(StatusReport, retry=_retry)
    alerts.register_alert_check("feed", feed_findings)
    metrics.register_gauge(
        "feed_seconds_since_success", "Seconds since the last successful feed pass.", [], _feed_lag
    )
