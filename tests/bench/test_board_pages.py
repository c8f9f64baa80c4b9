"""Benchmark of the board's pages in PostgreSQL, at 100,000 and (opt-in) 1,000,000 listings.

Run with ``make bench`` (or ``pytest tests/bench/test_board_pages.py -s``). It prints
figures and asserts nothing about time. For each scale it

1. fills a PostgreSQL database of its own (``BENCH_DATABASE_URL`` with ``_100k`` or ``_1m``
   appended; default ``postgres://postgres@127.0.0.1:5432/jb_board_bench``) with live
   listings by COPY, search vectors included, indexes built after the load, then
   ``VACUUM ANALYZE`` (reused on the next run when the count matches);
2. prints the queries each page runs;
3. starts gunicorn with 2 workers, the facet cache off ("cold": every request counts),
   and drives each page with 8 threads of httpx for ``BENCH_SECONDS`` (default 15):
   requests/s, p50 and p95 beside the floor, a bare view returning the same rows' titles;
4. does the same with the facet cache on ("warm"), floor measured again in that run.

``BENCH_SCALES`` picks the scales (default ``100000``); the million takes a few minutes
more to fill: ``BENCH_SCALES=100000,1000000 make bench``.
"""

# Benchmarks print their figures; the fill SQL is built from constants of this file only.
# ruff: noqa: T201, S608

from __future__ import annotations

import os
import random
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import psycopg
import pytest

ROOT = Path(__file__).resolve().parents[2]
BENCH_DB = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/jb_board_bench")
SCALES = [int(n) for n in os.environ.get("BENCH_SCALES", "100000").split(",") if n.strip()]
SECONDS = float(os.environ.get("BENCH_SECONDS", "15"))
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


COPY_COLUMNS = (
    "source", "external_id", "job_key", "reference", "title", "slug", "company_id", "city",
    "region", "region_code", "country", "country_code", "remote", "function", "industry",
    "experience_level", "employment_type", "function_code", "industry_code",
    "experience_level_code", "employment_type_code", "salary_min", "salary_max",
    "salary_currency", "salary_period", "salary_annual", "company_description",
    "job_description", "qualifications", "additional_information", "video_url", "apply_url",
    "posted_at", "valid_through", "state", "state_changed_at", "created_at", "updated_at",
    "search_vector",
)  # fmt: skip
COMPANIES = 2000
# Bumped when the data changes: a database filled by an older recipe is filled again.
FILL_VERSION = 2
# Ad texts are drawn from a pool, so that their search vectors are computed once each.
DESCRIPTIONS = 1024
_POSITION = re.compile(r"(?<=[:,])(\d+)")


def _descriptions() -> list[tuple[str, str]]:
    """(job description, qualifications) pairs: eight short paragraphs of job words."""
    rng = random.Random(13)
    pool = []
    for _ in range(DESCRIPTIONS):
        paragraphs = "".join(
            f"<p>{rng.choice(WORDS)} {rng.choice(WORDS)} and {rng.choice(WORDS)} for our "
            f"{rng.choice(WORDS)} team.</p>"
            for _ in range(8)
        )
        pool.append((paragraphs, f"<ul><li>{rng.choice(WORDS)}</li></ul>"))
    return pool


class _Vectors:
    """Search vectors by the board's recipe (``search_index._SEARCH_VECTOR_SQL``), fast.

    The board's vector is ``A(title) || B(company) || C(ad text) || D(facet words)``. Each
    piece is one of few texts here, so PostgreSQL computes each text's ``setweight(
    to_tsvector(…))`` once; a row's vector is its pieces with positions shifted as
    ``||`` shifts them (by the highest position before), cached per shift.
    """

    def __init__(self, conn: psycopg.Connection, config: str) -> None:
        self.conn, self.config = conn, config
        self.pieces: dict[tuple[str, str], tuple[str, int]] = {}
        self.shifted: dict[tuple[str, str, int], str] = {}

    def load(self, weight: str, texts: set[str]) -> None:
        rows = self.conn.execute(
            "SELECT t, setweight(to_tsvector(%s::regconfig, t), %s)::text "
            "FROM unnest(%s::text[]) AS t",
            [self.config, weight, sorted(texts)],
        ).fetchall()
        for text, vector in rows:
            positions = [int(p) for p in _POSITION.findall(vector)]
            self.pieces[weight, text] = (vector, max(positions, default=0))

    def row(self, parts: tuple[tuple[str, str], ...]) -> str:
        offset, out = 0, []
        for weight, text in parts:
            key = (weight, text, offset)
            vector, top = self.pieces[weight, text]
            if key not in self.shifted:
                self.shifted[key] = _POSITION.sub(lambda m, by=offset: str(int(m[1]) + by), vector)
            out.append(self.shifted[key])
            offset += top
        # tsvector input merges a lexeme named twice (its positions are joined).
        return " ".join(v for v in out if v)


def _listing_rows(rows: int, company_ids: list[int], vectors: _Vectors) -> Iterator[str]:
    """COPY lines (text format) of ``rows`` live listings; deterministic and varied.

    Reads the pieces' vectors first: the connection is busy once COPY starts.
    """
    descriptions = _descriptions()
    now = datetime.now(UTC)
    valid = (now + timedelta(days=60)).isoformat()
    titles = [" ".join(f"{level} {role}".split()) for level in TITLE_LEVELS for role in TITLE_ROLES]
    # Drawn at random (seeded), not from i: values computed from i modulo small numbers
    # go together (every newest job was in Engineering), which no real board does and
    # which sends PostgreSQL down a newest-first index for a filter it never meets.
    rng = random.Random(17)
    facet_rows = [
        (
            *rng.choice(PLACES),
            rng.choice(FUNCTIONS),
            rng.choice(INDUSTRIES),
            rng.choice(LEVELS),
            *rng.choice(TYPES),
        )
        for _ in range(rows)
    ]
    vectors.load("A", set(titles))
    vectors.load("B", {f"Company {n}" for n in range(1, COMPANIES + 1)})
    vectors.load("C", {f"{d} {q}" for d, q in descriptions})
    vectors.load("D", {_facet_words(*row) for row in set(facet_rows)})
    return _lines(rows, company_ids, vectors, titles, descriptions, facet_rows, now, valid)


def _facet_words(
    city: str, country: str, _code: str, function: str, industry: str, level: str,
    _type_code: str, type_label: str,
) -> str:  # fmt: skip
    # concat_ws(' ', function, industry, level, type, city, region, country, additional
    # information) with the empty region and additional information of these rows.
    return f"{function} {industry} {level} {type_label} {city}  {country} "


def _lines(
    rows: int,
    company_ids: list[int],
    vectors: _Vectors,
    titles: list[str],
    descriptions: list[tuple[str, str]],
    facet_rows: list[tuple[str, ...]],
    now: datetime,
    valid: str,
) -> Iterator[str]:
    rng = random.Random(29)
    ages = [rng.randrange(60 * 1440) for _ in range(rows)]
    for i in range(1, rows + 1):
        city, country, code, function, industry, level, type_code, type_label = facet_rows[i - 1]
        title = titles[(i // 7 % len(TITLE_LEVELS)) * len(TITLE_ROLES) + i % len(TITLE_ROLES)]
        company = i % COMPANIES
        description, qualifications = descriptions[(i * 7919) % DESCRIPTIONS]
        salary = i % 3 == 0
        low, high = 30000 + (i % 90) * 1000, 45000 + (i % 90) * 1000
        posted = (now - timedelta(minutes=ages[i - 1])).isoformat()
        vector = vectors.row(
            (
                ("A", title),
                ("B", f"Company {company + 1}"),
                ("C", f"{description} {qualifications}"),
                ("D", _facet_words(*facet_rows[i - 1])),
            )
        )
        yield "\t".join(
            (
                "bench", f"j{i}", f"j{i}", f"REF-{i}", title,
                re.sub("[^a-z0-9]+", "-", title.lower()), str(company_ids[company]), city, "",
                "", country, code, "t" if i % 4 == 0 else "f", function, industry, level,
                type_label, "", "", "", type_code,
                str(low) if salary else "\\N", str(high) if salary else "\\N",
                "EUR" if salary else "", "YEAR" if salary else "", str(high) if salary else "\\N",
                "<p>We are a company that cares.</p>", description, qualifications, "", "",
                f"https://careers.example.com/{i}", posted, valid, "live", posted, posted, posted,
                vector,
            )
        ) + "\n"  # fmt: skip


def _fill(conn: psycopg.Connection, rows: int, env: dict[str, str]) -> None:
    """``rows`` live listings with COPY, their search vectors included; indexes built after.

    A bulk load writes faster into a table without secondary indexes, and building an
    index once beats updating it a million times.
    """
    with conn.cursor() as cur:
        cur.execute("TRUNCATE board_listing, board_company CASCADE")
        indexes = cur.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'board_listing' "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint)"
        ).fetchall()
        for name, _ in indexes:
            cur.execute(f'DROP INDEX "{name}"')
        company_ids = [
            row[0]
            for row in cur.execute(
                "INSERT INTO board_company (source, external_id, name, slug) "
                f"SELECT 'bench', 'c' || i, 'Company ' || i, 'company-' || i "
                f"FROM generate_series(1, {COMPANIES}) AS i RETURNING id"
            ).fetchall()
        ]
        company_ids.sort()
        vectors = _Vectors(conn, env.get("BOARD_SEARCH_CONFIG", "english"))
        batch: list[str] = []
        lines = _listing_rows(rows, company_ids, vectors)
        with cur.copy(f"COPY board_listing ({', '.join(COPY_COLUMNS)}) FROM STDIN") as copy:
            for line in lines:
                batch.append(line)
                if len(batch) == 5000:
                    copy.write("".join(batch))
                    batch.clear()
            copy.write("".join(batch))
        cur.execute("SET maintenance_work_mem = '256MB'")
        for _, definition in indexes:
            cur.execute(definition)


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
    if _filled_rows(url) == rows:
        subprocess.run(migrate, cwd=ROOT, env=env, check=True)
        return url
    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    subprocess.run(migrate, cwd=ROOT, env=env, check=True)
    with psycopg.connect(url, autocommit=True) as conn:
        started = time.perf_counter()
        _fill(conn, rows, env)
        filled = time.perf_counter() - started
        conn.execute("VACUUM ANALYZE board_listing")
        conn.execute("VACUUM ANALYZE board_company")
        total = time.perf_counter() - started
    # The board's services keep derived counts as they write; a COPY bypasses them, so
    # they are recounted as an operator would after a bulk load.
    subprocess.run(
        [sys.executable, "manage.py", "rebuild_board_counts"], cwd=ROOT, env=env, check=True
    )
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE bench_fill (rows integer, version integer)")
        conn.execute("INSERT INTO bench_fill VALUES (%s, %s)", [rows, FILL_VERSION])
    print(
        f"\nfilled {rows:,} listings by COPY in {filled:.1f} s, search vectors and indexes "
        f"included ({total:.1f} s with VACUUM ANALYZE)"
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
        "list, one facet, 12 different filters": ONE_FILTER,
        "list page 5, newest": ["/?page=5"],
        "job page (200 different jobs)": jobs,
        "company page": ["/companies/company-7/"],
    }


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
        env=_server_env(database_url, BOARD_FACET_CACHE_SECONDS="0", ALLOWED_HOSTS="testserver"),
        check=True,
    )
    for label, cache_seconds in (("cold, facet cache off", "0"), ("warm, facet cache on", "60")):
        process, base = _start_gunicorn(database_url, BOARD_FACET_CACHE_SECONDS=cache_seconds)
        try:
            print(
                f"\nBoard at {rows:,} live listings, {label}: gunicorn 2 workers, "
                f"{CONCURRENCY} clients, {SECONDS:.0f} s per URL"
            )
            floor = load(base, ["/_bench/titles"])
            _report("floor: bare view, same rows' titles", floor)
            for name, paths in pages.items():
                figures = load(base, paths)
                _report(name, figures, floor=floor)
        finally:
            process.terminate()
            process.wait(timeout=10)
