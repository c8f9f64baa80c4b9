"""Celery tasks: ids in, reload, return early when gone or done, one service each."""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from partner.assessments import orders, pushes, review, runner, selectors
from partner.assessments.pushes import Delivery

logger = logging.getLogger(__name__)


# Time limits: a push is a few HTTP calls with bounded retries (transport timeouts and
# SMARTRECRUITERS_MAX_RETRIES); a sweep handles at most a few hundred rows.
@shared_task(name="partner.assessments.tasks.send_invitation", soft_time_limit=120, time_limit=150)
def send_invitation(order_id: int) -> bool:
    return orders.order_invite(order_id=order_id)


@shared_task(
    name="partner.assessments.tasks.push_order_results", soft_time_limit=600, time_limit=660
)
def push_order_results(order_id: int) -> dict[Delivery, int]:
    return pushes.pushes_drain(order_id=order_id)


@shared_task(name="partner.assessments.tasks.push_results", soft_time_limit=840, time_limit=870)
def push_results() -> dict[Delivery, int]:
    """Beat: drain due pushes, and re-drive invitations a lost message left behind."""
    lost = timezone.now() - timedelta(minutes=2)
    for order_id in selectors.uninvited_order_ids(older_than=lost):
        try:
            orders.order_invite(order_id=order_id)
        except OSError:  # SMTP down (smtplib errors are OSErrors): the next sweep retries
            logger.warning("invitation for order %s not sent; will retry", order_id)
    for order_id in review.unnotified_review_ids(older_than=lost):
        try:
            review.order_notify_reviewers(order_id=order_id)
        except OSError:
            logger.warning("review mail for order %s not sent; will retry", order_id)
    return pushes.pushes_drain()


@shared_task(name="partner.assessments.tasks.notify_reviewers", soft_time_limit=120, time_limit=150)
def notify_reviewers(order_id: int) -> bool:
    """One mail to the staff group: an order arrived in the review queue."""
    return review.order_notify_reviewers(order_id=order_id)


# A sweep closes a few hundred attempts at most, each a small transaction.
@shared_task(
    name="partner.assessments.tasks.close_overdue_attempts", soft_time_limit=300, time_limit=330
)
def close_overdue_attempts() -> int:
    """Beat: submit the attempts whose time ran out (the candidate's browser may be gone)."""
    return runner.attempts_close_overdue()


@shared_task(name="partner.assessments.tasks.expire_orders", soft_time_limit=300, time_limit=330)
def expire_orders() -> int:
    return orders.orders_expire()
