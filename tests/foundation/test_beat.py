"""Beat really dispatches every periodic job, and a real worker really runs each one.

An earlier version declared the schedule too late for the beat process and beat sent
nothing, while tests that imported the schedule into pytest were green. These tests run
`celery beat` and `celery worker` as separate processes on the embedded broker, with
every interval set to seconds, and read the effects from the database they share.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from jobboard.celery import beat_schedule
from tests.foundation.conftest import _CONFIG_VARS, REPO

INTERVAL_SETTINGS = (
    "HEARTBEAT_INTERVAL", "SYNC_FEED_INTERVAL", "OUTBOX_RELAY_INTERVAL", "LISTING_EXPIRY_INTERVAL",
    "RECONCILE_INTERVAL", "JOB_ALERTS_INTERVAL", "APPLICATION_SWEEP_INTERVAL",
    "APPLICATION_STATUS_POLL_INTERVAL", "APPLICATION_ERASURE_INTERVAL",
    "ASSESSMENT_PUSH_INTERVAL", "ASSESSMENT_EXPIRY_INTERVAL", "ASSESSMENT_TIMEOUT_INTERVAL",
    "SEARCH_NOTIFY_INTERVAL", "SEARCH_INDEX_REFRESH_INTERVAL",
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
        "notify-search-engines", "refresh-recent-search-index",
    }  # fmt: skip
    deadline = time.monotonic() + 90
    done: set[str] = set()
    runs: list[tuple[object, ...]] = []
    # The feed pass's own effect too: a pass that finds the lock held (reconcile-feed,
    # every 2 s here as well) runs without recording a pass, so wait for two passes.
    while time.monotonic() < deadline and (done != expected or len(runs) < 2):
        time.sleep(1)
        done = {
            name
            for (name,) in _rows(
                beat_and_worker,
                "SELECT name FROM operations_periodicjob "
                "WHERE last_sent_at IS NOT NULL AND last_success_at IS NOT NULL AND runs >= 2",
            )
        }
        runs = _rows(beat_and_worker, "SELECT outcome FROM postings_syncrun WHERE kind = 'sync'")
    logs = (tmp_path / "beat.log").read_text() + (tmp_path / "worker.log").read_text()
    assert done == expected, f"never completed twice: {sorted(expected - done)}\n{logs[-4000:]}"
    for name in expected:
        assert f"Sending due task {name} " in logs

    # The feed pass's own effect: sync runs recorded (failed, since nobody serves the feed).
    assert len(runs) >= 2
    assert {outcome for (outcome,) in runs} == {"failed"}


def _readyz(env: dict[str, str]) -> tuple[int, dict[str, object]]:
    code = (
        "import django, json; django.setup(); from django.test import Client; "
        "r = Client().get('/readyz'); print(r.status_code); print(r.content.decode())"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True,
        timeout=60, check=True,
    )  # fmt: skip
    status, body = done.stdout.strip().split("\n", 1)
    return int(status), json.loads(body)


def _wait_for(predicate: Callable[[], bool], *, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.5)
    return predicate()


def test_stopping_beat_turns_readiness_unavailable_and_mails_the_admins_once(
    process_env: dict[str, str], tmp_path: Path
) -> None:
    mails = tmp_path / "mail"
    env = {
        **process_env,
        # Only the heartbeat is frequent; the other jobs are far from overdue.
        **dict.fromkeys(INTERVAL_SETTINGS, "3600"),
        "HEARTBEAT_INTERVAL": "1",
        "JOB_OVERDUE_FACTOR": "3",
        "ALERT_CHECK_INTERVAL": "1",
        "ADMINS": "Ops <ops@example.org>",
        "EMAIL_URL": f"filemail:///{mails}",
    }
    database = Path(env["VAR_DIR"]) / "db.sqlite3"
    worker = _start(
        ["worker", "--pool", "threads", "--concurrency", "2", "--without-gossip",
         "--without-mingle", "--without-heartbeat"],
        env, tmp_path / "worker.log",
    )  # fmt: skip
    beat = _start(
        ["beat", "--schedule", str(tmp_path / "beat-schedule")], env, tmp_path / "beat.log"
    )
    try:
        assert _wait_for(
            lambda: bool(
                _rows(database, "SELECT 1 FROM operations_periodicjob "
                      "WHERE name = 'heartbeat' AND runs >= 2 AND last_success_at IS NOT NULL")
            ),
            seconds=60,
        ), (tmp_path / "beat.log").read_text()[-3000:]  # fmt: skip
        status, body = _readyz(env)
        assert status == 200, body
        _stop(beat)
        stopped = time.monotonic()
        assert _wait_for(lambda: _readyz(env)[0] == 503, seconds=30)
        # Threshold: 3 heartbeats of 1 s (plus a scheduling tick and the readiness process).
        assert time.monotonic() - stopped < 20
        status, body = _readyz(env)
        assert body["checks"]["beat"]["ok"] is False  # type: ignore[index]
        assert _wait_for(lambda: mails.is_dir() and any(mails.iterdir()), seconds=30)
        time.sleep(4)  # more evaluations: still one mail
        sent = [path.read_text() for path in mails.iterdir()]
        alerts = [text for text in sent if "Alert: beat heartbeat" in text]
        assert len(alerts) == 1, sent
        assert "ops@example.org" in alerts[0]
    finally:
        _stop(beat)
        _stop(worker)
