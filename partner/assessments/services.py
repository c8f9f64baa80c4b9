"""Writes for the assessment vendor. Keyword-only; atomic; no network inside a transaction.

Functions that talk to SmartRecruiters (``integration_connect``, ``push_deliver``) do
their HTTP outside any transaction and record the outcome in a short one afterwards.
"""

from __future__ import annotations

import base64
import logging
import random
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from jobboard.crypto import hash_token, new_token, tokens_match
from partner.assessments import queue, results
from partner.assessments.models import (
    AccessToken,
    Assessment,
    AssessmentResult,
    ClientAccount,
    Integration,
    Order,
    OrderEvent,
    Package,
    Question,
    ResultPush,
    ResultStatus,
)
from partner.assessments.urlrules import CallbackURLError, order_id_from_callback
from partner.smartrecruiters import assessments as sr_assessments
from partner.smartrecruiters.errors import (
    AuthenticationError,
    NotFoundError,
    PermanentError,
    SmartRecruitersError,
)
from partner.smartrecruiters.oauth import ClientCredentials, token_cache

logger = logging.getLogger(__name__)

# Compared against when the client id is unknown, so that a miss costs what a hit costs.
_DUMMY_HASH = hash_token("no-such-client")
# A claimed push is invisible to other workers for this long.
PUSH_LEASE = timedelta(minutes=5)
REPORT_MAX_BYTES = 10 * 1024 * 1024


class ServiceError(Exception):
    """A business rule refused the request; ``code`` goes into the API's error body."""

    def __init__(self, message: str, *, code: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status


def _event(order: Order, kind: str, message: str = "", *, actor: str = "") -> None:
    OrderEvent.objects.create(order=order, kind=kind, message=message, actor=actor)


def _actor(user: AbstractBaseUser | None) -> str:
    return user.get_username() if user is not None else ""


# ---------------------------------------------------------------------------
# Tokens we issue (our OAuth endpoint)
# ---------------------------------------------------------------------------
class InvalidClientError(Exception):
    pass


def client_authenticate(*, client_id: str, client_secret: str) -> Integration:
    """The active integration whose P-pair this is; compared in constant time."""
    integration = (
        Integration.objects.filter(p_client_id=client_id, status=Integration.Status.ACTIVE).first()
        if client_id
        else None
    )
    stored = integration.p_secret_hash if integration and integration.p_secret_hash else ""
    # A miss compares against a dummy hash, so it costs what a hit costs.
    secret_ok = tokens_match(client_secret or "", stored or _DUMMY_HASH)
    if integration is None or not stored or not secret_ok:
        raise InvalidClientError("Unknown client or wrong secret")
    return integration


@transaction.atomic
def token_issue(*, integration: Integration) -> tuple[str, int]:
    """Mint an opaque 256-bit Bearer token; only its hash is stored. (token, expires_in)"""
    token = new_token(32)
    ttl = int(settings.ASSESSMENT_TOKEN_TTL)
    AccessToken.objects.create(
        integration=integration,
        token_hash=hash_token(token),
        expires_at=timezone.now() + timedelta(seconds=ttl),
    )
    return token, ttl


# ---------------------------------------------------------------------------
# Consent and integration
# ---------------------------------------------------------------------------
class ConnectOutcome(Enum):
    CONNECTED = "connected"
    KEPT_EXISTING = "kept_existing"  # setup 409 while we hold an SR-pair: keep it


class ConnectError(Exception):
    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def _mint_p_pair(company_id: str) -> ClientCredentials:
    # The id is public (it travels in forms and logs); the secret is 256 random bits.
    return ClientCredentials(
        client_id=f"p-{company_id[:12]}-{secrets.token_hex(6)}", client_secret=new_token(32)
    )


def integration_connect(
    *,
    company_id: str,
    client: ClientAccount | None = None,
    new_client_name: str = "",
    user: AbstractBaseUser | None,
) -> ConnectOutcome:
    """Mint a P-pair, call SR's setup with the master token, store the SR-pair.

    SR errors (§7): 409 → keep our SR-pair if we hold one, else the admin must disconnect
    and reconnect in SmartRecruiters; 403 → SR has no consent recorded.
    """
    p_pair = _mint_p_pair(company_id)
    try:
        sr_pair = sr_assessments.setup_integration(company_id=company_id, p_pair=p_pair)
    except SmartRecruitersError as exc:
        existing = Integration.objects.filter(
            company_id=company_id, status=Integration.Status.ACTIVE
        ).first()
        if exc.status == 409:
            if existing is not None and existing.has_sr_pair:
                return ConnectOutcome.KEPT_EXISTING
            raise ConnectError(
                "SmartRecruiters says this company is already integrated, but we hold no "
                "credentials for it. Ask the customer to disconnect and reconnect the "
                "integration in SmartRecruiters.",
                code="ALREADY_INTEGRATED",
            ) from None
        if exc.status == 403 and isinstance(exc, AuthenticationError):
            raise ConnectError(
                "SmartRecruiters has no consent recorded for this company. Start again "
                "from SmartRecruiters' Connect button.",
                code="CONSENT_MISSING",
            ) from None
        if isinstance(exc, NotFoundError):
            raise ConnectError(
                "SmartRecruiters has no partner configuration for us yet: run "
                "`manage.py register_assessment_partner`.",
                code="NO_CONFIGURATION",
            ) from None
        logger.warning("setup integration failed for company %s: %s", company_id, exc)
        raise ConnectError(
            "SmartRecruiters could not complete the setup; try again later.",
            code="SETUP_FAILED",
        ) from None
    _integration_record(
        company_id=company_id,
        client=client,
        new_client_name=new_client_name,
        p_pair=p_pair,
        sr_pair=sr_pair,
        user=user,
    )
    return ConnectOutcome.CONNECTED


@transaction.atomic
def _integration_record(
    *,
    company_id: str,
    client: ClientAccount | None,
    new_client_name: str,
    p_pair: ClientCredentials,
    sr_pair: ClientCredentials,
    user: AbstractBaseUser | None,
) -> Integration:
    # A new client account is created only once SR accepted the setup, so a failed
    # connection leaves no orphan account behind.
    if client is None:
        client, _ = ClientAccount.objects.get_or_create(name=new_client_name)
    integration, _ = Integration.objects.select_for_update().get_or_create(
        company_id=company_id, defaults={"client": client}
    )
    # A reconnect starts clean: tokens issued under an older P-pair die with it.
    AccessToken.objects.filter(integration=integration, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    integration.client = client
    integration.status = Integration.Status.ACTIVE
    integration.p_client_id = p_pair.client_id
    integration.p_secret_hash = hash_token(p_pair.client_secret)
    integration.sr_client_id = sr_pair.client_id
    integration.sr_client_secret = sr_pair.client_secret
    integration.connected_by = user if user is not None and user.pk else None
    integration.connected_at = timezone.now()
    integration.disconnected_at = None
    integration.save()
    return integration


@transaction.atomic
def integration_disconnect(*, integration: Integration) -> None:
    """Revoke both pairs and every token; drop the company's queued pushes (§7)."""
    now = timezone.now()
    locked = Integration.objects.select_for_update().get(pk=integration.pk)
    AccessToken.objects.filter(integration=locked, revoked_at__isnull=True).update(revoked_at=now)
    ResultPush.objects.filter(order__integration=locked, state=ResultPush.State.PENDING).update(
        state=ResultPush.State.DROPPED, last_error="Company disconnected"
    )
    if locked.sr_client_id and locked.sr_client_secret:
        token_cache.forget(ClientCredentials(locked.sr_client_id, locked.sr_client_secret))
    locked.status = Integration.Status.DISCONNECTED
    locked.p_client_id = None
    locked.p_secret_hash = ""
    locked.sr_client_id = ""
    locked.sr_client_secret = ""
    locked.disconnected_at = now
    locked.save()


# ---------------------------------------------------------------------------
# Orders
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class CandidateInput:
    email: str
    first_name: str = ""
    last_name: str = ""
    language: str = ""
    sr_id: str = ""


@dataclass(frozen=True)
class OrderInput:
    result_callback_url: str
    company_id: str
    package_id: str
    candidate: CandidateInput
    job_id: str = ""
    requester: dict[str, Any] = field(default_factory=dict)
    fields: dict[str, str] = field(default_factory=dict)
    completed_callback_url: str = ""


def _invitation_expiry(now: datetime) -> datetime:
    return now + timedelta(days=int(settings.ASSESSMENT_INVITATION_DAYS))


def take_url(order: Order) -> str:
    path = reverse("assessments:take", kwargs={"key": order.access_key})
    return str(settings.SITE_URL).rstrip("/") + path


@transaction.atomic
def order_place(
    *, integration: Integration, data: OrderInput, kind: str = Order.Kind.STANDARD
) -> tuple[Order, bool]:
    """Record an order (idempotent per resultCallbackURL); returns (order, created).

    A standard order's invitation is sent asynchronously after commit. An inline
    candidate arrives at once, so the order is PENDING (and pushed) straight away.
    """
    if data.company_id != integration.company_id:
        raise ServiceError(
            "companyId does not match the token's company", code="COMPANY_MISMATCH", status=403
        )
    try:
        sr_order_id = order_id_from_callback(data.result_callback_url)
    except CallbackURLError as exc:
        raise ServiceError(str(exc), code="INVALID_CALLBACK_URL") from None
    existing = Order.objects.filter(result_callback_url=data.result_callback_url).first()
    if existing is not None:
        if existing.integration_id != integration.pk:
            raise ServiceError(
                "This order belongs to another company", code="COMPANY_MISMATCH", status=403
            )
        return existing, False
    package = (
        Package.objects.filter(external_id=data.package_id, is_active=True)
        .filter(pk__in=_offered_ids(integration))
        .first()
    )
    if package is None:
        raise ServiceError("Unknown assessment package", code="PACKAGE_NOT_FOUND", status=404)
    key = new_token(24)
    now = timezone.now()
    order = Order(
        integration=integration,
        package=package,
        kind=kind,
        result_callback_url=data.result_callback_url,
        sr_order_id=sr_order_id,
        candidate_sr_id=data.candidate.sr_id,
        candidate_email=data.candidate.email,
        candidate_first_name=data.candidate.first_name,
        candidate_last_name=data.candidate.last_name,
        candidate_language=data.candidate.language,
        job_id=data.job_id,
        requester=data.requester,
        fields=data.fields,
        completed_callback_url=data.completed_callback_url,
        access_key=key,
        access_key_hash=hash_token(key),
        created_at=now,
    )
    try:
        with transaction.atomic():
            order.save()
    except IntegrityError:
        # A concurrent duplicate (SR sent the same order twice at once) won the race.
        return Order.objects.get(result_callback_url=data.result_callback_url), False
    for assessment in package.assessments.all():
        AssessmentResult.objects.create(order=order, assessment=assessment)
    _event(order, "created", f"{order.get_kind_display()} received from SmartRecruiters")
    if kind == Order.Kind.INLINE:
        _mark_invited(order, now=now, how="Inline: candidate sent to us by SmartRecruiters")
    else:
        queue.enqueue("send_invitation", order.pk)
    return order, True


def _offered_ids(integration: Integration) -> Any:
    from partner.assessments.selectors import packages_offered_to

    return packages_offered_to(integration=integration).values("pk")


def _queue_push(order: Order, patch: dict[str, Any], *, attach_report: bool = False) -> None:
    ResultPush.objects.create(order=order, payload=patch, attach_report=attach_report)
    queue.enqueue("push_order_results", order.pk)


def _mark_invited(order: Order, *, now: datetime, how: str) -> None:
    order.status = ResultStatus.PENDING
    order.invited_at = now
    order.expires_at = _invitation_expiry(now)
    order.save(update_fields=["status", "invited_at", "expires_at"])
    _event(order, "invited", how)
    _queue_push(order, results.invitation_patch(order))


def _send_invitation_email(order: Order) -> None:
    context = {
        "order": order,
        "package": order.package,
        "url": take_url(order),
        "expires_days": int(settings.ASSESSMENT_INVITATION_DAYS),
        "site_name": settings.SITE_NAME,
    }
    subject = render_to_string("emails/assessment_invitation_subject.txt", context).strip()
    body = render_to_string("emails/assessment_invitation_body.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [order.candidate_email])


def order_invite(*, order_id: int) -> bool:
    """Email the candidate their private link, then mark the order PENDING and push it.

    Safe to run twice: a second run finds the order already invited and does nothing.
    The email is sent outside the transaction; the claim afterwards is conditional.
    """
    order = Order.objects.select_related("package").filter(pk=order_id, status="").first()
    if order is None or not order.integration.is_active:
        return False
    _send_invitation_email(order)
    with transaction.atomic():
        now = timezone.now()
        claimed = Order.objects.filter(pk=order_id, status="").update(
            status=ResultStatus.PENDING, invited_at=now, expires_at=_invitation_expiry(now)
        )
        if not claimed:
            return False
        order.refresh_from_db()
        _event(order, "invited", f"Invitation emailed to {order.candidate_email}")
        _queue_push(order, results.invitation_patch(order))
    return True


def order_resend_invitation(*, order: Order, user: AbstractBaseUser | None = None) -> None:
    if order.status not in (ResultStatus.PENDING, ResultStatus.IN_PROGRESS, ""):
        raise ServiceError("Only an open order can be sent its invitation again", code="CLOSED")
    if order.kind == Order.Kind.INLINE:
        raise ServiceError("Inline candidates are not invited by email", code="INLINE")
    if not order.status:
        order_invite(order_id=order.pk)
        return
    _send_invitation_email(order)
    _event(
        order,
        "invitation_resent",
        f"Invitation emailed to {order.candidate_email}",
        actor=_actor(user),
    )


# ---------------------------------------------------------------------------
# The candidate's side (test runner)
# ---------------------------------------------------------------------------
@transaction.atomic
def assessment_start(*, order: Order, assessment: Assessment) -> AssessmentResult:
    """Open the candidate's attempt (idempotent) and move the order to IN_PROGRESS."""
    order = Order.objects.select_for_update().get(pk=order.pk)
    if order.is_terminal or not order.status:
        raise ServiceError("This assessment is closed", code="CLOSED")
    if order.expires_at is not None and order.expires_at <= timezone.now():
        # Lapsed but not yet swept by expire_orders: closed all the same.
        raise ServiceError("This invitation has expired", code="EXPIRED")
    result = AssessmentResult.objects.select_for_update().get(order=order, assessment=assessment)
    if result.started_at is None:
        now = timezone.now()
        result.started_at = now
        result.deadline = now + timedelta(minutes=assessment.time_limit_minutes)
        result.status = ResultStatus.IN_PROGRESS
        result.save(update_fields=["started_at", "deadline", "status"])
        _event(order, "started", f"Candidate started {assessment.name}")
        if order.status == ResultStatus.PENDING:
            order.status = ResultStatus.IN_PROGRESS
            order.started_at = now
            order.save(update_fields=["status", "started_at"])
            _queue_push(order, results.progress_patch(order))
    return result


# Answers arriving this long after the time limit still count (network, clock skew).
SUBMIT_GRACE = timedelta(seconds=60)


def _normalise(text: str) -> str:
    return " ".join(text.lower().split())


def score_answers(
    *, questions: list[Question], answers: dict[str, list[str]]
) -> tuple[int, int, dict[str, Any]]:
    """(raw, max, detail): a question earns its points only when answered exactly right."""
    raw = 0
    maximum = 0
    detail: dict[str, Any] = {}
    for question in questions:
        maximum += question.points
        given = [a for a in answers.get(str(question.pk), []) if a]
        if question.kind == Question.Kind.CHOICE:
            correct = {str(c.pk) for c in question.choices.all() if c.is_correct}
            ok = bool(correct) and set(given) == correct
        else:
            accepted = {
                _normalise(line) for line in question.accepted_answers.splitlines() if line.strip()
            }
            ok = bool(given) and _normalise(given[0]) in accepted
        raw += question.points if ok else 0
        detail[str(question.pk)] = {"answer": given, "correct": ok}
    return raw, maximum, detail


@transaction.atomic
def assessment_submit(
    *, order: Order, assessment: Assessment, answers: dict[str, list[str]]
) -> AssessmentResult:
    """Score an auto test. After the time limit (plus grace) the answers are not counted."""
    order = Order.objects.select_for_update().get(pk=order.pk)
    result = AssessmentResult.objects.select_for_update().get(order=order, assessment=assessment)
    if result.is_done or order.is_terminal:
        return result
    if result.started_at is None:
        raise ServiceError("The test was not started", code="NOT_STARTED")
    now = timezone.now()
    questions = list(assessment.questions.prefetch_related("choices"))
    late = result.deadline is not None and now > result.deadline + SUBMIT_GRACE
    raw, maximum, detail = score_answers(questions=questions, answers={} if late else answers)
    result.answers = detail
    result.submitted_at = now
    result.status = ResultStatus.COMPLETED
    result.score_raw, result.score_min, result.score_max = raw, 0, max(maximum, 1)
    result.score_label = results.score_label(raw, 0, max(maximum, 1))
    result.summary = (
        "Time limit exceeded: answers not counted" if late else f"{raw} of {maximum} points"
    )
    result.save()
    _event(order, "submitted", f"{assessment.name}: {result.summary}")
    _after_result(order)
    return result


@transaction.atomic
def assessment_review(
    *,
    result: AssessmentResult,
    score_raw: int,
    score_min: int,
    score_max: int,
    score_label: str,
    summary: str,
    user: AbstractBaseUser | None = None,
) -> AssessmentResult:
    """Staff record a manual review of one assessment."""
    _check_score(score_raw, score_min, score_max)
    order = Order.objects.select_for_update().get(pk=result.order_id)
    if order.is_terminal:
        raise ServiceError("The order is closed", code="CLOSED")
    result = AssessmentResult.objects.select_for_update().get(pk=result.pk)
    now = timezone.now()
    result.status = ResultStatus.COMPLETED
    result.started_at = result.started_at or now
    result.submitted_at = now
    result.score_raw, result.score_min, result.score_max = score_raw, score_min, score_max
    result.score_label = score_label or results.score_label(score_raw, score_min, score_max)
    result.summary = summary
    result.save()
    _event(order, "reviewed", f"{result.assessment.name}: {result.score_label}", actor=_actor(user))
    _after_result(order)
    return result


def _check_score(raw: int, minimum: int, maximum: int) -> None:
    if not (minimum < maximum and minimum <= raw <= maximum):
        raise ServiceError("The score needs min ≤ raw ≤ max and min < max", code="INVALID_SCORE")


def _after_result(order: Order) -> None:
    """Complete the order when every assessment has a result; else report progress."""
    all_results = list(order.results.select_related("assessment"))
    if all_results and all(r.status == ResultStatus.COMPLETED for r in all_results):
        raw = sum(int(r.score_raw or 0) for r in all_results)
        minimum = sum(int(r.score_min or 0) for r in all_results)
        maximum = sum(int(r.score_max or 0) for r in all_results)
        summary = "; ".join(
            f"{r.assessment.name}: {r.score_label or r.summary}" for r in all_results
        )
        _complete(
            order,
            raw=raw,
            minimum=minimum,
            maximum=maximum,
            label=results.score_label(raw, minimum, maximum),
            summary=summary,
            submitted_at=max(r.submitted_at for r in all_results if r.submitted_at),
            actor="",
        )
        return
    if order.status == ResultStatus.PENDING:
        order.status = ResultStatus.IN_PROGRESS
        order.started_at = order.started_at or timezone.now()
        order.save(update_fields=["status", "started_at"])
    _queue_push(order, results.progress_patch(order))


def _complete(
    order: Order,
    *,
    raw: int,
    minimum: int,
    maximum: int,
    label: str,
    summary: str,
    submitted_at: datetime,
    actor: str,
) -> None:
    order.status = ResultStatus.COMPLETED
    order.score_raw, order.score_min, order.score_max = raw, minimum, maximum
    order.score_label = label
    order.summary = summary
    order.submitted_at = submitted_at
    order.finished_at = timezone.now()
    order.save()
    _event(order, "completed", f"Score {raw} ({minimum}-{maximum}), {label}", actor=actor)
    _queue_push(order, results.completion_patch(order), attach_report=bool(order.report))


@transaction.atomic
def order_complete(
    *,
    order: Order,
    score_raw: int,
    score_min: int,
    score_max: int,
    score_label: str = "",
    summary: str = "",
    user: AbstractBaseUser | None = None,
) -> Order:
    """Staff complete an order with an overall score (whatever the assessments say)."""
    _check_score(score_raw, score_min, score_max)
    order = Order.objects.select_for_update().get(pk=order.pk)
    if order.is_terminal:
        raise ServiceError("A terminal status never changes", code="TERMINAL")
    now = timezone.now()
    for result in order.results.exclude(status=ResultStatus.COMPLETED):
        # Assessments nobody took are reported as closed by the same decision.
        result.status = ResultStatus.COMPLETED
        result.submitted_at = result.submitted_at or now
        result.save(update_fields=["status", "submitted_at"])
    _complete(
        order,
        raw=score_raw,
        minimum=score_min,
        maximum=score_max,
        label=score_label or results.score_label(score_raw, score_min, score_max),
        summary=summary,
        submitted_at=order.submitted_at or now,
        actor=_actor(user),
    )
    return order


@transaction.atomic
def order_reject(*, order: Order, reason: str, user: AbstractBaseUser | None = None) -> Order:
    order = Order.objects.select_for_update().get(pk=order.pk)
    if order.is_terminal:
        raise ServiceError("A terminal status never changes", code="TERMINAL")
    if not reason.strip():
        raise ServiceError("Give a reason", code="REASON_REQUIRED")
    order.status = ResultStatus.REJECTED
    order.reject_reason = reason.strip()
    order.finished_at = timezone.now()
    order.save(update_fields=["status", "reject_reason", "finished_at"])
    _event(order, "rejected", order.reject_reason, actor=_actor(user))
    _queue_push(order, results.rejection_patch(order))
    return order


def orders_expire(*, now: datetime | None = None) -> int:
    """EXPIRED for every open order whose invitation lapsed; returns how many."""
    from partner.assessments.selectors import expired_order_ids

    now = now or timezone.now()
    count = 0
    for order_id in expired_order_ids(now=now):
        with transaction.atomic():
            claimed = Order.objects.filter(
                pk=order_id,
                status__in=[ResultStatus.PENDING, ResultStatus.IN_PROGRESS],
                expires_at__lte=now,
            ).update(status=ResultStatus.EXPIRED, finished_at=now)
            if not claimed:
                continue
            order = Order.objects.select_related("package").get(pk=order_id)
            _event(order, "expired", "The invitation lapsed")
            _queue_push(order, results.expiry_patch(order))
            count += 1
    return count


@transaction.atomic
def order_attach_report(
    *, order: Order, upload: UploadedFile, user: AbstractBaseUser | None = None
) -> Order:
    if upload.size is not None and upload.size > REPORT_MAX_BYTES:
        raise ServiceError("A report may be at most 10 MB", code="TOO_LARGE")
    order = Order.objects.select_for_update().get(pk=order.pk)
    order.report.save(upload.name or "report.pdf", upload, save=False)
    order.report_url = ""  # a new file needs a new upload
    order.save(update_fields=["report", "report_url"])
    _event(
        order,
        "report",
        f"Report {order.report.name.rsplit('/', 1)[-1]} uploaded",
        actor=_actor(user),
    )
    if order.status == ResultStatus.COMPLETED:
        # Terminal status stays; other fields (attachments) may still be patched (§5).
        _queue_push(order, {}, attach_report=True)
    return order


@transaction.atomic
def order_push_again(*, order: Order, user: AbstractBaseUser | None = None) -> ResultPush:
    if not order.status:
        raise ServiceError("Nothing to push before the invitation", code="NOT_INVITED")
    push = ResultPush.objects.create(
        order=order, payload=results.snapshot_patch(order), attach_report=bool(order.report)
    )
    queue.enqueue("push_order_results", order.pk)
    _event(order, "push_again", "Results queued again", actor=_actor(user))
    return push


# ---------------------------------------------------------------------------
# Results outbox
# ---------------------------------------------------------------------------
def _backoff(attempts: int) -> timedelta:
    cap = float(settings.ASSESSMENT_PUSH_BACKOFF_CAP)
    base = float(settings.ASSESSMENT_PUSH_BACKOFF_BASE)
    return timedelta(seconds=random.uniform(0, min(cap, base * 2 ** max(attempts - 1, 0))))  # noqa: S311


def _claim(push_id: int, now: datetime) -> bool:
    return bool(
        ResultPush.objects.filter(
            pk=push_id, state=ResultPush.State.PENDING, next_attempt_at__lte=now
        ).update(next_attempt_at=now + PUSH_LEASE, attempts=F("attempts") + 1)
    )


def _report_attachment(order: Order, credentials: ClientCredentials) -> dict[str, Any] | None:
    """Normal orders: upload, then a PDF_URL link. Inline orders: base64 (§7)."""
    if not order.report:
        return None
    file_name = order.report.name.rsplit("/", 1)[-1][:100]
    mime = "application/pdf" if file_name.lower().endswith(".pdf") else "application/octet-stream"
    if order.kind == Order.Kind.INLINE:
        with order.report.open("rb") as fh:
            content = fh.read()
        return {
            "fileName": file_name,
            "mimeType": mime,
            "fileContent": base64.b64encode(content).decode(),
        }
    if not order.report_url:
        with order.report.open("rb") as fh:
            content = fh.read()
        url = sr_assessments.upload_attachment(
            credentials=credentials,
            result_callback_url=order.result_callback_url,
            file_name=file_name,
            content=content,
            content_type=mime,
        )
        Order.objects.filter(pk=order.pk).update(report_url=url)
        order.report_url = url
    link_type = "PDF_URL" if mime == "application/pdf" else "OTHER_URL"
    return {"type": link_type, "url": order.report_url, "fileName": file_name}


def push_deliver(*, push_id: int) -> str:
    """Send one queued PATCH (and the report) to SR; returns the push's state after.

    Claimed with a conditional UPDATE (a lease), so two workers never send the same
    push at once. Pushes of one order go in order: a later one waits for an earlier one.
    """
    now = timezone.now()
    if not _claim(push_id, now):
        return "skipped"
    push = ResultPush.objects.select_related("order", "order__integration", "order__package").get(
        pk=push_id
    )
    order = push.order
    integration = order.integration
    earlier = (
        ResultPush.objects.filter(
            order=order, state=ResultPush.State.PENDING, created_at__lte=push.created_at
        )
        .exclude(pk=push.pk)
        .filter(id__lt=push.pk)
        .order_by("next_attempt_at")
        .first()
    )
    if earlier is not None:
        ResultPush.objects.filter(pk=push.pk).update(
            next_attempt_at=max(earlier.next_attempt_at, now), attempts=F("attempts") - 1
        )
        return ResultPush.State.PENDING
    if not integration.is_active or not integration.has_sr_pair:
        _push_finish(push, ResultPush.State.DROPPED, "Company disconnected")
        return ResultPush.State.DROPPED
    try:
        # Checked again at send time: a token must never go to a foreign host.
        order_id_from_callback(order.result_callback_url)
    except CallbackURLError as exc:
        _push_finish(push, ResultPush.State.FAILED, str(exc))
        return ResultPush.State.FAILED
    credentials = ClientCredentials(integration.sr_client_id, integration.sr_client_secret)
    patch = dict(push.payload)
    try:
        if push.attach_report:
            attachment = _report_attachment(order, credentials)
            if attachment is not None:
                patch["attachments"] = [attachment]
        if patch:
            sr_assessments.patch_results(
                credentials=credentials,
                result_callback_url=order.result_callback_url,
                patch=patch,
            )
    except PermanentError as exc:
        # 400/403/404/415 will not get better by repeating: log, show staff, stop.
        logger.error("result push %s for order %s refused: %s", push.pk, order.pk, exc)
        _push_finish(push, ResultPush.State.FAILED, str(exc), status=exc.status)
        return ResultPush.State.FAILED
    except SmartRecruitersError as exc:
        return _push_retry_later(push, exc)
    _push_finish(push, ResultPush.State.SENT, "", status=200)
    return ResultPush.State.SENT


@transaction.atomic
def _push_finish(push: ResultPush, state: str, error: str, *, status: int | None = None) -> None:
    now = timezone.now()
    ResultPush.objects.filter(pk=push.pk).update(
        state=state,
        last_error=error[:2000],
        response_status=status,
        sent_at=now if state == ResultPush.State.SENT else None,
        next_attempt_at=now,
    )
    label = {
        ResultPush.State.SENT: "push_sent",
        ResultPush.State.FAILED: "push_failed",
        ResultPush.State.DROPPED: "push_dropped",
    }[ResultPush.State(state)]
    what = push.payload.get("status") or ("report" if push.attach_report else "update")
    _event(push.order, label, f"{what}{': ' + error if error else ''}")


@transaction.atomic
def _push_retry_later(push: ResultPush, exc: SmartRecruitersError) -> str:
    push.refresh_from_db()
    if push.attempts >= int(settings.ASSESSMENT_PUSH_MAX_ATTEMPTS):
        logger.error("result push %s gave up after %s attempts: %s", push.pk, push.attempts, exc)
        _push_finish(push, ResultPush.State.FAILED, f"gave up: {exc}", status=exc.status)
        return ResultPush.State.FAILED
    ResultPush.objects.filter(pk=push.pk).update(
        next_attempt_at=timezone.now() + _backoff(push.attempts),
        last_error=str(exc)[:2000],
        response_status=exc.status,
    )
    logger.warning("result push %s will be retried: %s", push.pk, exc)
    return ResultPush.State.PENDING


def pushes_drain(*, limit: int = 500, order_id: int | None = None) -> dict[str, int]:
    """Deliver every due push (optionally of one order); returns counts per state."""
    from partner.assessments.selectors import due_push_ids

    counts: dict[str, int] = {}
    for push_id in due_push_ids(limit=limit, order_id=order_id):
        state = push_deliver(push_id=push_id)
        counts[state] = counts.get(state, 0) + 1
    return counts
