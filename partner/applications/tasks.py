"""Celery tasks: thin wrappers that take ids and call one service.

Each task is safe to run twice: a submission is claimed through the outbox, erasure and
status polling are idempotent. The beat schedule (jobboard/celery.py) names the three
periodic ones.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from celery import Task, shared_task
from django.utils import timezone

from partner.applications import selectors
from partner.applications.services import (
    configuration,
    erasure,
    intake,
    mails,
    status,
    submission,
)
from partner.applications.services.mails import MailResult
from partner.applications.services.submission import SubmitResult
from partner.smartrecruiters.errors import SmartRecruitersError

logger = logging.getLogger(__name__)

SHORT_RETRY_SECONDS = 300


def _again_soon(task: Task[Any, Any], row_id: int, retry_at: datetime | None) -> None:
    """Run ``task`` again at ``retry_at`` when that is soon.

    The sweeper finds every due row; this only keeps short backoffs short. Long
    countdowns are left to it (a broker may redeliver long-held messages).
    """
    if retry_at is None:
        return
    countdown = max(0.0, (retry_at - timezone.now()).total_seconds())
    if countdown <= SHORT_RETRY_SECONDS:
        task.apply_async((row_id,), countdown=countdown)


# Time limit: above the longest POST the transport can make with its own retries
# (APPLICATION_SUBMIT_LEASE covers the same span for the claim).
@shared_task(
    name="partner.applications.tasks.submit_application", time_limit=960, soft_time_limit=930
)
def submit_application(application_id: int) -> str:
    outcome = submission.submit_application(application_id=application_id)
    if outcome.result == SubmitResult.RETRY:
        _again_soon(submit_application, application_id, outcome.retry_at)
    return str(outcome.result)


@shared_task(
    name="partner.applications.tasks.send_confirmation", time_limit=120, soft_time_limit=110
)
def send_confirmation(application_id: int, token: str) -> bool:
    """Email the status link. The plain token travels only in this message: the
    database keeps its hash, so this is the one moment the link can be built."""
    return intake.confirmation_send(application_id=application_id, token=token)


# Time limit: one SMTP conversation (EMAIL_TIMEOUT is far below it); the claim's lease
# (mails.MAIL_LEASE) is as long.
@shared_task(
    name="partner.applications.tasks.send_candidate_mail", time_limit=120, soft_time_limit=110
)
def send_candidate_mail(mail_id: int) -> str:
    outcome = mails.candidate_mail_send(mail_id=mail_id)
    if outcome.result == MailResult.RETRY:
        _again_soon(send_candidate_mail, mail_id, outcome.retry_at)
    return str(outcome.result)


@shared_task(
    name="partner.applications.tasks.sweep_submissions", time_limit=300, soft_time_limit=290
)
def sweep_submissions() -> int:
    """Re-drive submissions and candidate mails a lost message or a dead worker left
    behind; returns how many were asked for again."""
    ids = selectors.due_application_ids()
    for application_id in ids:
        submit_application.delay(application_id)
    mail_ids = selectors.due_mail_ids()
    for mail_id in mail_ids:
        send_candidate_mail.delay(mail_id)
    return len(ids) + len(mail_ids)


@shared_task(name="partner.applications.tasks.poll_statuses", time_limit=1800, soft_time_limit=1780)
def poll_statuses() -> dict[str, int]:
    return status.statuses_poll()


@shared_task(name="partner.applications.tasks.erase_expired", time_limit=1800, soft_time_limit=1780)
def erase_expired() -> int:
    return erasure.erase_expired()


@shared_task(
    name="partner.applications.tasks.refresh_configuration", time_limit=300, soft_time_limit=290
)
def refresh_configuration(posting_uuid: str, language: str) -> bool:
    try:
        configuration.configuration_refresh(posting_uuid=posting_uuid, language=language)
    except SmartRecruitersError as exc:
        # The cached copy stays in use; the next page view past the TTL tries again.
        logger.info("configuration refresh failed: %s", exc.__class__.__name__)
        return False
    return True
