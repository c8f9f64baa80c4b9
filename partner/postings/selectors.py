"""Reads about the feed sync."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Min, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from jobboard.board import selectors as board_selectors
from partner.postings.models import FeedPosting, StatusReport, SyncRun

# job-board-api.md §2: without updatedAfter SR lists only postings created in the last
# 30 days, whatever the status filter. SR's number, not ours to configure.
SR_CREATION_WINDOW = timedelta(days=30)
# Margin under the oldest posting we must still hear about (clock skew, SR's rounding).
UPDATED_AFTER_MARGIN = timedelta(days=1)


def last_successful_sync() -> SyncRun | None:
    return (
        SyncRun.objects.filter(kind=SyncRun.Kind.SYNC, outcome=SyncRun.Outcome.SUCCEEDED)
        .order_by("-finished_at")
        .first()
    )


def feed_readiness() -> tuple[bool, dict[str, Any]]:
    """Readiness: the age of the last good pass; stale once one has ever succeeded.

    Before the first success we stay ready, so a fresh deployment can come up while
    SmartRecruiters is still being configured.
    """
    run = last_successful_sync()
    if run is None or run.finished_at is None:
        return True, {"last_success": None, "age_seconds": None}
    age: timedelta = timezone.now() - run.finished_at
    stale_after: timedelta = settings.FEED_STALE_AFTER
    return age <= stale_after, {
        "last_success": run.finished_at.isoformat(),
        "age_seconds": round(age.total_seconds(), 1),
        "stale_after_seconds": stale_after.total_seconds(),
    }


def listing_posting_uuid() -> Coalesce:
    """SmartRecruiters' posting UUID of each listing in a query of listings, as an annotation.

    The feed posting that produced a listing knows the UUID the Application API wants
    (the board's ``job_key`` is the board's own key); "" for a listing no feed posting
    produced.
    """
    uuids = FeedPosting.objects.filter(listing=OuterRef("pk")).order_by("-pk").values("uuid")
    return Coalesce(Subquery(uuids[:1]), Value(""))


def feed_updated_after(*, now: datetime | None = None) -> datetime:
    """The ``updatedAfter`` every pass sends (job-board-api.md §7).

    SR lists only postings *created after* ``updatedAfter`` (30 days back without it), so
    a posting we still show must fall inside: the earliest ``postedDate`` (or first-seen
    time) among live listings and postings with something unreported (not handled yet,
    or a status report still owed), less a day; never later than now - 30 days. A live
    posting created 45 days ago can then still reach us as ``toUnpost``.
    """
    now = now or timezone.now()
    latest = now - SR_CREATION_WINDOW
    still_ours = FeedPosting.objects.filter(
        Q(state=FeedPosting.State.PUBLISHED, listing_id__in=board_selectors.live_listing_ids())
        | Q(state=FeedPosting.State.NEW)
        | Q(
            pk__in=StatusReport.objects.filter(
                state__in=(StatusReport.State.PENDING, StatusReport.State.SENDING)
            ).values("posting_id")
        )
    )
    oldest = Min(Coalesce("posted_at", "first_seen_at"))
    earliest: datetime | None = still_ours.aggregate(earliest=oldest)["earliest"]
    if earliest is None:
        return latest
    return min(latest, earliest - UPDATED_AFTER_MARGIN)
