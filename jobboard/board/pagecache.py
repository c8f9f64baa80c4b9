"""Rendered list pages for anonymous visitors, kept under the board's version.

A warm list page spends most of its time loading the page's rows and rendering the
base template around cached fragments. Most visits are anonymous GETs of the same few
lists, so the page's HTML is kept whole, under a key that changes the moment anything a
list shows could change:

- the board's version: the newest ``updated_at`` of any listing (one index lookup).
  Every publish, update, withdrawal and expiry moves it (``services`` stamp each one),
  so a withdrawn job leaves every cached list at once, and a new one enters;
- the language and the exact path and query string (the language switcher's links
  repeat the query string as typed, so two spellings of one search are two pages);
- today's date: cards say "posted 3 days ago", the footer the year.

A listing also leaves the board when its valid-through date passes, before the expiry
job stamps it: the version counts those listings too (live, past their date: an index
range the expiry job keeps short), so the page changes at that moment. A company
renamed without any of its listings changing is at most
``BOARD_LIST_PAGE_CACHE_SECONDS`` old.

Only the view's HTML is kept, never a response: headers (``Vary``,
``Content-Language``, cookies) are made by the middleware on every request, hit or
miss. The page's one per-visitor part, the alert form's CSRF token, is a hole in the
kept HTML, filled with this visitor's token on the way out. A request with a session
cookie or with flash messages to show is rendered as before and nothing is kept.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.translation import get_language

from jobboard.board.models import Listing

View = Callable[..., HttpResponse]

# What Django's {% csrf_token %} writes. Visitors' input never reaches the page with a
# bare '"' (it is escaped), so this markup can only be the tag's own.
_CSRF_INPUT = re.compile(rb'<input type="hidden" name="csrfmiddlewaretoken" value="[^"<>]*">')
_CSRF_HOLE = b'<input type="hidden" name="csrfmiddlewaretoken" value="\x00csrf\x00">'


def board_version(*, now: datetime) -> str:
    """Names what the board shows at ``now``: its newest change and the number of live
    listings past their date (one query, two index lookups)."""
    newest = Listing.objects.order_by("-updated_at").values("updated_at")[:1]
    departed = Listing.objects.past_valid_through(now=now).order_by().values("pk")
    newest_sql, newest_params = newest.query.sql_with_params()
    departed_sql, departed_params = departed.query.sql_with_params()
    with connection.cursor() as cursor:
        # Both parts are the ORM's own SQL, their values passed as parameters.
        cursor.execute(
            f"SELECT ({newest_sql}), (SELECT COUNT(*) FROM ({departed_sql}) AS departed)",  # noqa: S608
            [*newest_params, *departed_params],
        )
        changed, count = cursor.fetchone()
    return f"{changed}:{count}"


def page_key(request: HttpRequest) -> str | None:
    """The cache key of this request's page, or None when it must be rendered for it."""
    if not settings.BOARD_LIST_PAGE_CACHE_SECONDS or request.method not in ("GET", "HEAD"):
        return None
    # A session (a signed-in editor, a visitor mid-application) may change what the
    # page shows; flash messages are shown once, to one visitor.
    if settings.SESSION_COOKIE_NAME in request.COOKIES or len(messages.get_messages(request)):
        return None
    version = board_version(now=timezone.now())
    today = timezone.localdate().isoformat()
    named = "\x1f".join((version, get_language(), today, request.get_full_path()))
    # A digest: the version holds spaces and the path anything, which no cache key may.
    return f"board:list-page:{hashlib.sha256(named.encode()).hexdigest()}"


def _fill_hole(request: HttpRequest, html: bytes) -> bytes:
    if _CSRF_HOLE not in html:
        return html
    token = get_token(request).encode()
    return html.replace(_CSRF_HOLE, _CSRF_HOLE.replace(b"\x00csrf\x00", token))


def _keepable(response: HttpResponse) -> bool:
    """Only a plain page: no cookie or caching rule of the view's own, no streaming."""
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not response.has_header("Cache-Control")
        and not response.has_header("Vary")
    )


def cached_list_page(view: View) -> View:
    """Serve an anonymous visitor's list page from the cache (see the module)."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # Read before the page is rendered: a change during the rendering moves the
        # version, so a page is never kept under a version older than its rows.
        key = page_key(request)
        if key is None:
            return view(request, *args, **kwargs)
        html = cache.get(key)
        if html is not None:
            return HttpResponse(_fill_hole(request, html))
        response = view(request, *args, **kwargs)
        if _keepable(response):
            html = _CSRF_INPUT.sub(_CSRF_HOLE, response.content)
            cache.set(key, html, settings.BOARD_LIST_PAGE_CACHE_SECONDS)
        return response

    return wrapper
