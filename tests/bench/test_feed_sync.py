"""Benchmark of the feed sync against the sandbox over HTTP (``make bench``).

Prints figures; asserts nothing about time. Needs PostgreSQL (``DATABASE_URL``): the
sandbox runs under gunicorn in its own processes, on the test database, so that the
sandbox's CPU does not compete with the pass for one interpreter lock.

1. Throughput: ``BENCH_FEED_POSTINGS`` (default 10,000) Pending postings, the sandbox's
   rate limit off, our throttle at 1,000 requests/s: postings per second end to end
   (list, offers, publish, PUT Active), database queries per posting, and the peak
   resident memory of this process during a pass of 1,000 and of 10,000 postings
   (flat = the same).
2. Rate limit: ``BENCH_FEED_LIMITED`` (default 100) postings with the sandbox at its
   default 10 requests/s and our throttle just under it: 429 responses seen and the
   share of the limit used.
"""

from __future__ import annotations

import logging
import os
import resource
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.conf import settings as django_settings
from django.db import connection

from partner.postings import sync
from partner.smartrecruiters.transport import get_transport

ROOT = Path(__file__).resolve().parents[2]
POSTINGS = int(os.environ.get("BENCH_FEED_POSTINGS", "10000"))
SMALL = min(1000, POSTINGS)
LIMITED = int(os.environ.get("BENCH_FEED_LIMITED", "100"))

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the sandbox runs under gunicorn on the same database: needs PostgreSQL",
    ),
    # 10,000 postings on a busy 2-core machine take minutes, not the suite's 300 s.
    pytest.mark.timeout(3600),
]


def _process_cpu(pid: int) -> float:
    """CPU seconds of a process and its children (gunicorn master and workers)."""
    ticks = os.sysconf("SC_CLK_TCK")
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        with open(f"/proc/{pid}/task/{pid}/children") as children:
            kids = [int(k) for k in children.read().split()]
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / ticks + sum(_process_cpu(k) for k in kids)


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _database_url() -> str:
    db = django_settings.DATABASES["default"]
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def gunicorn_sandbox(transactional_db: None, settings: Any) -> Iterator[Any]:
    """The sandbox under gunicorn on the test database; yields a start(workers, threads)."""
    from partner.sandbox import services as sandbox

    sandbox.reset_sandbox()
    partner = sandbox.ensure_partner(token=settings.SANDBOX_DEMO_PARTNER_TOKEN)
    processes: list[subprocess.Popen] = []

    def start(*, workers: int, threads: int) -> str:
        for process in processes:
            process.terminate()
            process.wait(timeout=10)
        processes.clear()
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        env = {
            **os.environ,
            "DATABASE_URL": _database_url(),
            "DEBUG": "false",
            "LOG_LEVEL": "WARNING",
            "SANDBOX_ENABLED": "true",
            "SITE_URL": base,
            "CONN_MAX_AGE": "60",
        }
        processes.append(
            subprocess.Popen(
                [
                    str(Path(sys.executable).parent / "gunicorn"),
                    "jobboard.wsgi:application",
                    "--workers",
                    str(workers),
                    "--threads",
                    str(threads),
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--log-level",
                    "warning",
                ],
                cwd=ROOT,
                env=env,
            )
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code < 500:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        settings.SMARTRECRUITERS_API_URL = f"{base}/sandbox"
        settings.SMARTRECRUITERS_PARTNER_TOKEN = partner.token
        settings.SITE_URL = base
        return base

    start.partner = partner  # type: ignore[attr-defined]
    start.cpu = lambda: sum(_process_cpu(p.pid) for p in processes)  # type: ignore[attr-defined]
    try:
        yield start
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=10)


class _PeakRss:
    """Samples this process's resident memory every 20 ms while a pass runs."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def _rss() -> int:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * resource.getpagesize()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._rss())
            time.sleep(0.02)

    def __enter__(self) -> _PeakRss:
        self.start = self._rss()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._rss())


def _measured_pass() -> tuple[sync.SyncSummary, float, int, _PeakRss]:
    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    # One log line per listing would measure the console, not the sync.
    logging.disable(logging.INFO)
    with _PeakRss() as rss, connection.execute_wrapper(count):
        started = time.perf_counter()
        summary = sync.run_sync_pass()
        elapsed = time.perf_counter() - started
    logging.disable(logging.NOTSET)
    return summary, elapsed, queries, rss


def test_feed_sync_throughput_queries_and_memory(gunicorn_sandbox, settings):
    from partner.sandbox import services as sandbox
    from partner.sandbox.seeding import seed_sandbox

    gunicorn_sandbox(workers=2, threads=4)
    sandbox.set_switches(rate_limit=False)
    settings.SMARTRECRUITERS_RATE_PER_SECOND = 1000.0
    settings.SMARTRECRUITERS_MAX_IN_FLIGHT = 8

    lines = ["", f"Feed sync benchmark (sandbox under gunicorn, {POSTINGS:,} postings)"]
    for size in (SMALL, POSTINGS):
        seed_sandbox(postings=size, partner=gunicorn_sandbox.partner, seed=size)
        own_cpu, sandbox_cpu = _own_cpu(), gunicorn_sandbox.cpu()
        summary, elapsed, queries, rss = _measured_pass()
        own_cpu, sandbox_cpu = _own_cpu() - own_cpu, gunicorn_sandbox.cpu() - sandbox_cpu
        assert summary.published == size
        lines.append(
            f"  {size:>6,} postings: {size / elapsed:7.1f} postings/s end to end "
            f"({elapsed:.1f} s), {queries / size:5.2f} queries/posting, "
            f"peak RSS {rss.peak / 2**20:6.1f} MiB (+{(rss.peak - rss.start) / 2**20:.1f} MiB "
            f"over the pass's start), reports sent {summary.reports_sent:,}; CPU per posting: "
            f"sync {own_cpu / size * 1000:.1f} ms, sandbox {sandbox_cpu / size * 1000:.1f} ms"
        )
    load = os.getloadavg()[0]
    lines.append(f"  (load average {load:.1f} on {os.cpu_count()} CPUs during the run)")
    print("\n".join(lines))  # noqa: T201 - a benchmark prints its figures


def test_feed_sync_under_the_sandbox_rate_limit(gunicorn_sandbox, settings):
    from partner.sandbox import services as sandbox
    from partner.sandbox.seeding import seed_sandbox

    # One worker: the sandbox's limiter counts per process (partner/sandbox/ratelimit.py).
    gunicorn_sandbox(workers=1, threads=8)
    limit = 10.0
    sandbox.set_switches(rate_limit=True, rate_limit_rps=int(limit))
    # Just under the limit: the bucket spaces request starts 1/rate apart, no burst.
    settings.SMARTRECRUITERS_RATE_PER_SECOND = 9.5
    settings.SMARTRECRUITERS_MAX_IN_FLIGHT = 8
    seed_sandbox(postings=LIMITED, partner=gunicorn_sandbox.partner, seed=7)
    transport = get_transport()
    transport.stats.reset()
    summary, elapsed, _, _ = _measured_pass()
    requests = transport.stats.requests
    rate = requests / elapsed
    # What the sandbox saw while we talked to it (its journal), first to last request.
    from partner.sandbox.selectors import journal_entries

    stamps = sorted(entry.at for entry in journal_entries())
    busy = (stamps[-1] - stamps[0]).total_seconds() if len(stamps) > 1 else 0.0
    busy_rate = (len(stamps) - 1) / busy if busy else 0.0
    print(  # noqa: T201 - a benchmark prints its figures
        f"\nFeed sync under the sandbox's rate limit ({limit:.0f} requests/s, {LIMITED} "
        f"postings): {requests} requests in {elapsed:.1f} s = {rate:.2f} requests/s "
        f"({rate / limit:.0%} of the limit; {busy_rate:.2f}/s = {busy_rate / limit:.0%} between "
        f"the first and last request the sandbox saw), 429 responses: "
        f"{transport.stats.statuses.get(429, 0)}, published {summary.published}, "
        f"reports sent {summary.reports_sent}"
    )
