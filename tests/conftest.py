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


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix: None) -> None:
    """Tests close database connections after each request instead of keeping them 60 s.

    Live-server threads otherwise hold PostgreSQL sessions open past the last test, and
    the test database cannot be dropped at the end of the run.
    """
    from django.db import connections

    for alias in connections:
        connections[alias].settings_dict["CONN_MAX_AGE"] = 0
