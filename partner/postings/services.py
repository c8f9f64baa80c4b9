"""The feed sync: SmartRecruiters postings in, board listings out, status reports back.

A pass (``run_sync_pass``) has two phases (style.md rule 8, "never prune on a partial
read"):

1. Collect: page through ``Pending`` and ``toUnpost``, upserting each page into
   ``FeedPosting`` rows stamped with this run. Any failed page aborts the pass before
   anything is published or taken down. Pages go to the database, not to memory, so a
   pass over 10,000 postings uses the memory of one chunk.
2. Act: for the postings this run saw, take down ``toUnpost`` ones first (a repost never
   leaves two live listings), then publish ``Pending`` ones. Each board change and the
   status report it owes SmartRecruiters are written in one transaction (the outbox);
   the relay sends the reports right after the commit.

Network calls never run inside a transaction: offers are fetched before, PUTs after.
HTTP runs on a small thread pool (the transport's throttle caps it); the database is
used from the calling thread only.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar
from urllib.parse import urlsplit

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone

from jobboard.board.models import Listing
from jobboard.board.services import ListingData, ListingRejected, publish_listing, withdraw_listing
from partner.postings.locks import HeldLock, exclusive
from partner.postings.models import (
    LISTING_SOURCE,
    FeedPosting,
    FeedStatus,
    PostingContract,
    StatusReport,
    SyncRun,
)
from partner.smartrecruiters import feed
from partner.smartrecruiters.errors import (
    AuthenticationError,
    BadRequestError,
    NotFoundError,
    SmartRecruitersError,
)

logger = logging.getLogger(__name__)

SYNC_LOCK = "feed-sync"
SYNC_STATUSES = (FeedStatus.PENDING, FeedStatus.TO_UNPOST)
OPEN_REPORT_STATES = (StatusReport.State.PENDING, StatusReport.State.SENDING)

T = TypeVar("T")
R = TypeVar("R")


def _setting(name: str, default: Any) -> Any:
    return getattr(settings, name, default)


# ---------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------
@dataclass
class RelayResult:
    sent: int = 0
    failed: int = 0
    retried: int = 0


@dataclass
class SyncSummary:
    run_id: int | None
    outcome: str
    seen: int = 0
    published: int = 0
    withdrawn: int = 0
    rejected: int = 0
    skipped: int = 0
    reports_sent: int = 0
    reports_failed: int = 0
    error: str = ""
    locked_out: bool = False

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


@dataclass
class _Counts:
    published: int = 0
    withdrawn: int = 0
    rejected: int = 0
    skipped: int = 0
    relay: RelayResult = field(default_factory=RelayResult)


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------
def _guarded(fn: Callable[[T], R], item: T) -> R | SmartRecruitersError:
    try:
        return fn(item)
    except SmartRecruitersError as exc:
        return exc


def http_pool() -> ThreadPoolExecutor:
    """Threads for HTTP only (never the database); the transport's throttle sets the pace."""
    workers = max(1, int(settings.SMARTRECRUITERS_MAX_IN_FLIGHT))
    return ThreadPoolExecutor(max_workers=workers, thread_name_prefix="sr-feed")


def _concurrently(
    fn: Callable[[T], R], items: Sequence[T], *, pool: ThreadPoolExecutor | None = None
) -> list[R | SmartRecruitersError]:
    """Run ``fn`` over ``items`` on the HTTP threads; SmartRecruiters errors are returned."""
    if pool is not None:
        futures = [pool.submit(_guarded, fn, item) for item in items]
        return [future.result() for future in futures]
    if len(items) <= 1:
        return [_guarded(fn, item) for item in items]
    with http_pool() as own:
        return _concurrently(fn, items, pool=own)


def _chunks(queryset: Any, size: int) -> Iterable[list[Any]]:
    """Walk a queryset by primary key in chunks: bounded memory, no long cursor."""
    last_pk = 0
    while True:
        chunk = list(queryset.filter(pk__gt=last_pk).order_by("pk")[:size])
        if not chunk:
            return
        yield chunk
        last_pk = chunk[-1].pk


def error_comment(*, posting_id: str, reason: str) -> str:
    """The comment sent with an Error report, from a template (read by SR Support)."""
    text = render_to_string(
        "postings/error_comment.txt",
        {"site_name": settings.SITE_NAME, "posting_id": posting_id, "reason": reason.rstrip(".")},
    )
    return " ".join(text.split())[:1000]


def _http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme in {"http", "https"} and parts.netloc and len(value) <= 500:
        return value
    return ""


def _coordinate(value: Decimal | None, limit: int) -> Decimal | None:
    if value is None or abs(value) > limit:
        return None
    return value.quantize(Decimal("0.000001"))


def listing_data(
    *, posting: feed.Posting, posting_period: int, first_seen_at: datetime
) -> ListingData:
    """The board's view of a feed posting. ``creator`` is personal data: never published."""
    posted_at = posting.posted_at or first_seen_at
    comp = posting.compensation
    period = comp.period if comp.period in Listing.CompensationPeriod.values else ""
    if comp.period and not period:
        logger.info("posting %s: compensation period %r ignored", posting.id, comp.period)
    return ListingData(
        title=posting.name,
        # Company is optional in the contract; a job without one is still a job.
        company_name=posting.company.label or _setting("FEED_UNKNOWN_COMPANY", "Undisclosed"),
        company_key=posting.company.id,
        posted_at=posted_at,
        job_key=posting.uuid,
        reference=posting.ref_number[:100],
        valid_through=posted_at + timedelta(days=posting_period),
        city=posting.location.city[:120],
        region=posting.location.region[:120],
        region_code=posting.location.region_code[:20],
        country=posting.location.country[:120],
        country_code=posting.location.country_code,
        latitude=_coordinate(posting.location.latitude, 90),
        longitude=_coordinate(posting.location.longitude, 180),
        remote=posting.location.remote,
        function=posting.function.label[:120],
        function_code=posting.function.id[:80],
        industry=posting.industry.label[:120],
        industry_code=posting.industry.id[:80],
        experience_level=posting.experience_level.label[:120],
        experience_level_code=posting.experience_level.id[:80],
        employment_type=posting.type_of_employment.label[:120],
        employment_type_code=posting.type_of_employment.id[:80],
        salary_min=comp.min,
        salary_max=comp.max,
        salary_currency=comp.currency if len(comp.currency) == 3 else "",
        salary_period=period,
        company_description=posting.job_ad.company_description,
        job_description=posting.job_ad.job_description,
        qualifications=posting.job_ad.qualifications,
        additional_information=posting.job_ad.additional_information,
        video_url=_http_url(posting.job_ad.video_url),
        apply_url=_http_url(posting.apply_url),
    )


def _has_open_report(posting: FeedPosting, status: str) -> bool:
    return posting.reports.filter(status=status, state__in=OPEN_REPORT_STATES).exists()


def _supersede_open_reports(posting: FeedPosting, *, keep_status: str) -> None:
    # A pending Active is pointless once the posting is toUnpost: SR would answer 400.
    posting.reports.filter(state=StatusReport.State.PENDING).exclude(status=keep_status).update(
        state=StatusReport.State.SUPERSEDED
    )


def enqueue_relay() -> None:
    """After commit: ask a worker to drain the outbox now (the beat sweeps it anyway)."""
    from partner.postings.tasks import relay_status_reports

    try:
        relay_status_reports.delay()
    except Exception:  # a broker hiccup must not fail the write; the beat relay re-drives
        logger.warning("could not enqueue the status report relay; the periodic relay will")


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
            FeedPosting.objects.bulk_create(new)
        if changed:
            FeedPosting.objects.bulk_update(changed, _SEEN_FIELDS)


def _collect(*, run: SyncRun, lock: HeldLock) -> int:
    seen = 0
    for status in SYNC_STATUSES:
        for page in feed.iter_pages(statuses=[status]):
            record_page(run=run, postings=page.postings)
            seen += len(page.postings)
            lock.renew()
    return seen


# ---------------------------------------------------------------------------
# Phase 2: act
# ---------------------------------------------------------------------------
def _fetch_offer(posting: FeedPosting) -> feed.Offer | None:
    return feed.get_offer(posting.sr_id)


def _has_contract(posting: FeedPosting) -> bool:
    try:
        posting.contract  # noqa: B018 - the reverse one-to-one lookup is the test
    except PostingContract.DoesNotExist:
        return False
    return True


def _contract_from_offer(posting: FeedPosting, offer: feed.Offer | None) -> PostingContract:
    contract = PostingContract(posting=posting)
    if offer is not None:
        contract.offer_id = offer.id[:64]
        contract.offer_name = offer.name[:200]
        contract.price_amount = offer.price.amount
        contract.price_currency = offer.price.currency_code[:3]
        contract.posting_period = offer.posting_period
        contract.raw = offer.raw
        if offer.existing_contract is not None:
            contract.existing_login = offer.existing_contract.login
            contract.existing_password = offer.existing_contract.password
    return contract


def publish_postings(
    postings: Sequence[FeedPosting], counts: _Counts, *, pool: ThreadPoolExecutor | None = None
) -> list[int]:
    """Publish new Pending postings; returns the ids of the reports written.

    Offers are fetched first (network, concurrently, outside any transaction); then one
    transaction writes the contracts, the listings and the reports.
    """
    todo = [fp for fp in postings if fp.state == FeedPosting.State.NEW]
    counts.skipped += len(postings) - len(todo)
    if not todo:
        return []
    need_offer = [fp for fp in todo if not _has_contract(fp)]
    fetched = _concurrently(_fetch_offer, need_offer, pool=pool)
    offers = dict(zip((fp.pk for fp in need_offer), fetched, strict=True))

    ready: list[FeedPosting] = []
    contracts: list[PostingContract] = []
    for fp in todo:
        offer = offers.get(fp.pk)
        if isinstance(offer, SmartRecruitersError):
            # Transient or not, the posting stays new: the next pass fetches it again.
            fp.last_error = f"offer not read: {offer}"[:2000]
            FeedPosting.objects.filter(pk=fp.pk).update(last_error=fp.last_error)
            counts.skipped += 1
            continue
        if fp.pk in offers:
            contracts.append(_contract_from_offer(fp, offer))
        ready.append(fp)
    if not ready:
        return []

    reports: list[StatusReport] = []
    now = timezone.now()
    with transaction.atomic():
        if contracts:
            PostingContract.objects.bulk_create(contracts)
            for contract in contracts:
                contract.posting.contract = contract
        for fp in ready:
            reports.append(_publish_one(fp, now=now, counts=counts))
        FeedPosting.objects.bulk_update(ready, ["state", "listing", "last_error"])
        StatusReport.objects.bulk_create(reports)
    return [r.pk for r in reports]


def _publish_one(fp: FeedPosting, *, now: datetime, counts: _Counts) -> StatusReport:
    """Publish one posting inside the caller's transaction; returns its unsaved report."""
    posting = feed.parse_posting(fp.raw)
    reason = ""
    if posting is None:
        reason = "the posting has no id or uuid"
    elif not posting.name.strip():
        reason = "the posting has no job title (name)"
    if posting is not None and not reason:
        data = listing_data(
            posting=posting,
            posting_period=fp.contract.posting_period,
            first_seen_at=fp.first_seen_at,
        )
        try:
            # publish_listing runs in its own savepoint: a failure leaves our
            # transaction usable for the postings after this one.
            listing, url = publish_listing(source=LISTING_SOURCE, external_id=fp.sr_id, data=data)
        except ListingRejected as exc:
            reason = str(exc)
        except (DatabaseError, ArithmeticError, ValueError) as exc:
            logger.exception("posting %s could not be stored as a listing", fp.sr_id)
            reason = f"its data could not be stored ({type(exc).__name__})"
        else:
            fp.state = FeedPosting.State.PUBLISHED
            fp.listing = listing
            fp.last_error = ""
            counts.published += 1
            return StatusReport(posting=fp, status=FeedStatus.ACTIVE, live_url=url, created_at=now)
    fp.state = FeedPosting.State.REJECTED
    fp.last_error = reason
    counts.rejected += 1
    logger.warning("posting %s rejected: %s", fp.sr_id, reason)
    return StatusReport(
        posting=fp,
        status=FeedStatus.ERROR,
        comment=error_comment(posting_id=fp.sr_id, reason=reason),
        created_at=now,
    )


@transaction.atomic
def take_down(*, posting: FeedPosting, report: bool = True) -> StatusReport | None:
    """Withdraw the posting's listing (even one never published) and owe SR ``Inactive``.

    Returns the new report, or None when one is already owed or was sent.
    """
    withdraw_listing(source=LISTING_SOURCE, external_id=posting.sr_id)
    FeedPosting.objects.filter(pk=posting.pk).update(state=FeedPosting.State.WITHDRAWN)
    posting.state = FeedPosting.State.WITHDRAWN
    _supersede_open_reports(posting, keep_status=FeedStatus.INACTIVE)
    if not report:
        return None
    if posting.reported_status == FeedStatus.INACTIVE or _has_open_report(
        posting, FeedStatus.INACTIVE
    ):
        return None
    return StatusReport.objects.create(posting=posting, status=FeedStatus.INACTIVE)


def _needs_take_down(fp: FeedPosting) -> bool:
    if fp.state != FeedPosting.State.WITHDRAWN:
        return True
    # Withdrawn already: only if the Inactive report was never written.
    return fp.reported_status != FeedStatus.INACTIVE and not _has_open_report(
        fp, FeedStatus.INACTIVE
    )


def unpublish_postings(postings: Sequence[FeedPosting], counts: _Counts) -> list[int]:
    report_ids: list[int] = []
    for fp in postings:
        if not _needs_take_down(fp):
            counts.skipped += 1
            continue
        report = take_down(posting=fp)
        counts.withdrawn += 1
        if report is not None:
            report_ids.append(report.pk)
    return report_ids


def report_closed_listings() -> list[int]:
    """Owe SR ``Inactive`` for postings whose listing the board closed (expiry, staff).

    The board knows nothing of SmartRecruiters, so the partner checks its own postings.
    """
    closed = FeedPosting.objects.filter(state=FeedPosting.State.PUBLISHED).filter(
        Q(listing__isnull=True) | ~Q(listing__state=Listing.State.LIVE)
    )
    report_ids: list[int] = []
    # Called under the feed lock (sync pass, reconciliation): no concurrent writer.
    for fp in closed:
        report = take_down(posting=fp)
        if report is not None:
            report_ids.append(report.pk)
    return report_ids


# ---------------------------------------------------------------------------
# The pass
# ---------------------------------------------------------------------------
def _recover_dead_work() -> None:
    # Holding the lock proves no other pass or periodic relay is alive: a run still
    # "running" died, and so did whoever claimed a report still "sending".
    SyncRun.objects.filter(outcome=SyncRun.Outcome.RUNNING).update(
        outcome=SyncRun.Outcome.ABANDONED, finished_at=timezone.now()
    )
    StatusReport.objects.filter(state=StatusReport.State.SENDING).update(
        state=StatusReport.State.PENDING
    )


def run_sync_pass() -> SyncSummary:
    """One full pass over the feed (``manage.py sync_feed``, task ``sync_feed``)."""
    with exclusive(SYNC_LOCK) as lock:
        if lock is None:
            logger.info("feed pass skipped: another pass holds the lock")
            return SyncSummary(run_id=None, outcome="skipped", locked_out=True)
        _recover_dead_work()
        run = SyncRun.objects.create(kind=SyncRun.Kind.SYNC)
        return _run(run, lock)


def _run(run: SyncRun, lock: HeldLock) -> SyncSummary:
    counts = _Counts()
    try:
        run.seen = _collect(run=run, lock=lock)
    except SmartRecruitersError as exc:
        # A partial read: act on nothing, above all take nothing down.
        if isinstance(exc, AuthenticationError):
            # Contract §7: a 401 alerts the operator (error level reaches the alerting).
            logger.error("SmartRecruiters refused the partner key (%s): check the token", exc)
        logger.warning("feed pass %s aborted while listing the feed: %s", run.pk, exc)
        return _finish(run, counts, outcome=SyncRun.Outcome.FAILED, error=str(exc))

    chunk_size = int(_setting("FEED_SYNC_CHUNK_SIZE", 50))
    tried: set[int] = set()
    seen = FeedPosting.objects.filter(last_seen_run=run).select_related("contract")
    with http_pool() as pool:
        for chunk in _chunks(seen.filter(sr_status=FeedStatus.TO_UNPOST), chunk_size):
            ids = unpublish_postings(chunk, counts)
            _add(counts.relay, relay_reports(report_ids=ids, tried=tried, pool=pool))
            lock.renew()
        # A two-stage pipeline: the PUTs of one chunk fly while the next chunk's offers
        # are fetched and its listings written, so HTTP and database work overlap.
        in_flight: _InFlight | None = None
        for chunk in _chunks(seen.filter(sr_status=FeedStatus.PENDING), chunk_size):
            ids = publish_postings(chunk, counts, pool=pool)
            if in_flight is not None:
                _finish_relay(in_flight, counts.relay, tried=tried, pool=pool)
            in_flight = _start_relay(ids, tried=tried, pool=pool)
            lock.renew()
        if in_flight is not None:
            _finish_relay(in_flight, counts.relay, tried=tried, pool=pool)

    # Listings the board expired since the last pass, and reports left by earlier runs.
    _add(counts.relay, relay_reports(report_ids=report_closed_listings(), tried=tried))
    _add(counts.relay, relay_reports(due_only=False, tried=tried))
    return _finish(run, counts, outcome=SyncRun.Outcome.SUCCEEDED)


def _add(total: RelayResult, part: RelayResult) -> None:
    total.sent += part.sent
    total.failed += part.failed
    total.retried += part.retried


def _finish(run: SyncRun, counts: _Counts, *, outcome: str, error: str = "") -> SyncSummary:
    run.finished_at = timezone.now()
    run.outcome = outcome
    run.published = counts.published
    run.withdrawn = counts.withdrawn
    run.rejected = counts.rejected
    run.skipped = counts.skipped
    run.reports_sent = counts.relay.sent
    run.reports_failed = counts.relay.failed
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
# The outbox relay
# ---------------------------------------------------------------------------
def _retry_delay(attempts: int) -> timedelta:
    base = float(_setting("FEED_REPORT_RETRY_BASE", 60))
    return timedelta(seconds=min(3600.0, base * 2 ** max(0, attempts - 1)))


def _claim(
    ids: Sequence[int] | None, *, due_only: bool, limit: int, tried: set[int]
) -> list[StatusReport]:
    """Claim up to ``limit`` pending reports (conditional UPDATE; safe against a
    concurrent relay: a row is claimed by whoever flips it from pending)."""
    now = timezone.now()
    # Reports claimed by a relay that died mid-send go back to the queue.
    stale = now - timedelta(seconds=int(_setting("FEED_REPORT_CLAIM_TIMEOUT", 600)))
    StatusReport.objects.filter(state=StatusReport.State.SENDING, claimed_at__lt=stale).update(
        state=StatusReport.State.PENDING
    )
    candidates = StatusReport.objects.filter(state=StatusReport.State.PENDING)
    if ids is not None:
        candidates = candidates.filter(pk__in=ids)
    if due_only:
        candidates = candidates.filter(next_attempt_at__lte=now)
    if tried:
        # One try per report per relay call: an outage must not spin this loop.
        candidates = candidates.exclude(pk__in=tried)
    wanted = list(candidates.order_by("pk").values_list("pk", flat=True)[:limit])
    if not wanted:
        return []
    # The claim stamp identifies our rows even if another relay raced us for some.
    StatusReport.objects.filter(pk__in=wanted, state=StatusReport.State.PENDING).update(
        state=StatusReport.State.SENDING, claimed_at=now
    )
    return list(
        StatusReport.objects.filter(
            pk__in=wanted, state=StatusReport.State.SENDING, claimed_at=now
        ).select_related("posting")
    )


def _send(report: StatusReport) -> None:
    feed.update_status(
        report.posting.sr_id,
        status=report.status,
        live_url=report.live_url,
        comment=report.comment,
    )


@dataclass
class _InFlight:
    claimed: list[StatusReport]
    futures: list[Future[SmartRecruitersError | None]]


def _start_relay(
    ids: Sequence[int], *, tried: set[int], pool: ThreadPoolExecutor
) -> _InFlight | None:
    """Claim ``ids`` and start their PUTs on ``pool`` without waiting for them."""
    claimed = _claim(ids, due_only=False, limit=max(1, len(ids)), tried=tried) if ids else []
    if not claimed:
        return None
    tried.update(r.pk for r in claimed)
    return _InFlight(claimed, [pool.submit(_guarded, _send, report) for report in claimed])


def _finish_relay(
    in_flight: _InFlight, result: RelayResult, *, tried: set[int], pool: ThreadPoolExecutor
) -> None:
    outcomes = [future.result() for future in in_flight.futures]
    follow_ups = _record_outcomes(in_flight.claimed, outcomes, result)
    if follow_ups:
        _add(result, relay_reports(report_ids=follow_ups, tried=tried, pool=pool))


def _record_outcomes(
    claimed: Sequence[StatusReport],
    outcomes: Sequence[SmartRecruitersError | None],
    result: RelayResult,
) -> list[int]:
    """Record what each PUT did; returns the ids of follow-up reports (§7)."""
    sent: list[StatusReport] = []
    follow_ups: list[int] = []
    for report, outcome in zip(claimed, outcomes, strict=True):
        if isinstance(outcome, SmartRecruitersError):
            follow_up = _record_failure(report, outcome, result)
            if follow_up is not None:
                follow_ups.append(follow_up)
        else:
            sent.append(report)
    _record_sent(sent)
    result.sent += len(sent)
    return follow_ups


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
    of one pass, so an outage ends the relay instead of spinning it.
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
        tried.update(r.pk for r in claimed)
        outcomes = _concurrently(_send, claimed, pool=pool)
        follow_ups = _record_outcomes(claimed, outcomes, result)
        if ids is not None:
            ids.extend(follow_ups)
            done = {r.pk for r in claimed}
            ids = [i for i in ids if i not in done]
            if not ids:
                return result


def _record_sent(reports: Sequence[StatusReport]) -> None:
    if not reports:
        return
    now = timezone.now()
    with transaction.atomic():
        StatusReport.objects.filter(pk__in=[r.pk for r in reports]).update(
            state=StatusReport.State.SENT, sent_at=now, last_error="", attempts=F("attempts") + 1
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
    report.attempts += 1
    report.last_error = str(error)[:2000]
    if isinstance(error, BadRequestError):
        return _follow_rejected(report, error, result)
    if error.permanent:
        _fail(report, result)
        if isinstance(error, NotFoundError):
            FeedPosting.objects.filter(pk=report.posting_id).update(
                last_error=f"{report.status} report failed: posting not found at SmartRecruiters"
            )
        return None
    if report.attempts >= int(_setting("FEED_REPORT_MAX_ATTEMPTS", 12)):
        _fail(report, result)
        return None
    report.state = StatusReport.State.PENDING
    report.next_attempt_at = timezone.now() + _retry_delay(report.attempts)
    report.save(update_fields=["state", "attempts", "last_error", "next_attempt_at"])
    result.retried += 1
    return None


def _fail(report: StatusReport, result: RelayResult) -> None:
    report.state = StatusReport.State.FAILED
    report.save(update_fields=["state", "attempts", "last_error"])
    FeedPosting.objects.filter(pk=report.posting_id).update(
        last_error=f"{report.status} report failed: {report.last_error}"[:2000]
    )
    result.failed += 1
    logger.warning("status report %s failed for good: %s", report.pk, report.last_error)


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
        report.last_error = f"{report.last_error}; current status not read: {exc}"[:2000]
        _fail(report, result)
        return None
    posting = report.posting
    FeedPosting.objects.filter(pk=posting.pk).update(sr_status=current.status[:20])
    if current.status == report.status:
        # SR already has what we asked for (e.g. a retried PUT after a lost response).
        _record_sent([report])
        result.sent += 1
        return None
    reason = f"rejected ({error.code or error.status}): {error.message}"
    report.last_error = f"{reason}; SmartRecruiters status is {current.status}"[:2000]
    _fail(report, result)
    if current.status in (FeedStatus.TO_UNPOST, FeedStatus.INACTIVE):
        if current.status == FeedStatus.INACTIVE:
            FeedPosting.objects.filter(pk=posting.pk).update(
                reported_status=FeedStatus.INACTIVE, reported_at=timezone.now()
            )
            posting.reported_status = FeedStatus.INACTIVE
        follow = report.status != FeedStatus.INACTIVE and current.status == FeedStatus.TO_UNPOST
        new = take_down(posting=posting, report=follow)
        return new.pk if new is not None else None
    return None


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
    count = StatusReport.objects.filter(
        pk__in=list(report_ids), state=StatusReport.State.FAILED
    ).update(state=StatusReport.State.PENDING, attempts=0, next_attempt_at=timezone.now())
    if count:
        transaction.on_commit(enqueue_relay)
    return count


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
    counts = _Counts()
    if current.status in (FeedStatus.TO_UNPOST, FeedStatus.INACTIVE):
        ids = unpublish_postings([fp], counts)
    elif current.status in (FeedStatus.PENDING, FeedStatus.ERROR, FeedStatus.UNDER_POSTING):
        if fp.state in (FeedPosting.State.REJECTED, FeedPosting.State.NEW):
            FeedPosting.objects.filter(pk=fp.pk).update(state=FeedPosting.State.NEW)
            fp.state = FeedPosting.State.NEW
            ids = publish_postings([fp], counts)
        else:
            ids = _reannounce(fp)
    else:
        return f"SmartRecruiters says {current.status}; nothing to do"
    relay_reports(report_ids=ids)
    fp.refresh_from_db()
    return f"SmartRecruiters says {current.status}; posting is now {fp.get_state_display()}"


@transaction.atomic
def _reannounce(fp: FeedPosting) -> list[int]:
    """Owe SR ``Active`` again for a posting that is live with us but not with SR."""
    if fp.listing is None or fp.listing.state != Listing.State.LIVE:
        return []
    if _has_open_report(fp, FeedStatus.ACTIVE):
        return []
    from jobboard.board.services import live_url

    report = StatusReport.objects.create(
        posting=fp, status=FeedStatus.ACTIVE, live_url=live_url(fp.listing)
    )
    return [report.pk]


def reconcile_feed() -> SyncSummary:
    """Daily: compare our live listings with the postings SR lists as ``Active``.

    - live with us, not Active at SR: read the posting; take it down if SR is done with
      it, otherwise report Active again;
    - Active at SR, not live with us: take down and report Inactive if we closed it,
      or publish it when we have never seen it.
    """
    with exclusive(SYNC_LOCK) as lock:
        if lock is None:
            return SyncSummary(run_id=None, outcome="skipped", locked_out=True)
        run = SyncRun.objects.create(kind=SyncRun.Kind.RECONCILE)
        counts = _Counts()
        active: set[str] = set()
        try:
            for page in feed.iter_pages(statuses=[FeedStatus.ACTIVE]):
                record_page(run=run, postings=page.postings)
                active.update(p.id for p in page.postings)
                lock.renew()
        except SmartRecruitersError as exc:
            return _finish(run, counts, outcome=SyncRun.Outcome.FAILED, error=str(exc))
        run.seen = len(active)
        report_ids: list[int] = []

        ours = FeedPosting.objects.filter(
            state=FeedPosting.State.PUBLISHED, listing__state=Listing.State.LIVE
        ).select_related("listing", "contract")
        live_ids: set[str] = set()
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
            if current.status in (FeedStatus.TO_UNPOST, FeedStatus.INACTIVE):
                report = take_down(posting=fp, report=current.status == FeedStatus.TO_UNPOST)
                counts.withdrawn += 1
                report_ids += [report.pk] if report else []
            elif current.status in (FeedStatus.PENDING, FeedStatus.ERROR, FeedStatus.UNDER_POSTING):
                report_ids += _reannounce(fp)

        missing = active - live_ids
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
        _add(counts.relay, relay_reports(report_ids=report_ids))
        return _finish(run, counts, outcome=SyncRun.Outcome.SUCCEEDED)
