"""Per-token rate limits: 10 requests/s and 8 concurrent by default, headers on every answer.

The tests over HTTP stop the limiter's clock (``frozen_clock``): however slowly a loaded
machine sends them, their requests fall in one one-second window, so what they see does
not depend on the machine's speed.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from partner.sandbox import ratelimit
from partner.sandbox.models import RateHit
from partner.sandbox.ratelimit import RateLimiter, SharedRateLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def frozen_clock(monkeypatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(ratelimit, "clock", clock)
    return clock


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


def test_over_ten_requests_a_second_get_429_with_a_marketplace_error(api, sandbox, frozen_clock):
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


def test_retry_after_is_sent_only_when_switched_on(api, sandbox, frozen_clock):
    sandbox.set_switches(retry_after=True, retry_after_seconds=3, rate_limit_rps=1)
    api.get("/v1/offers")
    refused = api.get("/v1/offers")
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "3"


def test_limits_are_configurable_and_can_be_switched_off(api, sandbox, frozen_clock):
    sandbox.set_switches(rate_limit_rps=2)
    assert [api.get("/v1/offers").status_code for _ in range(3)] == [200, 200, 429]
    sandbox.set_switches(rate_limit=False)
    assert {api.get("/v1/offers").status_code for _ in range(15)} == {200}


def test_the_feed_and_application_api_share_one_budget_per_token(
    api, sandbox, posting, frozen_clock
):
    sandbox.set_switches(rate_limit_rps=2)
    api.get("/feed/publications", params={"status": "Pending"})
    api.get(f"/postings/{posting.job.uuid}/configuration")
    refused = api.get("/v1/offers")
    assert refused.status_code == 429


def test_concurrent_requests_over_the_limit_get_429(api, sandbox, frozen_clock):
    sandbox.set_switches(rate_limit_rps=100, rate_limit_concurrent=2)
    # Two requests of this token in flight (held here, as a server process would hold them).
    key = f"partner:{sandbox.partner.pk}"
    for _ in range(2):
        assert ratelimit.limiter.acquire(key, rps=100, concurrent=2, enforce=True).allowed
    refused = api.get("/v1/offers")
    assert refused.status_code == 429
    assert refused.headers["X-RateLimit-Concurrent-Remaining"] == "0"
    ratelimit.limiter.release(key)
    assert api.get("/v1/offers").status_code == 200


# -- the limiter shared by every sandbox process (database) ---------------------------


def test_the_shared_limiter_allows_rps_requests_per_window_then_refuses(frozen_clock):
    limiter = SharedRateLimiter()
    decisions = [limiter.acquire("k", rps=3, concurrent=10, enforce=True) for _ in range(4)]
    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert [d.remaining for d in decisions] == [2, 1, 0, 0]
    frozen_clock.now += 1.01
    assert limiter.acquire("k", rps=3, concurrent=10, enforce=True).allowed


def test_the_shared_limiter_counts_concurrent_requests_until_released(frozen_clock):
    limiter = SharedRateLimiter()
    first = limiter.acquire("k", rps=100, concurrent=2, enforce=True)
    second = limiter.acquire("k", rps=100, concurrent=2, enforce=True)
    assert (first.concurrent_remaining, second.concurrent_remaining) == (1, 0)
    assert not limiter.acquire("k", rps=100, concurrent=2, enforce=True).allowed
    limiter.release("k")
    assert limiter.acquire("k", rps=100, concurrent=2, enforce=True).allowed
    assert limiter.acquire("other", rps=100, concurrent=2, enforce=True).allowed


def test_a_slot_held_by_a_process_that_died_frees_itself(frozen_clock):
    limiter = SharedRateLimiter()
    assert limiter.acquire("k", rps=100, concurrent=1, enforce=True).allowed
    limiter.forget()  # the process that held it is gone: nobody will release it
    assert not limiter.acquire("k", rps=100, concurrent=1, enforce=True).allowed
    frozen_clock.now += ratelimit.SLOT_TTL + 1
    assert limiter.acquire("k", rps=100, concurrent=1, enforce=True).allowed


def test_not_enforcing_still_counts_in_the_shared_limiter(frozen_clock):
    limiter = SharedRateLimiter()
    decisions = [limiter.acquire("k", rps=1, concurrent=9, enforce=False) for _ in range(3)]
    assert all(d.allowed for d in decisions)
    assert decisions[-1].remaining == 0
    assert limiter.peek("k", rps=1, concurrent=9).concurrent_remaining == 6


def test_old_hits_are_pruned(frozen_clock, monkeypatch):
    monkeypatch.setattr(ratelimit, "PRUNE_EVERY", 1)
    limiter = SharedRateLimiter()
    limiter.acquire("k", rps=10, concurrent=10, enforce=True)
    limiter.release("k")
    frozen_clock.now += ratelimit.KEEP_SECONDS + 1
    limiter.acquire("k", rps=10, concurrent=10, enforce=True)
    assert RateHit.objects.count() == 1
