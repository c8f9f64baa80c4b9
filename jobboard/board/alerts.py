"""Job alerts: sign-up with confirmation, the manage link, unsubscribe, the digests.

Every link in an alert mail is signed (django.core.signing), so no token is stored.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from jobboard import ratelimit
from jobboard.board import selectors
from jobboard.board.models import JobAlert
from jobboard.board.search import JobSearch

logger = logging.getLogger(__name__)


_CONFIRM_SALT = "board.alert.confirm"
_UNSUBSCRIBE_SALT = "board.alert.unsubscribe"
_MANAGE_SALT = "board.alert.manage"
_RATE_WINDOW_SECONDS = 3600


class AlertRateLimited(Exception):
    """Too many sign-ups from this address or for this email in the last hour."""


def _token(alert: JobAlert, salt: str) -> str:
    # The email is part of the signed value, so a token can never act on a later row
    # that happens to reuse the id.
    return signing.dumps([alert.pk, alert.email], salt=salt, compress=True)


def _alert_from_token(token: str, *, salt: str, max_age: int | None = None) -> JobAlert | None:
    try:
        pk, email = signing.loads(token, salt=salt, max_age=max_age)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return JobAlert.objects.filter(pk=pk, email=email).first()


def alert_confirm_url(alert: JobAlert) -> str:
    path = reverse("board:alert_confirm", kwargs={"token": _token(alert, _CONFIRM_SALT)})
    return f"{settings.SITE_URL}{path}"


def alert_unsubscribe_url(alert: JobAlert) -> str:
    path = reverse("board:alert_unsubscribe", kwargs={"token": _token(alert, _UNSUBSCRIBE_SALT)})
    return f"{settings.SITE_URL}{path}"


def alert_manage_url(email: str) -> str:
    """The page that lists every alert of an address, reached by this signed link only.

    The token names the address (lower case: one page whatever the case it was typed
    in) and never expires, like the unsubscribe links beside it in every alert email.
    """
    token = signing.dumps(email.strip().lower(), salt=_MANAGE_SALT, compress=True)
    return f"{settings.SITE_URL}{reverse('board:alert_manage', kwargs={'token': token})}"


def manage_token_email(token: str) -> str | None:
    """The address a manage link was made for; None when the link is not ours."""
    try:
        email = signing.loads(token, salt=_MANAGE_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return email if isinstance(email, str) and email else None


def _send_alert_email(alert: JobAlert, kind: str, context: dict[str, object]) -> None:
    # In the subscriber's language: the words, the dates and amounts, and every link.
    with translation.override(alert.language):
        _send_alert_email_now(alert, kind, context)


def _send_alert_email_now(alert: JobAlert, kind: str, context: dict[str, object]) -> None:
    unsubscribe = alert_unsubscribe_url(alert)
    context = {
        **context,
        "alert": alert,
        "unsubscribe_url": unsubscribe,
        "manage_url": alert_manage_url(alert.email),
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL,
    }
    subject = render_to_string(f"emails/board_alert_{kind}_subject.txt", context)
    body = render_to_string(f"emails/board_alert_{kind}_body.txt", context)
    message = EmailMessage(
        subject=" ".join(subject.split()),
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[alert.email],
        headers={
            # RFC 2369 and RFC 8058: mail clients offer a one-click unsubscribe button.
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.send()


def _check_rate(*, email: str, client_ip: str) -> None:
    email_key = hashlib.sha256(email.lower().encode()).hexdigest()[:32]
    if not ratelimit.allow(
        key=f"board:alert-rate:ip:{client_ip}",
        limit=settings.BOARD_ALERT_SIGNUPS_PER_IP,
        window=_RATE_WINDOW_SECONDS,
    ):
        raise AlertRateLimited(
            gettext("Too many sign-ups from your network; please try again later.")
        )
    if not ratelimit.allow(
        key=f"board:alert-rate:email:{email_key}",
        limit=settings.BOARD_ALERT_SIGNUPS_PER_EMAIL,
        window=_RATE_WINDOW_SECONDS,
    ):
        raise AlertRateLimited(
            gettext("Too many sign-ups for this address; please try again later.")
        )


def send_alert_manage_link(*, email: str, client_ip: str, language: str = "") -> bool:
    """Email the manage link to an address that has alerts; True if one was sent.

    Rate-limited like sign-ups (it sends mail to an address someone typed). The page
    that asks says the same whatever happened, so nobody learns who has alerts here.
    Raises ``AlertRateLimited``. The mail is in ``language`` (default: the active one).
    """
    email = email.strip()
    _check_rate(email=email, client_ip=client_ip)
    alerts = selectors.alerts_for_email(email=email)
    if not alerts:
        return False
    with translation.override(language or translation.get_language()):
        _send_manage_link(email, alerts)
    logger.info("job alerts: manage link sent for %d alerts", len(alerts))
    return True


def _send_manage_link(email: str, alerts: list[JobAlert]) -> None:
    context = {
        "alerts": alerts,
        "manage_url": alert_manage_url(email),
        "site_name": settings.SITE_NAME,
    }
    EmailMessage(
        subject=" ".join(
            render_to_string("emails/board_alert_manage_subject.txt", context).split()
        ),
        body=render_to_string("emails/board_alert_manage_body.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        # The address as the alerts hold it, not as typed into the form.
        to=[alerts[0].email],
    ).send()


def stop_job_alert(*, email: str, alert_id: int) -> bool:
    """Delete one alert of this address (from its manage page); False if it was gone."""
    deleted, _ = JobAlert.objects.filter(pk=alert_id, email__iexact=email).delete()
    if deleted:
        logger.info("job alert %s stopped from its manage page", alert_id)
    return bool(deleted)


def stop_all_job_alerts(*, email: str) -> int:
    """Delete every alert of this address; returns how many there were."""
    deleted, _ = JobAlert.objects.filter(email__iexact=email).delete()
    if deleted:
        logger.info("job alerts: %d stopped from their manage page", deleted)
    return deleted


def request_job_alert(
    *, email: str, search: JobSearch, client_ip: str, language: str = ""
) -> JobAlert:
    """Save a search for an email address and send the double opt-in link.

    Rate-limited per client IP and per email address. Asking again for the same search
    re-sends the link while it is unconfirmed and changes nothing once confirmed.
    The alert's mails are in ``language`` (default: the active one), the language of
    the page it was asked for on; asking again from another language switches them.
    Raises ``AlertRateLimited``.
    """
    email = email.strip()
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    _check_rate(email=email, client_ip=client_ip)
    with transaction.atomic():
        alert, _ = JobAlert.objects.get_or_create(
            email=email,
            query=search.alert_query,
            defaults={"description": selectors.describe_search(search)[:300], "language": language},
        )
        if alert.language != language:
            # Its description is in the language it was asked in: both switch together.
            alert.language = language
            alert.description = selectors.describe_search(search)[:300]
            JobAlert.objects.filter(pk=alert.pk).update(
                language=alert.language, description=alert.description
            )
    # Sent outside the transaction: no network I/O while rows are locked.
    if not alert.is_confirmed:
        _send_alert_email(
            alert, "confirm", {"confirm_url": alert_confirm_url(alert), "search": search}
        )
        logger.info("job alert %s: confirmation sent", alert.pk)
    return alert


def confirm_job_alert(*, token: str) -> JobAlert | None:
    """Confirm from the emailed link; idempotent. None when the link is bad or stale."""
    max_age = settings.BOARD_ALERT_CONFIRM_DAYS * 86_400
    alert = _alert_from_token(token, salt=_CONFIRM_SALT, max_age=max_age)
    if alert is None:
        return None
    now = timezone.now()
    # Conditional update: a double click confirms once and keeps the first cut-off.
    if JobAlert.objects.filter(pk=alert.pk, confirmed_at__isnull=True).update(
        confirmed_at=now, last_sent_at=now
    ):
        logger.info("job alert %s confirmed", alert.pk)
    alert.refresh_from_db()
    return alert


def unsubscribe_job_alert(*, token: str) -> bool:
    """Delete the alert named by an unsubscribe token; True if the token was valid."""
    try:
        pk, email = signing.loads(token, salt=_UNSUBSCRIBE_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return False
    deleted, _ = JobAlert.objects.filter(pk=pk, email=email).delete()
    if deleted:
        logger.info("job alert %s unsubscribed", pk)
    return True


def send_job_alert_digest(*, alert_id: int, now: datetime | None = None) -> int:
    """Email one alert's new matching jobs as a single digest; returns the jobs sent.

    The alert's cut-off moves forward with a conditional UPDATE before anything is
    sent, so two overlapping runs can never send the same digest twice.
    """
    now = now or timezone.now()
    alert = JobAlert.objects.filter(pk=alert_id, confirmed_at__isnull=False).first()
    if alert is None:
        return 0
    since = alert.last_sent_at or alert.confirmed_at
    if since is None:  # unreachable: the query above only takes confirmed alerts
        return 0
    search = JobSearch.from_params(_parse_query(alert.query))
    jobs = selectors.alert_matches(
        search=search, since=since, until=now, limit=settings.BOARD_ALERT_MAX_JOBS + 1
    )
    claimed = JobAlert.objects.filter(pk=alert.pk, last_sent_at=alert.last_sent_at).update(
        last_sent_at=now
    )
    if not claimed or not jobs:
        return 0
    shown = jobs[: settings.BOARD_ALERT_MAX_JOBS]
    with translation.override(alert.language):
        # The subscriber's language: the job pages and the search in it.
        search_url = f"{settings.SITE_URL}{reverse('board:job_list')}"
        job_urls = [f"{settings.SITE_URL}{job.get_absolute_url()}" for job in shown]
    if alert.query:
        search_url += f"?{alert.query}"
    try:
        _send_alert_email(
            alert,
            "digest",
            {
                "jobs": list(zip(shown, job_urls, strict=True)),
                "more": len(jobs) > len(shown),
                "search_url": search_url,
            },
        )
    except Exception:
        # Give the jobs back to the next run rather than lose them.
        JobAlert.objects.filter(pk=alert.pk, last_sent_at=now).update(last_sent_at=since)
        raise
    logger.info("job alert %s: digest with %d jobs sent", alert.pk, len(shown))
    return len(shown)


def send_job_alerts(*, now: datetime | None = None) -> int:
    """Send every confirmed alert its digest; returns how many emails went out."""
    now = now or timezone.now()
    sent = 0
    ids = JobAlert.objects.filter(confirmed_at__isnull=False).values_list("pk", flat=True)
    for alert_id in list(ids.iterator()):
        try:
            if send_job_alert_digest(alert_id=alert_id, now=now):
                sent += 1
        except Exception:  # one bad address must not stop everyone else's digest
            logger.exception("job alert %s: digest failed", alert_id)
    return sent


def _parse_query(query: str) -> dict[str, list[str]]:
    from urllib.parse import parse_qs

    return parse_qs(query, keep_blank_values=False)
