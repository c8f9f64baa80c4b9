"""Benchmarks of applying: the apply page with a cached configuration, and draining
submissions to the sandbox. Run with ``make bench``; prints figures, asserts no timings.

1. Apply page: its own PostgreSQL database (``BENCH_APPLY_DATABASE_URL``, default
   ``postgres://postgres@127.0.0.1:5432/jb_apply_bench``), migrated, with one listing and
   its cached configuration (the contract's example form); gunicorn with 2 workers on a
   free 127.0.0.1 port; 8 threads of httpx for ``BENCH_SECONDS`` (default 20); prints
   requests/s, p50, p95 and p99 (target: p95 under 100 ms).
2. Submissions: 200 stored applications drained to the sandbox (live_server) with the
   sandbox's rate limit off; prints applications/s with the client's contractual throttle
   (8 requests/s) and with the throttle lifted, to show where the limit sits.
"""

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
from django.utils import timezone

ROOT = Path(__file__).resolve().parents[2]
BENCH_DB = os.environ.get(
    "BENCH_APPLY_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/jb_apply_bench"
)
SECONDS = float(os.environ.get("BENCH_SECONDS", "20"))
CONCURRENCY = 8
SUBMISSIONS = int(os.environ.get("BENCH_SUBMISSIONS", "200"))

SETUP_SCRIPT = """
import json, sys
from datetime import timedelta
from django.utils import timezone
from jobboard.board.models import Listing
from jobboard.board.services import ListingData, publish_listing
from partner.applications.models import ConfigurationCache
from partner.postings.models import FeedPosting
from partner.smartrecruiters.apply_configuration import parse_configuration
config = parse_configuration(json.loads(sys.stdin.read()))
listing, _ = publish_listing(source="bench", external_id="apply-1", data=ListingData(
    title="Senior Python Developer", company_name="Acme Corp", company_key="acme",
    posted_at=timezone.now(), job_key="bench-posting-uuid",
    apply_url="https://jobs.smartrecruiters.com/Acme/1"))
# The apply page finds SmartRecruiters' posting UUID through the feed posting.
FeedPosting.objects.update_or_create(sr_id="apply-1", defaults={
    "uuid": "bench-posting-uuid", "state": FeedPosting.State.PUBLISHED, "listing": listing})
# Fetched "in the future": never expires during the run, so every request is a cache hit.
ConfigurationCache.objects.update_or_create(
    posting_uuid="bench-posting-uuid", language="en",
    defaults={"data": config.to_json(), "fetched_at": timezone.now() + timedelta(days=3650)})
print(listing.get_absolute_url() + "apply/")
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ensure_database() -> None:
    parts = urlsplit(BENCH_DB)
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (parts.path.lstrip("/"),)
        ).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{parts.path.lstrip("/")}"')


@pytest.fixture(scope="module")
def apply_server(tmp_path_factory) -> Iterator[str]:
    import json

    from tests.applications.conftest import example_configuration_json

    _ensure_database()
    var = tmp_path_factory.mktemp("apply-bench")
    env = {
        **os.environ,
        "DATABASE_URL": BENCH_DB,
        "VAR_DIR": str(var),
        "DJANGO_SETTINGS_MODULE": "jobboard.settings",
        "LOG_LEVEL": "WARNING",
        "DEBUG": "false",
    }
    python = sys.executable
    subprocess.run(
        [python, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    path = (
        subprocess.run(
            [python, "manage.py", "shell", "-c", SETUP_SCRIPT],
            cwd=ROOT,
            env=env,
            input=json.dumps(example_configuration_json()),
            capture_output=True,
            text=True,
            check=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    port = _free_port()
    gunicorn = Path(python).parent / "gunicorn"
    server = subprocess.Popen(
        [str(gunicorn), "jobboard.wsgi:application", "-w", "2", "-b", f"127.0.0.1:{port}",
         "--log-level", "warning"],
        cwd=ROOT,
        env=env,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}{path}"
    try:
        for _ in range(100):
            try:
                if httpx.get(url, timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        else:
            raise RuntimeError("gunicorn did not serve the apply page")
        yield url
    finally:
        server.terminate()
        server.wait(timeout=20)


def _load(url: str, seconds: float, concurrency: int = CONCURRENCY) -> list[float]:
    latencies: list[float] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    errors = []

    def worker() -> None:
        with httpx.Client(timeout=10) as client:
            local = []
            while time.monotonic() < deadline:
                start = time.perf_counter()
                response = client.get(url)
                local.append(time.perf_counter() - start)
                if response.status_code != 200:
                    errors.append(response.status_code)
            with lock:
                latencies.extend(local)

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise RuntimeError(f"{len(errors)} non-200 answers, e.g. {errors[:3]}")
    return latencies


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def test_apply_page_with_a_cached_configuration(apply_server):
    _load(apply_server, 2)  # warm up both workers
    single = _load(apply_server, 5, concurrency=1)
    print(  # noqa: T201 - a benchmark prints its figures
        f"\napply page, one client at a time: p50 {statistics.median(single) * 1000:.1f} ms, "
        f"p95 {_percentile(single, 0.95) * 1000:.1f} ms (the service time of one request)"
    )
    latencies = _load(apply_server, SECONDS)
    print(  # noqa: T201 - a benchmark prints its figures
        f"\napply page, cached configuration, gunicorn -w 2, concurrency {CONCURRENCY}, "
        f"{SECONDS:.0f} s: {len(latencies) / SECONDS:.1f} req/s, "
        f"p50 {statistics.median(latencies) * 1000:.1f} ms, "
        f"p95 {_percentile(latencies, 0.95) * 1000:.1f} ms, "
        f"p99 {_percentile(latencies, 0.99) * 1000:.1f} ms (target p95 < 100 ms)"
    )


@pytest.mark.django_db(transaction=True)
def test_submissions_drained_per_second(sandbox, settings):
    from partner.applications import tasks
    from partner.applications.services import intake, submission
    from tests.applications.sandbox_helpers import answers_ok, candidate, sandbox_listing

    sandbox.set_switches(rate_limit=False)
    listing = sandbox_listing(sandbox)
    original = tasks.submit_application.delay
    tasks.submit_application.delay = lambda *a, **k: None  # drained below, not by a worker
    tasks.send_confirmation.delay, original_mail = (
        (lambda *a, **k: None),
        tasks.send_confirmation.delay,
    )
    try:
        for rate, label in ((settings.SMARTRECRUITERS_RATE_PER_SECOND, "client throttle on"),
                            (10_000.0, "client throttle lifted")):  # fmt: skip
            settings.SMARTRECRUITERS_RATE_PER_SECOND = rate
            for n in range(SUBMISSIONS):
                intake.application_create(
                    listing=listing,
                    language="en",
                    # One address per application: a repeat would be refused (AlreadyApplied).
                    candidate=candidate(email=f"{label.split()[-1]}-{n}@example.test"),
                    answers=answers_ok(),
                    files={},
                )
            start = time.perf_counter()
            counts = submission.submissions_drain(now=timezone.now())
            elapsed = time.perf_counter() - start
            print(  # noqa: T201 - a benchmark prints its figures
                f"\nsubmissions drained ({label}, {rate:g}/s, sandbox rate limit off): "
                f"{counts['sent']} in {elapsed:.1f} s = {counts['sent'] / elapsed:.1f} per second"
            )
    finally:
        tasks.submit_application.delay = original
        tasks.send_confirmation.delay = original_mail
