"""The admin of an outbox's rows, the same for every outbox.

Rows are written by the code that owes the message, never by hand, and nobody edits
them: an operator reads where a message stands and may send failed rows again, through
the retry the app registered (``register_outbox``), the same one the health page uses.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from jobboard import outbox
from jobboard.operations.outboxes import retry_failed_rows
from jobboard.outbox import OutboxItem

OUTBOX_FIELDS = ("state", "attempts", "next_attempt_at", "claimed_until", "last_error")


class OutboxAdmin(admin.ModelAdmin):
    """Read-only rows: the message's own fields, then where its delivery stands."""

    # The message's own fields, shown before the delivery's.
    message_fields: tuple[str, ...] = ()
    # Shown after the delivery's: when it was written and when it was done with.
    trailing_fields: tuple[str, ...] = ("created_at", "finished_at")
    actions = ("send_failed_again",)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return self.get_readonly_fields(request, obj)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return (*self.message_fields, *OUTBOX_FIELDS, *self.trailing_fields)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        # Every field is read only: a Save button would save nothing.
        context = {
            "show_save": False,
            "show_save_and_continue": False,
            "show_save_and_add_another": False,
            **(extra_context or {}),
        }
        return super().change_view(request, object_id, form_url, context)

    @admin.display(description="error")
    def short_error(self, obj: OutboxItem) -> str:
        return obj.last_error[:120]

    @admin.action(description="Send the failed ones again")
    def send_failed_again(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        count = retry_failed_rows(queryset.filter(state=outbox.FAILED))
        self.message_user(
            request,
            f"{count} failed {self.model._meta.verbose_name_plural} queued again.",
            messages.SUCCESS,
        )
