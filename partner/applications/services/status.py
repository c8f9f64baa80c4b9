"""SmartRecruiters' status of sent applications: read for the candidate's page, and polled.

Only SmartRecruiters' users change a status; we read it (application-api.md §5), cache it
for the status page and keep the last known value for when SmartRecruiters is down.

A read that finds a new value records it with a conditional UPDATE (only where the stored
value differs), so of two reads that see the same change only one records it; in that
transaction a candidate who asked for it is owed one mail (``services.mails``).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from partner.applications.models import Application, CandidateMail
from partner.applications.services import mails
from partner.smartrecruiters import applications as sr
from partner.smartrecruiters.errors import SmartRecruitersError, TransientError

logger = logging.getLogger(__name__)


def status_cache_key(application_id: int) -> str:
    return f"application-status:{application_id}"


def _remember(application_id: int, status: str, checked_at: datetime) -> None:
    # With when it was read: a page served by another process (whose cache may still
    # hold an older read) can tell that the database knows something newer.
    cache.set(
        status_cache_key(application_id),
        {"status": status, "checked_at": checked_at.timestamp()},
        timeout=settings.APPLICATION_STATUS_CACHE_SECONDS,
    )


def status_record(*, application_id: int, status: str, now: datetime) -> bool:
    """Keep a status read from SmartRecruiters; True when it is a change.

    A change is recorded once, whoever read it first; the candidate who opted in is
    owed one mail for it.
    """
    status = status[:40]
    with transaction.atomic():
        changed = (
            Application.objects.filter(pk=application_id)
            .exclude(sr_status=status)
            .update(sr_status=status, sr_status_checked_at=now)
        )
        if not changed:
            Application.objects.filter(pk=application_id).update(sr_status_checked_at=now)
        elif Application.objects.filter(
            pk=application_id, notify_status_changes=True, erased_at__isnull=True
        ).exists():
            mails.mail_queue(
                application_id=application_id,
                kind=CandidateMail.Kind.STATUS_CHANGED,
                sr_status=status,
            )
    _remember(application_id, status, now)
    if changed:
        logger.info("application %s: status changed at SmartRecruiters", application_id)
    return bool(changed)


def status_refresh(*, application_id: int, now: datetime | None = None) -> str | None:
    """Read SmartRecruiters' status for a sent application and keep it; None if unknown."""
    application = Application.objects.filter(
        pk=application_id, state=Application.State.SENT, erased_at__isnull=True
    ).first()
    if application is None or not application.candidate_id:
        return None
    status = sr.get_status(application.posting_uuid, application.candidate_id, max_retries=0)
    status_record(application_id=application_id, status=status, now=now or timezone.now())
    return status[:40]


def _cached_status(application: Application) -> str | None:
    """The cached read, unless the database holds a newer one (read by another process)."""
    cached = cache.get(status_cache_key(application.pk))
    if not isinstance(cached, dict):
        return None
    checked = application.sr_status_checked_at
    if checked is not None and checked.timestamp() > cached["checked_at"]:
        return application.sr_status
    status: str = cached["status"]
    return status


def status_for_page(*, application: Application) -> str:
    """SR's status for the status page: cached 10 minutes, last known value on errors.

    A change the poll (or another page view) recorded shows at once: the database is
    newer than the cache then.
    """
    if application.state != Application.State.SENT or application.is_erased:
        return ""
    cached = _cached_status(application)
    if cached is not None:
        return cached
    try:
        return status_refresh(application_id=application.pk) or application.sr_status
    except SmartRecruitersError as exc:
        logger.info(
            "application %s: status unavailable (%s)", application.pk, exc.__class__.__name__
        )
        return application.sr_status


def status_mails_set(*, application_id: int, enabled: bool) -> bool:
    """Turn the candidate's status mails on or off; False when the data is erased."""
    return bool(
        Application.objects.filter(pk=application_id, erased_at__isnull=True).update(
            notify_status_changes=enabled
        )
    )


def _claim_check(application_id: int, last_checked: datetime | None, now: datetime) -> bool:
    """Take one application's check for this poll: two polls at once (a slow one and the
    next) never ask SmartRecruiters twice for the same status."""
    return bool(
        Application.objects.filter(pk=application_id, sr_status_checked_at=last_checked).update(
            sr_status_checked_at=now
        )
        if last_checked is not None
        else Application.objects.filter(
            pk=application_id, sr_status_checked_at__isnull=True
        ).update(sr_status_checked_at=now)
    )


def statuses_poll(*, now: datetime | None = None, limit: int = 500) -> dict[str, int]:
    """Refresh statuses of sent applications younger than the limit, oldest check first."""
    now = now or timezone.now()
    recent = now - timedelta(days=settings.APPLICATION_STATUS_MAX_AGE_DAYS)
    checked_before = now - timedelta(seconds=settings.APPLICATION_STATUS_POLL_INTERVAL * 0.9)
    due = list(
        Application.objects.filter(
            state=Application.State.SENT, erased_at__isnull=True, sent_at__gte=recent
        )
        .filter(Q(sr_status_checked_at__isnull=True) | Q(sr_status_checked_at__lt=checked_before))
        .order_by(F("sr_status_checked_at").asc(nulls_first=True), "id")
        .values_list("id", "sr_status_checked_at")[:limit]
    )
    counts = {"checked": 0, "errors": 0}
    for application_id, last_checked in due:
        if not _claim_check(application_id, last_checked, now):
            continue  # another poll took it since we listed it
        try:
            status_refresh(application_id=application_id, now=now)
            counts["checked"] += 1
        except TransientError:
            # SR is struggling or we hit the shared rate budget: stop, next poll resumes,
            # this application first as before.
            Application.objects.filter(pk=application_id, sr_status_checked_at=now).update(
                sr_status_checked_at=last_checked
            )
            counts["errors"] += 1
            break
        except SmartRecruitersError:
            counts["errors"] += 1
    return counts
