"""The results outbox: a PackageResult merge patch per order change, sent after commit (§7).

The machine (claims with a lease, retries with backoff, enqueue after commit) is
``jobboard.outbox``. What stays here is ours: how a push is sent (the report first, then
the PATCH), and what follows (the order's timeline; a later push of an order waits for an
earlier one; a disconnected company's pushes are dropped).
"""

from __future__ import annotations

import base64
import logging
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from jobboard import outbox
from partner.assessments import selectors
from partner.assessments.events import event_record
from partner.assessments.models import Integration, Order, OrderEvent, ResultPush
from partner.assessments.urlrules import CallbackURLError, result_callback_for_sending
from partner.smartrecruiters import assessments as sr_assessments
from partner.smartrecruiters.errors import PermanentError, SmartRecruitersError
from partner.smartrecruiters.oauth import ClientCredentials

logger = logging.getLogger(__name__)

# How long a worker may hold a push: a few HTTP calls with bounded retries. Past it, the
# worker is presumed dead and another may send the push.
PUSH_LEASE = timedelta(minutes=5)

State = ResultPush.State


class Delivery(StrEnum):
    """What one delivery attempt did; ``pushes_drain`` counts these."""

    SKIPPED = "skipped"  # not due, gone, or held by another worker
    PENDING = "pending"  # back in the queue: to retry, or behind an earlier push of its order
    SENT = "sent"
    FAILED = "failed"
    DROPPED = "dropped"


_EVENTS = {
    State.SENT: OrderEvent.Kind.PUSH_SENT,
    State.FAILED: OrderEvent.Kind.PUSH_FAILED,
    State.DROPPED: OrderEvent.Kind.PUSH_DROPPED,
}


def push_queue(*, order: Order, patch: dict[str, Any], attach_report: bool = False) -> ResultPush:
    """Write a push in the transaction of the change it reports; a worker sends it after
    commit (and the sweeper, if that message is lost)."""
    # The tasks call these services, so they are imported when needed.
    from partner.assessments import tasks

    push = ResultPush.objects.create(order=order, payload=patch, attach_report=attach_report)
    outbox.enqueue_on_commit(tasks.push_order_results, order.pk)
    return push


def pushes_drop(*, integration: Integration) -> int:
    """Drop a disconnected company's queued pushes (§7: push nothing more for it).

    A push being sent right now finishes; one that a dead worker left is dropped when it
    is claimed again (``push_deliver`` checks the integration).
    """
    return ResultPush.objects.filter(order__integration=integration, state=State.PENDING).update(
        state=State.DROPPED, last_error="Company disconnected"
    )


def pushes_drain(*, limit: int = 500, order_id: int | None = None) -> dict[Delivery, int]:
    """Deliver every due push (optionally of one order), oldest first; counts per outcome."""
    counts: dict[Delivery, int] = {}
    for push_id in selectors.due_push_ids(limit=limit, order_id=order_id):
        outcome = push_deliver(push_id=push_id)
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


def push_deliver(*, push_id: int) -> Delivery:
    """Send one queued push to SR (the report, then the PATCH) and record the outcome.

    Claimed through the outbox, so two workers never send the same push at once.
    """
    if not outbox.claim_one(ResultPush.objects.all(), pk=push_id, lease=PUSH_LEASE):
        return Delivery.SKIPPED
    push = ResultPush.objects.select_related("order__integration", "order__package").get(pk=push_id)
    earlier = _earlier_unsent(push)
    if earlier is not None:
        # SR must see the statuses in the order they happened (PENDING before REJECTED).
        outbox.postpone(push, until=max(_not_before(earlier), timezone.now()))
        return Delivery.PENDING
    integration = push.order.integration
    if not integration.is_active or not integration.has_sr_pair:
        return _finish(push, State.DROPPED, error="Company disconnected")
    try:
        # Checked again at send time: a token goes only to the order's one accepted URL.
        result_callback_for_sending(push.order.result_callback_url)
    except CallbackURLError as exc:
        return _finish(push, State.FAILED, error=str(exc))
    credentials = ClientCredentials(integration.sr_client_id, integration.sr_client_secret)
    try:
        _send(push, credentials)
    except PermanentError as exc:
        # 400/403/404/415 will not get better by repeating: log, show staff, stop.
        logger.error("result push %s for order %s refused: %s", push.pk, push.order_id, exc)
        return _finish(push, State.FAILED, error=str(exc), response_status=exc.status)
    except SmartRecruitersError as exc:
        return _retry_later(push, exc)
    return _finish(push, State.SENT, response_status=200)


def _earlier_unsent(push: ResultPush) -> ResultPush | None:
    return (
        ResultPush.objects.filter(
            order_id=push.order_id, pk__lt=push.pk, state__in=[State.PENDING, State.SENDING]
        )
        .order_by("next_attempt_at")
        .first()
    )


def _not_before(push: ResultPush) -> datetime:
    """When ``push`` may next be done with: its retry time, or its worker's lease."""
    if push.state == State.SENDING and push.claimed_until is not None:
        return push.claimed_until
    return push.next_attempt_at


def _send(push: ResultPush, credentials: ClientCredentials) -> None:
    order = push.order
    patch = dict(push.payload)
    if push.attach_report:
        attachment = _report_attachment(order, credentials)
        if attachment is not None:
            patch["attachments"] = [attachment]
    if patch:
        sr_assessments.patch_results(
            credentials=credentials, result_callback_url=order.result_callback_url, patch=patch
        )


def _report_attachment(order: Order, credentials: ClientCredentials) -> dict[str, Any] | None:
    """Normal orders: upload, then a PDF_URL link. Inline orders: base64 (§7)."""
    if not order.report:
        return None
    file_name = order.report_file_name[:100]
    mime = "application/pdf" if file_name.lower().endswith(".pdf") else "application/octet-stream"
    if order.kind == Order.Kind.INLINE:
        content = base64.b64encode(_report_bytes(order)).decode()
        return {"fileName": file_name, "mimeType": mime, "fileContent": content}
    if not order.report_url:
        # A repeated upload only leaves an unused URL at SR; the URL we keep is the last.
        order.report_url = sr_assessments.upload_attachment(
            credentials=credentials,
            result_callback_url=order.result_callback_url,
            file_name=file_name,
            content=_report_bytes(order),
            content_type=mime,
        )
        Order.objects.filter(pk=order.pk).update(report_url=order.report_url)
    link_type = "PDF_URL" if mime == "application/pdf" else "OTHER_URL"
    return {"type": link_type, "url": order.report_url, "fileName": file_name}


def _report_bytes(order: Order) -> bytes:
    with order.report.open("rb") as fh:
        content: bytes = fh.read()
    return content


def _finish(
    push: ResultPush, state: State, *, error: str = "", response_status: int | None = None
) -> Delivery:
    """A final state, with its line on the order's timeline."""
    with transaction.atomic():
        if state == State.SENT:
            done = outbox.mark_sent(push, response_status=response_status, sent_at=timezone.now())
        else:
            done = outbox.mark_failed(
                push, error=error, state=state, response_status=response_status
            )
        if not done:  # the lease ran out and another worker has the push now
            return Delivery.SKIPPED
        _timeline(push, state, error)
    return Delivery(state.value)


def _retry_later(push: ResultPush, exc: SmartRecruitersError) -> Delivery:
    with transaction.atomic():
        retry_at = outbox.schedule_retry(
            push,
            error=str(exc),
            base=float(settings.ASSESSMENT_PUSH_BACKOFF_BASE),
            cap=float(settings.ASSESSMENT_PUSH_BACKOFF_CAP),
            max_attempts=int(settings.ASSESSMENT_PUSH_MAX_ATTEMPTS),
            response_status=exc.status,
        )
        if retry_at is None:
            logger.error(
                "result push %s gave up after %s attempts: %s", push.pk, push.attempts, exc
            )
            _timeline(push, State.FAILED, f"gave up: {exc}")
            return Delivery.FAILED
    logger.warning("result push %s will be retried: %s", push.pk, exc)
    return Delivery.PENDING


def _timeline(push: ResultPush, state: State, error: str) -> None:
    what = push.payload.get("status") or ("report" if push.attach_report else "update")
    event_record(
        order=push.order, kind=_EVENTS[state], message=f"{what}{': ' + error if error else ''}"
    )
