"""Staff's view of the notices: what was told to which engine, and what failed."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from jobboard.searchengines.models import SearchEngineNotice


@admin.register(SearchEngineNotice)
class SearchEngineNoticeAdmin(admin.ModelAdmin):
    list_display = ("created_at", "engine", "action", "url", "state", "attempts", "sent_at")
    list_filter = ("engine", "state", "action")
    search_fields = ("url",)
    readonly_fields = [field.name for field in SearchEngineNotice._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
