"""Board changes and the status reports they owe SmartRecruiters, written together.

Every function here changes the board through its services and writes the report it
owes SR in the same transaction (the outbox): a crash between the two is impossible,
and the relay sends the reports after the commit. Network calls never run inside a
transaction: offers are fetched before it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import OuterRef
from django.utils import timezone

from jobboard.board import selectors as board_selectors
from jobboard.board.services import (
    ListingData,
    ListingRejected,
    PublishOutcome,
    live_url,
    publish_listings,
    withdraw_listing,
)
from jobboard.bulk_insert import insert_new
from partner.postings.mapping import contract_from_offer, error_comment, listing_data
from partner.postings.models import (
    LISTING_SOURCE,
    FeedPosting,
    FeedStatus,
    PostingContract,
    StatusReport,
)
from partner.postings.pool import concurrently
from partner.smartrecruiters import feed
from partner.smartrecruiters.errors import SmartRecruitersError

logger = logging.getLogger(__name__)

OPEN_REPORT_STATES = (StatusReport.State.PENDING, StatusReport.State.SENDING)


@dataclass
class Counts:
    """What a pass did to the board."""

    published: int = 0
    withdrawn: int = 0
    rejected: int = 0
    skipped: int = 0


def has_open_report(posting: FeedPosting, status: str) -> bool:
    return posting.reports.filter(status=status, state__in=OPEN_REPORT_STATES).exists()


def _supersede_open_reports(posting: FeedPosting, *, keep_status: str) -> None:
    # A pending Active is pointless once the posting is toUnpost: SR would answer 400.
    posting.reports.filter(state=StatusReport.State.PENDING).exclude(status=keep_status).update(
        state=StatusReport.State.SUPERSEDED
    )


# ---------------------------------------------------------------------------
# Publishing
# ---------------------------------------------------------------------------
def _fetch_offer(posting: FeedPosting) -> feed.Offer | None:
    return feed.get_offer(posting.sr_id)


def _has_contract(posting: FeedPosting) -> bool:
    try:
        posting.contract  # noqa: B018 - the reverse one-to-one lookup is the test
    except PostingContract.DoesNotExist:
        return False
    return True


def publish_postings(
    postings: Sequence[FeedPosting], counts: Counts, *, pool: ThreadPoolExecutor | None = None
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
    fetched = concurrently(_fetch_offer, need_offer, pool=pool)
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
            contracts.append(contract_from_offer(fp, offer))
        ready.append(fp)
    if not ready:
        return []

    now = timezone.now()
    jobs: list[tuple[FeedPosting, ListingData | str]] = [(fp, _listing_data(fp)) for fp in ready]
    with transaction.atomic():
        if contracts:
            insert_new(contracts)
            for contract in contracts:
                contract.posting.contract = contract
        publishable = [(fp.sr_id, data) for fp, data in jobs if isinstance(data, ListingData)]
        # Every listing of the chunk in a few statements; each job's outcome comes back.
        outcomes = iter(publish_listings(source=LISTING_SOURCE, jobs=publishable))
        reports = [
            _report(fp, data if isinstance(data, str) else next(outcomes), now=now, counts=counts)
            for fp, data in jobs
        ]
        _record_outcomes(ready)
        insert_new(reports)
    return [r.pk for r in reports]


def _record_outcomes(postings: Sequence[FeedPosting]) -> None:
    """Save the postings' new state: the published ones in one UPDATE whatever their
    number (each finds its listing by key), the few rejected ones row by row in one
    statement. A bulk_update of a hundred rows builds three CASE expressions of a
    hundred branches each; the sync's own thread spent a quarter of its CPU there."""
    published = [fp.pk for fp in postings if fp.state == FeedPosting.State.PUBLISHED]
    others = [fp for fp in postings if fp.state != FeedPosting.State.PUBLISHED]
    if published:
        FeedPosting.objects.filter(pk__in=published).update(
            state=FeedPosting.State.PUBLISHED,
            last_error="",
            listing_id=board_selectors.listing_id_by_key(
                source=LISTING_SOURCE, external_id=OuterRef("sr_id")
            ),
        )
    if others:
        FeedPosting.objects.bulk_update(others, ["state", "listing", "last_error"])


def _listing_data(fp: FeedPosting) -> ListingData | str:
    """The board's data for a posting, or why there is none."""
    posting = feed.parse_posting(fp.raw)
    if posting is None:
        return "the posting has no id or uuid"
    if not posting.name.strip():
        return "the posting has no job title (name)"
    return listing_data(
        posting=posting,
        posting_period=fp.contract.posting_period,
        first_seen_at=fp.first_seen_at,
    )


def _report(
    fp: FeedPosting, outcome: PublishOutcome | str, *, now: datetime, counts: Counts
) -> StatusReport:
    """Record what publishing did to a posting; returns its unsaved report."""
    if isinstance(outcome, tuple):
        listing, url = outcome
        fp.state = FeedPosting.State.PUBLISHED
        fp.listing = listing
        fp.last_error = ""
        counts.published += 1
        return StatusReport(posting=fp, status=FeedStatus.ACTIVE, live_url=url, created_at=now)
    if isinstance(outcome, ListingRejected | str):
        reason = str(outcome)
    else:
        logger.error("posting %s could not be stored as a listing: %r", fp.sr_id, outcome)
        reason = f"its data could not be stored ({type(outcome).__name__})"
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
def reannounce(posting: FeedPosting) -> list[int]:
    """Owe SR ``Active`` again for a posting that is live with us but not with SR."""
    listing = board_selectors.live_listing(listing_id=posting.listing_id)
    if listing is None or has_open_report(posting, FeedStatus.ACTIVE):
        return []
    report = StatusReport.objects.create(
        posting=posting, status=FeedStatus.ACTIVE, live_url=live_url(listing)
    )
    return [report.pk]


# ---------------------------------------------------------------------------
# Taking down
# ---------------------------------------------------------------------------
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
    if posting.reported_status == FeedStatus.INACTIVE or has_open_report(
        posting, FeedStatus.INACTIVE
    ):
        return None
    return StatusReport.objects.create(posting=posting, status=FeedStatus.INACTIVE)


def _needs_take_down(fp: FeedPosting) -> bool:
    if fp.state != FeedPosting.State.WITHDRAWN:
        return True
    # Withdrawn already: only if the Inactive report was never written.
    return fp.reported_status != FeedStatus.INACTIVE and not has_open_report(
        fp, FeedStatus.INACTIVE
    )


def unpublish_postings(postings: Sequence[FeedPosting], counts: Counts) -> list[int]:
    """Take down toUnpost postings; returns the ids of the reports written."""
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
    closed = FeedPosting.objects.filter(state=FeedPosting.State.PUBLISHED).exclude(
        listing_id__in=board_selectors.live_listing_ids()
    )
    report_ids: list[int] = []
    # Called under the feed lock (sync pass, reconciliation): no concurrent writer.
    for fp in closed:
        report = take_down(posting=fp)
        if report is not None:
            report_ids.append(report.pk)
    return report_ids
