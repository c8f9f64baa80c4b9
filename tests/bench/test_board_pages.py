"""Benchmark of the board's pages on 100,000 live listings in PostgreSQL.

Run with ``make bench`` (or ``pytest tests/bench/test_board_pages.py -s``). It prints
figures and asserts nothing about time. What it does:

1. fills its own PostgreSQL database (``BENCH_DATABASE_URL``, default
   ``postgres://postgres@127.0.0.1:5432/jb_board_bench``) with 100,000 live listings in
   one ``INSERT … SELECT generate_series`` (reused on the next run), search vectors
   computed by the board's own SQL, then ``VACUUM ANALYZE``;
2. starts gunicorn with 2 workers on a free 127.0.0.1 port against that database;
3. drives each URL with 8 threads of httpx for ``BENCH_SECONDS`` (default 30) and
   prints requests/s, p50 and p95; a bare view returning the same rows' titles is
   measured in the same run as the floor;
4. does it again with the facet cache switched off, to show the uncached cost.
"""

# Benchmarks print their figures; the fill SQL is built from constants of this file only.
# ruff: noqa: T201, S608

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import psycopg
import pytest

ROOT = Path(__file__).resolve().parents[2]
BENCH_DB = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/jb_board_bench")
ROWS = int(os.environ.get("BENCH_ROWS", "100000"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "30"))
CONCURRENCY = 8

TITLE_LEVELS = ["Senior", "Junior", "Lead", "Principal", "Staff", "", "Head of", "Associate"]
TITLE_ROLES = [
    "Python Developer", "Data Engineer", "Project Manager", "Accountant", "Nurse",
    "Sales Representative", "Frontend Engineer", "DevOps Engineer", "Product Designer",
    "Customer Success Manager", "Marketing Manager", "Warehouse Operative", "Chef",
    "Electrician", "HR Business Partner", "Financial Analyst", "Teacher", "Pharmacist",
    "Mechanical Engineer", "Software Architect",
]  # fmt: skip
PLACES = [
    ("Berlin", "Germany", "de"), ("Munich", "Germany", "de"), ("Hamburg", "Germany", "de"),
    ("Paris", "France", "fr"), ("Lyon", "France", "fr"), ("Warsaw", "Poland", "pl"),
    ("Krakow", "Poland", "pl"), ("London", "United Kingdom", "gb"),
    ("Manchester", "United Kingdom", "gb"), ("Madrid", "Spain", "es"),
    ("Barcelona", "Spain", "es"), ("Milan", "Italy", "it"), ("Amsterdam", "Netherlands", "nl"),
    ("Vienna", "Austria", "at"), ("Zurich", "Switzerland", "ch"), ("Prague", "Czechia", "cz"),
    ("Austin", "United States", "us"), ("New York", "United States", "us"),
    ("Toronto", "Canada", "ca"), ("Lisbon", "Portugal", "pt"),
]  # fmt: skip
FUNCTIONS = [
    "Engineering", "Sales", "Marketing", "Finance", "Information Technology", "Operations",
    "Human Resources", "Healthcare", "Education", "Design", "Customer Service", "Legal",
]  # fmt: skip
INDUSTRIES = [
    "Computer Software", "Retail", "Banking", "Hospital & Health Care", "Logistics",
    "Manufacturing", "Education", "Consulting", "Telecommunications", "Insurance",
]  # fmt: skip
LEVELS = ["Entry Level", "Associate", "Mid-Senior Level", "Director", "Internship"]
TYPES = [("permanent", "Full-time"), ("part_time", "Part-time"), ("contract", "Contractor")]
WORDS = [
    "team", "product", "customers", "build", "reliable", "services", "cloud", "data",
    "analytics", "growth", "mentoring", "quality", "ownership", "planning", "budget",
    "reporting", "stakeholders", "compliance", "safety", "training", "inventory",
    "scheduling", "patients", "students", "design", "research", "testing", "automation",
    "security", "negotiation", "pipeline", "forecasting", "hiring", "onboarding",
    "accounting", "audit", "logistics", "support",
]  # fmt: skip


def _sql_array(values: list[str]) -> str:
    return "ARRAY[" + ",".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


def _pick(array: str, n: int, expr: str) -> str:
    return f"({array})[1 + ({expr}) % {n}]"


def _fill(conn: psycopg.Connection) -> None:
    """100k live listings in one statement; deterministic, varied, with HTML ads."""
    cities = _sql_array([p[0] for p in PLACES])
    countries = _sql_array([p[1] for p in PLACES])
    codes = _sql_array([p[2] for p in PLACES])
    words = _sql_array(WORDS)
    description = " || ".join(
        f"'<p>' || {_pick(words, len(WORDS), f'i * {k} + {k * 7}')} || ' ' || "
        f"{_pick(words, len(WORDS), f'i / {k + 1}')} || ' and ' || "
        f"{_pick(words, len(WORDS), f'i * {k + 3}')} || ' for our ' || "
        f"{_pick(words, len(WORDS), f'i + {k * 11}')} || ' team.</p>'"
        for k in range(1, 9)
    )
    type_codes = _sql_array([t[0] for t in TYPES])
    type_labels = _sql_array([t[1] for t in TYPES])
    title = (
        f"trim({_pick(_sql_array(TITLE_LEVELS), len(TITLE_LEVELS), 'i / 7')} || ' ' || "
        f"{_pick(_sql_array(TITLE_ROLES), len(TITLE_ROLES), 'i')})"
    )
    with conn.cursor() as cur:
        cur.execute("DELETE FROM board_listing; DELETE FROM board_company;")
        cur.execute(
            "INSERT INTO board_company (source, external_id, name, slug) "
            "SELECT 'bench', 'c' || i, 'Company ' || i, 'company-' || i "
            "FROM generate_series(1, 2000) AS i"
        )
        cur.execute(
            f"""
            INSERT INTO board_listing (
                source, external_id, job_key, reference, title, slug, company_id,
                city, region, region_code, country, country_code, remote,
                function, industry, experience_level, employment_type,
                function_code, industry_code, experience_level_code, employment_type_code,
                salary_min, salary_max, salary_currency, salary_period, salary_annual,
                company_description, job_description, qualifications, additional_information,
                video_url, apply_url, posted_at, valid_through, state, state_changed_at,
                created_at, updated_at)
            SELECT 'bench', 'j' || i, 'j' || i, 'REF-' || i, t.title,
                lower(regexp_replace(t.title, '[^A-Za-z0-9]+', '-', 'g')),
                (SELECT min(id) FROM board_company) + i % 2000,
                {_pick(cities, len(PLACES), "i * 3")}, '', '',
                {_pick(countries, len(PLACES), "i * 3")}, {_pick(codes, len(PLACES), "i * 3")},
                i % 4 = 0,
                {_pick(_sql_array(FUNCTIONS), len(FUNCTIONS), "i * 5")},
                {_pick(_sql_array(INDUSTRIES), len(INDUSTRIES), "i * 11")},
                {_pick(_sql_array(LEVELS), len(LEVELS), "i * 13")},
                {_pick(type_labels, len(TYPES), "i * 17")},
                '', '', '', {_pick(type_codes, len(TYPES), "i * 17")},
                CASE WHEN i % 3 = 0 THEN 30000 + (i % 90) * 1000 END,
                CASE WHEN i % 3 = 0 THEN 45000 + (i % 90) * 1000 END,
                CASE WHEN i % 3 = 0 THEN 'EUR' ELSE '' END,
                CASE WHEN i % 3 = 0 THEN 'YEAR' ELSE '' END,
                CASE WHEN i % 3 = 0 THEN 45000 + (i % 90) * 1000 END,
                '<p>We are a company that cares.</p>', {description},
                '<ul><li>' || {_pick(words, len(WORDS), "i * 19")} || '</li></ul>', '', '',
                'https://careers.example.com/' || i,
                now() - (i % 60) * interval '1 day' - (i % 1440) * interval '1 minute',
                now() + interval '60 days', 'live', now(), now(), now()
            FROM generate_series(1, {int(ROWS)}) AS i
            CROSS JOIN LATERAL (SELECT {title} AS title) AS t
            """
        )


@pytest.fixture(scope="module")
def bench_database() -> str:
    """The benchmark database, migrated and filled (reused when already full)."""
    parts = urlsplit(BENCH_DB)
    name = parts.path.lstrip("/")
    admin_url = BENCH_DB.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    env = _server_env(BENCH_DB)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    with psycopg.connect(BENCH_DB, autocommit=True) as conn:
        live = conn.execute("SELECT count(*) FROM board_listing WHERE state = 'live'").fetchone()[0]
        if live != ROWS:
            started = time.perf_counter()
            _fill(conn)
            filled = time.perf_counter() - started
            _refresh_vectors(env)
            conn.execute("VACUUM ANALYZE board_listing")
            conn.execute("VACUUM ANALYZE board_company")
            total = time.perf_counter() - started
            print(
                f"\nfilled {ROWS:,} listings in {filled:.1f} s ({total:.1f} s with search vectors)"
            )
    return BENCH_DB


def _refresh_vectors(env: dict[str, str]) -> None:
    # The board's own service computes the vectors, so the benchmark searches exactly
    # what production would.
    code = (
        "import django; django.setup(); "
        "from jobboard.board.services import refresh_search_vectors; refresh_search_vectors()"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True)


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


@pytest.fixture(scope="module")
def server(bench_database: str) -> Iterator[str]:
    process, base = _start_gunicorn(bench_database)
    try:
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def load(base: str, paths: list[str], seconds: float = SECONDS) -> dict[str, float]:
    """8 threads, each with its own keep-alive client, cycling through ``paths``."""
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

    # Warm each worker (imports, connections, the first facet query) outside the timing.
    with httpx.Client(base_url=base, timeout=60) as client:
        for path in paths[:4]:
            for _ in range(4):
                client.get(path)
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


def _report(name: str, figures: dict[str, float]) -> None:
    print(
        f"  {name:<44} {figures['rps']:7.1f} req/s   p50 {figures['p50']:6.1f} ms   "
        f"p95 {figures['p95']:6.1f} ms   ({figures['requests']:.0f} requests, "
        f"{figures['errors']:.0f} errors)"
    )


SEARCH = "/?q=engineer&country=de&workplace=remote"
# Different keywords on every request, so neither cache nor a hot plan hides the cost.
SEARCH_VARIED = [
    f"/?q={word}&country={code}&workplace=remote"
    for word in ("engineer", "manager", "python", "data", "sales", "chef", "nurse", "analyst")
    for code in ("de", "fr", "pl", "gb", "es")
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


def test_board_pages_under_load(bench_database: str, server: str) -> None:
    jobs = _job_paths(bench_database)
    print("\nQueries per page on the benchmark data (facet cache off, so the worst case):")
    subprocess.run(
        [sys.executable, "-c", _COUNT_QUERIES, "/", SEARCH, jobs[0], "/sitemap.xml"],
        cwd=ROOT,
        env=_server_env(bench_database, BOARD_FACET_CACHE_SECONDS="0", ALLOWED_HOSTS="testserver"),
        check=True,
    )
    print(
        f"\nBoard benchmark: {ROWS:,} live listings, gunicorn 2 workers, "
        f"{CONCURRENCY} concurrent clients, {SECONDS:.0f} s per URL"
    )
    _report("floor: bare view, same rows' titles", load(server, ["/_bench/titles"]))
    _report("list page /", load(server, ["/"]))
    _report(f"search + 2 facets {SEARCH}", load(server, [SEARCH]))
    _report("search + 2 facets, 40 different queries", load(server, SEARCH_VARIED))
    _report("job page (200 different jobs)", load(server, jobs))


def test_board_pages_without_the_facet_cache(bench_database: str) -> None:
    process, base = _start_gunicorn(bench_database, BOARD_FACET_CACHE_SECONDS="0")
    try:
        print("\nSame, facet cache off (every request counts the facets on 100k rows):")
        _report("list page /", load(base, ["/"]))
        _report(f"search + 2 facets {SEARCH}", load(base, [SEARCH]))
    finally:
        process.terminate()
        process.wait(timeout=10)
