"""Client accounts, their SmartRecruiters integrations and the tokens we issue them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from jobboard.crypto import EncryptedTextField
from partner.assessments.models.common import Named


class ClientAccount(Named):
    """One of the vendor's customers; SR companies are linked to it on the consent page."""

    name = models.CharField(max_length=200, unique=True)
    contact_email = models.EmailField(blank=True)
    notes = models.TextField(blank=True)


class Integration(models.Model):
    """The link between an SR company and a client account, with both credential pairs."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Integrated"
        DISCONNECTED = "disconnected", "Disconnected"

    company_id = models.CharField("SR company id", max_length=64, unique=True)
    client = models.ForeignKey(ClientAccount, on_delete=models.PROTECT, related_name="integrations")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    # P-pair: SR authenticates to us with it. Only the secret's hash is kept.
    p_client_id = models.CharField(max_length=64, unique=True, null=True, blank=True)
    p_secret_hash = models.CharField(max_length=64, blank=True)
    # SR-pair: we authenticate to SR with it, so it must be readable again: encrypted.
    sr_client_id = models.CharField(max_length=200, blank=True)
    sr_client_secret = EncryptedTextField(blank=True)
    connected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    connected_at = models.DateTimeField(null=True, blank=True)
    disconnected_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["company_id"]

    def __str__(self) -> str:
        return f"{self.company_id} → {self.client}"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    @property
    def has_sr_pair(self) -> bool:
        return bool(self.sr_client_id and self.sr_client_secret)


class AccessToken(models.Model):
    """A Bearer token we issued to SR for one integration (stored as a SHA-256 hash)."""

    integration = models.ForeignKey(Integration, on_delete=models.CASCADE, related_name="tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"token for {self.integration.company_id} until {self.expires_at:%Y-%m-%d %H:%M}"
