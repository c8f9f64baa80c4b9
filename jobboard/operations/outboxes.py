"""The durable outboxes, as operators see them.

Apps register their outbox models in ``AppConfig.ready()`` (``register_outbox``), with
the function that puts failed rows back in the queue when the app needs more than the
generic one (a fresh retry window, a relay to wake up).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Min, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from jobboard import outbox
from jobboard.outbox import OutboxItem


@dataclass(frozen=True)
class OutboxHealth:
    label: str  # "postings.statusreport"
    name: str  # "status reports"
    depth: dict[str, int]  # rows per state
    oldest_due_age: timedelta | None  # the oldest row a sender may take now
    stale_after: timedelta
    changelist_url: str

    gave_up_last_hour: int = 0
    failed_last_day: int = 0

    @property
    def waiting(self) -> int:
        return self.depth.get(outbox.PENDING, 0) + self.depth.get(outbox.SENDING, 0)

    @property
    def failed(self) -> int:
        return self.depth.get(outbox.FAILED, 0)

    @property
    def stale(self) -> bool:
        return self.oldest_due_age is not None and self.oldest_due_age > self.stale_after


Retry = Callable[[QuerySet[OutboxItem]], int]


@dataclass(frozen=True)
class _Registration:
    model: type[OutboxItem]
    retry: Retry


_outboxes: dict[str, _Registration] = {}


def _generic_retry(failed: QuerySet[OutboxItem]) -> int:
    return outbox.retry_failed(failed)


def register_outbox(model: type[OutboxItem], *, retry: Retry | None = None) -> None:
    """Show ``model`` on the health page, in metrics and alerts."""
    _outboxes[model._meta.label_lower] = _Registration(model, retry or _generic_retry)


def outbox_models() -> list[type[OutboxItem]]:
    return [registration.model for registration in _outboxes.values()]


def _changelist(model: type[OutboxItem]) -> str:
    try:
        return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    except NoReverseMatch:
        return ""


def outbox_health(*, now: datetime | None = None) -> list[OutboxHealth]:
    now = now or timezone.now()
    stale_after = timedelta(seconds=settings.OUTBOX_STALE_AFTER)
    found = []
    for model in outbox_models():
        depth = dict(
            model._default_manager.order_by()
            .values_list("state")
            .annotate(n=Count("pk"))
            .values_list("state", "n")
        )
        oldest = outbox.due(model._default_manager.all(), now=now).aggregate(
            oldest=Min("next_attempt_at")
        )["oldest"]
        failed = model._default_manager.filter(state=outbox.FAILED)
        found.append(
            OutboxHealth(
                label=model._meta.label_lower,
                name=str(model._meta.verbose_name_plural),
                depth=depth,
                oldest_due_age=None if oldest is None else now - oldest,
                stale_after=stale_after,
                changelist_url=_changelist(model),
                gave_up_last_hour=failed.filter(finished_at__gte=now - timedelta(hours=1)).count(),
                failed_last_day=failed.filter(finished_at__gte=now - timedelta(days=1)).count(),
            )
        )
    return found


def retry_failed(*, label: str) -> int:
    """Operator's retry of every failed row of one outbox; KeyError for an unknown one."""
    registration = _outboxes[label]
    return registration.retry(registration.model._default_manager.filter(state=outbox.FAILED))


def retry_failed_rows(failed: QuerySet[OutboxItem]) -> int:
    """Operator's retry of some failed rows, by the retry their app registered."""
    registration = _outboxes.get(failed.model._meta.label_lower)
    retry = registration.retry if registration else _generic_retry
    return retry(failed.filter(state=outbox.FAILED))
