"""Shared fixtures. Each app's tests live in tests/<app>/ and add their own conftest."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# `sandbox` (SmartRecruiters played by partner.sandbox over live_server) and `browser`
# (Playwright driving Debian's chromium).
pytest_plugins = ["tests.sandbox_plugin", "tests.browser_plugin"]

ARTIFACTS_DIR = Path(
    os.environ.get("TEST_ARTIFACTS_DIR", Path(__file__).parent.parent / "test-artifacts")
)


def pytest_configure(config: pytest.Config) -> None:
    from django.conf import settings

    # Whitenoise warns on every request when STATIC_ROOT is missing (no collectstatic yet).
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)


@pytest.fixture
def artifacts_dir() -> Path:
    """Where tests save screenshots and other artefacts for people to look at."""
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS_DIR


@pytest.fixture(autouse=True)
def _private_media(tmp_path: Path, settings) -> None:
    # Uploads written by a test never land in the developer's var/ directory.
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _budget_in_this_process(settings) -> None:
    # The SmartRecruiters rate budget of a test is its own: with CACHE_URL on Redis it would
    # otherwise be shared with every other test run (tests of RedisBudget make their own).
    settings.SMARTRECRUITERS_BUDGET_URL = "memory://"


@pytest.fixture(autouse=True)
def _fresh_process_state() -> None:
    """No test sees what an earlier one left in this process.

    Caches (the apply form cache, the board's facets, rate-limit counters), the
    sandbox's in-memory rate limiter, the SmartRecruiters rate budget, the transport and the
    OAuth token cache all live as long as the process; a test that ran before could
    otherwise push this one over a limit or hand it a stale value. So does the active
    language: the last request's stays active in the thread and would prefix every URL
    an unrelated test reverses (/pl/jobs/...).
    """
    from django.conf import settings
    from django.core.cache import caches
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)

    for cache in caches.all(initialized_only=True):
        cache.clear()
    try:
        from partner.sandbox.ratelimit import limiter
    except ImportError:  # the sandbox package may be absent
        pass
    else:
        # The slots this thread holds; the counts themselves live in the test database.
        limiter.forget()
    from partner.smartrecruiters.oauth import token_cache
    from partner.smartrecruiters.transport import reset_transport

    token_cache.clear()
    reset_transport()
    from partner.smartrecruiters.budget import reset_budget

    reset_budget()
    from jobboard.operations import callstats

    callstats.forget()


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix: None) -> None:
    """Tests close database connections after each request instead of keeping them 60 s.

    Live-server threads otherwise hold PostgreSQL sessions open past the last test, and
    the test database cannot be dropped at the end of the run.
    """
    from django.db import connections

    for alias in connections:
        connections[alias].settings_dict["CONN_MAX_AGE"] = 0
