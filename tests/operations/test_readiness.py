"""/readyz says when beat is dead or a periodic job is overdue, and is ready before beat ran."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from jobboard.operations.models import PeriodicJob
from jobboard.operations.recording import register_schedule

pytestmark = pytest.mark.django_db


def _beat_started(ago: timedelta = timedelta(0)) -> None:
    register_schedule()
    PeriodicJob.objects.update(created_at=timezone.now() - ago)


def test_a_fresh_instance_whose_beat_never_ran_is_ready(client: Client) -> None:
    body = client.get("/readyz").json()
    assert body["checks"]["beat"] == {"ok": True, "seen": False}
    assert body["checks"]["periodic_jobs"]["ok"] is True


def test_a_recent_heartbeat_and_on_time_jobs_are_ready(client: Client, settings) -> None:
    _beat_started()
    PeriodicJob.objects.update(last_sent_at=timezone.now(), last_success_at=timezone.now())
    response = client.get("/readyz")
    assert response.status_code == 200, response.json()
    beat = response.json()["checks"]["beat"]
    assert beat["ok"] is True
    assert beat["heartbeat_age_seconds"] < 5
    assert beat["stale_after_seconds"] == settings.HEARTBEAT_INTERVAL * settings.JOB_OVERDUE_FACTOR


def test_a_stale_heartbeat_means_beat_is_dead(client: Client, settings) -> None:
    settings.HEARTBEAT_INTERVAL = 30
    settings.JOB_OVERDUE_FACTOR = 3
    _beat_started(ago=timedelta(hours=1))
    PeriodicJob.objects.update(last_success_at=timezone.now())
    PeriodicJob.objects.filter(name="heartbeat").update(
        last_sent_at=timezone.now() - timedelta(seconds=91)
    )
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["beat"]["ok"] is False


def test_a_job_past_its_factor_of_the_interval_is_overdue(client: Client, settings) -> None:
    settings.SYNC_FEED_INTERVAL = 300
    settings.JOB_OVERDUE_FACTOR = 3
    _beat_started(ago=timedelta(days=2))
    now = timezone.now()
    PeriodicJob.objects.update(last_sent_at=now, last_success_at=now)
    PeriodicJob.objects.filter(name="sync-feed").update(
        last_success_at=now - timedelta(seconds=901)
    )
    response = client.get("/readyz")
    assert response.status_code == 503
    jobs = response.json()["checks"]["periodic_jobs"]
    assert jobs["overdue"] == ["sync-feed"]
    assert jobs["age_seconds"]["sync-feed"] >= 901
    assert jobs["age_seconds"]["heartbeat"] < 5


def test_a_job_that_never_ran_is_overdue_counted_from_when_beat_first_knew_it(
    client: Client, settings
) -> None:
    settings.RECONCILE_INTERVAL = 86_400
    _beat_started(ago=timedelta(days=4))
    PeriodicJob.objects.exclude(name="reconcile-feed").update(
        last_sent_at=timezone.now(), last_success_at=timezone.now()
    )
    assert client.get("/readyz").json()["checks"]["periodic_jobs"]["overdue"] == ["reconcile-feed"]
