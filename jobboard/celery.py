"""The Celery application and the one place where the beat schedule is declared."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import TypedDict

from celery import Celery, signals

from jobboard.operations import multiprocess_metrics
from jobboard.operations.watch import AlertWatch, MetricsServer

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jobboard.settings")

app = Celery("jobboard")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Every worker evaluates the alert conditions on a timer (a dead beat is noticed too).
app.steps["worker"].add(AlertWatch)
app.steps["worker"].add(MetricsServer)


def ensure_broker_folders() -> None:
    """The filesystem transport needs its folders before the first message."""
    from django.conf import settings

    options = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {})
    for key in ("data_folder_in", "data_folder_out", "control_folder", "processed_folder"):
        if key in options:
            Path(options[key]).mkdir(parents=True, exist_ok=True)


SYNC_ON_START_TASK = "partner.postings.tasks.sync_feed"


class BeatEntry(TypedDict):
    """One entry of Celery's `beat_schedule` setting, as we declare them."""

    task: str
    schedule: timedelta


def beat_schedule() -> dict[str, BeatEntry]:
    """Every periodic task, with its interval from settings (seconds).

    Tasks are referenced by name so that this module imports no app code.
    """
    from django.conf import settings

    def every(setting: str) -> timedelta:
        return timedelta(seconds=getattr(settings, setting))

    entries: list[tuple[str, str, str]] = [
        # (entry name, task name, interval setting)
        ("heartbeat", "jobboard.operations.tasks.heartbeat", "HEARTBEAT_INTERVAL"),
        ("sync-feed", "partner.postings.tasks.sync_feed", "SYNC_FEED_INTERVAL"),
        (
            "relay-status-reports",
            "partner.postings.tasks.relay_status_reports",
            "OUTBOX_RELAY_INTERVAL",
        ),
        ("expire-listings", "jobboard.board.tasks.expire_listings", "LISTING_EXPIRY_INTERVAL"),
        (
            "refresh-recent-search-index",
            "jobboard.board.tasks.refresh_recent_search_index",
            "SEARCH_INDEX_REFRESH_INTERVAL",
        ),
        ("reconcile-feed", "partner.postings.tasks.reconcile_feed", "RECONCILE_INTERVAL"),
        ("send-job-alerts", "jobboard.board.tasks.send_job_alerts", "JOB_ALERTS_INTERVAL"),
        (
            "sweep-applications",
            "partner.applications.tasks.sweep_submissions",
            "APPLICATION_SWEEP_INTERVAL",
        ),
        (
            "poll-application-status",
            "partner.applications.tasks.poll_statuses",
            "APPLICATION_STATUS_POLL_INTERVAL",
        ),
        (
            "erase-applications",
            "partner.applications.tasks.erase_expired",
            "APPLICATION_ERASURE_INTERVAL",
        ),
        (
            "push-assessment-results",
            "partner.assessments.tasks.push_results",
            "ASSESSMENT_PUSH_INTERVAL",
        ),
        (
            "expire-assessment-orders",
            "partner.assessments.tasks.expire_orders",
            "ASSESSMENT_EXPIRY_INTERVAL",
        ),
        (
            "close-assessment-attempts",
            "partner.assessments.tasks.close_overdue_attempts",
            "ASSESSMENT_TIMEOUT_INTERVAL",
        ),
        (
            "notify-search-engines",
            "jobboard.searchengines.tasks.relay_notices",
            "SEARCH_NOTIFY_INTERVAL",
        ),
    ]
    # Every task here belongs to an app that is always installed. The schedule used to be
    # filtered by `app.tasks`; in the beat process that filter ran before the task modules
    # were imported and dropped every entry, so beat sent nothing.
    return {name: BeatEntry(task=task, schedule=every(setting)) for name, task, setting in entries}


@app.on_after_configure.connect
def _declare_beat_schedule(sender: Celery, **kwargs: object) -> None:
    # The schedule must be in the configuration before beat builds its scheduler, which
    # happens before `beat_init` is sent: installing it from `beat_init` was too late.
    sender.conf.beat_schedule = beat_schedule()


@signals.beat_init.connect
def _sync_once_at_start(sender: object, **kwargs: object) -> None:
    # Interval schedules first fire one interval after beat starts. A fresh instance (or a
    # restart after downtime) should not wait five minutes for its jobs: sync once now,
    # a few seconds in, so that the web process serving the sandbox is up in `make run`.
    app.send_task(SYNC_ON_START_TASK, countdown=5)


@signals.worker_init.connect
@signals.beat_init.connect
def _prepare_broker(**kwargs: object) -> None:
    ensure_broker_folders()


@signals.worker_init.connect
def _fresh_metrics(**kwargs: object) -> None:
    # The worker's main process, before its pool starts: counts of an earlier run go.
    multiprocess_metrics.reset_directory()


@signals.worker_process_shutdown.connect
def _metrics_process_gone(pid: int | None = None, **kwargs: object) -> None:
    multiprocess_metrics.process_exited(pid or os.getpid())


@app.task(name="jobboard.ping")
def ping() -> str:
    """A round trip through the broker and a worker; used by tests and readiness checks."""
    return "pong"
