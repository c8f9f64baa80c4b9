"""Reads about the feed sync."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from partner.postings.models import SyncRun


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
