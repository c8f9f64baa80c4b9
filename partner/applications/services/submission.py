"""Sending applications to SmartRecruiters (POST candidates), through the shared outbox.

The outbox (``jobboard.outbox``) claims, retries with backoff and records outcomes; this
module keeps only what is particular to applications: the payload on the wire, and what
each answer of SmartRecruiters means for the application.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from jobboard import outbox
from jobboard.outbox import enqueue_on_commit
from partner.applications import files as file_store
from partner.applications import selectors
from partner.applications.models import Application, SubmissionAttempt
from partner.applications.services.configuration import configuration_forget
from partner.smartrecruiters import applications as sr
from partner.smartrecruiters.errors import (
    AuthenticationError,
    NotFoundError,
    RateLimitedError,
    SmartRecruitersError,
    TransientError,
)

logger = logging.getLogger(__name__)

Outcome = SubmissionAttempt.Outcome


class SubmitResult(StrEnum):
    """What one call of ``submit_application`` did."""

    SKIPPED = "skipped"  # not due, or another worker holds it
    SENT = "sent"
    RETRY = "retry"
    FAILED = "failed"
    # SmartRecruiters locked our traffic: postponed without counting an attempt.
    PAUSED = "paused"


@dataclass(frozen=True)
class SubmitOutcome:
    result: SubmitResult
    retry_at: datetime | None = None


def _wire_payload(application: Application) -> dict[str, Any]:
    """The stored payload with each fileRef replaced by the file's base64 content."""
    payload = application.payload
    files = {f.pk: f for f in application.files.all()}

    def expand(entry: dict[str, Any]) -> dict[str, Any]:
        stored = files[entry["fileRef"]]
        return {
            # Applications stored before names were shortened at upload are fitted here.
            "fileName": file_store.fit_file_name(entry["fileName"]),
            "mimeType": entry["mimeType"],
            "fileContent": file_store.read_base64(stored.path),
        }

    for key in ("resume", "avatar"):
        if isinstance(payload.get(key), dict):
            payload[key] = expand(payload[key])
    if isinstance(payload.get("attachments"), list):
        payload["attachments"] = [expand(entry) for entry in payload["attachments"]]
    return payload


def submission_claim(*, application_id: int, now: datetime) -> bool:
    """Take the submission for this worker if it is due; only one worker can win."""
    return outbox.claim_one(
        selectors.submittable(),
        pk=application_id,
        lease=timedelta(seconds=settings.APPLICATION_SUBMIT_LEASE),
        now=now,
    )


def submit_application(*, application_id: int, now: datetime | None = None) -> SubmitOutcome:
    """Send one application to SmartRecruiters, at most until the first recorded 2xx.

    Why resending is safe, and when it stops: a timeout or reset after the request left
    us is an unknown outcome: SR may have stored the candidate. We then send the same
    payload again later. SR (and the sandbox, check 11) answers a repeat of the same
    email + lastName + posting uuid with a 2xx carrying the *same* candidate and
    application ids, so a resend creates nothing new and tells us the ids. SR does not
    document that deduplication, so the moment a 2xx is recorded the row is ``sent`` and
    no code path posts it again: ``submission_claim`` only takes pending rows (or
    ``sending`` rows whose worker died, which by construction have no recorded 2xx).
    """
    now = now or timezone.now()
    if not submission_claim(application_id=application_id, now=now):
        return SubmitOutcome(result=SubmitResult.SKIPPED)
    application = Application.objects.get(pk=application_id)
    paused_until = selectors.submissions_paused_until(now=now, exclude_pk=application_id)
    if paused_until is not None:
        return _record_paused(application, until=paused_until + PAUSE_HEAD_START)
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
            question_ids=exc.screening.question_ids,
        )
    except NotFoundError as exc:
        return _record_failure(
            application, attempt, error=exc, message="The job is closed on SmartRecruiters."
        )
    except sr.TrafficLocked as exc:
        # Contract §7: SR has blocked our traffic. Not this application's fault: pause
        # every submission (no attempt counted) and tell the operator (alert, admin).
        logger.error("application %s: SmartRecruiters answered TRAFFIC_LOCKED", application_id)
        return _record_traffic_locked(application, attempt, error=exc, now=now)
    except AuthenticationError as exc:
        # An operator problem (key revoked or wrong): loud log, failed for an admin retry.
        logger.error(
            "application %s: SmartRecruiters refused our key (%s)", application_id, exc.status
        )
        return _record_failure(application, attempt, error=exc, message=_failure_message(exc))
    except TransientError as exc:
        return _record_retry(application, attempt, error=exc, now=now)
    except SmartRecruitersError as exc:
        return _record_failure(application, attempt, error=exc, message=_failure_message(exc))
    return _record_success(application, attempt, response)


def _failure_message(error: SmartRecruitersError) -> str:
    """The error's message, led by what its code means when it is one of SR's."""
    code = sr.known_code(error.code)
    if code is None:
        return error.message
    return f"{sr.ERROR_MEANINGS[code]} ({code}: {error.message})"


# After a pause, the application that met TRAFFIC_LOCKED tries first; the others follow
# this much later, so one request (not all of them) finds out whether the lock is gone.
PAUSE_HEAD_START = timedelta(minutes=1)


def _pause_window(application: Application, until: datetime) -> datetime:
    # The lock is not the application's failure: it keeps a whole retry window after it.
    return max(
        application.give_up_at,
        until + timedelta(hours=settings.APPLICATION_RETRY_WINDOW_HOURS),
    )


@transaction.atomic
def _record_traffic_locked(
    application: Application,
    attempt: SubmissionAttempt,
    *,
    error: sr.TrafficLocked,
    now: datetime,
) -> SubmitOutcome:
    until = now + timedelta(seconds=settings.APPLICATION_TRAFFIC_LOCK_PAUSE)
    attempt.finished_at = timezone.now()
    attempt.outcome = Outcome.RETRY
    attempt.status_code = error.status
    attempt.error_code = sr.ApplyErrorCode.TRAFFIC_LOCKED
    attempt.message = str(error)[:2000]
    if error.body_excerpt:
        attempt.response = {"body_excerpt": error.body_excerpt}
    attempt.save()
    if outbox.postpone(application, until=until):
        # postpone() keeps the error fields as they were: record this one. The code is
        # what makes this row the pause (selectors.submissions_paused_until).
        Application.objects.filter(pk=application.pk).update(
            last_error=f"{sr.ERROR_MEANINGS[sr.ApplyErrorCode.TRAFFIC_LOCKED]} {error.message}"[
                :2000
            ],
            last_error_code=sr.ApplyErrorCode.TRAFFIC_LOCKED,
            last_status_code=error.status,
            give_up_at=_pause_window(application, until),
        )
    return SubmitOutcome(result=SubmitResult.PAUSED, retry_at=until)


@transaction.atomic
def _record_paused(application: Application, *, until: datetime) -> SubmitOutcome:
    """Submissions are paused: back to the queue untried, no attempt counted."""
    if outbox.postpone(application, until=until):
        Application.objects.filter(pk=application.pk).update(
            last_error=(
                "Not sent yet: SmartRecruiters has blocked our traffic (TRAFFIC_LOCKED); "
                "submissions are paused."
            ),
            last_error_code=selectors.PAUSED_CODE,
            give_up_at=_pause_window(application, until),
        )
    logger.info("application %s: submissions paused, next try at %s", application.pk, until)
    return SubmitOutcome(result=SubmitResult.PAUSED, retry_at=until)


@transaction.atomic
def _record_success(
    application: Application, attempt: SubmissionAttempt, response: sr.ApplyResponse
) -> SubmitOutcome:
    finished = timezone.now()
    # What SR answered, as it answered: SR's spec has no applicationId (some doc examples
    # do), so the candidate id is all that later steps (status, erasure) rely on.
    body = {
        key: value
        for key, value in (
            ("id", response.id),
            ("createdOn", response.created_on),
            ("candidatePortalUrl", response.candidate_portal_url),
            ("smartrJoinUrl", response.smartr_join_url),
            ("applicationId", response.application_id),
        )
        if value
    }
    answer: dict[str, Any] = {
        "candidate_id": response.id,
        "sr_application_id": response.application_id,
        "candidate_portal_url": response.candidate_portal_url,
        "sr_response": body,
        "sent_at": finished,
        "sr_status": "NEW",
        "last_error_code": "",
        "last_status_code": response.http_status,
    }
    if not outbox.mark_sent(application, **answer):
        # Our lease ran out and another worker took the row over (or recorded its own
        # outcome): this 2xx is still the truth, and a concurrent resend got the same ids
        # from SR's deduplication. Only a row already sent is left as it is.
        Application.objects.filter(pk=application.pk).exclude(state=Application.State.SENT).update(
            state=Application.State.SENT, claimed_until=None, last_error="", **answer
        )
    attempt.finished_at = finished
    attempt.outcome = Outcome.SENT
    attempt.status_code = response.http_status
    attempt.response = body
    attempt.save()
    logger.info("application %s sent", application.pk)
    return SubmitOutcome(result=SubmitResult.SENT)


@transaction.atomic
def _record_retry(
    application: Application, attempt: SubmissionAttempt, *, error: TransientError, now: datetime
) -> SubmitOutcome:
    attempt.finished_at = timezone.now()
    attempt.status_code = error.status
    attempt.error_code = error.code or error.__class__.__name__
    attempt.message = str(error)[:2000]
    retry_at = outbox.schedule_retry(
        application,
        error=str(error),
        base=settings.APPLICATION_RETRY_BASE,
        cap=settings.APPLICATION_RETRY_CAP,
        retry_after=error.retry_after if isinstance(error, RateLimitedError) else None,
        give_up_at=application.give_up_at,
        now=now,
        last_error_code=attempt.error_code[:60],
        last_status_code=error.status,
    )
    if retry_at is None:
        attempt.outcome = Outcome.FAILED
        attempt.save()
        # The next try would fall after the retry window: failed, in words an admin and
        # the candidate's page can use.
        Application.objects.filter(pk=application.pk, state=Application.State.FAILED).update(
            last_error=f"SmartRecruiters could not be reached for too long; last error: {error}"[
                :2000
            ],
            rejected_question_ids=[],
        )
        logger.warning("application %s failed: retry window exhausted", application.pk)
        return SubmitOutcome(result=SubmitResult.FAILED)
    attempt.outcome = Outcome.RETRY
    attempt.save()
    logger.info(
        "application %s: transient failure, retry in %.0f s",
        application.pk,
        (retry_at - now).total_seconds(),
    )
    return SubmitOutcome(result=SubmitResult.RETRY, retry_at=retry_at)


@transaction.atomic
def _record_failure(
    application: Application,
    attempt: SubmissionAttempt,
    *,
    message: str,
    error: SmartRecruitersError | None = None,
    question_ids: Sequence[str] = (),
) -> SubmitOutcome:
    attempt.finished_at = timezone.now()
    attempt.outcome = Outcome.FAILED
    attempt.status_code = error.status if error else None
    attempt.error_code = (error.code or error.__class__.__name__) if error else "local"
    attempt.message = message[:2000]
    if error is not None and error.body_excerpt:
        attempt.response = {"body_excerpt": error.body_excerpt}
    attempt.save()
    outbox.mark_failed(
        application,
        error=message,
        rejected_question_ids=list(question_ids),
        last_error_code=attempt.error_code[:60],
        last_status_code=attempt.status_code,
    )
    logger.warning("application %s failed permanently (%s)", application.pk, attempt.error_code)
    return SubmitOutcome(result=SubmitResult.FAILED)


def application_retry(*, application_id: int, now: datetime | None = None) -> bool:
    """Admin: send a failed application again, with a fresh retry window."""
    now = now or timezone.now()
    from partner.applications import tasks

    with transaction.atomic():
        retried = outbox.retry_failed(
            selectors.submittable().filter(pk=application_id),
            now=now,
            give_up_at=now + timedelta(hours=settings.APPLICATION_RETRY_WINDOW_HOURS),
        )
        if retried:
            enqueue_on_commit(tasks.submit_application, application_id)
    return bool(retried)


def submissions_drain(*, now: datetime | None = None) -> dict[str, int]:
    """Send every due application now (manage.py submit_applications); counts by result."""
    counts = dict.fromkeys(SubmitResult, 0)
    seen: set[int] = set()
    while True:
        ids = [i for i in selectors.due_application_ids(now=now) if i not in seen]
        if not ids:
            return {str(result): count for result, count in counts.items()}
        for application_id in ids:
            seen.add(application_id)
            counts[submit_application(application_id=application_id, now=now).result] += 1
