"""The status-report relay: send what the outbox owes SmartRecruiters (one PUT each).

The machine is ``jobboard.outbox``'s: claims with a lease (``FEED_REPORT_CLAIM_TIMEOUT``),
retries with full-jitter backoff from ``FEED_REPORT_RETRY_BASE`` capped at an hour, and
giving up after ``FEED_REPORT_MAX_ATTEMPTS``. What is ours: the PUT, and contract §7's
follow-up rule: a PUT answered 400 is never retried; we read the posting and follow its
current status instead.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from jobboard import outbox
from partner.postings.locks import SYNC_LOCK, exclusive
from partner.postings.models import FeedPosting, FeedStatus, StatusReport
from partner.postings.pool import concurrently
from partner.postings.publishing import take_down
from partner.smartrecruiters import feed
from partner.smartrecruiters.errors import (
    BadRequestError,
    NotFoundError,
    RateLimitedError,
    SmartRecruitersError,
)

logger = logging.getLogger(__name__)

# The longest wait between two tries of a report: SR is back within the hour or an
# operator looks at the failed reports in the admin.
RETRY_CAP_SECONDS = 3600.0


class Delivery(StrEnum):
    """What became of one report in one relay run."""

    SENT = "sent"
    RETRIED = "retried"  # a transient failure: back in the queue, tried again later
    FAILED = "failed"  # given up for good


@dataclass
class RelayResult:
    sent: int = 0
    failed: int = 0
    retried: int = 0

    def record(self, delivery: Delivery, count: int = 1) -> None:
        setattr(self, delivery.value, getattr(self, delivery.value) + count)

    def add(self, other: RelayResult) -> None:
        for delivery in Delivery:
            self.record(delivery, getattr(other, delivery.value))


# ---------------------------------------------------------------------------
# Claiming and sending
# ---------------------------------------------------------------------------
def _claim(
    ids: Sequence[int] | None, *, due_only: bool, limit: int, tried: set[int]
) -> list[StatusReport]:
    """Claim up to ``limit`` reports (all due ones, or those of ``ids``) for this relay."""
    candidates: QuerySet[StatusReport] = StatusReport.objects.all()
    # One try per report per relay call (or pass): an outage must not spin this loop.
    if ids is not None:
        # The reports asked for, less those tried, worked out here: excluding in SQL every
        # report the pass had tried made each claim's query longer, thousands of ids by the
        # end of a large pass (at 5,000 postings, a third of the sync thread's time).
        ids = [pk for pk in ids if pk not in tried]
        if not ids:
            return []
        candidates = candidates.filter(pk__in=ids)
    elif tried:
        candidates = candidates.exclude(pk__in=tried)
    claimed = outbox.claim_due(
        candidates,
        lease=timedelta(seconds=settings.FEED_REPORT_CLAIM_TIMEOUT),
        limit=limit,
        ignore_schedule=not due_only,
    )
    tried.update(claimed)
    if not claimed:
        return []
    return list(StatusReport.objects.filter(pk__in=claimed).select_related("posting"))


def _send(report: StatusReport) -> None:
    feed.update_status(
        report.posting.sr_id,
        status=report.status,
        live_url=report.live_url,
        comment=report.comment,
    )


def relay_reports(
    *,
    report_ids: Sequence[int] | None = None,
    due_only: bool = True,
    batch: int = 50,
    tried: set[int] | None = None,
    pool: ThreadPoolExecutor | None = None,
) -> RelayResult:
    """Send pending status reports (all due ones, or ``report_ids``); returns counts.

    Each report is tried once per call, or once per ``tried`` set shared by the calls
    of one pass, so an outage ends the relay instead of spinning it. Follow-up reports
    (§7) are sent in the same call.
    """
    result = RelayResult()
    if report_ids is not None and not report_ids:
        return result
    ids = list(report_ids) if report_ids is not None else None
    tried = set() if tried is None else tried
    while True:
        claimed = _claim(ids, due_only=due_only, limit=batch, tried=tried)
        if not claimed:
            return result
        outcomes = concurrently(_send, claimed, pool=pool)
        follow_ups = _record_outcomes(claimed, outcomes, result)
        if ids is not None:
            ids = [pk for pk in (*ids, *follow_ups) if pk not in tried]
            if not ids:
                return result


def relay_outbox() -> RelayResult | None:
    """The periodic relay: send due reports, unless a pass is running (it relays too).

    Taking the pass's lock lets a pass treat every report still "sending" as left by
    a dead process.
    """
    with exclusive(SYNC_LOCK) as lock:
        if lock is None:
            return None
        return relay_reports()


@transaction.atomic
def retry_failed_reports(*, report_ids: Iterable[int]) -> int:
    """Put failed reports back in the queue (admin action); returns how many."""
    count = outbox.retry_failed(StatusReport.objects.filter(pk__in=list(report_ids)))
    if count:
        # Imported here: the tasks module imports this one.
        from partner.postings.tasks import relay_status_reports

        outbox.enqueue_on_commit(relay_status_reports)
    return count


# ---------------------------------------------------------------------------
# Outcomes
# ---------------------------------------------------------------------------
def _record_outcomes(
    claimed: Sequence[StatusReport],
    outcomes: Sequence[SmartRecruitersError | None],
    result: RelayResult,
) -> list[int]:
    """Record what each PUT did; returns the ids of follow-up reports (§7)."""
    sent: list[StatusReport] = []
    follow_ups: list[int] = []
    for report, outcome in zip(claimed, outcomes, strict=True):
        if outcome is None:
            sent.append(report)
            continue
        follow_up = _record_failure(report, outcome, result)
        if follow_up is not None:
            follow_ups.append(follow_up)
    _record_sent(sent)
    result.record(Delivery.SENT, len(sent))
    return follow_ups


def _record_sent(reports: Sequence[StatusReport]) -> None:
    if not reports:
        return
    now = timezone.now()
    with transaction.atomic():
        outbox.mark_all_sent(
            StatusReport.objects.filter(pk__in=[r.pk for r in reports]), sent_at=now
        )
        by_status: dict[str, list[int]] = {}
        for report in reports:
            by_status.setdefault(report.status, []).append(report.posting_id)
        for status, posting_ids in by_status.items():
            FeedPosting.objects.filter(pk__in=posting_ids).update(
                reported_status=status, reported_at=now
            )


def _record_failure(
    report: StatusReport, error: SmartRecruitersError, result: RelayResult
) -> int | None:
    """Record a failed PUT; returns the id of a follow-up report, if one was written."""
    if isinstance(error, BadRequestError):
        return _follow_rejected(report, error, result)
    if error.permanent:
        _fail(report, str(error), result)
        if isinstance(error, NotFoundError):
            FeedPosting.objects.filter(pk=report.posting_id).update(
                last_error=f"{report.status} report failed: posting not found at SmartRecruiters"
            )
        return None
    retry_at = outbox.schedule_retry(
        report,
        error=str(error),
        base=float(settings.FEED_REPORT_RETRY_BASE),
        cap=RETRY_CAP_SECONDS,
        max_attempts=int(settings.FEED_REPORT_MAX_ATTEMPTS),
        retry_after=error.retry_after if isinstance(error, RateLimitedError) else None,
    )
    if retry_at is None:  # out of attempts: the outbox marked it failed
        _note_failure(report, str(error), result)
    else:
        result.record(Delivery.RETRIED)
    return None


def _fail(report: StatusReport, error: str, result: RelayResult) -> None:
    outbox.mark_failed(report, error=error)
    _note_failure(report, error, result)


def _note_failure(report: StatusReport, error: str, result: RelayResult) -> None:
    FeedPosting.objects.filter(pk=report.posting_id).update(
        last_error=f"{report.status} report failed: {error}"[:2000]
    )
    result.record(Delivery.FAILED)
    logger.warning("status report %s failed for good: %s", report.pk, error[:2000])


def _follow_rejected(
    report: StatusReport, error: BadRequestError, result: RelayResult
) -> int | None:
    """Contract §7: on a PUT 400, GET the posting and follow its current status.

    The rejected report is never retried. A follow-up ``Inactive`` is written only when
    the rejected report was not itself ``Inactive``, so this cannot loop.
    """
    try:
        current = feed.get_posting(report.posting.sr_id)
    except SmartRecruitersError as exc:
        _fail(report, f"{error}; current status not read: {exc}", result)
        return None
    posting = report.posting
    FeedPosting.objects.filter(pk=posting.pk).update(sr_status=current.status[:20])
    if current.status == report.status:
        # SR already has what we asked for (e.g. a retried PUT after a lost response).
        _record_sent([report])
        result.record(Delivery.SENT)
        return None
    reason = f"rejected ({error.code or error.status}): {error.message}"
    _fail(report, f"{reason}; SmartRecruiters status is {current.status}", result)
    if current.status not in (FeedStatus.TO_UNPOST, FeedStatus.INACTIVE):
        return None
    if current.status == FeedStatus.INACTIVE:
        FeedPosting.objects.filter(pk=posting.pk).update(
            reported_status=FeedStatus.INACTIVE, reported_at=timezone.now()
        )
        posting.reported_status = FeedStatus.INACTIVE
    follow = report.status != FeedStatus.INACTIVE and current.status == FeedStatus.TO_UNPOST
    new = take_down(posting=posting, report=follow)
    return new.pk if new is not None else None
