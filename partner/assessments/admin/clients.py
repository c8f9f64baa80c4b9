"""Client accounts, their SmartRecruiters integrations and the tokens we issued."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils import timezone

from partner.assessments.models import AccessToken, ClientAccount, Integration


class IntegrationInline(admin.TabularInline):
    model = Integration
    extra = 0
    can_delete = False
    fields = readonly_fields = ("company_id", "status", "connected_at", "disconnected_at")
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ClientAccount)
class ClientAccountAdmin(admin.ModelAdmin):
    list_display = ["name", "contact_email", "integration_state", "created_at"]
    search_fields = ["name", "contact_email", "integrations__company_id"]
    inlines = [IntegrationInline]

    @admin.display(description="SmartRecruiters companies")
    def integration_state(self, obj: ClientAccount) -> str:
        rows = [f"{i.company_id} ({i.get_status_display()})" for i in obj.integrations.all()]
        return ", ".join(rows) or "—"


@admin.register(Integration)
class IntegrationAdmin(admin.ModelAdmin):
    """Read-only: integrations are made on the consent page and ended by SR's DELETE.
    Secrets are never shown (the P-secret is a hash; the SR-secret stays encrypted)."""

    list_display = [
        "company_id",
        "client",
        "status",
        "connected_at",
        "disconnected_at",
        "live_tokens",
    ]
    list_filter = ["status", "client"]
    search_fields = ["company_id", "client__name", "p_client_id", "sr_client_id"]
    fields = (
        "company_id",
        "client",
        "status",
        "p_client_id",
        "sr_client_id",
        "connected_by",
        "connected_at",
        "disconnected_at",
    )
    readonly_fields = tuple(f for f in fields if f != "client")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description="Live tokens")
    def live_tokens(self, obj: Integration) -> int:
        return obj.tokens.filter(revoked_at__isnull=True, expires_at__gt=timezone.now()).count()


@admin.register(AccessToken)
class AccessTokenAdmin(admin.ModelAdmin):
    list_display = ["integration", "created_at", "expires_at", "revoked_at"]
    list_filter = ["integration__company_id"]
    readonly_fields = ["integration", "created_at", "expires_at", "revoked_at"]
    exclude = ["token_hash"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
