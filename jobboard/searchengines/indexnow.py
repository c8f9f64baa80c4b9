"""IndexNow: one POST tells Bing, Yandex, Seznam, Naver... that these URLs changed.

The protocol (indexnow.org): ``{host, key, keyLocation, urlList}`` as JSON; the engine
fetches ``keyLocation`` (our ``/<key>.txt``) to check that the key is ours. Up to
10,000 URLs per request; 200 or 202 means received. Deletions are announced the same
way: the engine fetches the page and finds it gone (410).
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlsplit

from django.conf import settings

from jobboard.searchengines.http import post

MAX_URLS = 10_000


def key_location() -> str:
    return f"{settings.SITE_URL}/{settings.INDEXNOW_KEY}.txt"


def submit(urls: Sequence[str]) -> None:
    """POST the URLs (at most ``MAX_URLS``, all of ``SITE_URL``'s host) to IndexNow."""
    if len(urls) > MAX_URLS:
        raise ValueError(f"IndexNow takes at most {MAX_URLS} URLs per request")
    post(
        settings.INDEXNOW_ENDPOINT,
        what="IndexNow",
        json={
            "host": urlsplit(settings.SITE_URL).netloc,
            "key": settings.INDEXNOW_KEY,
            "keyLocation": key_location(),
            "urlList": list(urls),
        },
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
