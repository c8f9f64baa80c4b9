from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from jobboard import envconfig


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("true", True), ("1", True), ("ON", True), ("false", False), ("0", False), ("no", False)],
)
def test_booleans_accept_the_usual_spellings(
    monkeypatch: pytest.MonkeyPatch, raw: str, expected: bool
) -> None:
    monkeypatch.setenv("SOME_FLAG", raw)
    assert envconfig.env_bool("SOME_FLAG", default=not expected) is expected


def test_an_unset_boolean_takes_its_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOME_FLAG", raising=False)
    assert envconfig.env_bool("SOME_FLAG", default=True) is True


def test_an_integer_below_its_minimum_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOME_INTERVAL", "0")
    with pytest.raises(ImproperlyConfigured, match="SOME_INTERVAL"):
        envconfig.env_int("SOME_INTERVAL", 300, minimum=10)


def test_lists_are_comma_separated_and_trimmed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOME_HOSTS", " a.example , b.example,, ")
    assert envconfig.env_list("SOME_HOSTS", []) == ["a.example", "b.example"]


def test_urls_lose_their_trailing_slash(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOME_URL", "https://jobs.example.org/")
    assert envconfig.env_http_url("SOME_URL", "http://x") == "https://jobs.example.org"


def test_sqlite_urls_are_accepted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOME_DB", "sqlite:////srv/jobs/jobs.sqlite3")
    config = envconfig.env_database("SOME_DB", "sqlite:///x")
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"] == "/srv/jobs/jobs.sqlite3"


def test_the_local_memory_cache_has_room_for_many_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOME_CACHE", raising=False)
    config = envconfig.env_cache("SOME_CACHE", "locmemcache://jobboard")
    assert config["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
    # Django's default is 300, about a dozen list pages.
    assert config["OPTIONS"]["MAX_ENTRIES"] == envconfig.LOCAL_CACHE_ENTRIES >= 5000


def test_a_cache_url_may_size_the_local_cache_and_others_are_left_as_they_are(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SOME_CACHE", "locmemcache://jobboard?max_entries=50")
    assert envconfig.env_cache("SOME_CACHE", "")["OPTIONS"]["MAX_ENTRIES"] == 50
    monkeypatch.setenv("SOME_CACHE", "redis://127.0.0.1:6379/1")
    config = envconfig.env_cache("SOME_CACHE", "")
    assert config["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert "MAX_ENTRIES" not in config.get("OPTIONS", {})


def test_the_configured_cache_keeps_thousands_of_entries() -> None:
    from django.core.cache import caches
    from django.core.cache.backends.locmem import LocMemCache

    cache = caches["default"]
    if not isinstance(cache, LocMemCache):
        pytest.skip("a shared cache (CACHE_URL on Redis) sizes itself")
    assert cache._max_entries == envconfig.LOCAL_CACHE_ENTRIES
