"""Beat really dispatches every periodic job, and a real worker really runs each one.

An earlier version declared the schedule too late for the beat process and beat sent
nothing, while tests that imported the schedule into pytest were green. These tests run
`celery beat` and `celery worker` as separate processes on the embedded broker, with
every interval set to seconds, and read the effects from the database they share.
"""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from jobboard.celery import beat_schedule
from tests.foundation.conftest import _CONFIG_VARS, REPO

INTERVAL_SETTINGS = (
    "SYNC_FEED_INTERVAL", "OUTBOX_RELAY_INTERVAL", "LISTING_EXPIRY_INTERVAL",
    "RECONCILE_INTERVAL", "JOB_ALERTS_INTERVAL", "APPLICATION_SWEEP_INTERVAL",
    "APPLICATION_STATUS_POLL_INTERVAL", "APPLICATION_ERASURE_INTERVAL",
    "ASSESSMENT_PUSH_INTERVAL", "ASSESSMENT_EXPIRY_INTERVAL",
)  # fmt: skip


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def process_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _CONFIG_VARS}
    env.update(dict.fromkeys(INTERVAL_SETTINGS, "2"))
    env.update(
        VAR_DIR=str(tmp_path / "var"),
        # Nobody listens there: the feed pass fails fast and records that it failed.
        SMARTRECRUITERS_API_URL=f"http://127.0.0.1:{_closed_port()}/sandbox",
        SMARTRECRUITERS_MAX_RETRIES="0",
        SMARTRECRUITERS_CONNECT_TIMEOUT="1",
    )
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=REPO, env=env, check=True, timeout=180,
    )  # fmt: skip
    return env


def _start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "jobboard", *args, "--loglevel", "INFO"],
        cwd=REPO, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


@pytest.fixture
def beat_and_worker(process_env: dict[str, str], tmp_path: Path) -> Iterator[Path]:
    var = Path(process_env["VAR_DIR"])
    worker = _start(
        ["worker", "--pool", "threads", "--concurrency", "4", "--without-gossip",
         "--without-mingle", "--without-heartbeat"],
        process_env, tmp_path / "worker.log",
    )  # fmt: skip
    beat = _start(
        ["beat", "--schedule", str(var / "beat-schedule")], process_env, tmp_path / "beat.log"
    )
    try:
        yield var / "db.sqlite3"
    finally:
        _stop(beat)
        _stop(worker)


def _rows(database: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=10) as conn:
        return conn.execute(sql).fetchall()


def test_beat_sends_every_entry_and_the_worker_runs_each(
    beat_and_worker: Path, tmp_path: Path
) -> None:
    expected = set(beat_schedule())
    assert expected >= {
        "sync-feed", "relay-status-reports", "expire-listings", "reconcile-feed",
        "send-job-alerts", "sweep-applications", "poll-application-status",
        "erase-applications", "push-assessment-results", "expire-assessment-orders",
    }  # fmt: skip
    deadline = time.monotonic() + 90
    done: set[str] = set()
    while time.monotonic() < deadline and done != expected:
        time.sleep(1)
        done = {
            name
            for (name,) in _rows(
                beat_and_worker,
                "SELECT name FROM operations_periodicjob "
                "WHERE last_sent_at IS NOT NULL AND last_success_at IS NOT NULL AND runs >= 2",
            )
        }
    logs = (tmp_path / "beat.log").read_text() + (tmp_path / "worker.log").read_text()
    assert done == expected, f"never completed twice: {sorted(expected - done)}\n{logs[-4000:]}"
    for name in expected:
        assert f"Sending due task {name} " in logs

    # The feed pass's own effect: sync runs recorded (failed, since nobody serves the feed).
    runs = _rows(beat_and_worker, "SELECT outcome FROM postings_syncrun WHERE kind = 'sync'")
    assert len(runs) >= 2
    assert {outcome for (outcome,) in runs} == {"failed"}
