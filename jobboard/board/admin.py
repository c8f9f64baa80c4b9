"""Staff views of the board: its listings, read-only but for taking one down."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from jobboard.board.models import Listing
from jobboard.board.services import withdraw_listing


@admin.register(Listing)
class ListingAdmin(admin.ModelAdmin):
    list_display = ("title", "company", "state", "posted_at", "valid_through", "source")
    list_filter = ("state", "source", "country_code")
    search_fields = ("title", "company__name", "external_id", "job_key", "reference")
    list_select_related = ("company",)
    date_hierarchy = "posted_at"
    actions = ("withdraw",)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # Listings are written by their source only; staff may look and take down.
        return [f.name for f in Listing._meta.fields if f.name != "id"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Withdraw selected listings (their pages answer 410)")
    def withdraw(self, request: HttpRequest, queryset: QuerySet[Listing]) -> None:
        # A source notices on its next pass (the feed sync reports Inactive).
        count = 0
        for listing in queryset.filter(state=Listing.State.LIVE):
            withdraw_listing(source=listing.source, external_id=listing.external_id)
            count += 1
        self.message_user(request, f"{count} listing(s) withdrawn.")
