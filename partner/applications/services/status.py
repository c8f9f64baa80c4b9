"""SmartRecruiters' status of sent applications: read for the candidate's page, and polled.

Only SmartRecruiters' users change a status; we read it (application-api.md §5), cache it
for the status page and keep the last known value for when SmartRecruiters is down.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import F, Q
from django.utils import timezone

from partner.applications.models import Application
from partner.smartrecruiters import applications as sr
from partner.smartrecruiters.errors import SmartRecruitersError, TransientError

logger = logging.getLogger(__name__)


def status_cache_key(application_id: int) -> str:
    return f"application-status:{application_id}"


def status_refresh(*, application_id: int, now: datetime | None = None) -> str | None:
    """Read SmartRecruiters' status for a sent application and keep it; None if unknown."""
    application = Application.objects.filter(
        pk=application_id, state=Application.State.SENT, erased_at__isnull=True
    ).first()
    if application is None or not application.candidate_id:
        return None
    status = sr.get_status(application.posting_uuid, application.candidate_id, max_retries=0)
    Application.objects.filter(pk=application_id).update(
        sr_status=status[:40], sr_status_checked_at=now or timezone.now()
    )
    cache.set(
        status_cache_key(application_id), status, timeout=settings.APPLICATION_STATUS_CACHE_SECONDS
    )
    return status


def status_for_page(*, application: Application) -> str:
    """SR's status for the status page: cached 10 minutes, last known value on errors."""
    if application.state != Application.State.SENT or application.is_erased:
        return ""
    cached: str | None = cache.get(status_cache_key(application.pk))
    if cached is not None:
        return cached
    try:
        return status_refresh(application_id=application.pk) or application.sr_status
    except SmartRecruitersError as exc:
        logger.info(
            "application %s: status unavailable (%s)", application.pk, exc.__class__.__name__
        )
        return application.sr_status


def statuses_poll(*, now: datetime | None = None, limit: int = 500) -> dict[str, int]:
    """Refresh statuses of sent applications younger than the limit, oldest check first."""
    now = now or timezone.now()
    recent = now - timedelta(days=settings.APPLICATION_STATUS_MAX_AGE_DAYS)
    checked_before = now - timedelta(seconds=settings.APPLICATION_STATUS_POLL_INTERVAL * 0.9)
    ids = list(
        Application.objects.filter(
            state=Application.State.SENT, erased_at__isnull=True, sent_at__gte=recent
        )
        .filter(Q(sr_status_checked_at__isnull=True) | Q(sr_status_checked_at__lt=checked_before))
        .order_by(F("sr_status_checked_at").asc(nulls_first=True), "id")
        .values_list("id", flat=True)[:limit]
    )
    counts = {"checked": 0, "errors": 0}
    for application_id in ids:
        try:
            status_refresh(application_id=application_id, now=now)
            counts["checked"] += 1
        except TransientError:
            # SR is struggling or we hit the shared rate budget: stop, next poll resumes.
            counts["errors"] += 1
            break
        except SmartRecruitersError:
            counts["errors"] += 1
    return counts
