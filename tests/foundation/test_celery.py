"""Celery really runs: through Redis (production path) and through the embedded broker."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from celery.contrib.testing.worker import start_worker
from django.test import override_settings

from jobboard.celery import app, beat_schedule, ping
from tests.celery_redis import app_on_redis as on_redis
from tests.celery_redis import redis_available
from tests.foundation.conftest import REPO

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/14")


@pytest.fixture
def app_on_redis() -> Iterator[None]:
    with on_redis(REDIS_URL, results=True, purge=False):
        yield


@pytest.mark.redis
@pytest.mark.skipif(not redis_available(REDIS_URL), reason="Redis is not running on 127.0.0.1:6379")
@pytest.mark.usefixtures("app_on_redis")
def test_a_task_makes_a_round_trip_through_redis_and_a_real_worker() -> None:
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        # Results are off by default (nothing reads them); this call asks for one.
        result = ping.apply_async(ignore_result=False)
        assert result.get(timeout=20) == "pong"


@pytest.mark.redis
@pytest.mark.skipif(not redis_available(REDIS_URL), reason="Redis is not running on 127.0.0.1:6379")
@pytest.mark.usefixtures("app_on_redis")
def test_tasks_are_json_only_and_acknowledged_late() -> None:
    assert app.conf.task_serializer == "json"
    assert app.conf.accept_content == ["json"]
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_hijack_root_logger is False
    assert app.conf.task_time_limit > app.conf.task_soft_time_limit


def test_the_embedded_broker_runs_a_real_worker_process(tmp_path: Path) -> None:
    """`make run` needs no broker service: worker and producer share files under var/."""
    env = {k: v for k, v in os.environ.items() if k not in {"CELERY_BROKER_URL", "DATABASE_URL"}}
    env["VAR_DIR"] = str(tmp_path / "var")
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "jobboard", "worker", "--pool", "solo",
         "--loglevel", "INFO", "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        send = (
            "import django; django.setup(); from jobboard.celery import ping; "
            "print(ping.delay().id)"
        )
        sent = subprocess.run(
            [sys.executable, "-c", send], cwd=REPO, env=env, capture_output=True, text=True,
            timeout=60, check=True,
        )  # fmt: skip
        task_id = sent.stdout.strip()
        deadline = time.monotonic() + 45
        output = ""
        while time.monotonic() < deadline:
            line = worker.stdout.readline() if worker.stdout else ""
            output += line
            if f"{task_id}] succeeded" in line:
                break
        assert f"Task jobboard.ping[{task_id}] succeeded" in output
        assert "'pong'" in output
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()


def test_beat_intervals_come_from_settings() -> None:
    app.loader.import_default_modules()  # what worker and beat do at start
    with override_settings(SYNC_FEED_INTERVAL=42, JOB_ALERTS_INTERVAL=3600):
        schedule = beat_schedule()
    assert schedule["sync-feed"] == {
        "task": "partner.postings.tasks.sync_feed",
        "schedule": timedelta(seconds=42),
    }
    assert schedule["send-job-alerts"]["schedule"] == timedelta(seconds=3600)
    # Every periodic job of the product is registered, so beat schedules all of them.
    assert set(schedule) == {
        "heartbeat", "sync-feed", "relay-status-reports", "expire-listings", "reconcile-feed",
        "send-job-alerts", "sweep-applications", "poll-application-status",
        "erase-applications", "push-assessment-results", "expire-assessment-orders",
        "close-assessment-attempts", "notify-search-engines", "refresh-recent-search-index",
    }  # fmt: skip


def test_every_scheduled_task_is_registered_once_the_task_modules_load() -> None:
    app.loader.import_default_modules()  # what worker and beat do at start
    assert all(entry["task"] in app.tasks for entry in beat_schedule().values())


def test_the_schedule_is_in_the_configuration_beat_reads() -> None:
    # Beat builds its scheduler from app.conf.beat_schedule before beat_init is sent.
    assert set(app.conf.beat_schedule) == set(beat_schedule())
