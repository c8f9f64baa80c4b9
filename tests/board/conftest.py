from __future__ import annotations

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_cache(settings) -> None:
    # Facet counts and alert rate limits live in the cache; no test may see another's.
    cache.clear()
    settings.SITE_URL = "https://jobs.example.org"
