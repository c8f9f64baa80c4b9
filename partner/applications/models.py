"""Applications made on our board and sent to SmartRecruiters' Application API.

An ``Application`` is stored locally first, together with its submission state, in one
transaction; a task then sends it. The row is the submission record the contract asks
for, an item of the shared outbox (``jobboard.outbox``): claimed while a POST is in
flight, marked ``sent`` on the first 2xx and never posted again after that.
"""

from __future__ import annotations

import json
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import timezone

from jobboard import outbox
from jobboard.crypto import EncryptedTextField


class ConfigurationCache(models.Model):
    """A posting's application form configuration, per language, as last fetched."""

    posting_uuid = models.CharField(max_length=100)
    language = models.CharField(max_length=10)
    # ApplyConfiguration.to_json(): parsed and cleaned, not SmartRecruiters' raw body.
    data = models.JSONField()
    fetched_at = models.DateTimeField()
    # The last failed refresh while a stale copy was served (for operators).
    last_error = models.CharField(max_length=500, blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["posting_uuid", "language"], name="apply_config_key"),
        ]

    def __str__(self) -> str:
        return f"{self.posting_uuid} ({self.language})"


class Application(outbox.OutboxItem):
    class State(models.TextChoices):
        # The outbox's pending state: candidates and admins see it as "Received".
        RECEIVED = outbox.PENDING, "Received"
        SENDING = outbox.SENDING, "Sending"
        SENT = outbox.SENT, "Sent"
        FAILED = outbox.FAILED, "Failed"

    listing = models.ForeignKey(
        "board.Listing", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    posting_uuid = models.CharField(max_length=100, db_index=True)
    job_title = models.CharField(max_length=300, blank=True)
    language = models.CharField(max_length=10, default="en")
    state = models.CharField(
        max_length=12, choices=State.choices, default=State.RECEIVED, db_index=True
    )

    # The exact ApplyRequest as JSON, encrypted at rest (it is all personal data), with
    # each attachment's fileContent replaced by {"fileRef": <ApplicationFile id>}: the
    # file is base64-encoded from private storage at send time, so the database does not
    # hold megabytes of base64. Erasure replaces it with a redacted copy.
    payload_json = EncryptedTextField(blank=True)

    status_token_hash = models.CharField(max_length=64, unique=True)
    # HMAC of the posting and the lower-cased email (``intake.repeat_key``): finds the same
    # person applying to the same job again without storing their email in clear. Emptied
    # on erasure.
    repeat_key = models.CharField(max_length=64, blank=True)
    # The candidate asked, while applying, to be mailed when SmartRecruiters' status changes.
    notify_status_changes = models.BooleanField(default=False)

    # Submission (the outbox item's attempts, next_attempt_at, claimed_until, last_error),
    # retried on transient errors until this moment.
    give_up_at = models.DateTimeField()
    last_error_code = models.CharField(max_length=60, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    # Question ids a 400 named, mapped back to the form's questions on the status page.
    rejected_question_ids = models.JSONField(default=list, blank=True)

    # SmartRecruiters' answer.
    candidate_id = models.CharField(max_length=100, blank=True)
    sr_application_id = models.CharField(max_length=100, blank=True)
    candidate_portal_url = models.URLField(max_length=500, blank=True)
    sr_response = models.JSONField(default=dict, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    sr_status = models.CharField(max_length=40, blank=True)
    sr_status_checked_at = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    erased_at = models.DateTimeField(null=True, blank=True)
    erasure_reason = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="application_due"),
        ]
        constraints = [
            # One live application per person and job: a second one from the same email
            # is answered with the first one's status link (two requests at once meet
            # here). A failed or erased application does not count: one may apply again.
            models.UniqueConstraint(
                fields=["repeat_key"],
                condition=Q(
                    state__in=[outbox.PENDING, outbox.SENDING, outbox.SENT],
                    erased_at__isnull=True,
                )
                & ~Q(repeat_key=""),
                name="one_live_application_per_candidate_and_job",
            ),
        ]

    def __str__(self) -> str:
        # Never candidate data: admin titles and log lines show only the local id.
        return f"Application #{self.pk}"

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None

    @property
    def payload(self) -> dict[str, Any]:
        return json.loads(self.payload_json) if self.payload_json else {}


class ApplicationFile(models.Model):
    """An uploaded file, stored under PRIVATE_MEDIA_ROOT (never under MEDIA_URL)."""

    class Role(models.TextChoices):
        RESUME = "resume", "Resume"
        AVATAR = "avatar", "Avatar"
        ATTACHMENT = "attachment", "Attachment"

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="files")
    role = models.CharField(max_length=12, choices=Role.choices)
    file_name = models.CharField(max_length=255)
    mime_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    # Relative to PRIVATE_MEDIA_ROOT.
    path = models.CharField(max_length=300)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.get_role_display()} of application #{self.application_id}"


class SubmissionAttempt(models.Model):
    """One POST to SmartRecruiters (or a try that could not reach it), for admin."""

    class Outcome(models.TextChoices):
        SENT = "sent", "Sent"
        RETRY = "retry", "To retry"
        FAILED = "failed", "Failed"

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="submission_attempts"
    )
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error_code = models.CharField(max_length=60, blank=True)
    message = models.TextField(blank=True)
    response = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["started_at", "id"]

    def __str__(self) -> str:
        return f"Attempt {self.pk} ({self.outcome})"


class StatusLink(models.Model):
    """Another private link to an application's status page, minted for a later mail.

    The first link's token is only ever in the confirmation mail and page (its hash is on
    the application); a mail sent later carries a token of its own, so that no link the
    candidate already has stops working.
    """

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="status_links"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"Status link {self.pk} of application #{self.application_id}"


class CandidateMail(outbox.OutboxItem):
    """A mail we owe a candidate about their application, an item of the shared outbox.

    Written in the transaction of the change it tells about (a repeat application, a
    failed delivery, a new status at SmartRecruiters), sent by a task after commit.
    """

    class State(models.TextChoices):
        PENDING = outbox.PENDING, "To send"
        SENDING = outbox.SENDING, "Sending"
        SENT = outbox.SENT, "Sent"
        FAILED = outbox.FAILED, "Failed"
        # Nobody to tell any more: the data was erased, or the candidate opted out.
        DROPPED = "dropped", "Dropped"

    class Kind(models.TextChoices):
        STATUS_LINK = "status_link", "Status link again (repeat application)"
        FAILED = "failed", "Delivery failed"
        STATUS_CHANGED = "status_changed", "Status changed at SmartRecruiters"

    class FailureReason(models.TextChoices):
        CLOSED = "closed", "The job is closed"
        REFUSED = "refused", "SmartRecruiters refused the application"
        UNREACHABLE = "unreachable", "SmartRecruiters unreachable for too long"
        OTHER = "other", "Another problem"

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="mails")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    state = models.CharField(
        max_length=12, choices=State.choices, default=State.PENDING, db_index=True
    )
    failure_reason = models.CharField(max_length=20, choices=FailureReason.choices, blank=True)
    # The status a STATUS_CHANGED mail tells about (the one SmartRecruiters reported).
    sr_status = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="candidate_mail_due"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} mail for application #{self.application_id}"
