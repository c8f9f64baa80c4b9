"""Admin: applications by state, the exact payload, SmartRecruiters' answers, actions."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.html import format_html

from jobboard.operations.outbox_admin import OutboxAdmin
from partner.applications import operations, selectors
from partner.applications.models import (
    Application,
    ApplicationFile,
    CandidateMail,
    ConfigurationCache,
    SubmissionAttempt,
)
from partner.applications.services.erasure import application_erase
from partner.applications.services.submission import application_retry


def elide_files(payload: Any, files: dict[int, ApplicationFile]) -> Any:
    """The payload as sent, with each attachment's base64 content elided."""
    if isinstance(payload, dict):
        out = {key: elide_files(value, files) for key, value in payload.items() if key != "fileRef"}
        if "fileRef" in payload:
            stored = files.get(payload["fileRef"])
            size = stored.size if stored else 0
            out["fileContent"] = f"<base64 of {size} bytes elided>"
        return out
    if isinstance(payload, list):
        return [elide_files(item, files) for item in payload]
    return payload


class SubmissionAttemptInline(admin.TabularInline):
    model = SubmissionAttempt
    extra = 0
    can_delete = False
    fields = (
        "started_at",
        "finished_at",
        "outcome",
        "status_code",
        "error_code",
        "message",
        "response",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ApplicationFileInline(admin.TabularInline):
    model = ApplicationFile
    extra = 0
    can_delete = False
    fields = ("role", "file_name", "mime_type", "size")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    class Media:
        css = {"all": ("css/admin.css",)}  # .pre-wrap: no style attributes under the CSP

    list_display = (
        "__str__",
        "job_title",
        "state",
        "attempts",
        "created_at",
        "sent_at",
        "sr_status",
        "erased",
    )
    list_filter = ("state", ("erased_at", admin.EmptyFieldListFilter), "created_at")
    search_fields = ("=id", "=posting_uuid", "=candidate_id", "=sr_application_id")
    date_hierarchy = "created_at"
    inlines = (ApplicationFileInline, SubmissionAttemptInline)
    actions = ("retry_selected", "erase_selected")
    exclude = ("payload_json", "status_token_hash", "repeat_key")
    readonly_fields = (
        "listing",
        "posting_uuid",
        "job_title",
        "language",
        "state",
        "payload_display",
        "attempts",
        "next_attempt_at",
        "claimed_until",
        "give_up_at",
        "last_status_code",
        "last_error_code",
        "last_error",
        "candidate_id",
        "sr_application_id",
        "candidate_portal_url",
        "sr_response",
        "sent_at",
        "sr_status",
        "sr_status_checked_at",
        "notify_status_changes",
        "created_at",
        "erased_at",
        "erasure_reason",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        # The operator sees a TRAFFIC_LOCKED pause where the waiting applications are
        # (the health page shows it as an alert too).
        lock = selectors.traffic_lock()
        if lock is not None:
            self.message_user(request, operations.traffic_lock_message(lock), messages.WARNING)
        return super().changelist_view(request, extra_context)

    @admin.display(boolean=True, description="Erased")
    def erased(self, obj: Application) -> bool:
        return obj.is_erased

    @admin.display(description="Payload (as sent; attachments elided)")
    def payload_display(self, obj: Application) -> str:
        files = {f.pk: f for f in obj.files.all()}
        text = json.dumps(elide_files(obj.payload, files), indent=2, ensure_ascii=False)
        return format_html('<pre class="pre-wrap">{}</pre>', text)

    @admin.action(description="Retry sending (failed applications)")
    def retry_selected(self, request: HttpRequest, queryset: QuerySet[Application]) -> None:
        count = sum(
            application_retry(application_id=pk) for pk in queryset.values_list("pk", flat=True)
        )
        self.message_user(
            request, f"{count} application(s) queued for sending again.", messages.SUCCESS
        )

    @admin.action(description="Erase personal data and files")
    def erase_selected(self, request: HttpRequest, queryset: QuerySet[Application]) -> None:
        done = skipped = 0
        for pk in queryset.values_list("pk", flat=True):
            if application_erase(application_id=pk, reason="admin"):
                done += 1
            else:
                skipped += 1
        self.message_user(request, f"{done} erased, {skipped} being sent right now (try again).")


@admin.register(ConfigurationCache)
class ConfigurationCacheAdmin(admin.ModelAdmin):
    list_display = ("posting_uuid", "language", "fetched_at", "last_error_at")
    search_fields = ("=posting_uuid",)
    readonly_fields = (
        "posting_uuid",
        "language",
        "data",
        "fetched_at",
        "last_error",
        "last_error_at",
    )


@admin.register(CandidateMail)
class CandidateMailAdmin(OutboxAdmin):
    """The mails owed to candidates (no candidate data: the application holds it)."""

    list_display = ("__str__", "kind", "state", "attempts", "created_at", "finished_at")
    list_filter = ("state", "kind", "created_at")
    search_fields = ("=id", "=application__id")
    message_fields = ("application", "kind", "failure_reason", "sr_status")
