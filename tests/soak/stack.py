"""The processes of `make run`, started for the soak test, and what the test reads from them.

The web server (the board and the sandbox), a Celery worker and Celery beat, started with
the commands of the Procfile, on the embedded broker (filesystem://) and one SQLite file
in a temporary VAR_DIR. Nothing here calls the application's code in the test's process:
the test talks HTTP to the web server and reads the shared SQLite file.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import httpx

from tests.foundation.conftest import _CONFIG_VARS, REPO

T = TypeVar("T")

# Every beat interval in seconds (the defaults are minutes to a day). The ones the soak
# waits for are the shortest; the others still run several times during the test.
INTERVALS = {
    "HEARTBEAT_INTERVAL": 2,
    "SYNC_FEED_INTERVAL": 3,
    "OUTBOX_RELAY_INTERVAL": 2,
    "APPLICATION_SWEEP_INTERVAL": 2,
    "APPLICATION_ERASURE_INTERVAL": 2,
    "ASSESSMENT_PUSH_INTERVAL": 2,
    "LISTING_EXPIRY_INTERVAL": 5,
    "SEARCH_INDEX_REFRESH_INTERVAL": 10,
    "APPLICATION_STATUS_POLL_INTERVAL": 10,
    "ASSESSMENT_EXPIRY_INTERVAL": 10,
    "ASSESSMENT_TIMEOUT_INTERVAL": 10,
    "RECONCILE_INTERVAL": 20,
    "JOB_ALERTS_INTERVAL": 20,
    "SEARCH_NOTIFY_INTERVAL": 5,
}

# Backoffs of seconds instead of minutes, so that a retry after a fault is seen in the test.
BACKOFFS = {
    "SMARTRECRUITERS_MAX_RETRIES": "1",
    "SMARTRECRUITERS_BACKOFF_BASE": "0.05",
    "SMARTRECRUITERS_BACKOFF_CAP": "0.2",
    "FEED_REPORT_RETRY_BASE": "1",
    "APPLICATION_RETRY_BASE": "1",
    "APPLICATION_RETRY_CAP": "3",
    "ASSESSMENT_PUSH_BACKOFF_BASE": "1",
    "ASSESSMENT_PUSH_BACKOFF_CAP": "3",
}

# The sent application is kept a day: only a row older than that is due for erasure.
RETENTION_DAYS = 1

PROCESS_NAMES = ("web", "worker", "beat")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Stack:
    """The running processes, their logs, and clients for the board and the sandbox."""

    var: Path
    port: int
    env: dict[str, str]
    logs: dict[str, Path] = field(default_factory=dict)
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    admin_password: str = ""

    @property
    def site(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def database(self) -> Path:
        return self.var / "db.sqlite3"

    # -- processes --------------------------------------------------------------------
    def run(self, *args: str, timeout: int = 50) -> str:
        """A manage.py command (setup only: none runs once the three processes are up)."""
        done = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=REPO, env=self.env,
            capture_output=True, text=True, timeout=timeout,
        )  # fmt: skip
        if done.returncode != 0:
            raise AssertionError(f"manage.py {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
        return done.stdout

    def start(self, name: str, command: list[str]) -> None:
        log = self.var.parent / f"{name}.log"
        self.logs[name] = log
        self.processes[name] = subprocess.Popen(
            command, cwd=REPO, env=self.env, stdout=log.open("ab"), stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip

    def stop(self, name: str) -> None:
        process = self.processes.pop(name, None)
        if process is None:
            return
        if process.poll() is None:
            # The main process only: a worker's warm shutdown stops its own pool.
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
        # Whatever the process left behind in its session (pool children).
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)

    def stop_all(self) -> None:
        for name in ("beat", "worker", "web"):
            self.stop(name)

    def check_alive(self) -> None:
        for name, process in self.processes.items():
            if process.poll() is not None:
                raise AssertionError(f"the {name} process exited with {process.returncode}")

    def tails(self, lines: int = 60) -> list[tuple[str, str]]:
        out = []
        for name in PROCESS_NAMES:
            log = self.logs.get(name)
            if log is not None and log.exists():
                text = log.read_text(errors="replace").splitlines()[-lines:]
                out.append((f"{name} log, last {lines} lines", "\n".join(text)))
        return out

    # -- waiting ----------------------------------------------------------------------
    def wait_until(self, what: str, probe: Callable[[], T | None], *, seconds: float) -> T:
        """Poll ``probe`` until it returns something truthy; fail after ``seconds``."""
        deadline = time.monotonic() + seconds
        while True:
            self.check_alive()
            value = probe()
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"not within {seconds:.0f} s: {what}")
            time.sleep(0.5)

    # -- the shared database (read; one write to backdate a row) ------------------------
    def rows(self, sql: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
        with sqlite3.connect(f"file:{self.database}?mode=ro", uri=True, timeout=20) as conn:
            return conn.execute(sql, params).fetchall()

    def write(self, sql: str, params: tuple[object, ...] = ()) -> int:
        conn = sqlite3.connect(self.database, timeout=20)
        try:
            with conn:
                return conn.execute(sql, params).rowcount
        finally:
            conn.close()

    def number(self, sql: str, params: tuple[object, ...] = ()) -> int:
        """The first column of the first row as a number; 0 when there is no row."""
        found = self.rows(sql, params)
        return int(str(found[0][0])) if found and found[0][0] is not None else 0

    def job_runs(self, name: str) -> int:
        return self.number("SELECT runs FROM operations_periodicjob WHERE name = ?", (name,))

    def mail_subjects(self) -> list[str]:
        """Subjects of every mail sent so far (EMAIL_URL writes them to files), oldest first."""
        folder = self.var / "mail"
        if not folder.is_dir():
            return []
        files = sorted(folder.iterdir(), key=lambda path: path.stat().st_mtime)
        text = "".join(path.read_text(errors="replace") for path in files)
        return re.findall(r"^Subject: (.*)$", text, re.MULTILINE)

    # -- HTTP -------------------------------------------------------------------------
    def board(self) -> httpx.Client:
        return httpx.Client(base_url=self.site, timeout=30, follow_redirects=False)

    def control(self) -> httpx.Client:
        """The sandbox's control API (partner/sandbox/README.md)."""
        return httpx.Client(
            base_url=f"{self.site}/sandbox/control/",
            headers={"X-Sandbox-Control-Token": self.env["SANDBOX_CONTROL_TOKEN"]},
            timeout=30,
        )


def environment(var: Path, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _CONFIG_VARS}
    env = {k: v for k, v in env.items() if not k.startswith(("CELERY_", "PROMETHEUS_"))}
    env.update({name: str(seconds) for name, seconds in INTERVALS.items()})
    env.update(BACKOFFS)
    env.update(
        VAR_DIR=str(var),
        SITE_URL=f"http://127.0.0.1:{port}",
        SANDBOX_CONTROL_TOKEN="soak-control-token",
        # Mails (the assessment invitation) go to files, not into the worker's log.
        EMAIL_URL=f"filemail:///{var / 'mail'}",
        APPLICATION_RETENTION_DAYS=str(RETENTION_DAYS),
        # Alert mails (to files, like every mail here), evaluated every second.
        ADMINS="Ops <ops@example.org>",
        ALERT_CHECK_INTERVAL="1",
        PYTHONUNBUFFERED="1",
    )
    return env


def new_stack(root: Path) -> Stack:
    var = root / "var"
    port = free_port()
    return Stack(var=var, port=port, env=environment(var, port))


def start_stack(stack: Stack) -> None:
    """Set up the instance as `make run` does, then start web, worker and beat."""
    # setup_instance: migrate, the admin user (its password printed once), the sandbox's
    # demo partner with two demo postings, and the demo assessment packages.
    out = stack.run("setup_instance", "--demo-postings", "2", "--skip-static")
    password = re.search(r"with password '([^']+)'", out)
    if password is None:
        raise AssertionError(f"setup_instance printed no admin password:\n{out}")
    stack.admin_password = password.group(1)

    python = sys.executable
    # The Procfile's commands.
    stack.start("web", [python, "manage.py", "runserver", f"127.0.0.1:{stack.port}", "--noreload"])
    stack.wait_until("the web server answers /healthz", lambda: _healthy(stack), seconds=30)
    # What the README asks once the server is up: our Assessment API endpoints at the
    # sandbox. The last command: from here on only the processes act.
    stack.run("register_assessment_partner")
    stack.start(
        "worker",
        [python, "-m", "celery", "-A", "jobboard", "worker", "--loglevel", "INFO",
         "--concurrency", "2", "--without-gossip", "--without-mingle"],
    )  # fmt: skip
    start_beat(stack)
    stack.wait_until(
        "beat and the worker ran the heartbeat", lambda: stack.job_runs("heartbeat") > 0,
        seconds=30,
    )  # fmt: skip


def start_beat(stack: Stack) -> None:
    stack.start(
        "beat", [sys.executable, "-m", "celery", "-A", "jobboard", "beat", "--loglevel", "INFO"]
    )


def _healthy(stack: Stack) -> bool:
    try:
        return httpx.get(f"{stack.site}/healthz", timeout=5).status_code == 200
    except httpx.TransportError:
        return False
