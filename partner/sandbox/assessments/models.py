"""SmartRecruiters' side of the Assessment API 2021, as the sandbox keeps it.

Nothing here refers to the rest of ``partner``. Secrets SR must use again later (the
partner's P-pair, the partner's current token) are encrypted; everything SR *issued*
(SR-pairs, tokens) is stored as a hash, exactly as a real token server would.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone

from jobboard.crypto import EncryptedTextField


class IntegrationState(models.TextChoices):
    NONE = "none", "Not connected"
    CONSENTED = "consented", "Consented"
    INTEGRATED = "integrated", "Integrated"
    DISCONNECTED = "disconnected", "Disconnected"


class TokenKind(models.TextChoices):
    MASTER = "master"
    COMPANY = "company"


class OrderKind(models.TextChoices):
    STANDARD = "standard", "Order"
    INLINE = "inline", "Inline order"


class AsmCompany(models.Model):
    """A SmartRecruiters customer company and its integration with the partner (§5)."""

    State = IntegrationState

    company_id = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    state = models.CharField(max_length=20, choices=State.choices, default=State.NONE)
    consented_at = models.DateTimeField(null=True, blank=True)
    integrated_at = models.DateTimeField(null=True, blank=True)
    disconnected_at = models.DateTimeField(null=True, blank=True)
    # The partner's P-pair received at setup: SR calls the partner with it.
    p_client_id = models.CharField(max_length=200, blank=True)
    p_client_secret = EncryptedTextField(blank=True)
    # SR's cached token for calling the partner, and when it expires.
    partner_token = EncryptedTextField(blank=True)
    partner_token_expires_at = models.DateTimeField(null=True, blank=True)
    sr_client_id = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "company_id"]
        verbose_name_plural = "companies"

    def __str__(self) -> str:
        return f"{self.name} ({self.company_id})"


class AsmConfiguration(models.Model):
    """The partner configuration saved with ``PUT /partner/configuration``."""

    master_client_id = models.CharField(max_length=200, unique=True)
    body = models.JSONField(default=dict)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "partner configuration"

    def __str__(self) -> str:
        return f"Configuration of {self.master_client_id}"


class AsmCredential(models.Model):
    """An SR-pair issued by setup; its secret is kept only as a hash."""

    client_id = models.CharField(max_length=200, unique=True)
    secret_hash = models.CharField(max_length=64)
    company = models.ForeignKey(AsmCompany, on_delete=models.CASCADE, related_name="credentials")
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.client_id


class AsmToken(models.Model):
    """An access token SR's token endpoint issued (master or company kind)."""

    Kind = TokenKind

    token_hash = models.CharField(max_length=64, unique=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    client_id = models.CharField(max_length=200)
    company = models.ForeignKey(
        AsmCompany, null=True, blank=True, on_delete=models.CASCADE, related_name="tokens"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.kind} token of {self.client_id}"


class AsmOrder(models.Model):
    """An order (or inline order) SR placed with the partner, and its merged result."""

    Kind = OrderKind

    order_id = models.UUIDField(default=uuid.uuid4, unique=True)
    company = models.ForeignKey(AsmCompany, on_delete=models.CASCADE, related_name="orders")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.STANDARD)
    package_id = models.CharField(max_length=200)
    package_name = models.CharField(max_length=200, blank=True)
    candidate = models.JSONField(default=dict)
    request = models.JSONField(default=dict, help_text="What SR sent to the partner")
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.TextField(blank=True)
    result = models.JSONField(default=dict, blank=True, help_text="The merged PackageResult")
    inline_url = models.URLField(max_length=1000, blank=True)
    callback_received_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.package_id} for {self.candidate.get('email', '?')}"


class AsmAttachment(models.Model):
    """A file uploaded with ``POST …/results/attachment``."""

    attachment_id = models.UUIDField(default=uuid.uuid4, unique=True)
    order = models.ForeignKey(AsmOrder, on_delete=models.CASCADE, related_name="attachments")
    file_name = models.CharField(max_length=300)
    content_type = models.CharField(max_length=150)
    size = models.PositiveIntegerField()
    content = models.BinaryField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.file_name


class AsmResultPatch(models.Model):
    """Every PATCH the partner sent, accepted or refused, with any note (non-strict)."""

    order = models.ForeignKey(AsmOrder, on_delete=models.CASCADE, related_name="patches")
    at = models.DateTimeField(default=timezone.now)
    body = models.JSONField(null=True)
    status = models.PositiveSmallIntegerField()
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"PATCH {self.order_id} → {self.status}"
