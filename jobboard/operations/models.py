"""What operators need to know: periodic job runs, alert states, SmartRecruiters call counts."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class PeriodicJob(models.Model):
    """One beat schedule entry: when beat last sent it, and how its last runs went.

    Beat writes ``last_sent_at``; the worker writes the rest. The two apart tell a dead
    beat (nothing sent) from a dead worker (sent, never started).
    """

    name = models.CharField(max_length=80, unique=True)
    task = models.CharField(max_length=200)
    interval_seconds = models.PositiveIntegerField(default=0)
    # When beat first knew the job: a job that never ran is overdue counted from here.
    created_at = models.DateTimeField(default=timezone.now)
    last_sent_at = models.DateTimeField(null=True, blank=True)
    last_started_at = models.DateTimeField(null=True, blank=True)
    last_finished_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_failure_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    last_duration_ms = models.PositiveIntegerField(null=True, blank=True)
    runs = models.PositiveIntegerField(default=0)
    failures = models.PositiveIntegerField(default=0)
    consecutive_failures = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["name"]
        permissions = [("retry_outbox", "Can put failed outbox items back in the queue")]

    def __str__(self) -> str:
        return self.name


class Alert(models.Model):
    """One alert condition's state, shared by every process that evaluates it.

    The row makes "one mail per condition" hold across several workers: whoever flips
    ``active`` (or moves ``last_mailed_at``) with a conditional UPDATE sends the mail.
    """

    name = models.CharField(max_length=120, unique=True)
    active = models.BooleanField(default=False)
    message = models.TextField(blank=True)
    since = models.DateTimeField(null=True, blank=True)
    last_mailed_at = models.DateTimeField(null=True, blank=True)
    cleared_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-active", "name"]

    def __str__(self) -> str:
        return self.name


class CallStat(models.Model):
    """Calls to SmartRecruiters per minute, API and outcome: the health page's last hour."""

    class Outcome(models.TextChoices):
        OK = "2xx", "2xx"
        AUTH_REFUSED = "401/403", "401/403 (key refused)"
        CLIENT_ERROR = "4xx", "Other 4xx"
        RATE_LIMITED = "429", "429"
        SERVER_ERROR = "5xx", "5xx"
        NETWORK = "network", "Network error"

    minute = models.DateTimeField()
    api = models.CharField(max_length=40)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["minute", "api", "outcome"], name="callstat_unique")
        ]
        indexes = [models.Index(fields=["minute"], name="callstat_minute")]

    def __str__(self) -> str:
        return f"{self.minute:%H:%M} {self.api} {self.outcome}: {self.count}"
