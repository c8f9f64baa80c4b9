"""A posting's application form configuration: cached per language, refreshed ahead.

The apply page renders from the cache; from 3/4 of the TTL a background task fetches a
fresh copy, and while SmartRecruiters is unreachable a stale copy is served.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError
from django.utils import timezone

from jobboard.crypto import hash_token
from jobboard.outbox import enqueue_on_commit
from partner.applications.models import ConfigurationCache
from partner.smartrecruiters import applications as sr
from partner.smartrecruiters.apply_configuration import ApplyConfiguration
from partner.smartrecruiters.errors import NotFoundError, SmartRecruitersError

logger = logging.getLogger(__name__)

REFRESH_AHEAD = 0.75  # of the TTL: refresh in the background from here on


@dataclass(frozen=True)
class LoadedConfiguration:
    """A configuration to render, and when it was fetched."""

    config: ApplyConfiguration
    fetched_at: datetime
    # Served from the cache past its TTL because SmartRecruiters is unreachable.
    stale: bool = False


class Unavailable(StrEnum):
    """Why there is no configuration to render."""

    CLOSED = "closed"  # SmartRecruiters answered 404: the posting is closed
    UNREACHABLE = "unreachable"  # never fetched, and SmartRecruiters cannot be reached


def _store_configuration(
    *,
    posting_uuid: str,
    language: str,
    config: ApplyConfiguration,
    now: datetime,
) -> None:
    ConfigurationCache.objects.update_or_create(
        posting_uuid=posting_uuid,
        language=language,
        defaults={
            "data": config.to_json(),
            "fetched_at": now,
            "last_error": "",
            "last_error_at": None,
        },
    )


def configuration_refresh(
    *, posting_uuid: str, language: str, now: datetime | None = None, max_retries: int | None = None
) -> ApplyConfiguration:
    """Fetch a posting's configuration and store it; SmartRecruitersError on failure."""
    config = sr.get_configuration(posting_uuid, language=language, max_retries=max_retries)
    # Two visitors may fetch the same configuration at once; the other row is as good.
    with contextlib.suppress(IntegrityError):
        _store_configuration(
            posting_uuid=posting_uuid, language=language, config=config, now=now or timezone.now()
        )
    return config


def _schedule_refresh(posting_uuid: str, language: str) -> None:
    from partner.applications import tasks

    # One refresh per posting and language at a time, across processes (shared cache).
    key = f"apply-config-refresh:{hash_token(posting_uuid)}:{language}"
    if cache.add(key, 1, timeout=60):
        enqueue_on_commit(tasks.refresh_configuration, posting_uuid, language)


def _loaded(row: ConfigurationCache, *, stale: bool = False) -> LoadedConfiguration:
    return LoadedConfiguration(
        config=ApplyConfiguration.from_json(row.data),
        fetched_at=row.fetched_at,
        stale=stale,
    )


def configuration_for(
    *, posting_uuid: str, language: str, now: datetime | None = None
) -> LoadedConfiguration | Unavailable:
    """The configuration to render: cached, fetched, or stale while SR is unreachable."""
    now = now or timezone.now()
    ttl = timedelta(seconds=settings.APPLICATION_CONFIG_TTL)
    row = ConfigurationCache.objects.filter(posting_uuid=posting_uuid, language=language).first()
    if row is not None and now - row.fetched_at < ttl:
        if now - row.fetched_at >= ttl * REFRESH_AHEAD:
            _schedule_refresh(posting_uuid, language)
        return _loaded(row)
    try:
        # One quick retry at most: a visitor is waiting; a stale copy is the fallback.
        config = configuration_refresh(
            posting_uuid=posting_uuid, language=language, now=now, max_retries=1
        )
    except NotFoundError:
        return Unavailable.CLOSED
    except SmartRecruitersError as exc:
        logger.warning("configuration for a posting unavailable: %s", exc.__class__.__name__)
        if row is None:
            return Unavailable.UNREACHABLE
        ConfigurationCache.objects.filter(pk=row.pk).update(
            last_error=str(exc)[:500], last_error_at=now
        )
        return _loaded(row, stale=True)
    return LoadedConfiguration(config=config, fetched_at=now)


def configuration_forget(*, posting_uuid: str) -> None:
    """Drop every cached language: the form changed under us (a 400 named unknown ids)."""
    ConfigurationCache.objects.filter(posting_uuid=posting_uuid).delete()
