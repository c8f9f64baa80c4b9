"""Benchmark of the board's pages in PostgreSQL, at 100,000 and (opt-in) 1,000,000 listings.

Run with ``make bench`` (or ``pytest tests/bench/test_board_pages.py -s``). It prints
figures and asserts nothing about time. For each scale it

1. fills a PostgreSQL database of its own (``BENCH_DATABASE_URL`` with ``_100k`` or ``_1m``
   appended; default ``postgres://postgres@127.0.0.1:5432/jb_board_bench``) with live
   listings by COPY (``board_fill``: rows made inside PostgreSQL, search vectors
   included, indexes built after the load), then ``VACUUM ANALYZE`` and the kept facet
   counts (reused on the next run when the count matches); it prints each part's time;
2. prints the queries each page runs;
3. starts gunicorn with 2 workers, the facet and list page caches off ("cold": every
   request counts), and drives each page with 8 threads of httpx for ``BENCH_SECONDS``
   (default 15):
   requests/s, p50 and p95 beside the floor, a bare view returning the same rows' titles;
4. does the same with both caches on ("warm"), floor measured again in that run; every
   URL of a page is visited before its timing (a URL's first visit is the cold figure);

5. warm again with the cache in Redis (``BENCH_REDIS_URL``, default db 9 on 127.0.0.1),
   as the compose stack runs: both workers share what either has counted and rendered.

``BENCH_WITHOUT_PAGE_CACHE=1`` adds a warm pass with the whole-page cache off.
``BENCH_SCALES`` picks the scales (default ``100000``); the million takes a few minutes
more to fill: ``BENCH_SCALES=100000,1000000 make bench``.
"""

# Benchmarks print their figures.
# ruff: noqa: T201

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import psycopg
import pytest
import redis

from tests.bench import board_fill

ROOT = Path(__file__).resolve().parents[2]
BENCH_DB = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/jb_board_bench")
SCALES = [int(n) for n in os.environ.get("BENCH_SCALES", "100000").split(",") if n.strip()]
SECONDS = float(os.environ.get("BENCH_SECONDS", "15"))
CONCURRENCY = 8
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")

# Bumped when the data changes: a database filled by an older recipe is filled again.
FILL_VERSION = 5


def _filled_rows(url: str) -> int | None:
    """The size of a completed fill of this database, None when there is none."""
    try:
        with psycopg.connect(url, autocommit=True) as conn:
            row = conn.execute(
                "SELECT rows FROM bench_fill WHERE version = %s", [FILL_VERSION]
            ).fetchone()
    except psycopg.Error:
        return None
    return row[0] if row else None


def bench_database(rows: int) -> str:
    """The database of one scale, migrated and filled (reused when a fill of that size
    completed; made anew otherwise, so a fill cut short leaves nothing behind)."""
    label = f"{rows // 1_000_000}m" if rows % 1_000_000 == 0 else f"{rows // 1000}k"
    url = f"{BENCH_DB}_{label}"
    env = _server_env(url)
    migrate = [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"]
    # What beat's hourly check does on a live board (``board.recent_index``): the keyword
    # index of the newest listings, built for the fill's days (kept while they hold).
    recent = [sys.executable, "manage.py", "refresh_recent_search_index"]
    if _filled_rows(url) == rows:
        subprocess.run(migrate, cwd=ROOT, env=env, check=True)
        subprocess.run(recent, cwd=ROOT, env=env, check=True)
        return url
    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    subprocess.run(migrate, cwd=ROOT, env=env, check=True)
    started = time.perf_counter()
    now = datetime.now(UTC)
    parts: dict[str, float] = {}

    def recount() -> None:
        # The board's services keep derived counts as they write; a COPY bypasses them,
        # so they are recounted as an operator would after a bulk load. It reads the
        # rows in a process of its own, so it runs while the indexes are built.
        subprocess.run(
            [sys.executable, "manage.py", "rebuild_board_counts"], cwd=ROOT, env=env, check=True
        )

    board_fill.fill(
        url,
        rows=rows,
        config=env.get("BOARD_SEARCH_CONFIG", "english"),
        now=now,
        valid=now + timedelta(days=60),
        parts=parts,
        beside_indexes=recount,
    )
    parts["kept facet counts (beside the indexes)"] = parts.pop("beside")
    with psycopg.connect(url, autocommit=True) as conn:
        step = time.perf_counter()
        # Frozen rows are all-visible already: this pass skips their pages and gathers
        # the planner's statistics.
        conn.execute("VACUUM ANALYZE board_listing")
        conn.execute("VACUUM ANALYZE board_company")
        parts["vacuum analyze"] = time.perf_counter() - step
    step = time.perf_counter()
    subprocess.run(recent, cwd=ROOT, env=env, check=True)
    parts["recent keyword index"] = time.perf_counter() - step
    total = time.perf_counter() - started
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE bench_fill (rows integer, version integer)")
        conn.execute("INSERT INTO bench_fill VALUES (%s, %s)", [rows, FILL_VERSION])
    print(
        f"\nfilled {rows:,} listings by COPY in {total:.1f} s, search vectors, indexes, "
        "statistics and kept counts included: "
        + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in parts.items())
    )
    return url


def _server_env(database_url: str, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "jobboard.settings",
        "DATABASE_URL": database_url,
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
        "BOARD_BENCH_VIEWS": "true",
        # The board does not depend on the sandbox; leaving it out keeps the run about us.
        "SANDBOX_ENABLED": "false",
    }
    env.update(extra)
    return env


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start_gunicorn(database_url: str, **extra: str) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "jobboard.wsgi:application",
            *("--workers", "2"),
            *("--bind", f"127.0.0.1:{port}"),
            *("--log-level", "warning"),
        ],
        cwd=ROOT,
        env=_server_env(database_url, **extra),
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code < 500:
                return process, base
        except httpx.HTTPError:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError("gunicorn did not start")


def load(
    base: str, paths: list[str], seconds: float = SECONDS, *, warm_all: bool = False
) -> dict[str, float]:
    """8 threads, each with its own keep-alive client, cycling through ``paths``.

    Before the timing, the first four paths are asked four times each (imports,
    connections, the first facet query); ``warm_all`` asks every path four times, eight
    at a time, so that both workers have each in their caches: a warm pass then measures
    warm pages, not the first visit of each URL in each worker (the cold pass has that).
    """
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    stop_at = 0.0

    def worker(offset: int) -> None:
        nonlocal errors
        mine: list[float] = []
        bad = 0
        with httpx.Client(base_url=base, timeout=30) as client:
            i = offset
            while time.perf_counter() < stop_at:
                started = time.perf_counter()
                response = client.get(paths[i % len(paths)])
                mine.append(time.perf_counter() - started)
                bad += response.status_code != 200
                i += 1
        with lock:
            latencies.extend(mine)
            errors += bad

    warming = [path for path in (paths if warm_all else paths[:4]) for _ in range(4)]
    with ThreadPoolExecutor(CONCURRENCY) as pool:
        list(pool.map(lambda path: httpx.get(base + path, timeout=120), warming))
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(CONCURRENCY)]
    started = time.perf_counter()
    stop_at = started + seconds
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "p50": statistics.median(latencies) * 1000,
        "p95": latencies[int(len(latencies) * 0.95) - 1] * 1000,
        "errors": errors,
    }


def _job_paths(database_url: str, count: int = 200) -> list[str]:
    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            "SELECT id, slug FROM board_listing WHERE state = 'live' ORDER BY random() LIMIT %s",
            [count],
        ).fetchall()
    return [f"/jobs/{pk}-{slug}/" for pk, slug in rows]


def _report(name: str, figures: dict[str, float], floor: dict[str, float] | None = None) -> None:
    versus = f"  {floor['rps'] / figures['rps']:4.1f}x floor" if floor else ""
    print(
        f"  {name:<44} {figures['rps']:7.1f} req/s   p50 {figures['p50']:6.1f} ms   "
        f"p95 {figures['p95']:6.1f} ms{versus}   ({figures['requests']:.0f} requests, "
        f"{figures['errors']:.0f} errors)"
    )


SEARCH = "/?q=engineer&country=de&workplace=remote"
# Different keywords on every request, so neither cache nor a hot plan hides the cost.
SEARCH_VARIED = [
    f"/?q={word}&country={code}&workplace=remote"
    for word in ("engineer", "manager", "python", "data", "sales", "chef", "nurse", "analyst")
    for code in ("de", "fr", "pl", "gb", "es")
]

# Keywords alone, broad and rare: relevance ranks the newest matches (the cap's worth).
SEARCH_WORDS = [
    f"/?q={word}"
    for word in ("engineer", "manager", "python", "data", "sales", "chef", "nurse", "analyst")
]

# A word and one filter, the commonest search with a filter: a broad word in one country
# fetched every match by bitmap before its walk was bounded (0.8 s at a million).
SEARCH_ONE_FILTER = [
    f"/?q={word}&{choice}"
    for word in ("engineer", "manager", "data", "nurse")
    for choice in (
        "country=de", "country=gb", "workplace=remote", "function=Engineering", "posted=7"
    )
]  # fmt: skip

# Lists narrowed by one facet, each a different filter: the long tail a cache misses.
ONE_FILTER = [
    *(f"/?country={code}" for code in ("de", "fr", "pl", "gb", "es", "it")),
    *(f"/?function={f}" for f in ("Engineering", "Sales", "Finance")),
    "/?workplace=remote",
    "/?posted=7",
    "/?min_salary=50000",
]

_COUNT_QUERIES = """
import django, sys
django.setup()
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
client = Client()
for path in sys.argv[1:]:
    with CaptureQueriesContext(connection) as captured:
        status = client.get(path).status_code
    print(f"  {path:<50} {status}  {len(captured.captured_queries)} queries")
"""


def _pages(database_url: str) -> dict[str, list[str]]:
    jobs = _job_paths(database_url)
    return {
        "list page /": ["/"],
        f"search + 2 facets {SEARCH}": [SEARCH],
        "search + 2 facets, 40 different queries": SEARCH_VARIED,
        "search, keywords only, 8 different words": SEARCH_WORDS,
        "search + 1 facet, 20 different queries": SEARCH_ONE_FILTER,
        "list, one facet, 12 different filters": ONE_FILTER,
        "list page 5, newest": ["/?page=5"],
        "job page (200 different jobs)": jobs,
        "company page": ["/companies/company-7/"],
    }


# A fill, then three passes (cold, warm, warm in Redis) of every page for BENCH_SECONDS
# each: far beyond the suite's five-minute limit per test, by design.
@pytest.mark.timeout(3600)
@pytest.mark.parametrize("rows", SCALES)
def test_board_pages_cold_and_warm(rows: int) -> None:
    if 1_000_000 not in SCALES:
        print("\n(1,000,000 listings too: BENCH_SCALES=100000,1000000 make bench; the fill "
              "takes 2-3 minutes the first time, then the database is reused)")  # fmt: skip
    database_url = bench_database(rows)
    pages = _pages(database_url)
    print(f"\nQueries per page at {rows:,} listings (facet cache off: the worst case):")
    subprocess.run(
        [sys.executable, "-c", _COUNT_QUERIES, *(paths[0] for paths in pages.values())],
        cwd=ROOT,
        env=_server_env(
            database_url,
            BOARD_FACET_CACHE_SECONDS="0",
            BOARD_LIST_PAGE_CACHE_SECONDS="0",
            ALLOWED_HOSTS="testserver",
        ),
        check=True,
    )
    local = "locmemcache://jobboard"
    passes = [
        ("cold, facet and page caches off", "0", "0", local),
        ("warm, facet and page caches on", "60", "60", local),
        ("warm, caches in Redis shared by both workers (as compose)", "60", "60", REDIS_URL),
    ]
    if os.environ.get("BENCH_WITHOUT_PAGE_CACHE"):
        # What the whole-page cache adds: warm facets, every page rendered.
        passes.append(("warm facets, page cache off", "60", "0", local))
    for label, facet_seconds, page_seconds, cache_url in passes:
        if cache_url.startswith("redis"):
            # Nothing left from an earlier run: the workers fill it as the pass goes.
            redis.Redis.from_url(cache_url).flushdb()
        process, base = _start_gunicorn(
            database_url,
            BOARD_FACET_CACHE_SECONDS=facet_seconds,
            BOARD_LIST_PAGE_CACHE_SECONDS=page_seconds,
            CACHE_URL=cache_url,
        )
        try:
            print(
                f"\nBoard at {rows:,} live listings, {label}: gunicorn 2 workers, "
                f"{CONCURRENCY} clients, {SECONDS:.0f} s per URL"
            )
            floor = load(base, ["/_bench/titles"])
            _report("floor: bare view, same rows' titles", floor)
            for name, paths in pages.items():
                figures = load(base, paths, warm_all=facet_seconds != "0")
                _report(name, figures, floor=floor)
        finally:
            process.terminate()
            process.wait(timeout=10)
