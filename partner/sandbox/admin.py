"""Django admin for the sandbox's tables: a raw view for staff; the console is the nice one."""

from __future__ import annotations

from django.contrib import admin

from partner.sandbox.models import (
    JournalEntry,
    SandboxAttachment,
    SandboxCandidate,
    SandboxCompany,
    SandboxJob,
    SandboxOffer,
    SandboxPartner,
    SandboxPosting,
    SandboxPostingEvent,
    SandboxState,
)


@admin.register(SandboxState)
class SandboxStateAdmin(admin.ModelAdmin):
    list_display = ["__str__", "clock_offset_seconds", "next_feed_id", "updated_at"]


@admin.register(SandboxPartner)
class SandboxPartnerAdmin(admin.ModelAdmin):
    list_display = ["name", "created_at"]
    search_fields = ["name"]


@admin.register(SandboxCompany)
class SandboxCompanyAdmin(admin.ModelAdmin):
    list_display = ["name", "sr_id", "identifier", "website"]
    search_fields = ["name", "sr_id"]


@admin.register(SandboxOffer)
class SandboxOfferAdmin(admin.ModelAdmin):
    # The contract password stays out of the list (it is a customer's credential).
    list_display = ["offer_id", "company", "catalog_id", "posting_period", "has_contract"]
    list_select_related = ["company"]
    raw_id_fields = ["company", "partner"]
    search_fields = ["offer_id", "company__name"]

    @admin.display(boolean=True, description="Existing contract")
    def has_contract(self, obj: SandboxOffer) -> bool:
        return obj.has_contract


@admin.register(SandboxJob)
class SandboxJobAdmin(admin.ModelAdmin):
    list_display = ["uuid", "company", "configuration_template", "created_at"]
    list_select_related = ["company"]
    raw_id_fields = ["company", "partner"]
    search_fields = ["uuid", "company__name"]


class SandboxPostingEventInline(admin.TabularInline):
    model = SandboxPostingEvent
    extra = 0
    can_delete = False
    readonly_fields = ["at", "actor", "from_status", "to_status", "live_url", "comment", "note"]


@admin.register(SandboxPosting)
class SandboxPostingAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "company", "status", "posted_date", "expires_at", "live_url"]
    list_filter = ["status"]
    list_select_related = ["company"]
    raw_id_fields = ["job", "company", "offer", "partner", "replaced_by"]
    search_fields = ["=id", "name", "company__name"]
    inlines = [SandboxPostingEventInline]
    show_full_result_count = False  # 100,000 seeded rows: skip the extra COUNT


class SandboxAttachmentInline(admin.TabularInline):
    model = SandboxAttachment
    extra = 0
    can_delete = False
    exclude = ["content"]
    readonly_fields = ["kind", "file_name", "mime_type", "detected_type", "size"]


@admin.register(SandboxCandidate)
class SandboxCandidateAdmin(admin.ModelAdmin):
    list_display = ["candidate_id", "first_name", "last_name", "job", "status", "created_at"]
    list_filter = ["status"]
    raw_id_fields = ["job", "partner"]
    search_fields = ["email_key", "last_name_key", "=candidate_id"]
    inlines = [SandboxAttachmentInline]


@admin.register(JournalEntry)
class JournalEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "endpoint", "method", "path", "status", "fault", "duration_ms"]
    list_filter = ["endpoint", "method", "status", "fault"]
    search_fields = ["path"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
