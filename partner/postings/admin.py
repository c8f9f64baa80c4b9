"""Staff views of the feed: sync runs, postings (with their contract), the outbox.

The board's listings have their own admin (jobboard.board.admin).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html

from jobboard.operations.outbox_admin import OutboxAdmin
from partner.postings import relay, sync
from partner.postings.models import FeedPosting, PostingContract, StatusReport, SyncRun
from partner.smartrecruiters.errors import SmartRecruitersError

if TYPE_CHECKING:
    from django.contrib.admin.options import _FieldGroups

SECRET_PERMISSION = "postings.view_contract_secret"  # noqa: S105 - a permission name


@admin.register(SyncRun)
class SyncRunAdmin(admin.ModelAdmin):
    list_display = (
        "started_at",
        "kind",
        "outcome",
        "seen",
        "published",
        "withdrawn",
        "rejected",
        "skipped",
        "reports_sent",
        "reports_failed",
        "short_error",
    )
    list_filter = ("kind", "outcome")
    date_hierarchy = "started_at"

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in SyncRun._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description="error")
    def short_error(self, obj: SyncRun) -> str:
        return obj.error[:120]


class PostingContractInline(admin.StackedInline):
    model = PostingContract
    can_delete = False
    extra = 0
    max_num = 0

    def get_fields(self, request: HttpRequest, obj: Any = None) -> _FieldGroups:
        return tuple(self._visible_fields(request))

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return self._visible_fields(request)

    @staticmethod
    def _visible_fields(request: HttpRequest) -> list[str]:
        fields = [
            "offer_id",
            "offer_name",
            "price_amount",
            "price_currency",
            "posting_period",
            "existing_login",
            "fetched_at",
        ]
        # The existing-contract password only for staff explicitly allowed to see it.
        if request.user.has_perm(SECRET_PERMISSION):
            fields.insert(6, "existing_password")
        return fields


class StatusReportInline(admin.TabularInline):
    model = StatusReport
    extra = 0
    max_num = 0
    can_delete = False
    fields = ("created_at", "status", "state", "attempts", "sent_at", "live_url", "last_error")
    readonly_fields = fields
    ordering = ("-created_at",)


@admin.register(FeedPosting)
class FeedPostingAdmin(admin.ModelAdmin):
    list_display = (
        "sr_id",
        "name",
        "company_name",
        "sr_status",
        "state",
        "reported_status",
        "reported_at",
        "last_seen_at",
        "has_error",
    )
    list_filter = ("sr_status", "state", "reported_status", "company_name")
    search_fields = ("sr_id", "uuid", "name", "company_name")
    list_select_related = True
    inlines = (PostingContractInline, StatusReportInline)
    actions = ("sync_again", "retry_failed_reports")
    exclude = ("raw",)
    readonly_fields = (
        "sr_id",
        "uuid",
        "name",
        "company_sr_id",
        "company_name",
        "sr_status",
        "posted_at",
        "state",
        "listing",
        "reported_status",
        "reported_at",
        "last_error",
        "first_seen_at",
        "last_seen_at",
        "last_seen_run",
        "raw_payload",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(boolean=True, description="error")
    def has_error(self, obj: FeedPosting) -> bool:
        return bool(obj.last_error)

    @admin.display(description="raw payload")
    def raw_payload(self, obj: FeedPosting) -> str:
        return format_html("<pre>{}</pre>", json.dumps(obj.raw, indent=2, ensure_ascii=False))

    @admin.action(description="Sync this posting again")
    def sync_again(self, request: HttpRequest, queryset: QuerySet[FeedPosting]) -> None:
        for posting in queryset[:50]:
            try:
                outcome = sync.resync_posting(posting_id=posting.pk)
            except SmartRecruitersError as exc:
                self.message_user(request, f"{posting.sr_id}: {exc}", messages.ERROR)
            else:
                self.message_user(request, f"{posting.sr_id}: {outcome}", messages.SUCCESS)

    @admin.action(description="Retry failed reports")
    def retry_failed_reports(self, request: HttpRequest, queryset: QuerySet[FeedPosting]) -> None:
        ids = StatusReport.objects.filter(
            posting__in=queryset, state=StatusReport.State.FAILED
        ).values_list("pk", flat=True)
        count = relay.retry_failed_reports(report_ids=ids)
        self.message_user(request, f"{count} failed report(s) queued again.")


@admin.register(StatusReport)
class StatusReportAdmin(OutboxAdmin):
    list_display = (
        "created_at",
        "posting",
        "status",
        "state",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "short_error",
    )
    list_filter = ("state", "status")
    search_fields = ("posting__sr_id", "posting__name")
    list_select_related = ("posting",)
    message_fields = ("posting", "status", "live_url", "comment")
    trailing_fields = ("created_at", "sent_at")
