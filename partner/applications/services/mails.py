"""Mails to candidates after we took their application in (the confirmation is intake's).

Three kinds: the status link again (they applied twice), a delivery that failed for good,
and a new status at SmartRecruiters (for those who asked). Each is a row of the shared
outbox (``CandidateMail``) written in the transaction of the change it tells about, so a
crash or a broker outage loses none and a retried task sends none twice; a task sends it
after commit and the applications sweeper re-drives what a lost message left behind.

The first status link's token is never stored (only its hash), so each mail carries a
link of its own, minted when it is sent (``StatusLink``).
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from jobboard import outbox
from jobboard.crypto import hash_token, new_token
from jobboard.outbox import enqueue_on_commit
from partner.applications import selectors
from partner.applications.models import Application, CandidateMail, StatusLink
from partner.smartrecruiters import applications as sr
from partner.smartrecruiters.errors import NotFoundError, SmartRecruitersError

logger = logging.getLogger(__name__)

Kind = CandidateMail.Kind
Reason = CandidateMail.FailureReason

# A mail server is quicker than SmartRecruiters: a short lease, and retries spread over
# about a day (8 tries, backoff capped at an hour) before an operator has to look.
MAIL_LEASE = timedelta(seconds=120)
MAIL_RETRY_BASE = 60.0
MAIL_RETRY_CAP = 3600.0
MAIL_MAX_ATTEMPTS = 8

# What the candidate is told, by SmartRecruiters' error (first match wins).
_FAILURE_REASONS: tuple[tuple[type[SmartRecruitersError], CandidateMail.FailureReason], ...] = (
    (sr.ApplicationRejected, Reason.REFUSED),  # a 400: an answer or a field it refuses
    (NotFoundError, Reason.CLOSED),  # a 404: the posting is closed
)


class MailResult(StrEnum):
    """What one call of ``candidate_mail_send`` did."""

    SKIPPED = "skipped"  # not due, or another worker holds it
    SENT = "sent"
    RETRY = "retry"
    FAILED = "failed"
    DROPPED = "dropped"


@dataclass(frozen=True)
class MailOutcome:
    result: MailResult
    retry_at: datetime | None = None


def failure_reason_for(error: SmartRecruitersError | None) -> CandidateMail.FailureReason:
    """Why a delivery failed, in the terms the candidate's mail explains."""
    for error_type, reason in _FAILURE_REASONS:
        if isinstance(error, error_type):
            return reason
    return Reason.OTHER


def mail_queue(
    *,
    application_id: int,
    kind: CandidateMail.Kind,
    failure_reason: str = "",
    sr_status: str = "",
) -> CandidateMail:
    """Owe the candidate a mail; sent after the caller's transaction commits."""
    from partner.applications import tasks

    mail = CandidateMail.objects.create(
        application_id=application_id,
        kind=kind,
        failure_reason=failure_reason,
        sr_status=sr_status[:40],
    )
    enqueue_on_commit(tasks.send_candidate_mail, mail.pk)
    return mail


def status_url(token: str) -> str:
    return f"{settings.SITE_URL}{reverse('applications:status', kwargs={'token': token})}"


def status_link_mint(*, application_id: int) -> str:
    """A new private link to the application's status page; only its hash is kept."""
    token = new_token()
    StatusLink.objects.create(application_id=application_id, token_hash=hash_token(token))
    return status_url(token)


def _why_not(mail: CandidateMail, application: Application) -> str:
    """Why this mail should no longer go out; "" when it should."""
    if application.is_erased:
        return "The application's data was erased."
    if not application.payload.get("email"):
        return "The application has no email address."
    if mail.kind == Kind.STATUS_CHANGED and not application.notify_status_changes:
        return "The candidate turned status emails off."
    return ""


def _apply_again_url(application: Application) -> str:
    listing = application.listing
    if listing is None or not listing.is_visible:
        return ""
    path = reverse("applications:apply", kwargs={"pk": listing.pk, "slug": listing.slug})
    return f"{settings.SITE_URL}{path}"


def _context(mail: CandidateMail, application: Application) -> dict[str, Any]:
    listing = application.listing
    context: dict[str, Any] = {
        "kind": mail.kind,
        "first_name": application.payload.get("firstName", ""),
        "job_title": application.job_title,
        "company_name": listing.company.name if listing is not None else "",
        "site_name": settings.SITE_NAME,
        "board_url": f"{settings.SITE_URL}{reverse('board:job_list')}",
        "status_url": status_link_mint(application_id=application.pk),
    }
    if mail.kind == Kind.FAILED:
        context.update(
            reason=mail.failure_reason or Reason.OTHER,
            apply_url=_apply_again_url(application),
            retry_hours=round(settings.APPLICATION_RETRY_WINDOW_HOURS),
            retention_days=settings.APPLICATION_RETENTION_DAYS,
        )
    elif mail.kind == Kind.STATUS_CHANGED:
        context.update(
            sr_status=mail.sr_status, status_words=selectors.status_words(mail.sr_status)
        )
    return context


def _render(kind: str, context: dict[str, Any]) -> tuple[str, str]:
    subject = render_to_string(f"emails/application_{kind}_subject.txt", context)
    body = render_to_string(f"emails/application_{kind}_body.txt", context)
    return " ".join(subject.split()), body


def candidate_mail_send(*, mail_id: int, now: datetime | None = None) -> MailOutcome:
    """Send one owed mail, once: claimed through the outbox, retried on mail server errors."""
    now = now or timezone.now()
    if not outbox.claim_one(CandidateMail.objects.all(), pk=mail_id, lease=MAIL_LEASE, now=now):
        return MailOutcome(result=MailResult.SKIPPED)
    mail = CandidateMail.objects.select_related("application__listing__company").get(pk=mail_id)
    application = mail.application
    reason = _why_not(mail, application)
    if reason:
        outbox.mark_failed(mail, error=reason, state=CandidateMail.State.DROPPED)
        return MailOutcome(result=MailResult.DROPPED)
    # The candidate's language (the page they applied on) for the words and the links.
    with translation.override(application.language):
        subject, body = _render(mail.kind, _context(mail, application))
    try:
        send_mail(subject, body, None, [application.payload["email"]])
    except smtplib.SMTPRecipientsRefused as exc:
        # The address itself is refused: trying again will not help.
        outbox.mark_failed(mail, error=f"Recipient refused: {exc.__class__.__name__}")
        logger.warning("mail %s for application %s refused", mail.pk, application.pk)
        return MailOutcome(result=MailResult.FAILED)
    except OSError as exc:  # smtplib's errors and the network's
        retry_at = outbox.schedule_retry(
            mail,
            error=f"{exc.__class__.__name__}: {exc}",
            base=MAIL_RETRY_BASE,
            cap=MAIL_RETRY_CAP,
            max_attempts=MAIL_MAX_ATTEMPTS,
            now=now,
        )
        logger.warning("mail %s for application %s not sent yet", mail.pk, application.pk)
        if retry_at is None:
            return MailOutcome(result=MailResult.FAILED)
        return MailOutcome(result=MailResult.RETRY, retry_at=retry_at)
    outbox.mark_sent(mail)
    logger.info("%s mail sent for application %s", mail.kind, application.pk)
    return MailOutcome(result=MailResult.SENT)
