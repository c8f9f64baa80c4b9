"""Conditional GETs: ``ETag`` and ``Last-Modified`` in, ``304 Not Modified`` out.

Django's ``get_conditional_response`` applies RFC 9110's rules (``If-None-Match`` wins
over ``If-Modified-Since``); this module only computes the validators and puts them on
every answer, the 304 included, so a client can keep revalidating.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponseBase, QueryDict
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, quote_etag

# Stored by browsers and proxies, but revalidated every time: a withdrawn job must not
# linger in anyone's cache. Revalidation is one indexed aggregate and a 304.
CACHE_CONTROL = "public, no-cache"


def etag_for(*parts: object) -> str:
    """A strong validator from what the answer depends on (never from secrets)."""
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()[:32]
    return quote_etag(digest)


def not_modified(
    request: HttpRequest, *, etag: str, last_modified: datetime | None
) -> HttpResponseBase | None:
    """The 304 (or 412) answer when the client's copy is current; None otherwise."""
    timestamp = int(last_modified.timestamp()) if last_modified else None
    response = get_conditional_response(request, etag=etag, last_modified=timestamp)
    if response is not None:
        add_validators(response, etag=etag, last_modified=last_modified)
    return response


def add_validators(
    response: HttpResponseBase, *, etag: str, last_modified: datetime | None
) -> HttpResponseBase:
    response["ETag"] = etag
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified.timestamp())
    response["Cache-Control"] = CACHE_CONTROL
    return response


def query_identity(query: QueryDict) -> str:
    """The query string in a canonical order: ``?a=1&b=2`` and ``?b=2&a=1`` share an ETag."""
    pairs = [(key, value) for key, values in query.lists() for value in values]
    return urlencode(sorted(pairs))
