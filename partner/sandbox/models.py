"""SmartRecruiters' side of the world, as the sandbox keeps it.

Every table is namespaced ``sandbox_*`` (the app label) and nothing here refers to the
rest of ``partner``: deleting this package leaves the partner code intact.

Vocabulary follows SmartRecruiters: a *job* (``uuid``, the Application API key) is
advertised through one or more *feed postings* (``id``, digits); a repost is a new
posting of the same job. A *candidate* row is one application of one person to one job;
the same person keeps their ``candidate_id`` across jobs.
"""

from __future__ import annotations

import uuid

from django.db import models


class PostingStatus(models.TextChoices):
    PENDING = "Pending"
    UNDER_POSTING = "UnderPosting"
    ACTIVE = "Active"
    TO_UNPOST = "toUnpost"
    INACTIVE = "Inactive"
    ERROR = "Error"


class CandidateStatus(models.TextChoices):
    NEW = "NEW"
    IN_REVIEW = "IN_REVIEW"
    INTERVIEW = "INTERVIEW"
    OFFER = "OFFER"
    HIRE = "HIRE"
    REJECTED = "REJECTED"
    WITHDRAWN = "WITHDRAWN"
    TRANSFERRED = "TRANSFERRED"
    LEAD = "LEAD"
    OTHER = "OTHER"


class SandboxState(models.Model):
    """The singleton row (pk=1) that web, worker and test processes all agree on."""

    switches = models.JSONField(default=dict, blank=True)
    # The simulated clock: sandbox time = wall time + this offset.
    clock_offset_seconds = models.FloatField(default=0.0)
    # Feed posting ids are handed out from here so that bulk seeding can reserve a block.
    next_feed_id = models.BigIntegerField(default=311_000_101)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "sandbox state"
        verbose_name_plural = "sandbox state"

    def __str__(self) -> str:
        return "Sandbox state"


class SandboxPartner(models.Model):
    """A job board that holds a partner API key (X-SmartToken)."""

    name = models.CharField(max_length=200)
    # Kept in clear on purpose: this is SR's copy of a demo key that the console shows to
    # the partner rehearsing against the sandbox. The journal masks it.
    token = models.CharField(max_length=128, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SandboxCompany(models.Model):
    """A SmartRecruiters customer: the hiring company behind postings."""

    sr_id = models.CharField("SR company id", max_length=20, unique=True)
    name = models.CharField(max_length=200)
    identifier = models.SlugField(max_length=200, help_text="As in jobs.smartrecruiters.com/<id>/")
    description_html = models.TextField(blank=True)
    website = models.URLField(blank=True)
    privacy_policy_url = models.URLField(blank=True)
    imprint_url = models.URLField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "sandbox companies"

    def __str__(self) -> str:
        return self.name


class SandboxOffer(models.Model):
    """The Marketplace offer a customer bought to post a job on the partner's board."""

    class Status(models.TextChoices):
        ACTIVE = "ACTIVE"
        INACTIVE = "INACTIVE"
        UNDER_REVIEW = "UNDER_REVIEW"
        REJECTED = "REJECTED"

    offer_id = models.CharField(max_length=24, unique=True)
    partner = models.ForeignKey(SandboxPartner, on_delete=models.CASCADE, related_name="offers")
    company = models.ForeignKey(SandboxCompany, on_delete=models.CASCADE, related_name="offers")
    catalog_id = models.CharField(max_length=60, default="post-30d")
    name = models.CharField(max_length=200, default="30 Day Job Posting")
    description = models.CharField(max_length=500, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    price_amount = models.DecimalField(max_digits=10, decimal_places=2, default=150)
    price_currency = models.CharField(max_length=3, default="EUR")
    # None = the offer omits postingPeriod (the partner must assume 30).
    posting_period = models.PositiveIntegerField(null=True, blank=True, default=30)
    # terms.existingContract: the customer's own account on the partner's board.
    contract_login = models.CharField(max_length=200, blank=True)
    contract_password = models.CharField(max_length=200, blank=True)
    target_market = models.JSONField(default=dict, blank=True)
    availability = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} ({self.company})"

    @property
    def has_contract(self) -> bool:
        return bool(self.contract_login)

    @staticmethod
    def market_fields(*, company_name: str) -> dict[str, dict[str, list[str]]]:
        """``target_market`` (anyone) and ``availability`` (one company) of a new offer."""
        return {
            "target_market": {
                "industries": [],
                "functions": [],
                "experienceLevels": [],
                "locations": [],
            },
            "availability": {"industries": [], "locations": [], "companies": [company_name]},
        }


class SandboxJob(models.Model):
    """A job (SR "job posting", keyed by uuid) and its application form.

    The form is either a named template from ``fixtures_data.CONFIGURATIONS`` (question
    ids derived from the job uuid, so 100,000 seeded jobs cost no JSON each) or a custom
    configuration stored as given.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True)
    partner = models.ForeignKey(SandboxPartner, on_delete=models.CASCADE, related_name="jobs")
    company = models.ForeignKey(SandboxCompany, on_delete=models.CASCADE, related_name="jobs")
    configuration_template = models.CharField(max_length=40, blank=True)
    configuration = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return str(self.uuid)


class SandboxPosting(models.Model):
    """A feed posting: what GET /feed/publications lists; a state machine with history.

    ``id`` is the feed posting id itself (digits), so URLs and the journal show the same
    number as the API. Content is copied per posting so that "edit and repost" leaves the
    old posting as it was.
    """

    id = models.BigIntegerField(primary_key=True)
    job = models.ForeignKey(SandboxJob, on_delete=models.CASCADE, related_name="postings")
    partner = models.ForeignKey(SandboxPartner, on_delete=models.CASCADE, related_name="postings")
    company = models.ForeignKey(SandboxCompany, on_delete=models.CASCADE, related_name="postings")
    offer = models.ForeignKey(SandboxOffer, on_delete=models.CASCADE, related_name="postings")
    status = models.CharField(
        max_length=20, choices=PostingStatus.choices, default=PostingStatus.PENDING
    )
    name = models.CharField(max_length=300)
    ref_number = models.CharField(max_length=60, blank=True)
    location = models.JSONField(default=dict, blank=True)
    compensation = models.JSONField(default=dict, blank=True)
    industry = models.JSONField(default=dict, blank=True)
    function = models.JSONField(default=dict, blank=True)
    experience_level = models.JSONField(default=dict, blank=True)
    type_of_employment = models.JSONField(default=dict, blank=True)
    job_ad = models.JSONField(default=dict, blank=True)
    creator = models.JSONField(default=dict, blank=True)
    # Sandbox-clock times.
    posted_date = models.DateTimeField()
    last_modified = models.DateTimeField()
    expires_at = models.DateTimeField()
    # What the partner reported.
    live_url = models.URLField(max_length=500, blank=True)
    comment = models.TextField(blank=True)
    replaced_by = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replaces"
    )

    class Meta:
        ordering = ["posted_date", "id"]
        indexes = [
            # The feed: one partner, a status filter, ordered by (postedDate, id) and paged.
            # The included columns let PostgreSQL answer the page-of-ids and count queries
            # from the index alone (other databases ignore `include`).
            models.Index(
                fields=["partner", "status", "posted_date", "id"],
                include=["last_modified"],
                name="sbx_post_feed_idx",
            ),
            # Several statuses at once: read in (postedDate, id) order, filter on status.
            models.Index(
                fields=["partner", "posted_date", "id"],
                include=["status", "last_modified"],
                name="sbx_post_feed_all_idx",
            ),
            # Pending is what partners list all day: a smaller, status-free index for its
            # pages (the default window included) ...
            models.Index(
                fields=["partner", "posted_date", "id"],
                condition=models.Q(status="Pending"),
                name="sbx_post_pending_idx",
            ),
            # ... and the narrowest index for totalFound, a COUNT over every match.
            models.Index(fields=["partner", "status"], name="sbx_post_count_idx"),
            models.Index(fields=["partner", "last_modified"], name="sbx_post_modified_idx"),
            # Expiry sweeps look only at postings still on a board.
            models.Index(fields=["expires_at", "status"], name="sbx_post_expiry_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.id} {self.name}"


# What a customer writes in a job ad: copied from posting to posting on a repost.
POSTING_CONTENT_FIELDS = (
    "ref_number",
    "location",
    "compensation",
    "industry",
    "function",
    "experience_level",
    "type_of_employment",
    "job_ad",
    "creator",
)


class SandboxPostingEvent(models.Model):
    """One status change of a posting: who moved it, from what, to what, and when."""

    class Actor(models.TextChoices):
        SR = "sr", "SmartRecruiters"
        PARTNER = "partner", "Partner (PUT)"
        CLOCK = "clock", "Expiry (clock)"

    posting = models.ForeignKey(SandboxPosting, on_delete=models.CASCADE, related_name="events")
    actor = models.CharField(max_length=10, choices=Actor.choices)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    live_url = models.URLField(max_length=500, blank=True)
    comment = models.TextField(blank=True)
    note = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(help_text="Sandbox-clock time")

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.posting_id}: {self.from_status or '-'} → {self.to_status}"


class SandboxCandidate(models.Model):
    """One application of one person to one job, as the Application API stored it."""

    job = models.ForeignKey(SandboxJob, on_delete=models.CASCADE, related_name="candidates")
    partner = models.ForeignKey(SandboxPartner, on_delete=models.CASCADE, related_name="candidates")
    # The person's id, shared by all their applications (ApplyResponse.id).
    candidate_id = models.UUIDField(db_index=True)
    application_id = models.UUIDField(unique=True, default=uuid.uuid4)
    email_key = models.CharField(max_length=320, help_text="Lower-cased email")
    last_name_key = models.CharField(max_length=200, help_text="Lower-cased last name")
    first_name = models.CharField(max_length=200)
    last_name = models.CharField(max_length=200)
    email = models.CharField(max_length=320)
    phone_number = models.CharField(max_length=100, blank=True)
    status = models.CharField(
        max_length=20, choices=CandidateStatus.choices, default=CandidateStatus.NEW
    )
    # The request as received (attachments replaced by references to SandboxAttachment).
    payload = models.JSONField(default=dict)
    answers = models.JSONField(default=list, blank=True)
    consent_decisions = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()
    status_changed_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["job", "candidate_id"], name="sbx_cand_job_person"),
        ]
        indexes = [models.Index(fields=["email_key", "last_name_key"], name="sbx_cand_person_idx")]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name} → {self.job_id}"


class SandboxAttachment(models.Model):
    class Kind(models.TextChoices):
        RESUME = "resume"
        AVATAR = "avatar"
        ATTACHMENT = "attachment"

    candidate = models.ForeignKey(
        SandboxCandidate, on_delete=models.CASCADE, related_name="attachments"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    file_name = models.CharField(max_length=300)
    mime_type = models.CharField(max_length=150)
    detected_type = models.CharField(max_length=10, help_text="pdf, doc, docx, rtf, jpg or png")
    size = models.PositiveIntegerField()
    content = models.BinaryField()

    def __str__(self) -> str:
        return self.file_name


class JournalEntry(models.Model):
    """One request to a sandbox endpoint and what it answered (secrets masked)."""

    at = models.DateTimeField(db_index=True)
    endpoint = models.CharField(max_length=60, blank=True)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    query = models.CharField(max_length=2000, blank=True)
    request_headers = models.JSONField(default=dict)
    request_body = models.TextField(blank=True)
    status = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Empty when the connection was dropped"
    )
    response_headers = models.JSONField(default=dict)
    response_body = models.TextField(blank=True)
    duration_ms = models.FloatField(default=0)
    fault = models.CharField(max_length=30, blank=True)
    credential = models.CharField(max_length=40, blank=True, help_text="Masked")

    class Meta:
        ordering = ["-id"]
        verbose_name_plural = "journal entries"
        indexes = [models.Index(fields=["endpoint", "id"], name="sbx_journal_endpoint_idx")]

    def __str__(self) -> str:
        return f"{self.method} {self.path} → {self.status}"


class RateHit(models.Model):
    """One request counted by the sandbox's rate limiter (``ratelimit.SharedRateLimiter``).

    In the database so that every sandbox process counts against one limit per credential,
    as SmartRecruiters does. Times are epoch seconds (one clock for every process on the
    host). ``in_flight_until`` is the end of the request's concurrency slot: set far ahead
    when it starts, to 0 when it ends; a process that died mid-request leaves a slot that
    frees itself then.
    """

    key = models.CharField(max_length=100)
    started_at = models.FloatField()
    in_flight_until = models.FloatField()

    class Meta:
        indexes = [
            models.Index(fields=["key", "started_at"], name="sbx_ratehit_window_idx"),
            models.Index(fields=["key", "in_flight_until"], name="sbx_ratehit_flight_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.key} at {self.started_at:.3f}"
