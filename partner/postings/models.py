"""What we know about SmartRecruiters feed postings, their contracts, sync runs and reports.

SmartRecruiters names stay here; the board's ``Listing`` knows nothing of them. A feed
posting points at the listing it produced (``listing``), never the other way round.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from jobboard import outbox
from jobboard.board.models import Listing
from jobboard.crypto import EncryptedTextField
from jobboard.outbox import OutboxItem

LISTING_SOURCE = "smartrecruiters"


class FeedStatus(models.TextChoices):
    """SmartRecruiters' feed statuses (job-board-api.md §5), spelled as SR spells them."""

    PENDING = "Pending", "Pending"
    UNDER_POSTING = "UnderPosting", "Under posting"
    ACTIVE = "Active", "Active"
    TO_UNPOST = "toUnpost", "To unpost"
    INACTIVE = "Inactive", "Inactive"
    ERROR = "Error", "Error"


class FeedPosting(models.Model):
    """One feed posting (one SR ``id``), as last listed, and what we did with it."""

    class State(models.TextChoices):
        NEW = "new", "Seen, not handled yet"
        PUBLISHED = "published", "Published on the board"
        REJECTED = "rejected", "Could not be published"
        WITHDRAWN = "withdrawn", "Taken down"

    sr_id = models.CharField("SmartRecruiters id", max_length=40, unique=True)
    uuid = models.CharField("job uuid", max_length=64, db_index=True)
    name = models.CharField(max_length=300, blank=True)
    company_sr_id = models.CharField("company id", max_length=40, blank=True)
    company_name = models.CharField(max_length=200, blank=True, db_index=True)
    raw = models.JSONField("raw payload", default=dict)
    sr_status = models.CharField("SmartRecruiters status", max_length=20, db_index=True, blank=True)
    posted_at = models.DateTimeField(null=True, blank=True)

    state = models.CharField(max_length=10, choices=State.choices, default=State.NEW)
    listing = models.ForeignKey(
        Listing, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reported_status = models.CharField(
        max_length=20, choices=FeedStatus.choices, blank=True, db_index=True
    )
    reported_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    first_seen_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    last_seen_run = models.ForeignKey(
        "SyncRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-first_seen_at", "-id"]
        indexes = [models.Index(fields=["last_seen_run", "sr_status"], name="feedposting_run")]

    def __str__(self) -> str:
        return f"{self.sr_id} {self.name}"


class PostingContract(models.Model):
    """The offer a posting was bought with (``GET /v1/offers``), fetched once."""

    posting = models.OneToOneField(FeedPosting, on_delete=models.CASCADE, related_name="contract")
    offer_id = models.CharField(max_length=64, blank=True)
    offer_name = models.CharField(max_length=200, blank=True)
    price_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    price_currency = models.CharField(max_length=3, blank=True)
    posting_period = models.PositiveIntegerField(default=30)
    # existingContract: the customer's own account on our board. Secret (contract §7).
    existing_login = EncryptedTextField(blank=True, default="")
    existing_password = EncryptedTextField(blank=True, default="")
    raw = models.JSONField("offer without the contract", default=dict)
    fetched_at = models.DateTimeField(default=timezone.now)

    class Meta:
        permissions = [
            ("view_contract_secret", "Can see existing-contract passwords of feed postings"),
        ]

    def __str__(self) -> str:
        return f"offer {self.offer_id or '-'} for {self.posting.sr_id}"

    def __repr__(self) -> str:
        # Never the password, not even by accident in a traceback.
        return f"<PostingContract posting={self.posting_id} offer={self.offer_id!r}>"


class SyncRun(models.Model):
    class Kind(models.TextChoices):
        SYNC = "sync", "Sync pass"
        RECONCILE = "reconcile", "Reconciliation"

    class Outcome(models.TextChoices):
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        ABANDONED = "abandoned", "Abandoned (process died)"

    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.SYNC)
    started_at = models.DateTimeField(default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.RUNNING)
    seen = models.PositiveIntegerField(default=0)
    published = models.PositiveIntegerField(default=0)
    withdrawn = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    reports_sent = models.PositiveIntegerField(default=0)
    reports_failed = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        get_latest_by = "started_at"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.started_at:%Y-%m-%d %H:%M:%S} {self.outcome}"


class SyncLock(models.Model):
    """Lock-row fallback for databases without advisory locks (SQLite). A lease that
    expires, so a pass that died does not block the next one forever."""

    name = models.CharField(max_length=40, primary_key=True)
    owner = models.CharField(max_length=80, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name


class StatusReport(OutboxItem):
    """Outbox: one status PUT we owe SmartRecruiters, written with the board change.

    The claim, lease, retries and backoff are ``jobboard.outbox``'s; what is sent and the
    follow-up rules (contract §7) are ``partner.postings.relay``'s.
    """

    class State(models.TextChoices):
        PENDING = outbox.PENDING, "Pending"
        SENDING = outbox.SENDING, "Sending"
        SENT = outbox.SENT, "Sent"
        FAILED = outbox.FAILED, "Failed"
        # A pending report made pointless by a later change (Active, then toUnpost).
        SUPERSEDED = "superseded", "Superseded"

    posting = models.ForeignKey(FeedPosting, on_delete=models.CASCADE, related_name="reports")
    status = models.CharField(max_length=20, choices=FeedStatus.choices)
    live_url = models.URLField(max_length=500, blank=True)
    comment = models.TextField(blank=True)
    state = models.CharField(
        max_length=12, choices=State.choices, default=State.PENDING, db_index=True
    )
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="statusreport_due")]

    def __str__(self) -> str:
        return f"{self.status} for {self.posting.sr_id} ({self.state})"
