"""What operators need to know about the periodic jobs beat runs."""

from __future__ import annotations

from django.db import models


class PeriodicJob(models.Model):
    """One beat schedule entry: when beat last sent it, and how its last runs went.

    Beat writes ``last_sent_at``; the worker writes the rest. The two apart tell a dead
    beat (nothing sent) from a dead worker (sent, never started).
    """

    name = models.CharField(max_length=80, unique=True)
    task = models.CharField(max_length=200)
    interval_seconds = models.PositiveIntegerField(default=0)
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

    def __str__(self) -> str:
        return self.name
