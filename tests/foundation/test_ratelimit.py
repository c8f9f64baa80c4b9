"""The one rate limiter: a fixed window per key, counted in Django's cache."""

from __future__ import annotations

from unittest import mock

import pytest
from django.core.cache import cache

from jobboard import ratelimit


@pytest.fixture(autouse=True)
def _local_cache(settings) -> None:
    # Local memory whatever CACHE_URL says: the window test moves its clock.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "ratelimit-tests",
        }
    }
    cache.clear()


def test_events_up_to_the_limit_are_allowed_and_the_next_is_not() -> None:
    allowed = [ratelimit.allow(key="t:ip:1", limit=3, window=60) for _ in range(4)]

    assert allowed == [True, True, True, False]


def test_each_key_counts_on_its_own() -> None:
    assert ratelimit.allow(key="t:ip:1", limit=1, window=60)
    assert not ratelimit.allow(key="t:ip:1", limit=1, window=60)

    assert ratelimit.allow(key="t:ip:2", limit=1, window=60)


def test_a_new_window_opens_when_the_old_one_expires() -> None:
    assert ratelimit.allow(key="t:ip:1", limit=1, window=60)
    assert not ratelimit.allow(key="t:ip:1", limit=1, window=60)

    cache.delete("t:ip:1")  # what the cache does when the window's timeout passes

    assert ratelimit.allow(key="t:ip:1", limit=1, window=60)


def test_later_events_do_not_stretch_the_window() -> None:
    with mock.patch("time.time", return_value=1_000.0) as clock:
        assert ratelimit.allow(key="t:ip:1", limit=2, window=60)  # window until 1060
        clock.return_value = 1_050.0
        assert ratelimit.allow(key="t:ip:1", limit=2, window=60)
        clock.return_value = 1_061.0

        assert ratelimit.allow(key="t:ip:1", limit=2, window=60)  # a new window


def test_a_key_evicted_between_add_and_incr_counts_as_a_first_event() -> None:
    with mock.patch.object(cache, "incr", side_effect=ValueError("gone")):
        assert ratelimit.allow(key="t:ip:1", limit=1, window=60)

    assert cache.get("t:ip:1") == 1


def test_exceeded_looks_without_counting() -> None:
    assert not ratelimit.exceeded(key="t:ip:1", limit=1)
    assert not ratelimit.exceeded(key="t:ip:1", limit=1)
    assert ratelimit.allow(key="t:ip:1", limit=1, window=60)

    assert ratelimit.exceeded(key="t:ip:1", limit=1)
    assert cache.get("t:ip:1") == 1
