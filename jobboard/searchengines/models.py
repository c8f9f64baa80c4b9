"""The outbox of notices to search engines: one row per engine, URL and kind of change."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from jobboard import outbox
from jobboard.outbox import OutboxItem


class Engine(models.TextChoices):
    GOOGLE = "google", "Google Indexing API"
    INDEXNOW = "indexnow", "IndexNow"


class Action(models.TextChoices):
    # Google's notification types; IndexNow takes both as "this URL changed".
    UPDATED = "URL_UPDATED", "updated"
    DELETED = "URL_DELETED", "deleted"


class SearchEngineNotice(OutboxItem):
    class State(models.TextChoices):
        PENDING = outbox.PENDING, "pending"
        SENDING = outbox.SENDING, "sending"
        SENT = outbox.SENT, "sent"
        FAILED = outbox.FAILED, "failed"
        # A newer notice about the same page made this one pointless before it was sent
        # (published, then withdrawn before the relay ran: only the deletion goes out).
        SUPERSEDED = "superseded", "superseded"

    state = models.CharField(
        max_length=12, choices=State.choices, default=State.PENDING, db_index=True
    )
    engine = models.CharField(max_length=10, choices=Engine.choices)
    url = models.URLField(max_length=500)
    action = models.CharField(max_length=12, choices=Action.choices)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "search engine notice"
        ordering = ["-created_at", "-pk"]
        constraints = [
            # At most one pending notice per engine, page and kind: ten edits before the
            # relay runs make one notification, whoever writes them at the same moment.
            models.UniqueConstraint(
                fields=["engine", "url", "action"],
                condition=Q(state="pending"),
                name="searchenginenotice_one_pending",
            ),
        ]
        indexes = [
            models.Index(fields=["engine", "state", "next_attempt_at"], name="notice_due"),
        ]

    def __str__(self) -> str:
        return f"{self.get_engine_display()}: {self.action} {self.url}"
