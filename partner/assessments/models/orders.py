"""Orders from SmartRecruiters, their results and answers, the timeline and the results
outbox."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from jobboard import outbox
from jobboard.crypto import EncryptedTextField
from jobboard.outbox import OutboxItem
from partner.assessments.models.accounts import Integration
from partner.assessments.models.common import TERMINAL_STATUSES, ResultStatus, private_storage
from partner.assessments.models.packages import Assessment, Package, Question


class Outcome(models.Model):
    """What an order and each of its assessments have in common: SR's result status and
    the score, summary and dates reported with it (contract §3, PackageResult and
    assessmentResults)."""

    status = models.CharField(max_length=20, choices=ResultStatus.choices, default=ResultStatus.NEW)
    started_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    score_raw = models.BigIntegerField(null=True, blank=True)
    score_min = models.BigIntegerField(null=True, blank=True)
    score_max = models.BigIntegerField(null=True, blank=True)
    score_label = models.CharField(max_length=200, blank=True)
    summary = models.TextField(blank=True)

    class Meta:
        abstract = True

    @property
    def is_terminal(self) -> bool:
        return self.status in TERMINAL_STATUSES


class Order(Outcome):
    """An SR order (or inline order) for one candidate and one package.

    ``status`` is NEW until the candidate is invited, then follows SR's result status
    (contract §5); terminal statuses never change.
    """

    class Kind(models.TextChoices):
        STANDARD = "standard", "Order"
        INLINE = "inline", "Inline order"

    integration = models.ForeignKey(Integration, on_delete=models.PROTECT, related_name="orders")
    package = models.ForeignKey(Package, on_delete=models.PROTECT, related_name="orders")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.STANDARD)
    # Where results go: the one URL we build for the order id (partner.assessments.urlrules).
    result_callback_url = models.URLField(max_length=500, unique=True)
    # The order's identity (idempotency key, unique per integration): a lower-case UUID.
    sr_order_id = models.CharField("SR order id", max_length=100, db_index=True)
    candidate_sr_id = models.CharField(max_length=100, blank=True)
    candidate_email = models.EmailField(max_length=320)
    candidate_first_name = models.CharField(max_length=200, blank=True)
    candidate_last_name = models.CharField(max_length=200, blank=True)
    candidate_language = models.CharField(max_length=20, blank=True)
    job_id = models.CharField("SR job id", max_length=100, blank=True)
    requester = models.JSONField(default=dict, blank=True)
    fields = models.JSONField(default=dict, blank=True)
    completed_callback_url = models.URLField(max_length=1000, blank=True)
    # The candidate's private link. Kept encrypted (to resend it and to answer a repeated
    # inline order with the same url) and hashed (to look it up in constant time).
    access_key = EncryptedTextField(blank=True)
    access_key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    invited_at = models.DateTimeField(null=True, blank=True)
    # A worker mailing the invitation holds the order until then; past it (a dead worker)
    # the sweeper may mail again. Claimed before the mail, so two paths never both mail.
    invite_claimed_until = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    reject_reason = models.TextField(blank=True)
    report = models.FileField(
        upload_to="assessment-reports/", storage=private_storage, blank=True, max_length=300
    )
    report_url = models.URLField("report URL at SR", max_length=1000, blank=True)
    # The review queue: set when the order needs staff (the candidate is done, or a
    # review-only package arrived); the mail to the staff group is claimed with the second.
    review_requested_at = models.DateTimeField(null=True, blank=True, db_index=True)
    review_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # One order per SR order id and company, however SR spells the callback URL.
            models.UniqueConstraint(
                fields=["integration", "sr_order_id"], name="asm_order_unique_sr_order_id"
            )
        ]

    def __str__(self) -> str:
        return f"{self.package.name} for {self.candidate_name} ({self.get_status_display()})"

    @property
    def candidate_name(self) -> str:
        return f"{self.candidate_first_name} {self.candidate_last_name}".strip() or (
            self.candidate_email
        )

    @property
    def company_id(self) -> str:
        return self.integration.company_id

    @property
    def report_file_name(self) -> str:
        """The report's file name without the storage folder ("" without a report)."""
        return (self.report.name or "").rsplit("/", 1)[-1]


class AssessmentResult(Outcome):
    """The candidate's attempt at one assessment of an order (or the staff review of it)."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="results")
    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="results")
    deadline = models.DateTimeField(null=True, blank=True, db_index=True)
    # Scoring detail per question id, as scored at submission (kept for old rows; the
    # answers themselves are ``Answer`` rows).
    answers = models.JSONField(default=dict, blank=True)
    # The candidate's own question order, drawn once at the start (ids).
    question_order = models.JSONField(default=list, blank=True)
    label_chosen = models.BooleanField(
        default=False, help_text="The label was typed by staff, not derived by the rule."
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["order", "assessment__position", "assessment_id"]
        constraints = [
            models.UniqueConstraint(fields=["order", "assessment"], name="asm_result_unique")
        ]

    def __str__(self) -> str:
        return f"{self.assessment.name}: {self.get_status_display()}"

    @property
    def time_taken(self) -> timedelta | None:
        if self.started_at is None or self.submitted_at is None:
            return None
        return self.submitted_at - self.started_at


class Answer(models.Model):
    """The candidate's answer to one question, and its grade (by the runner or by staff)."""

    result = models.ForeignKey(
        AssessmentResult, on_delete=models.CASCADE, related_name="answer_rows"
    )
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    position = models.PositiveIntegerField(default=0, help_text="Where the candidate saw it")
    # Choice ids (multiple choice) or the typed text (short answer, essay, code).
    values = models.JSONField(default=list, blank=True)
    text = models.TextField(blank=True)
    saved_at = models.DateTimeField(null=True, blank=True)
    # None until graded (manual kinds); the runner grades the others at submission.
    points_awarded = models.PositiveIntegerField(null=True, blank=True)
    is_correct = models.BooleanField(null=True, blank=True)
    grader_comment = models.TextField(blank=True)
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    graded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["result", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["result", "question"], name="asm_answer_unique")
        ]

    def __str__(self) -> str:
        return f"answer to {self.question_id}"


class AnswerFile(models.Model):
    """A file the candidate uploaded for a file-upload question (checked by its content)."""

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(
        upload_to="assessment-answers/", storage=private_storage, max_length=300
    )
    name = models.CharField(max_length=150)
    mime_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["answer", "uploaded_at", "id"]

    def __str__(self) -> str:
        return self.name


class OrderEvent(models.Model):
    """The order's timeline, shown to staff."""

    class Kind(models.TextChoices):
        CREATED = "created"
        INVITED = "invited"
        INVITATION_RESENT = "invitation_resent"
        STARTED = "started"
        SUBMITTED = "submitted"
        REVIEWED = "reviewed"
        GRADED = "graded"
        REVIEW_REQUESTED = "review_requested"
        TIMED_OUT = "timed_out"
        COMPLETED = "completed"
        REJECTED = "rejected"
        EXPIRED = "expired"
        REPORT = "report"
        PUSH_AGAIN = "push_again"
        PUSH_SENT = "push_sent"
        PUSH_FAILED = "push_failed"
        PUSH_DROPPED = "push_dropped"

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=40, choices=Kind.choices)
    message = models.TextField(blank=True)
    actor = models.CharField(max_length=150, blank=True, help_text="Staff user, or empty")

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind}"


class ResultPush(OutboxItem):
    """Outbox row: one PATCH of results to SR, written with the change it reports.

    The outbox's states, and DROPPED: final, for a company that disconnected (§7: we
    push nothing more for it).
    """

    class State(models.TextChoices):
        PENDING = outbox.PENDING, "Pending"
        SENDING = outbox.SENDING, "Sending"
        SENT = outbox.SENT, "Sent"
        FAILED = outbox.FAILED, "Failed (permanent)"
        DROPPED = "dropped", "Dropped (disconnected)"

    # The due index below covers lookups by state, so the column needs no index of its own.
    state = models.CharField(max_length=12, choices=State.choices, default=State.PENDING)
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="pushes")
    payload = models.JSONField(help_text="The merge patch (only the changed fields)")
    attach_report = models.BooleanField(
        default=False, help_text="Upload the report first and reference it in attachments"
    )
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "result pushes"
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="asm_push_due_idx")]

    def __str__(self) -> str:
        return f"push #{self.pk} {self.payload.get('status', '')} ({self.state})"
