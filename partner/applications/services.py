"""Writes for applications: configuration cache, intake, submission, status, erasure.

No network call runs inside a database transaction: a submission is claimed with a
conditional UPDATE, posted outside any transaction, and its outcome recorded afterwards.
"""

from __future__ import annotations

import contextlib
import json
import logging
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from jobboard.board.models import Listing
from jobboard.crypto import hash_token, new_token
from partner.applications import files as file_store
from partner.applications import selectors
from partner.applications.files import CheckedFile
from partner.applications.models import (
    Application,
    ApplicationFile,
    ConfigurationCache,
    SubmissionAttempt,
)
from partner.smartrecruiters import applications as sr
from partner.smartrecruiters.errors import (
    AuthenticationError,
    NotFoundError,
    RateLimitedError,
    SmartRecruitersError,
    TransientError,
)

logger = logging.getLogger(__name__)

REFRESH_AHEAD = 0.75  # of the TTL: refresh in the background from here on


# --- configuration cache ---------------------------------------------------------------


@dataclass(frozen=True)
class ConfigurationResult:
    config: sr.ApplyConfiguration | None
    fetched_at: datetime | None = None
    stale: bool = False
    # "" when there is a configuration; "closed" (404) or "unreachable" otherwise.
    unavailable: str = ""


def _store_configuration(
    *, posting_uuid: str, language: str, config: sr.ApplyConfiguration, now: datetime
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
) -> sr.ApplyConfiguration:
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
        transaction.on_commit(lambda: _enqueue(tasks.refresh_configuration, posting_uuid, language))


def configuration_for(
    *, posting_uuid: str, language: str, now: datetime | None = None
) -> ConfigurationResult:
    """The configuration to render: cached, fetched, or stale while SR is unreachable."""
    now = now or timezone.now()
    ttl = timedelta(seconds=settings.APPLICATION_CONFIG_TTL)
    row = ConfigurationCache.objects.filter(posting_uuid=posting_uuid, language=language).first()
    if row is not None and now - row.fetched_at < ttl:
        if now - row.fetched_at >= ttl * REFRESH_AHEAD:
            _schedule_refresh(posting_uuid, language)
        return ConfigurationResult(
            config=sr.ApplyConfiguration.from_json(row.data), fetched_at=row.fetched_at
        )
    try:
        # One quick retry at most: a visitor is waiting; a stale copy is the fallback.
        config = configuration_refresh(
            posting_uuid=posting_uuid, language=language, now=now, max_retries=1
        )
    except NotFoundError:
        return ConfigurationResult(config=None, unavailable="closed")
    except SmartRecruitersError as exc:
        logger.warning("configuration for a posting unavailable: %s", exc.__class__.__name__)
        if row is None:
            return ConfigurationResult(config=None, unavailable="unreachable")
        ConfigurationCache.objects.filter(pk=row.pk).update(
            last_error=str(exc)[:500], last_error_at=now
        )
        return ConfigurationResult(
            config=sr.ApplyConfiguration.from_json(row.data), fetched_at=row.fetched_at, stale=True
        )
    return ConfigurationResult(config=config, fetched_at=now)


def configuration_forget(*, posting_uuid: str) -> None:
    """Drop every cached language: the form changed under us (a 400 named unknown ids)."""
    ConfigurationCache.objects.filter(posting_uuid=posting_uuid).delete()


# --- intake ------------------------------------------------------------------------------


def apply_rate_limited(*, key: str) -> bool:
    """Count one request against ``key``; True once the window's limit is passed."""
    window = settings.APPLICATION_RATE_WINDOW
    cache_key = f"apply-rate:{key}"
    if cache.add(cache_key, 1, timeout=window):
        return False
    try:
        count = cache.incr(cache_key)
    except ValueError:
        # Expired between add and incr: this request starts a new window.
        cache.set(cache_key, 1, timeout=window)
        return False
    return count > settings.APPLICATION_RATE_LIMIT


def _source_details() -> dict[str, str]:
    details = {
        "sourceTypeId": settings.APPLICATION_SOURCE_TYPE_ID,
        "sourceSubTypeId": settings.APPLICATION_SOURCE_SUBTYPE_ID,
        "sourceId": settings.APPLICATION_SOURCE_ID,
    }
    return {key: value for key, value in details.items() if value}


@transaction.atomic
def application_create(
    *,
    listing: Listing,
    language: str,
    candidate: dict[str, Any],
    answers: list[dict[str, Any]],
    files: dict[str, list[CheckedFile]],
    now: datetime | None = None,
) -> tuple[Application, str]:
    """Store an application and its submission job together; returns it and its status token.

    The candidate gets the token once (confirmation page and email); only its hash is kept.
    Sending is enqueued after commit, so nothing is sent for a rolled-back application.
    """
    now = now or timezone.now()
    token = new_token()
    application = Application.objects.create(
        listing=listing,
        posting_uuid=listing.job_key,
        job_title=listing.title[:300],
        language=language,
        status_token_hash=hash_token(token),
        next_attempt_at=now,
        give_up_at=now + timedelta(hours=settings.APPLICATION_RETRY_WINDOW_HOURS),
        created_at=now,
    )
    payload: dict[str, Any] = dict(candidate)
    source = _source_details()
    if source:
        payload["sourceDetails"] = source
    if answers:
        payload["answers"] = answers
    stored: list[str] = []
    try:
        for role, key in (
            (ApplicationFile.Role.RESUME, "resume"),
            (ApplicationFile.Role.AVATAR, "avatar"),
            (ApplicationFile.Role.ATTACHMENT, "attachments"),
        ):
            for checked in files.get(key, []):
                path = file_store.store_private(checked.content, folder=str(application.pk))
                stored.append(path)
                row = ApplicationFile.objects.create(
                    application=application,
                    role=role,
                    file_name=checked.name,
                    mime_type=checked.mime_type,
                    size=len(checked.content),
                    path=path,
                )
                entry = {"fileName": checked.name, "mimeType": checked.mime_type, "fileRef": row.pk}
                if role == ApplicationFile.Role.ATTACHMENT:
                    payload.setdefault("attachments", []).append(entry)
                else:
                    payload[key] = entry
        application.payload_json = json.dumps(payload)
        application.save(update_fields=["payload_json"])
    except BaseException:
        for path in stored:
            file_store.delete_private(path)
        raise

    from partner.applications import tasks

    application_id = application.pk
    transaction.on_commit(lambda: _enqueue(tasks.submit_application, application_id))
    # The token travels in this one message (see the task's docstring).
    transaction.on_commit(lambda: _enqueue(tasks.send_confirmation, application_id, token))
    logger.info("application %s received", application_id)
    return application, token


def _enqueue(task: Any, *args: Any) -> None:
    """Enqueue after commit; a broker outage must not turn a stored application into an
    error page: the sweeper sends it later (the confirmation email is then lost, but the
    candidate has the status link on the confirmation page)."""
    try:
        task.delay(*args)
    except Exception:  # kombu raises many types for an unreachable broker
        logger.exception("could not enqueue %s for an application", task.name)


def status_url(token: str) -> str:
    return f"{settings.SITE_URL}{reverse('applications:status', kwargs={'token': token})}"


def confirmation_send(*, application_id: int, token: str) -> bool:
    """Email the candidate the private status link; False when there is nobody to tell."""
    application = Application.objects.filter(pk=application_id, erased_at__isnull=True).first()
    if application is None:
        return False
    payload = application.payload
    if not payload.get("email"):
        return False
    context = {
        "first_name": payload.get("firstName", ""),
        "job_title": application.job_title,
        "status_url": status_url(token),
        "site_name": settings.SITE_NAME,
    }
    subject = render_to_string("emails/application_received_subject.txt", context).strip()
    body = render_to_string("emails/application_received_body.txt", context)
    send_mail(" ".join(subject.split()), body, None, [payload["email"]])
    return True


# --- submission --------------------------------------------------------------------------


@dataclass(frozen=True)
class SubmitOutcome:
    result: str  # skipped | sent | retry | failed
    retry_at: datetime | None = None


def _wire_payload(application: Application) -> dict[str, Any]:
    """The stored payload with each fileRef replaced by the file's base64 content."""
    payload = application.payload
    files = {f.pk: f for f in application.files.all()}

    def expand(entry: dict[str, Any]) -> dict[str, Any]:
        stored = files[entry["fileRef"]]
        return {
            "fileName": entry["fileName"],
            "mimeType": entry["mimeType"],
            "fileContent": file_store.read_base64(stored.path),
        }

    for key in ("resume", "avatar"):
        if isinstance(payload.get(key), dict):
            payload[key] = expand(payload[key])
    if isinstance(payload.get("attachments"), list):
        payload["attachments"] = [expand(entry) for entry in payload["attachments"]]
    return payload


def _claim(application_id: int, now: datetime) -> bool:
    """Take the submission for this worker; only one worker can win (conditional UPDATE)."""
    lease = timedelta(seconds=settings.APPLICATION_SUBMIT_LEASE)
    return (
        Application.objects.due(now=now)
        .filter(pk=application_id, erased_at__isnull=True)
        .update(
            state=Application.State.SENDING,
            claimed_until=now + lease,
            attempts=F("attempts") + 1,
        )
        == 1
    )


def retry_delay(attempts: int) -> float:
    """Exponential backoff with jitter (half fixed, half random), capped."""
    ceiling = min(
        settings.APPLICATION_RETRY_CAP,
        settings.APPLICATION_RETRY_BASE * (2 ** max(0, attempts - 1)),
    )
    return ceiling / 2 + random.uniform(0, ceiling / 2)  # noqa: S311 - jitter, not crypto


def submit_application(*, application_id: int, now: datetime | None = None) -> SubmitOutcome:
    """Send one application to SmartRecruiters, at most until the first recorded 201.

    Why resending is safe, and when it stops: a timeout or reset after the request left
    us is an unknown outcome: SR may have stored the candidate. We then send the same
    payload again later. SR (and the sandbox, check 11) answers a repeat of the same
    email + lastName + posting uuid with a 201 carrying the *same* candidate and
    application ids, so a resend creates nothing new and tells us the ids. SR does not
    document that deduplication, so the moment a 201 is recorded the row is ``sent`` and
    no code path posts it again: ``_claim`` only takes ``received`` rows (or ``sending``
    rows whose worker died, which by construction have no recorded 201).
    """
    now = now or timezone.now()
    if not _claim(application_id, now):
        return SubmitOutcome(result="skipped")
    application = Application.objects.get(pk=application_id)
    attempt = SubmissionAttempt(application=application, started_at=now)
    try:
        payload = _wire_payload(application)
    except (OSError, KeyError, file_store.FileRejected) as exc:
        logger.error("application %s: stored files unreadable", application_id)
        return _record_failure(application, attempt, message=f"Stored files unreadable: {exc}")
    try:
        response = sr.create_candidate(application.posting_uuid, payload)
    except sr.ApplicationRejected as exc:
        if exc.screening.question_ids:
            # Our form mirrors SR's checks, so a screening 400 means the configuration
            # changed since the candidate saw it (an id our form does not know, or one SR
            # no longer has): the next visitor gets a freshly fetched form.
            configuration_forget(posting_uuid=application.posting_uuid)
        return _record_failure(
            application,
            attempt,
            error=exc,
            message=exc.message,
            question_ids=list(exc.screening.question_ids),
        )
    except NotFoundError as exc:
        return _record_failure(
            application, attempt, error=exc, message="The job is closed on SmartRecruiters."
        )
    except AuthenticationError as exc:
        # An operator problem (key revoked or wrong): loud log, failed for an admin retry.
        logger.error(
            "application %s: SmartRecruiters refused our key (%s)", application_id, exc.status
        )
        return _record_failure(application, attempt, error=exc, message=exc.message)
    except TransientError as exc:
        return _record_retry(application, attempt, error=exc, now=now)
    except SmartRecruitersError as exc:
        return _record_failure(application, attempt, error=exc, message=exc.message)
    return _record_success(application, attempt, response)


@transaction.atomic
def _record_success(
    application: Application, attempt: SubmissionAttempt, response: sr.ApplyResponse
) -> SubmitOutcome:
    finished = timezone.now()
    body = {
        "id": response.id,
        "createdOn": response.created_on,
        "candidatePortalUrl": response.candidate_portal_url,
        "applicationId": response.application_id,
    }
    # Any state but "sent": even if our lease ran out meanwhile, this 201 is the truth,
    # and a concurrent resend got the same ids from SR's deduplication.
    Application.objects.filter(pk=application.pk).exclude(state=Application.State.SENT).update(
        state=Application.State.SENT,
        candidate_id=response.id,
        sr_application_id=response.application_id,
        candidate_portal_url=response.candidate_portal_url,
        sr_response=body,
        sent_at=finished,
        sr_status="NEW",
        claimed_until=None,
        last_error="",
        last_error_code="",
        last_status_code=201,
    )
    attempt.finished_at = finished
    attempt.outcome = "sent"
    attempt.status_code = 201
    attempt.response = body
    attempt.save()
    logger.info("application %s sent", application.pk)
    return SubmitOutcome(result="sent")


@transaction.atomic
def _record_retry(
    application: Application, attempt: SubmissionAttempt, *, error: TransientError, now: datetime
) -> SubmitOutcome:
    attempt.finished_at = timezone.now()
    attempt.status_code = error.status
    attempt.error_code = error.code or error.__class__.__name__
    attempt.message = str(error)[:2000]
    delay = retry_delay(application.attempts)
    if isinstance(error, RateLimitedError) and error.retry_after:
        delay = max(delay, error.retry_after)
    retry_at = now + timedelta(seconds=delay)
    if retry_at > application.give_up_at:
        attempt.outcome = "failed"
        attempt.save()
        _mark_failed(
            application,
            message=f"SmartRecruiters could not be reached for too long; last error: {error}",
            code=attempt.error_code,
            status=error.status,
        )
        logger.warning("application %s failed: retry window exhausted", application.pk)
        return SubmitOutcome(result="failed")
    attempt.outcome = "retry"
    attempt.save()
    Application.objects.filter(pk=application.pk, state=Application.State.SENDING).update(
        state=Application.State.RECEIVED,
        next_attempt_at=retry_at,
        claimed_until=None,
        last_error=str(error)[:2000],
        last_error_code=attempt.error_code,
        last_status_code=error.status,
    )
    logger.info("application %s: transient failure, retry in %.0f s", application.pk, delay)
    return SubmitOutcome(result="retry", retry_at=retry_at)


def _mark_failed(
    application: Application,
    *,
    message: str,
    code: str,
    status: int | None,
    question_ids: list[str] | None = None,
) -> None:
    Application.objects.filter(pk=application.pk, state=Application.State.SENDING).update(
        state=Application.State.FAILED,
        rejected_question_ids=question_ids or [],
        claimed_until=None,
        last_error=message[:2000],
        last_error_code=code[:60],
        last_status_code=status,
    )


@transaction.atomic
def _record_failure(
    application: Application,
    attempt: SubmissionAttempt,
    *,
    message: str,
    error: SmartRecruitersError | None = None,
    question_ids: list[str] | None = None,
) -> SubmitOutcome:
    attempt.finished_at = timezone.now()
    attempt.outcome = "failed"
    attempt.status_code = error.status if error else None
    attempt.error_code = (error.code or error.__class__.__name__) if error else "local"
    attempt.message = message[:2000]
    if error is not None and error.body_excerpt:
        attempt.response = {"body_excerpt": error.body_excerpt}
    attempt.save()
    _mark_failed(
        application,
        message=message,
        code=attempt.error_code,
        status=attempt.status_code,
        question_ids=question_ids or [],
    )
    logger.warning("application %s failed permanently (%s)", application.pk, attempt.error_code)
    return SubmitOutcome(result="failed")


def application_retry(*, application_id: int, now: datetime | None = None) -> bool:
    """Admin: send a failed application again, with a fresh retry window."""
    now = now or timezone.now()
    from partner.applications import tasks

    with transaction.atomic():
        updated = Application.objects.filter(
            pk=application_id, state=Application.State.FAILED, erased_at__isnull=True
        ).update(
            state=Application.State.RECEIVED,
            next_attempt_at=now,
            give_up_at=now + timedelta(hours=settings.APPLICATION_RETRY_WINDOW_HOURS),
        )
        if updated:
            transaction.on_commit(lambda: _enqueue(tasks.submit_application, application_id))
    return bool(updated)


def submissions_drain(*, now: datetime | None = None) -> dict[str, int]:
    """Send every due application now (manage.py submit_applications); counts by result."""
    counts: dict[str, int] = {"sent": 0, "retry": 0, "failed": 0, "skipped": 0}
    seen: set[int] = set()
    while True:
        ids = [i for i in selectors.due_application_ids(now=now) if i not in seen]
        if not ids:
            return counts
        for application_id in ids:
            seen.add(application_id)
            counts[submit_application(application_id=application_id, now=now).result] += 1


# --- status ------------------------------------------------------------------------------


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
        _status_cache_key(application_id), status, timeout=settings.APPLICATION_STATUS_CACHE_SECONDS
    )
    return status


def _status_cache_key(application_id: int) -> str:
    return f"application-status:{application_id}"


def status_for_page(*, application: Application) -> str:
    """SR's status for the status page: cached 10 minutes, last known value on errors."""
    if application.state != Application.State.SENT or application.is_erased:
        return ""
    cached = cache.get(_status_cache_key(application.pk))
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


# --- erasure -----------------------------------------------------------------------------

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
        # The portal link leads to the candidate's own data at SR: not kept either.
        application.sr_response = {
            k: v for k, v in application.sr_response.items() if k != "candidatePortalUrl"
        }
        application.erased_at = now
        application.erasure_reason = reason[:40]
        application.save()
        application.files.update(file_name=ERASED, path="")
        for attempt in application.submission_attempts.exclude(response={}):
            attempt.response = {
                k: v for k, v in attempt.response.items() if k != "candidatePortalUrl"
            }
            attempt.save(update_fields=["response"])
        transaction.on_commit(lambda: [file_store.delete_private(p) for p in paths if p])
    cache.delete(_status_cache_key(application_id))
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
