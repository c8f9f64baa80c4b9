"""Benchmark of the public jobs API and the widget's iframe, in process.

Run with ``make bench`` (or ``pytest tests/bench/test_jobs_api_bench.py -s`` with
``DATABASE_URL`` set to PostgreSQL). Publishes ``BENCH_API_ROWS`` listings (default
2,000) through the board's own service, then times ``BENCH_API_REQUESTS`` requests
(default 200) per case through Django's test client and prints mean and p95 in ms and
the queries of one request. It asserts nothing about time.
"""

# Benchmarks print their figures.
# ruff: noqa: T201

from __future__ import annotations

import os
import statistics
import time

import pytest
from django.db import connection

from tests.board.factories import make_listing

ROWS = int(os.environ.get("BENCH_API_ROWS", "2000"))
REQUESTS = int(os.environ.get("BENCH_API_REQUESTS", "200"))


def _time(client, counted, url: str, **headers: str) -> tuple[float, float, int, int]:
    with counted(1000) as queries:
        status = client.get(url, **headers).status_code
    # Counted now: the next request resets the connection's query log.
    query_count = len(queries.captured_queries)
    samples = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        client.get(url, **headers)
        samples.append((time.perf_counter() - started) * 1000)
    p95 = statistics.quantiles(samples, n=20)[-1]
    return statistics.mean(samples), p95, query_count, status


@pytest.mark.django_db
def test_jobs_api_figures(client, settings, django_assert_max_num_queries) -> None:
    settings.JOBS_API_RATE_LIMIT = 10**9
    for n in range(ROWS):
        make_listing(company_name=f"Company {n % 40}")
    first = client.get("/api/v1/jobs/?limit=25")
    cursor = first.json()["next"].split("?", 1)[1]
    job_id = first.json()["results"][0]["id"]
    cases = [
        ("list, 25 jobs", "/api/v1/jobs/?limit=25", {}),
        ("list, next page", f"/api/v1/jobs/?{cursor}", {}),
        ("search + filters", "/api/v1/jobs/?q=engineer&country=de&limit=25", {}),
        ("company (widget)", "/api/v1/jobs/?company=company-3&limit=5", {}),
        ("revalidation 304", "/api/v1/jobs/?limit=25", {"HTTP_IF_NONE_MATCH": first["ETag"]}),
        ("one job", f"/api/v1/jobs/{job_id}/", {}),
        ("iframe widget", "/widget/jobs/?company=company-3&limit=5", {}),
    ]
    print(f"\njobs API on {connection.vendor}, {ROWS} live listings, {REQUESTS} requests each")
    print(f"{'case':<20} {'mean ms':>8} {'p95 ms':>8} {'queries':>8} {'status':>7}")
    for name, url, headers in cases:
        mean, p95, queries, status = _time(client, django_assert_max_num_queries, url, **headers)
        print(f"{name:<20} {mean:>8.2f} {p95:>8.2f} {queries:>8} {status:>7}")
