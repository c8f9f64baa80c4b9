"""The review flow: the queue, the mail to the staff group, the summary with a preview of
exactly what SmartRecruiters will receive, and "Complete and send".

One flow: review each assessment (``runner.answer_grade``, ``runner.assessment_review``)
→ the summary (``summary_for``) → ``completion_preview`` → ``order_complete_and_send``.
The preview and the PATCH are built by the same function (``results.completion_patch``)
from the same state; a fingerprint of the preview travels with "Complete and send", and a
change in between (another reviewer, a new report) refuses the send instead of sending
something nobody saw.
"""

from __future__ import annotations

import copy
import hashlib
import json
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from jobboard import outbox
from partner.assessments import results
from partner.assessments.errors import ServiceError
from partner.assessments.events import Actor, event_record
from partner.assessments.models import (
    MANUAL_QUESTION_KINDS,
    Assessment,
    AssessmentResult,
    Order,
    OrderEvent,
    ResultStatus,
)
from partner.assessments.results import LABEL_RULE, Score

logger = logging.getLogger(__name__)
Event = OrderEvent.Kind
# The group made by migration 0002; its members run the review queue.
STAFF_GROUP = "Assessment staff"
# Shown in the preview where SmartRecruiters fills in a value when the report arrives.
UPLOAD_URL_PLACEHOLDER = "(the address SmartRecruiters returns for the uploaded report)"
BASE64_PLACEHOLDER = "(the report's PDF, base64-encoded)"


# ---------------------------------------------------------------------------
# The queue
# ---------------------------------------------------------------------------
def order_request_review(*, order: Order, reason: str) -> bool:
    """Put an open order in the review queue (once) and mail the staff group after commit.

    Called inside the caller's transaction. The candidate's part is over, so the
    invitation's expiry no longer applies.
    """
    from partner.assessments import tasks

    now = timezone.now()
    claimed = Order.objects.filter(
        pk=order.pk,
        review_requested_at__isnull=True,
        status__in=[ResultStatus.PENDING, ResultStatus.IN_PROGRESS],
    ).update(review_requested_at=now, expires_at=None)
    if not claimed:
        return False
    order.review_requested_at, order.expires_at = now, None
    event_record(order=order, kind=Event.REVIEW_REQUESTED, message=reason)
    outbox.enqueue_on_commit(tasks.notify_reviewers, order.pk)
    return True


def staff_recipients() -> list[str]:
    users = (
        get_user_model()
        .objects.filter(is_active=True, is_staff=True, groups__name=STAFF_GROUP)
        .exclude(email="")
    )
    return sorted({user.email for user in users})


def order_notify_reviewers(*, order_id: int) -> bool:
    """Mail the staff group that an order awaits review (at most once per order).

    Claimed before sending so two workers never both mail; a failed send gives the claim
    back, and the sweeper (``tasks.push_results``) tries again.
    """
    claimed = Order.objects.filter(
        pk=order_id, review_requested_at__isnull=False, review_notified_at__isnull=True
    ).update(review_notified_at=timezone.now())
    if not claimed:
        return False
    order = Order.objects.select_related("package", "integration__client").get(pk=order_id)
    recipients = staff_recipients()
    if not recipients or order.is_terminal:
        return False
    context = {
        "order": order,
        "client": order.integration.client,
        "url": str(settings.SITE_URL).rstrip("/")
        + reverse("admin:assessments_order_review", args=[order.pk]),
        "queue_url": str(settings.SITE_URL).rstrip("/") + reverse("admin:assessments_order_queue"),
        "waiting": queue_counts()["awaiting"],
    }
    subject = render_to_string("emails/assessment_review_requested_subject.txt", context)
    body = render_to_string("emails/assessment_review_requested_body.txt", context)
    try:
        send_mail(" ".join(subject.split()), body, settings.SERVER_EMAIL, recipients)
    except OSError:  # SMTP down (smtplib errors are OSErrors): the sweeper retries
        Order.objects.filter(pk=order_id).update(review_notified_at=None)
        raise
    return True


def unnotified_review_ids(*, older_than: datetime) -> list[int]:
    return list(
        Order.objects.filter(
            review_requested_at__lte=older_than,
            review_notified_at__isnull=True,
            status__in=[ResultStatus.PENDING, ResultStatus.IN_PROGRESS],
        ).values_list("id", flat=True)
    )


def queue_orders() -> Any:
    """Open orders awaiting staff, oldest request first."""
    return (
        Order.objects.filter(
            review_requested_at__isnull=False,
            status__in=[ResultStatus.PENDING, ResultStatus.IN_PROGRESS],
        )
        .select_related("package", "integration__client")
        .order_by("review_requested_at", "id")
    )


def queue_orders_with_progress() -> Any:
    """The queue with, per order, how many assessments need staff and how many have their
    review (one query for the page, whatever its length)."""
    manual = Q(results__assessment__kind=Assessment.Kind.MANUAL) | Q(
        results__assessment__questions__kind__in=list(MANUAL_QUESTION_KINDS),
        results__assessment__questions__retired=False,
    )
    return queue_orders().annotate(
        to_review=Count("results", filter=manual, distinct=True),
        reviewed=Count(
            "results", filter=manual & Q(results__reviewed_at__isnull=False), distinct=True
        ),
        assessments=Count("results", distinct=True),
    )


def queue_counts(*, now: datetime | None = None) -> dict[str, Any]:
    """For the admin index: how many await review, how many are older than a day, and
    since when the oldest waits."""
    now = now or timezone.now()
    waiting = queue_orders()
    oldest = waiting.values_list("review_requested_at", flat=True).first()
    return {
        "awaiting": waiting.count(),
        "over_a_day": waiting.filter(review_requested_at__lt=now - timedelta(days=1)).count(),
        "oldest": oldest,
    }


# ---------------------------------------------------------------------------
# The summary
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class SummaryRow:
    result: AssessmentResult
    score: Score | None
    needs_review: bool
    reviewed: bool
    blocker: str  # why this assessment holds the send back; "" when it does not

    @property
    def label_source(self) -> str:
        if self.score is None:
            return ""
        return "chosen" if self.result.label_chosen else "rule"


@dataclass(frozen=True)
class OrderSummary:
    order: Order
    rows: list[SummaryRow]
    total: Score | None
    blockers: list[str] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return self.total is not None and not self.blockers and not self.order.is_terminal

    @property
    def derived_label(self) -> str:
        return self.total.label() if self.total is not None else ""

    @property
    def default_summary(self) -> str:
        return "; ".join(
            f"{row.result.assessment.name}: {row.result.score_label or row.result.summary}"
            for row in self.rows
        )

    @property
    def reviewed_count(self) -> int:
        return sum(1 for row in self.rows if row.needs_review and row.reviewed)

    @property
    def review_count(self) -> int:
        return sum(1 for row in self.rows if row.needs_review)


def summary_for(order: Order) -> OrderSummary:
    from partner.assessments.runner import needs_review

    rows: list[SummaryRow] = []
    for result in order.results.select_related("assessment").order_by(
        "assessment__position", "assessment_id"
    ):
        review = needs_review(result)
        reviewed = result.reviewed_at is not None
        score = None
        if result.score_raw is not None and result.score_min is not None:
            score = Score(int(result.score_raw), int(result.score_min), int(result.score_max or 0))
        blocker = ""
        candidate_part = result.assessment.kind == Assessment.Kind.AUTO
        if candidate_part and result.submitted_at is None:
            blocker = "the candidate has not submitted it yet"
        elif review and not reviewed:
            blocker = "not reviewed yet"
        elif score is None:
            blocker = "no score yet"
        rows.append(SummaryRow(result, score, review, reviewed, blocker))
    blockers = [f"{row.result.assessment.name}: {row.blocker}" for row in rows if row.blocker]
    total = None
    if rows and not blockers:
        total = Score(
            sum(r.score.raw for r in rows if r.score),
            sum(r.score.minimum for r in rows if r.score),
            sum(r.score.maximum for r in rows if r.score),
        )
    if order.is_terminal:
        blockers.append(f"The order is {order.get_status_display()}: it cannot change any more")
    return OrderSummary(order=order, rows=rows, total=total, blockers=blockers)


# ---------------------------------------------------------------------------
# The preview, and completing
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Preview:
    """What SmartRecruiters will receive: the report upload (if any), then the PATCH."""

    patch: dict[str, Any]
    upload_file_name: str  # "" when no file is uploaded (no report, or an inline order)
    report_generated: bool  # the report is made at completion (none uploaded by staff)
    label_source: str  # "chosen" or "rule"
    fingerprint: str

    @property
    def patch_json(self) -> str:
        return json.dumps(self.patch, indent=2, ensure_ascii=False)


def report_file_name(order: Order) -> str:
    """The generated report's name (≤ 100 characters, the contract's limit)."""
    from partner.assessments.report import generated_report_name

    return order.report_file_name or generated_report_name(order)


def completion_preview(*, order: Order, label: str = "", summary: str | None = None) -> Preview:
    """The exact PackageResult merge patch "Complete and send" will PATCH, from the
    current state and the summary's choices; the upload's URL is SR's to give."""
    current = summary_for(order)
    if not current.ready or current.total is None:
        raise ServiceError(
            "Not ready to complete: " + "; ".join(current.blockers), code="NOT_READY"
        )
    completed = copy.copy(order)
    completed.status = ResultStatus.COMPLETED
    total = current.total
    completed.score_raw, completed.score_min, completed.score_max = (
        total.raw,
        total.minimum,
        total.maximum,
    )
    completed.score_label = label.strip() or total.label()
    completed.summary = (current.default_summary if summary is None else summary).strip()
    completed.submitted_at = _submission_date(current)
    patch = results.completion_patch(completed)
    name = report_file_name(order)[:100]
    upload_name = ""
    if order.kind == Order.Kind.INLINE:
        patch["attachments"] = [
            {"fileName": name, "mimeType": "application/pdf", "fileContent": BASE64_PLACEHOLDER}
        ]
    else:
        upload_name = name
        patch["attachments"] = [
            {"type": "PDF_URL", "url": UPLOAD_URL_PLACEHOLDER, "fileName": name}
        ]
    canonical = json.dumps(patch, sort_keys=True, separators=(",", ":"))
    return Preview(
        patch=patch,
        upload_file_name=upload_name,
        report_generated=not order.report,
        label_source="chosen" if label.strip() else "rule",
        fingerprint=hashlib.sha256(canonical.encode()).hexdigest(),
    )


def _submission_date(summary: OrderSummary) -> datetime:
    """When the candidate submitted: the last submission of the order's assessments."""
    dates = [row.result.submitted_at for row in summary.rows if row.result.submitted_at]
    return max(dates) if dates else timezone.now()


@transaction.atomic
def order_complete_and_send(
    *,
    order: Order,
    label: str = "",
    summary: str | None = None,
    fingerprint: str,
    user: Actor = None,
) -> Order:
    """COMPLETED with the summary's score, label and text; the report is made (unless
    staff uploaded one) and the results go to SR (report upload, then the PATCH).

    Refused when the state changed since the preview the staff member confirmed.
    """
    from partner.assessments import orders

    order = Order.objects.select_for_update().get(pk=order.pk)
    preview = completion_preview(order=order, label=label, summary=summary)
    if preview.fingerprint != fingerprint:
        raise ServiceError(
            "The results changed since your preview. Check the new preview and send again.",
            code="PREVIEW_STALE",
        )
    current = summary_for(order)
    total = current.total
    if total is None:  # completion_preview refused that already
        raise ServiceError("Not ready to complete", code="NOT_READY")
    orders.order_record_completion(
        order=order,
        score=total,
        label=label.strip(),
        summary=(current.default_summary if summary is None else summary).strip(),
        submitted_at=_submission_date(current),
        user=user,
    )
    return order


__all__ = [
    "LABEL_RULE",
    "OrderSummary",
    "Preview",
    "completion_preview",
    "order_complete_and_send",
    "order_notify_reviewers",
    "order_request_review",
    "queue_counts",
    "queue_orders",
    "summary_for",
]
