"""Reads about the feed sync."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from partner.postings.models import FeedPosting, SyncRun


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
