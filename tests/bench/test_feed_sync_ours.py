"""Our side of the feed sync alone, against a stub feed without Django (``make bench``).

The end-to-end benchmark (``test_feed_sync``) runs the sandbox, a Django app with its
own database writes, on the same two cores as the sync: its figure mixes their costs.
Here SmartRecruiters is ``feed_stub.py``, a standard-library HTTP server that answers
from JSON rendered once, so the figures are ours: CPU seconds of this process per
posting (the sync's thread, and the HTTP threads that fetch offers and send reports
through the shared transport) and database queries per posting, for a pass
that lists, fetches offers, publishes and reports Active for every posting.

``BENCH_OURS_POSTINGS`` (default 5,000) sets the size of the pass;
``BENCH_OURS_PROFILE=<file>`` writes a cProfile of the (main thread of the) last pass.
Prints figures, asserts no timing.
"""

from __future__ import annotations

import cProfile
import logging
import os
import re
import resource
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.db import connection

from partner.postings import sync

ROOT = Path(__file__).resolve().parents[2]
STUB = Path(__file__).with_name("feed_stub.py")
POSTINGS = int(os.environ.get("BENCH_OURS_POSTINGS", "5000"))
# Queries of the last pass by kind, printed under the figures.
KINDS: Counter[str] = Counter()

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="figures for production: PostgreSQL (DATABASE_URL)",
    ),
    pytest.mark.timeout(1800),
]


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@pytest.fixture
def feed_stub(transactional_db: None, settings: Any) -> Iterator[Callable[..., str]]:
    """Starts ``feed_stub.py`` with some postings and points our client at it."""
    processes: list[subprocess.Popen[str]] = []

    def start(*, postings: int, first_id: int) -> str:
        process = subprocess.Popen(
            [sys.executable, str(STUB), "--postings", str(postings), "--first-id", str(first_id)],
            stdout=subprocess.PIPE,
            text=True,
        )
        processes.append(process)
        line = process.stdout.readline() if process.stdout else ""
        if not line.startswith("port "):
            raise RuntimeError(f"the feed stub did not start: {line!r}")
        base = f"http://127.0.0.1:{int(line.split()[1])}"
        settings.SMARTRECRUITERS_API_URL = base
        settings.SMARTRECRUITERS_PARTNER_TOKEN = "bench-token"
        settings.SITE_URL = "http://board.example"
        return base

    try:
        yield start
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=10)


def _statement(sql: str) -> str:
    """A query's kind: its verb and table (``INSERT board_listing``)."""
    words = re.findall(r'[A-Za-z_"]+', sql)
    verb = words[0].upper() if words else "?"
    after = {"SELECT": "FROM", "INSERT": "INTO", "UPDATE": "UPDATE", "DELETE": "FROM"}.get(verb)
    upper = [w.upper() for w in words]
    table = words[upper.index(after) + 1].strip('"') if after in upper[: len(upper) - 1] else ""
    return f"{verb} {table}".strip()


def _measured_pass() -> tuple[sync.SyncSummary, float, float, float, int]:
    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        KINDS[_statement(sql)] += 1
        return execute(sql, params, many, context)

    # One log line per listing would measure the logging, not the sync.
    logging.disable(logging.INFO)
    cpu, main = _own_cpu(), time.thread_time()
    started = time.perf_counter()
    profile = os.environ.get("BENCH_OURS_PROFILE")
    # CPU time of the sync's thread, not the wall clock: waits on the network and the
    # database are not ours to spend.
    profiler = cProfile.Profile(time.thread_time) if profile else None
    try:
        with connection.execute_wrapper(count):
            if profiler:
                profiler.enable()
            summary = sync.run_sync_pass()
            if profiler:
                profiler.disable()
                profiler.dump_stats(profile)
    finally:
        logging.disable(logging.NOTSET)
    elapsed = time.perf_counter() - started
    return summary, elapsed, _own_cpu() - cpu, time.thread_time() - main, queries


def test_our_side_of_the_feed_sync(feed_stub: Callable[..., str], settings: Any) -> None:
    # The stub has no rate limit; ours stays on but far above what the pass reaches.
    settings.SMARTRECRUITERS_RATE_PER_SECOND = 10_000.0
    settings.SMARTRECRUITERS_MAX_IN_FLIGHT = 8
    # SmartRecruiters' 10 requests a second too: at 10/s the pass measured the budget's
    # waiting, not the sync.
    settings.SMARTRECRUITERS_ARRIVALS_PER_SECOND = 10_000
    lines = ["", f"Feed sync, our side alone (stub feed without Django, {POSTINGS:,} postings)"]
    for number, size in enumerate((min(1000, POSTINGS), POSTINGS)):
        base = feed_stub(postings=size, first_id=3_000_000_000 + number * 10_000_000)
        KINDS.clear()
        summary, elapsed, cpu, main, queries = _measured_pass()
        stats = httpx.get(base + "/_stats", timeout=5).json()
        assert summary.published == size, summary.as_text()
        assert stats["put"] == size
        lines.append(
            f"  {size:>6,} postings: CPU {cpu / size * 1000:5.2f} ms/posting "
            f"(sync thread {main / size * 1000:4.2f}, "
            f"HTTP threads {(cpu - main) / size * 1000:4.2f}), "
            f"{queries / size:5.2f} queries/posting, {size / elapsed:7.1f} postings/s "
            f"({elapsed:.1f} s; requests: {stats['list']} pages, {stats['offer']} offers, "
            f"{stats['put']} PUTs)"
        )
    lines.append("  queries per posting by kind, last pass:")
    lines += [
        f"    {n / POSTINGS:6.2f}  {kind}"
        for kind, n in KINDS.most_common()
        if n / POSTINGS >= 0.01
    ]
    lines.append(f"  (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")
    print("\n".join(lines))  # noqa: T201 - a benchmark prints its figures
