"""Per-token rate limits: 10 requests/s and 8 concurrent by default, headers on every answer."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import httpx

from partner.sandbox.ratelimit import RateLimiter


def test_the_limiter_allows_rps_requests_per_window_then_refuses():
    limiter = RateLimiter()
    decisions = [limiter.acquire("k", rps=3, concurrent=10, enforce=True) for _ in range(4)]
    for _ in range(3):
        limiter.release("k")
    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert [d.remaining for d in decisions] == [2, 1, 0, 0]


def test_the_window_slides(monkeypatch):
    limiter = RateLimiter()
    clock = iter([0.0, 0.5, 1.01, 1.02])
    monkeypatch.setattr("partner.sandbox.ratelimit.time.monotonic", lambda: next(clock))
    assert limiter.acquire("k", rps=1, concurrent=5, enforce=True).allowed
    assert not limiter.acquire("k", rps=1, concurrent=5, enforce=True).allowed
    assert limiter.acquire("k", rps=1, concurrent=5, enforce=True).allowed


def test_the_limiter_counts_concurrent_requests_until_released():
    limiter = RateLimiter()
    first = limiter.acquire("k", rps=100, concurrent=2, enforce=True)
    second = limiter.acquire("k", rps=100, concurrent=2, enforce=True)
    third = limiter.acquire("k", rps=100, concurrent=2, enforce=True)
    assert (first.concurrent_remaining, second.concurrent_remaining) == (1, 0)
    assert not third.allowed
    limiter.release("k")
    assert limiter.acquire("k", rps=100, concurrent=2, enforce=True).allowed


def test_tokens_have_separate_budgets():
    limiter = RateLimiter()
    assert limiter.acquire("a", rps=1, concurrent=1, enforce=True).allowed
    assert limiter.acquire("b", rps=1, concurrent=1, enforce=True).allowed


def test_not_enforcing_still_counts_for_the_headers():
    limiter = RateLimiter()
    decisions = [limiter.acquire("k", rps=1, concurrent=9, enforce=False) for _ in range(3)]
    assert all(d.allowed for d in decisions)
    assert decisions[-1].remaining == 0


def test_the_limiter_is_thread_safe():
    limiter = RateLimiter()
    allowed = []
    lock = threading.Lock()

    def hit() -> None:
        decision = limiter.acquire("k", rps=50, concurrent=1000, enforce=True)
        with lock:
            allowed.append(decision.allowed)

    with ThreadPoolExecutor(max_workers=8) as pool:
        for _ in range(200):
            pool.submit(hit)
    assert allowed.count(True) == 50


def test_over_ten_requests_a_second_get_429_with_a_marketplace_error(api, sandbox):
    responses = [api.get("/v1/offers", params={"postingId": "1"}) for _ in range(12)]
    statuses = [r.status_code for r in responses]
    assert statuses[:10] == [200] * 10
    assert 429 in statuses[10:]
    refused = next(r for r in responses if r.status_code == 429)
    assert refused.json()["code"] == "rate_limit_exceeded"
    assert refused.headers["X-RateLimit-Limit"] == "10"
    assert refused.headers["X-RateLimit-Remaining"] == "0"
    assert refused.headers["X-RateLimit-Concurrent-Limit"] == "8"
    assert "Retry-After" not in refused.headers
    assert responses[0].headers["X-RateLimit-Remaining"] == "9"


def test_retry_after_is_sent_only_when_switched_on(api, sandbox):
    sandbox.set_switches(retry_after=True, retry_after_seconds=3, rate_limit_rps=1)
    api.get("/v1/offers")
    refused = api.get("/v1/offers")
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "3"


def test_limits_are_configurable_and_can_be_switched_off(api, sandbox):
    sandbox.set_switches(rate_limit_rps=2)
    assert [api.get("/v1/offers").status_code for _ in range(3)] == [200, 200, 429]
    sandbox.set_switches(rate_limit=False)
    assert {api.get("/v1/offers").status_code for _ in range(15)} == {200}


def test_the_feed_and_application_api_share_one_budget_per_token(api, sandbox, posting):
    sandbox.set_switches(rate_limit_rps=2)
    api.get("/feed/publications", params={"status": "Pending"})
    api.get(f"/postings/{posting.job.uuid}/configuration")
    refused = api.get("/v1/offers")
    assert refused.status_code == 429


def test_concurrent_requests_over_the_limit_get_429(sandbox, posting):
    sandbox.set_switches(rate_limit_rps=100, rate_limit_concurrent=2, fault="slow",
                         slow_seconds=0.5)  # fmt: skip
    barrier = threading.Barrier(4)

    def call() -> int:
        with httpx.Client(base_url=sandbox.url, headers={"X-SmartToken": sandbox.token}) as c:
            barrier.wait()
            return c.get("/v1/offers", timeout=10).status_code

    with ThreadPoolExecutor(max_workers=4) as pool:
        statuses = sorted(pool.map(lambda _: call(), range(4)))
    assert statuses.count(200) >= 2
    assert 429 in statuses
