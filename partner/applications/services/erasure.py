"""Erasing a candidate's personal data and files: on request, and after retention.

The row stays (for counts and admin), with the payload's shape but none of its values.
An application not yet sent is withdrawn: failed, and never sent.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from partner.applications import files as file_store
from partner.applications.models import Application
from partner.applications.services.status import status_cache_key

logger = logging.getLogger(__name__)

ERASED = "[erased]"


def redact(value: Any) -> Any:
    """Keep the payload's shape for admin, drop every value a candidate typed."""
    if isinstance(value, dict):
        return {key: redact(item) for key, item in value.items() if key != "fileContent"}
    if isinstance(value, list):
        return [redact(item) for item in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float):
        return value
    return ERASED


# Links to the candidate's own data at SR (portal, join link): not kept either.
_PERSONAL_LINKS = frozenset({"candidatePortalUrl", "smartrJoinUrl"})


def _without_portal_url(response: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in response.items() if key not in _PERSONAL_LINKS}


def _delete_files(paths: list[str]) -> None:
    for path in paths:
        if path:
            file_store.delete_private(path)


def application_erase(*, application_id: int, reason: str, now: datetime | None = None) -> bool:
    """Erase personal data and files. False while a POST is in flight (try again later).

    An application not yet sent is withdrawn: it is marked failed and never sent.
    """
    now = now or timezone.now()
    with transaction.atomic():
        application = Application.objects.select_for_update().filter(pk=application_id).first()
        if application is None:
            return False
        if application.is_erased:
            return True
        if application.state == Application.State.SENDING and (
            application.claimed_until is None or application.claimed_until > now
        ):
            return False
        paths = list(application.files.values_list("path", flat=True))
        if application.state != Application.State.SENT:
            application.state = Application.State.FAILED
            application.last_error = "Withdrawn and erased before it was sent."
        application.payload_json = json.dumps(redact(application.payload))
        application.candidate_portal_url = ""
        application.sr_response = _without_portal_url(application.sr_response)
        application.erased_at = now
        application.erasure_reason = reason[:40]
        application.save()
        application.files.update(file_name=ERASED, path="")
        for attempt in application.submission_attempts.exclude(response={}):
            attempt.response = _without_portal_url(attempt.response)
            attempt.save(update_fields=["response"])
        transaction.on_commit(partial(_delete_files, paths))
    cache.delete(status_cache_key(application_id))
    logger.info("application %s erased (%s)", application_id, reason)
    return True


def erase_expired(*, now: datetime | None = None) -> int:
    """Erase applications past the retention period: sent ones counted from sending,
    failed ones (which nobody retried) from their creation."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.APPLICATION_RETENTION_DAYS)
    ids = list(
        Application.objects.filter(erased_at__isnull=True)
        .filter(
            Q(state=Application.State.SENT, sent_at__lt=cutoff)
            | Q(state=Application.State.FAILED, created_at__lt=cutoff)
        )
        .values_list("id", flat=True)
    )
    return sum(
        1
        for application_id in ids
        if application_erase(application_id=application_id, reason="retention", now=now)
    )
