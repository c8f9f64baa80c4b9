from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _site_url(settings) -> None:
    settings.SITE_URL = "https://jobs.example.org"
