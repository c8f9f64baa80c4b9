"""Orders: placed by SmartRecruiters, then invited, completed, rejected or expired here.

Every status change writes its result push in the same transaction (``pushes``); the
invitation email goes out after commit, from a task. Keyword-only; no network inside a
transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from jobboard import outbox
from jobboard.crypto import hash_token, new_token
from partner.assessments import report, results, selectors
from partner.assessments.branding import branding
from partner.assessments.errors import ServiceError
from partner.assessments.events import Actor, event_record
from partner.assessments.models import (
    AssessmentResult,
    Integration,
    Order,
    OrderEvent,
    ResultPush,
    ResultStatus,
)
from partner.assessments.pushes import push_queue
from partner.assessments.urlrules import CallbackURLError, result_callback_check

Event = OrderEvent.Kind
# The contract's limit for an attachment (§3); the admin's form checks it too.
REPORT_MAX_BYTES = 10 * 1024 * 1024
OPEN_STATUSES = (ResultStatus.NEW, ResultStatus.PENDING, ResultStatus.IN_PROGRESS)
# How long a worker may take to mail an invitation (the task's time limit is 150 s); past
# it the worker is presumed dead and the sweeper may mail instead.
INVITE_CLAIM = timedelta(minutes=5)


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


def take_url(order: Order) -> str:
    """The candidate's private link (the access key is the credential)."""
    path = reverse("assessments:take", kwargs={"key": order.access_key})
    return str(settings.SITE_URL).rstrip("/") + path


# ---------------------------------------------------------------------------
# Placing and inviting
# ---------------------------------------------------------------------------
@transaction.atomic
def order_place(
    *, integration: Integration, data: OrderInput, kind: Order.Kind = Order.Kind.STANDARD
) -> tuple[Order, bool]:
    """Record an order (idempotent per company and SR order id); returns (order, created).

    A repeat of an order, however its resultCallbackURL is spelled, returns the order we
    have and invites nobody. A standard order's invitation is sent asynchronously after
    commit. An inline candidate arrives at once, so the order is PENDING (and pushed)
    straight away.
    """
    from partner.assessments import tasks  # the tasks call these services

    if data.company_id != integration.company_id:
        raise ServiceError(
            "companyId does not match the token's company", code="COMPANY_MISMATCH", status=403
        )
    try:
        callback = result_callback_check(data.result_callback_url)
    except CallbackURLError as exc:
        raise ServiceError(str(exc), code="INVALID_CALLBACK_URL") from None
    existing = _known_order(integration=integration, sr_order_id=callback.order_id)
    if existing is not None:
        return existing, False
    package = selectors.package_for(integration=integration, external_id=data.package_id)
    if package is None:
        raise ServiceError.unknown_package()
    key = new_token(24)
    order = Order(
        integration=integration,
        package=package,
        kind=kind,
        # The URL we built, not the string SR sent: the two are equal but for case.
        result_callback_url=callback.url,
        sr_order_id=callback.order_id,
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
    )
    try:
        with transaction.atomic():
            order.save()
    except IntegrityError:
        # A concurrent duplicate (SR sent the same order twice at once) won the race.
        existing = _known_order(integration=integration, sr_order_id=callback.order_id)
        if existing is None:
            raise
        return existing, False
    AssessmentResult.objects.bulk_create(
        AssessmentResult(order=order, assessment=assessment)
        for assessment in package.assessments.all()
    )
    event_record(
        order=order,
        kind=Event.CREATED,
        message=f"{order.get_kind_display()} received from SmartRecruiters",
    )
    if kind == Order.Kind.INLINE:
        # The candidate is on their way to us already: invited (and pushed) now.
        invited = _mark_invited(order.pk, how="Inline: candidate sent to us by SmartRecruiters")
        return invited or order, True
    outbox.enqueue_on_commit(tasks.send_invitation, order.pk)
    return order, True


def _known_order(*, integration: Integration, sr_order_id: str) -> Order | None:
    """The order we already have for ``sr_order_id``; 403 when another company has it.

    SR's order ids are UUIDs, unique across companies: one that another company placed
    is not this company's to read or repeat (its inline link would be handed over).
    """
    known = list(Order.objects.filter(sr_order_id=sr_order_id).order_by("pk")[:2])
    for order in known:
        if order.integration_id == integration.pk:
            return order
    if known:
        raise ServiceError(
            "This order belongs to another company", code="COMPANY_MISMATCH", status=403
        )
    return None


def order_invite(*, order_id: int) -> bool:
    """Email the candidate their private link, then mark the order PENDING and push it.

    Safe to run twice and from two places at once (the task and the sweeper): the order is
    claimed with a conditional update *before* the email goes out, so only one of them
    mails. The email is sent outside any transaction; a failure releases the claim (the
    sweeper tries again), and a worker that dies mid-way loses it after ``INVITE_CLAIM``.
    """
    now = timezone.now()
    claimed = Order.objects.filter(
        Q(invite_claimed_until__isnull=True) | Q(invite_claimed_until__lt=now),
        pk=order_id,
        status=ResultStatus.NEW,
        integration__status=Integration.Status.ACTIVE,
    ).update(invite_claimed_until=now + INVITE_CLAIM)
    if not claimed:
        return False
    order = Order.objects.select_related("package", "integration").get(pk=order_id)
    if not order.package.invites_candidate:
        # Review only: the candidate has nothing to do, so no mail; straight to the queue.
        with transaction.atomic():
            opened = _mark_invited(order_id, how="Review only: no candidate step")
        return opened is not None
    try:
        _send_invitation_email(order)
    except BaseException:
        Order.objects.filter(pk=order_id, status=ResultStatus.NEW).update(invite_claimed_until=None)
        raise
    with transaction.atomic():
        invited = _mark_invited(order_id, how=f"Invitation emailed to {order.candidate_email}")
    return invited is not None


def order_resend_invitation(*, order: Order, user: Actor = None) -> None:
    if order.status not in OPEN_STATUSES:
        raise ServiceError("Only an open order can be sent its invitation again", code="CLOSED")
    if order.kind == Order.Kind.INLINE:
        raise ServiceError("Inline candidates are not invited by email", code="INLINE")
    if not order.package.invites_candidate:
        raise ServiceError("A review-only package sends the candidate no mail", code="REVIEW_ONLY")
    if order.status == ResultStatus.NEW:
        order_invite(order_id=order.pk)
        return
    _send_invitation_email(order)
    event_record(
        order=order,
        kind=Event.INVITATION_RESENT,
        message=f"Invitation emailed to {order.candidate_email}",
        user=user,
    )


def _mark_invited(order_id: int, *, how: str) -> Order | None:
    """NEW → PENDING (a conditional update, so only once), then push the invitation."""
    now = timezone.now()
    claimed = Order.objects.filter(pk=order_id, status=ResultStatus.NEW).update(
        status=ResultStatus.PENDING,
        invited_at=now,
        invite_claimed_until=None,
        expires_at=now + timedelta(days=int(settings.ASSESSMENT_INVITATION_DAYS)),
    )
    if not claimed:
        return None
    order = Order.objects.select_related("package", "integration").get(pk=order_id)
    event_record(order=order, kind=Event.INVITED, message=how)
    push_queue(order=order, patch=results.invitation_patch(order))
    if not order.package.invites_candidate:
        from partner.assessments import review  # review builds on these services

        review.order_request_review(order=order, reason="Review-only package: no candidate step")
    return order


def _send_invitation_email(order: Order) -> None:
    """The invitation, from the vendor (branding), naming the employer and the job."""
    brand = branding()
    context = {
        "order": order,
        "package": order.package,
        "employer": order.integration.client.name,
        "job_reference": order.job_id,
        "task": order.package.candidate_task,
        "url": take_url(order),
        "expires_days": int(settings.ASSESSMENT_INVITATION_DAYS),
        "expires_at": order.expires_at,
        "vendor": brand,
    }
    subject = render_to_string("emails/assessment_invitation_subject.txt", context)
    body = render_to_string("emails/assessment_invitation_body.txt", context)
    EmailMessage(
        " ".join(subject.split()),
        body,
        brand.sender,
        [order.candidate_email],
        reply_to=[brand.reply_to] if brand.reply_to else None,
    ).send()


# ---------------------------------------------------------------------------
# Closing: completed, rejected, expired
# ---------------------------------------------------------------------------
@transaction.atomic
def order_complete(
    *,
    order: Order,
    score_raw: int,
    score_min: int,
    score_max: int,
    score_label: str = "",
    summary: str = "",
    user: Actor = None,
) -> Order:
    """Staff complete an order with an overall score (whatever the assessments say)."""
    score = results.Score.checked(score_raw, score_min, score_max)
    order = _locked_open(order)
    now = timezone.now()
    for result in order.results.exclude(status=ResultStatus.COMPLETED):
        # Assessments nobody took are reported as closed by the same decision.
        result.status = ResultStatus.COMPLETED
        result.submitted_at = result.submitted_at or now
        result.save(update_fields=["status", "submitted_at"])
    order_record_completion(
        order=order,
        score=score,
        label=score_label,
        summary=summary,
        submitted_at=order.submitted_at or now,
        user=user,
    )
    return order


def order_record_completion(
    *,
    order: Order,
    score: results.Score,
    label: str,
    summary: str,
    submitted_at: datetime,
    user: Actor = None,
) -> None:
    """COMPLETED with the overall score, and its push (with the report, if there is one).

    Called inside the caller's transaction, with ``order`` locked.
    """
    order.status = ResultStatus.COMPLETED
    order.score_raw, order.score_min, order.score_max = score.raw, score.minimum, score.maximum
    # The one label rule (results.Score.label) when staff chose none; the summary's
    # preview showed which.
    order.score_label = label or score.label()
    order.summary = summary
    order.submitted_at = submitted_at
    order.finished_at = timezone.now()
    order.save()
    source = "chosen" if label else "by the rule"
    event_record(
        order=order,
        kind=Event.COMPLETED,
        message=f"Score {score.raw} ({score.minimum}-{score.maximum}), "
        f"{order.score_label} ({source})",
        user=user,
    )
    if not order.report:
        # Every completed order has its report (a file staff uploaded earlier stays).
        report.order_generate_report(order=order)
    push_queue(order=order, patch=results.completion_patch(order), attach_report=True)


@transaction.atomic
def order_reject(*, order: Order, reason: str, user: Actor = None) -> Order:
    order = _locked_open(order)
    if not reason.strip():
        raise ServiceError("Give a reason", code="REASON_REQUIRED")
    order.status = ResultStatus.REJECTED
    order.reject_reason = reason.strip()
    order.finished_at = timezone.now()
    order.save(update_fields=["status", "reject_reason", "finished_at"])
    event_record(order=order, kind=Event.REJECTED, message=order.reject_reason, user=user)
    push_queue(order=order, patch=results.rejection_patch(order))
    return order


def _locked_open(order: Order) -> Order:
    locked = Order.objects.select_for_update().get(pk=order.pk)
    if locked.is_terminal:
        raise ServiceError("A terminal status never changes", code="TERMINAL")
    return locked


def orders_expire(*, now: datetime | None = None) -> int:
    """EXPIRED for every open order whose invitation lapsed; returns how many."""
    now = now or timezone.now()
    count = 0
    for order_id in selectors.expired_order_ids(now=now):
        with transaction.atomic():
            claimed = Order.objects.filter(
                pk=order_id,
                status__in=[ResultStatus.PENDING, ResultStatus.IN_PROGRESS],
                expires_at__lte=now,
            ).update(status=ResultStatus.EXPIRED, finished_at=now)
            if not claimed:
                continue
            order = Order.objects.select_related("package").get(pk=order_id)
            event_record(order=order, kind=Event.EXPIRED, message="The invitation lapsed")
            push_queue(order=order, patch=results.expiry_patch(order))
            count += 1
    return count


# ---------------------------------------------------------------------------
# The report, and pushing again
# ---------------------------------------------------------------------------
@transaction.atomic
def order_attach_report(*, order: Order, upload: UploadedFile, user: Actor = None) -> Order:
    if upload.size is not None and upload.size > REPORT_MAX_BYTES:
        raise ServiceError("A report may be at most 10 MB", code="TOO_LARGE")
    order = Order.objects.select_for_update().get(pk=order.pk)
    order.report.save(upload.name or "report.pdf", upload, save=False)
    order.report_url = ""  # a new file needs a new upload
    order.save(update_fields=["report", "report_url"])
    event_record(
        order=order,
        kind=Event.REPORT,
        message=f"Report {order.report_file_name} uploaded",
        user=user,
    )
    if order.status == ResultStatus.COMPLETED:
        # Terminal status stays; other fields (attachments) may still be patched (§5).
        push_queue(order=order, patch={}, attach_report=True)
    return order


@transaction.atomic
def order_push_again(*, order: Order, user: Actor = None) -> ResultPush:
    """Queue everything we know once more (a repeated PATCH is harmless, §7)."""
    if order.status == ResultStatus.NEW:
        raise ServiceError("Nothing to push before the invitation", code="NOT_INVITED")
    push = push_queue(
        order=order, patch=results.snapshot_patch(order), attach_report=bool(order.report)
    )
    event_record(order=order, kind=Event.PUSH_AGAIN, message="Results queued again", user=user)
    return push
