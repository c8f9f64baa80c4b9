"""The feed sync: SmartRecruiters postings in, board listings out, status reports back.

A pass (``run_sync_pass``) has two phases (style.md rule 8, "never prune on a partial
read"):

1. Collect: page through ``Pending`` and ``toUnpost``, upserting each page into
   ``FeedPosting`` rows stamped with this run. Any failed page aborts the pass before
   anything is published or taken down. Pages go to the database, not to memory, so a
   pass over 10,000 postings uses the memory of one chunk.
2. Act: for the postings this run saw, take down ``toUnpost`` ones first (a repost never
   leaves two live listings), then publish ``Pending`` ones, chunk by chunk
   (``partner.postings.publishing``); the relay sends each chunk's reports right after
   its commit (``partner.postings.relay``).

Also here: the daily reconciliation and the admin's "sync this posting again".
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from jobboard import outbox
from jobboard.board import selectors as board_selectors
from jobboard.bulk_insert import insert_new
from partner.postings import relay, selectors
from partner.postings.locks import SYNC_LOCK, HeldLock, exclusive
from partner.postings.models import FeedPosting, FeedStatus, StatusReport, SyncRun
from partner.postings.pool import http_pool
from partner.postings.publishing import (
    OPEN_REPORT_STATES,
    Counts,
    publish_postings,
    reannounce,
    report_closed_listings,
    take_down,
    unpublish_postings,
)
from partner.postings.relay import RelayResult
from partner.smartrecruiters import feed
from partner.smartrecruiters.errors import (
    AuthenticationError,
    NotFoundError,
    SmartRecruitersError,
)

logger = logging.getLogger(__name__)

SYNC_STATUSES = (FeedStatus.PENDING, FeedStatus.TO_UNPOST)
# SR statuses that mean "done with this posting" and "still wants it live".
CLOSED_STATUSES = (FeedStatus.TO_UNPOST, FeedStatus.INACTIVE)
OPEN_STATUSES = (FeedStatus.PENDING, FeedStatus.ERROR, FeedStatus.UNDER_POSTING)


@dataclass(frozen=True)
class SyncSummary:
    run_id: int | None
    # None when another pass held the lock and nothing ran.
    outcome: SyncRun.Outcome | None
    seen: int = 0
    published: int = 0
    withdrawn: int = 0
    rejected: int = 0
    skipped: int = 0
    reports_sent: int = 0
    reports_failed: int = 0
    error: str = ""

    @property
    def locked_out(self) -> bool:
        return self.outcome is None

    @property
    def ok(self) -> bool:
        return self.outcome == SyncRun.Outcome.SUCCEEDED

    def as_text(self) -> str:
        if self.locked_out:
            return "Another feed pass is running; nothing done."
        text = (
            f"Feed pass {self.run_id}: {self.outcome}. Seen {self.seen}, published "
            f"{self.published}, withdrawn {self.withdrawn}, rejected {self.rejected}, skipped "
            f"{self.skipped}; reports sent {self.reports_sent}, failed {self.reports_failed}."
        )
        if self.error:
            text += f" Error: {self.error}"
        return text


LOCKED_OUT = SyncSummary(run_id=None, outcome=None)


# ---------------------------------------------------------------------------
# Phase 1: collect
# ---------------------------------------------------------------------------
_SEEN_FIELDS = [
    "uuid",
    "name",
    "company_sr_id",
    "company_name",
    "raw",
    "sr_status",
    "posted_at",
    "last_seen_at",
    "last_seen_run",
]


def record_page(*, run: SyncRun | None, postings: Sequence[feed.Posting]) -> None:
    """Upsert one page of feed postings, stamped with ``run`` (3 queries per page)."""
    if not postings:
        return
    now = timezone.now()
    by_id = {p.id: p for p in postings}
    existing = {
        fp.sr_id: fp for fp in FeedPosting.objects.filter(sr_id__in=by_id).only("id", "sr_id")
    }
    new: list[FeedPosting] = []
    changed: list[FeedPosting] = []
    for sr_id, posting in by_id.items():
        fp = existing.get(sr_id) or FeedPosting(sr_id=sr_id, first_seen_at=now)
        fp.uuid = posting.uuid[:64]
        fp.name = posting.name[:300]
        fp.company_sr_id = posting.company.id[:40]
        fp.company_name = posting.company.label[:200]
        # creator is SR's user, personal data we neither publish nor need: not kept.
        fp.raw = {key: value for key, value in posting.raw.items() if key != "creator"}
        fp.sr_status = posting.status[:20]
        fp.posted_at = posting.posted_at
        fp.last_seen_at = now
        fp.last_seen_run = run
        (changed if fp.pk else new).append(fp)
    with transaction.atomic():
        if new:
            insert_new(new)
        if changed:
            FeedPosting.objects.bulk_update(changed, _SEEN_FIELDS)


def _collect(*, run: SyncRun, lock: HeldLock) -> int:
    seen = 0
    # Reaches back to the oldest posting we still show: without it SR would list only the
    # last 30 days, and an older live posting moved to toUnpost would stay up (§7).
    updated_after = selectors.feed_updated_after()
    for status in SYNC_STATUSES:
        for page in feed.iter_pages(statuses=[status], updated_after=updated_after):
            record_page(run=run, postings=page.postings)
            seen += len(page.postings)
            lock.renew()
    return seen


# ---------------------------------------------------------------------------
# Phase 2: act
# ---------------------------------------------------------------------------
def _chunks(queryset: QuerySet[FeedPosting], size: int) -> Iterator[list[FeedPosting]]:
    """Walk a queryset by primary key in chunks: bounded memory, no long cursor."""
    last_pk = 0
    while True:
        chunk = list(queryset.filter(pk__gt=last_pk).order_by("pk")[:size])
        if not chunk:
            return
        yield chunk
        last_pk = chunk[-1].pk


def _recover_dead_work() -> None:
    # Holding the lock proves no other pass or periodic relay is alive: a run still
    # "running" died, and so did whoever claimed a report still "sending" (no need to
    # wait for its lease to run out).
    SyncRun.objects.filter(outcome=SyncRun.Outcome.RUNNING).update(
        outcome=SyncRun.Outcome.ABANDONED, finished_at=timezone.now()
    )
    outbox.release_claims(StatusReport.objects.all())


def run_sync_pass() -> SyncSummary:
    """One full pass over the feed (``manage.py sync_feed``, task ``sync_feed``)."""
    with exclusive(SYNC_LOCK) as lock:
        if lock is None:
            logger.info("feed pass skipped: another pass holds the lock")
            return LOCKED_OUT
        _recover_dead_work()
        run = SyncRun.objects.create(kind=SyncRun.Kind.SYNC)
        return _run(run, lock)


def _run(run: SyncRun, lock: HeldLock) -> SyncSummary:
    counts, relayed = Counts(), RelayResult()
    try:
        run.seen = _collect(run=run, lock=lock)
    except SmartRecruitersError as exc:
        # A partial read: act on nothing, above all take nothing down.
        if isinstance(exc, AuthenticationError):
            # Contract §7: a 401 alerts the operator (error level reaches the alerting).
            logger.error("SmartRecruiters refused the partner key (%s): check the token", exc)
        logger.warning("feed pass %s aborted while listing the feed: %s", run.pk, exc)
        return _finish(run, counts, relayed, outcome=SyncRun.Outcome.FAILED, error=str(exc))

    chunk_size = int(settings.FEED_SYNC_CHUNK_SIZE)
    tried: set[int] = set()
    seen = FeedPosting.objects.filter(last_seen_run=run).select_related("contract")
    with http_pool() as pool:
        for chunk in _chunks(seen.filter(sr_status=FeedStatus.TO_UNPOST), chunk_size):
            ids = unpublish_postings(chunk, counts)
            relayed.add(relay.relay_reports(report_ids=ids, tried=tried, pool=pool))
            lock.renew()
        for chunk in _chunks(seen.filter(sr_status=FeedStatus.PENDING), chunk_size):
            ids = publish_postings(chunk, counts, pool=pool)
            # Sent before the next chunk: overlapping them did not pay (make bench).
            relayed.add(relay.relay_reports(report_ids=ids, tried=tried, pool=pool))
            lock.renew()

    # Listings the board expired since the last pass, and reports left by earlier runs.
    relayed.add(relay.relay_reports(report_ids=report_closed_listings(), tried=tried))
    relayed.add(relay.relay_reports(due_only=False, tried=tried))
    return _finish(run, counts, relayed, outcome=SyncRun.Outcome.SUCCEEDED)


def _finish(
    run: SyncRun,
    counts: Counts,
    relayed: RelayResult,
    *,
    outcome: SyncRun.Outcome,
    error: str = "",
) -> SyncSummary:
    run.finished_at = timezone.now()
    run.outcome = outcome
    run.published = counts.published
    run.withdrawn = counts.withdrawn
    run.rejected = counts.rejected
    run.skipped = counts.skipped
    run.reports_sent = relayed.sent
    run.reports_failed = relayed.failed
    run.error = error[:4000]
    run.save()
    summary = SyncSummary(
        run_id=run.pk,
        outcome=outcome,
        seen=run.seen,
        published=run.published,
        withdrawn=run.withdrawn,
        rejected=run.rejected,
        skipped=run.skipped,
        reports_sent=run.reports_sent,
        reports_failed=run.reports_failed,
        error=run.error,
    )
    logger.info("%s", summary.as_text())
    return summary


# ---------------------------------------------------------------------------
# One posting again (admin), reconciliation
# ---------------------------------------------------------------------------
def resync_posting(*, posting_id: int) -> str:
    """Read one posting from SR again and act on its current status; returns what happened.

    Raises ``SmartRecruitersError`` when SR cannot be read.
    """
    fp = FeedPosting.objects.select_related("contract").get(pk=posting_id)
    current = feed.get_posting(fp.sr_id)
    record_page(run=fp.last_seen_run, postings=[current])
    fp.refresh_from_db()
    counts = Counts()
    if current.status in CLOSED_STATUSES:
        ids = unpublish_postings([fp], counts)
    elif current.status in OPEN_STATUSES:
        if fp.state in (FeedPosting.State.REJECTED, FeedPosting.State.NEW):
            FeedPosting.objects.filter(pk=fp.pk).update(state=FeedPosting.State.NEW)
            fp.state = FeedPosting.State.NEW
            ids = publish_postings([fp], counts)
        else:
            ids = reannounce(fp)
    else:
        return f"SmartRecruiters says {current.status}; nothing to do"
    relay.relay_reports(report_ids=ids)
    fp.refresh_from_db()
    return f"SmartRecruiters says {current.status}; posting is now {fp.get_state_display()}"


def reconcile_feed() -> SyncSummary:
    """Daily: compare our live listings with the postings SR lists as ``Active``.

    - live with us, not Active at SR: read the posting; take it down if SR is done with
      it, otherwise report Active again;
    - Active at SR, not live with us: take down and report Inactive if we closed it,
      or publish it when we have never seen it.
    """
    with exclusive(SYNC_LOCK) as lock:
        if lock is None:
            return LOCKED_OUT
        run = SyncRun.objects.create(kind=SyncRun.Kind.RECONCILE)
        counts = Counts()
        active: set[str] = set()
        try:
            # As every pass: back to the oldest posting we still show (§7).
            updated_after = selectors.feed_updated_after()
            for page in feed.iter_pages(statuses=[FeedStatus.ACTIVE], updated_after=updated_after):
                record_page(run=run, postings=page.postings)
                active.update(p.id for p in page.postings)
                lock.renew()
        except SmartRecruitersError as exc:
            return _finish(
                run, counts, RelayResult(), outcome=SyncRun.Outcome.FAILED, error=str(exc)
            )
        run.seen = len(active)
        live_ids, report_ids = _reconcile_live(active, counts)
        report_ids += _reconcile_missing(active - live_ids, counts)
        relayed = relay.relay_reports(report_ids=report_ids)
        return _finish(run, counts, relayed, outcome=SyncRun.Outcome.SUCCEEDED)


def _reconcile_live(active: set[str], counts: Counts) -> tuple[set[str], list[int]]:
    """Our live postings SR does not list as Active; returns their ids and the reports."""
    ours = FeedPosting.objects.filter(
        state=FeedPosting.State.PUBLISHED, listing_id__in=board_selectors.live_listing_ids()
    ).select_related("contract")
    live_ids: set[str] = set()
    report_ids: list[int] = []
    for fp in ours.iterator(chunk_size=500):
        live_ids.add(fp.sr_id)
        if fp.sr_id in active or fp.reports.filter(state__in=OPEN_REPORT_STATES).exists():
            continue
        try:
            current = feed.get_posting(fp.sr_id)
        except NotFoundError:
            take_down(posting=fp, report=False)
            counts.withdrawn += 1
            continue
        except SmartRecruitersError as exc:
            fp.last_error = f"reconcile: {exc}"[:2000]
            fp.save(update_fields=["last_error"])
            continue
        if current.status in CLOSED_STATUSES:
            report = take_down(posting=fp, report=current.status == FeedStatus.TO_UNPOST)
            counts.withdrawn += 1
            report_ids += [report.pk] if report else []
        elif current.status in OPEN_STATUSES:
            report_ids += reannounce(fp)
    return live_ids, report_ids


def _reconcile_missing(missing: set[str], counts: Counts) -> list[int]:
    """Postings SR lists as Active that are not live with us; returns the reports."""
    report_ids: list[int] = []
    for fp in FeedPosting.objects.filter(sr_id__in=missing).select_related("contract"):
        if fp.state == FeedPosting.State.NEW:
            report_ids += publish_postings([fp], counts)
        elif fp.state in (FeedPosting.State.PUBLISHED, FeedPosting.State.WITHDRAWN):
            # We closed it but SR still shows it live: say Inactive again.
            FeedPosting.objects.filter(pk=fp.pk).update(reported_status="")
            fp.reported_status = ""
            report = take_down(posting=fp)
            counts.withdrawn += 1
            report_ids += [report.pk] if report else []
    return report_ids
