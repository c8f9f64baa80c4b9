"""Benchmark: one SmartRecruiters budget shared by a scaled-out deployment.

The processes of a scaled-out deployment, on this machine: gunicorn with 2 workers (4
threads each, as the image runs it) serving
the app and the sandbox (the sandbox counts its 10 requests/s and 8 in flight per key
across both), 2 Celery workers with 2 pool processes each (4 worker processes) on Redis,
PostgreSQL, and the budget in Redis. The work: a feed pass of ``BENCH_BUDGET_POSTINGS``
postings (2,000; one PUT report each) while ``BENCH_BUDGET_APPLICATIONS`` applications
(300) are submitted and their statuses polled (``poll_statuses`` sent every few seconds
once the previous poll is done, as beat would, without waiting for its six hours).
Everything the workers send goes through one budget of 8 requests/s.

Printed, from the sandbox's journal (when each request reached it): the peak number of
requests in any 1 s window (goal <= 10), the number of 429 answers (goal 0), and the share
of the budget used while work waited (requests / (8/s x the time from the first request
to the last), goal >= 90 %); and when each kind of work finished, to show that none
waited for the feed pass to end. Asserts no timing. Run with ``make bench``, under
``nice -n 10`` on a shared machine. Its own database and Redis db:
``BENCH_BUDGET_DATABASE_URL`` (default ``postgres://postgres@127.0.0.1:5432/jb_budget_bench``,
dropped and created) and ``BENCH_BUDGET_REDIS_URL`` (default ``redis://127.0.0.1:6379/5``,
emptied).
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import psycopg
import pytest

# Setting up (2,000 sandbox postings) and ~4,600 requests at 8/s: about ten minutes.
pytestmark = pytest.mark.timeout(2400)

ROOT = Path(__file__).resolve().parents[2]
BENCH_DB = os.environ.get(
    "BENCH_BUDGET_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/jb_budget_bench"
)
REDIS_URL = os.environ.get("BENCH_BUDGET_REDIS_URL", "redis://127.0.0.1:6379/5")
POSTINGS = int(os.environ.get("BENCH_BUDGET_POSTINGS", "2000"))
APPLICATIONS = int(os.environ.get("BENCH_BUDGET_APPLICATIONS", "300"))
RATE = 8.0  # the budget: SMARTRECRUITERS_RATE_PER_SECOND's default
POLL_EVERY = 10.0  # seconds at least between two poll_statuses tasks
PORTS = range(8600, 8700)  # this branch's ports

# One sandbox posting with the contract's example form, our listing for it, and the
# applications, stored as the apply page stores them (each queues its submission).
APPLICATIONS_SCRIPT = """
from partner.applications.services import intake
from partner.sandbox.services import create_posting, ensure_partner
from tests.applications.conftest import example_configuration_json, make_listing
from tests.applications.sandbox_helpers import answers_ok, candidate
posting = create_posting(partner=ensure_partner(), name="Bench Engineer",
                         configuration=example_configuration_json())
listing = make_listing(posting_uuid=str(posting.job.uuid))
for n in range(COUNT):
    intake.application_create(listing=listing, language="en",
                              candidate=candidate(email=f"bench-{n}@example.test"),
                              answers=answers_ok(), files={})
"""


def _free_port() -> int:
    import socket

    for port in PORTS:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 8600-8699")


def _fresh_database() -> None:
    parts = urlsplit(BENCH_DB)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def _empty_redis() -> None:
    import redis

    # This benchmark's own db (5 is h-budget's): stale broker messages of an interrupted run
    # would otherwise be worked on.
    redis.Redis.from_url(REDIS_URL).flushdb()


@dataclass
class Deployment:
    env: dict[str, str]
    site: str
    logs: Path
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def manage(self, *args: str, stdin: str | None = None, timeout: int = 600) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, input=stdin,
            capture_output=True, text=True, timeout=timeout,
        )  # fmt: skip
        if done.returncode != 0:
            raise RuntimeError(f"manage.py {args[0]} failed:\n{done.stdout}{done.stderr}")
        return done.stdout

    def start(self, name: str, command: list[str]) -> None:
        log = (self.logs / f"{name}.log").open("ab")
        self.processes.append(
            subprocess.Popen(
                command, cwd=ROOT, env=self.env, stdout=log, stderr=log, start_new_session=True
            )
        )

    def stop(self) -> None:
        import signal

        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)

    def sql(self, query: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
        with psycopg.connect(BENCH_DB) as conn:
            return conn.execute(query, params).fetchall()  # type: ignore[arg-type]

    def number(self, query: str, params: tuple[object, ...] = ()) -> int:
        return int(str(self.sql(query, params)[0][0] or 0))


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    from tests.foundation.conftest import _CONFIG_VARS

    _fresh_database()
    _empty_redis()
    logs = tmp_path_factory.mktemp("budget-scaleout")
    port = _free_port()
    site = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if k not in _CONFIG_VARS}
    env.update(
        DATABASE_URL=BENCH_DB,
        CELERY_BROKER_URL=REDIS_URL,
        CACHE_URL=REDIS_URL,  # the budget follows: shared by every process below
        VAR_DIR=str(logs / "var"),
        SITE_URL=site,
        SANDBOX_ENABLED="true",
        # A key of its own, so no earlier run's budget state is in the way.
        SMARTRECRUITERS_PARTNER_TOKEN=secrets.token_hex(32),
        SMARTRECRUITERS_RATE_PER_SECOND=str(RATE),
        SANDBOX_JOURNAL_MAX_ROWS="100000",
        EMAIL_URL="dummymail://",
        LOG_LEVEL="WARNING",
        DEBUG="false",
    )
    deployment = Deployment(env=env, site=site, logs=logs)
    try:
        deployment.manage("setup_instance", "--demo-postings", "0", "--skip-static")
        deployment.manage("sandbox_seed", "--postings", str(POSTINGS))
        gunicorn = str(Path(sys.executable).parent / "gunicorn")
        deployment.start(
            "gunicorn",
            # As the image runs it (docker/Dockerfile): threads beside the workers.
            [gunicorn, "jobboard.wsgi:application", "-w", "2", "--threads", "4",
             "-b", f"127.0.0.1:{port}", "--timeout", "120", "--log-level", "warning"],
        )  # fmt: skip
        for _ in range(150):
            try:
                if httpx.get(f"{site}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        else:
            raise RuntimeError("gunicorn did not answer /healthz")
        yield deployment
    finally:
        deployment.stop()


def _start_workers(deployment: Deployment) -> None:
    for name in ("w1", "w2"):
        deployment.start(
            f"worker-{name}",
            [sys.executable, "-m", "celery", "-A", "jobboard", "worker", "--loglevel", "WARNING",
             "--concurrency", "2", "-n", f"{name}@%h", "--without-gossip", "--without-mingle"],
        )  # fmt: skip


def _send(task: str) -> None:
    from celery import Celery

    Celery(broker=REDIS_URL).send_task(task)


def _done(deployment: Deployment) -> bool:
    pass_over = deployment.number(
        "SELECT COUNT(*) FROM postings_syncrun WHERE outcome <> 'running'"
    )
    unsent = deployment.number(
        "SELECT COUNT(*) FROM applications_application WHERE state <> 'sent'"
    )
    unpolled = deployment.number(
        "SELECT COUNT(*) FROM applications_application WHERE sr_status_checked_at IS NULL"
    )
    return bool(pass_over) and unsent == 0 and unpolled == 0


def _kind(endpoint: str, method: str) -> str:
    if endpoint.startswith(("feed.", "offers.")):
        return "feed"
    if "status" in endpoint:
        return "status"
    if endpoint.startswith("apply."):
        return "apply"
    return endpoint or method


def test_one_budget_for_the_whole_deployment(deployment: Deployment) -> None:
    deployment.manage("shell", "-c", APPLICATIONS_SCRIPT.replace("COUNT", str(APPLICATIONS)))
    journal_from = deployment.number("SELECT COALESCE(MAX(id), 0) FROM sandbox_journalentry")
    started = time.monotonic()
    _start_workers(deployment)
    _send("partner.postings.tasks.sync_feed")
    last_poll, polls = 0.0, 0
    while not _done(deployment):
        if time.monotonic() - started > 1800:
            raise RuntimeError("the work was not done within 30 minutes")
        # As beat would, but every few seconds, and never two polls at once (two would
        # check the same applications): the next is sent once the last one has finished
        # (``runs`` counts starts).
        finished = deployment.number(
            "SELECT COUNT(*) FROM operations_periodicjob WHERE task = %s AND runs >= %s"
            " AND (runs = 0 OR last_finished_at >= last_started_at)",
            ("partner.applications.tasks.poll_statuses", polls),
        )
        if time.monotonic() - last_poll > POLL_EVERY and (finished or not polls):
            _send("partner.applications.tasks.poll_statuses")
            last_poll, polls = time.monotonic(), polls + 1
        time.sleep(1.0)
    elapsed = time.monotonic() - started

    rows = deployment.sql(
        "SELECT EXTRACT(EPOCH FROM at) - duration_ms / 1000.0, status, endpoint, method"
        " FROM sandbox_journalentry WHERE id > %s ORDER BY 1",
        (journal_from,),
    )
    arrivals = [float(str(row[0])) for row in rows]
    statuses = Counter(int(str(row[1])) for row in rows if row[1] is not None)
    peak, right = 0, 0
    for left, at in enumerate(arrivals):
        while right < len(arrivals) and arrivals[right] < at + 1.0:
            right += 1
        peak = max(peak, right - left)
    span = arrivals[-1] - arrivals[0]
    share = len(arrivals) / (RATE * span)
    finished: dict[str, tuple[int, float]] = {}
    for at, _status, endpoint, method in rows:
        kind = _kind(str(endpoint), str(method))
        count, _ = finished.get(kind, (0, 0.0))
        finished[kind] = (count + 1, float(str(at)) - arrivals[0])
    run = deployment.sql(
        "SELECT seen, published, reports_sent, reports_failed, outcome FROM postings_syncrun"
    )[0]

    kinds = ", ".join(
        f"{kind} {count} requests, last at {last:.0f} s" for kind, (count, last) in finished.items()
    )
    print(  # noqa: T201 - a benchmark prints its figures
        f"\nbudget scale-out: gunicorn -w 2 --threads 4 (app + sandbox), "
        f"2 Celery workers x 2 processes on Redis, budget {RATE:g}/s in Redis; "
        f"feed pass of {POSTINGS} postings "
        f"(seen {run[0]}, published {run[1]}, reports sent {run[2]}, failed {run[3]}: "
        f"{run[4]}) while {APPLICATIONS} applications are submitted and polled"
        f"\n  {len(arrivals)} requests in {span:.0f} s (work done in {elapsed:.0f} s): "
        f"peak {peak} in any 1 s (goal <= 10), {statuses.get(429, 0)} x 429 (goal 0), "
        f"budget used {share:.1%} while work waited (goal >= 90 %)"
        f"\n  by kind: {kinds}"
        f"\n  answers: {dict(sorted(statuses.items()))}"
    )
