"""Where our SR tokens and our users' browsers may be sent (assessment-api.md §7).

Two allow-lists: result callbacks (exactly one URL per order on SMARTRECRUITERS_API_URL,
nothing else) and browser redirects (SMARTRECRUITERS_WEB_HOSTS, plus the sandbox host in
development).

A result callback receives the company's SR Bearer token, so it is accepted only in the one
spelling SR documents: ``{SMARTRECRUITERS_API_URL}/assessment-api/v202010/orders/{uuid}/results``.
A check by host and suffix let ``…/admin/orders/<uuid>/results`` and paths with ``..`` through;
an exact match cannot be talked around with dot segments, escapes or another spelling of the
same order. What we store and send to is the URL we build from our own setting and the
order's id, never the string SR sent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

from jobboard.safeurl import (
    has_dot_segments,
    has_encoded_separator,
    has_unsafe_characters,
    has_userinfo,
    same_origin,
    split_url,
)

RESULTS_PATH = "/assessment-api/v202010/orders/{order_id}/results"
# SR's order ids are UUIDs (§6), in their 8-4-4-4-12 form; compared in lower case (RFC 4122).
_ORDER_ID = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
)
# The Order model's column; nothing longer is a URL we could have built.
MAX_CALLBACK_LENGTH = 500


class CallbackURLError(ValueError):
    """The resultCallbackURL may not receive our SR tokens."""


@dataclass(frozen=True)
class ResultCallback:
    """A checked resultCallbackURL: where to send results, and the order it names."""

    url: str
    order_id: str


def _api_url() -> str:
    return str(settings.SMARTRECRUITERS_API_URL).rstrip("/")


def result_callback_url(*, order_id: str) -> str:
    """The one URL SR's results for ``order_id`` go to."""
    return _api_url() + RESULTS_PATH.format(order_id=order_id.lower())


def result_callback_check(url: object) -> ResultCallback:
    """The order behind a resultCallbackURL, else ``CallbackURLError`` saying what is wrong.

    Accepted: exactly ``{SMARTRECRUITERS_API_URL}/assessment-api/v202010/orders/{uuid}/results``
    (scheme, host and port of the setting; case aside, nothing else), with no user info,
    query, fragment, dot segment, escape or unsafe character. The sandbox's http is accepted
    only because SMARTRECRUITERS_API_URL itself is http there (production refuses that).
    """
    if not isinstance(url, str) or not url:
        raise CallbackURLError("resultCallbackURL is required")
    if len(url) > MAX_CALLBACK_LENGTH:
        raise CallbackURLError("resultCallbackURL is too long")
    if has_unsafe_characters(url):
        raise CallbackURLError("resultCallbackURL must not contain blanks or backslashes")
    parts = split_url(url)
    if parts is None or not parts.scheme or not parts.netloc:
        raise CallbackURLError("resultCallbackURL is not an absolute URL")
    if has_userinfo(parts):
        raise CallbackURLError("resultCallbackURL must not carry user info")
    api = _api_url()
    if not same_origin(url, api):
        raise CallbackURLError(
            "resultCallbackURL must be on the SmartRecruiters API host (same scheme, host, port)"
        )
    if "?" in url or "#" in url:
        raise CallbackURLError("resultCallbackURL must not carry a query or fragment")
    if has_dot_segments(parts.path):
        raise CallbackURLError("resultCallbackURL must not contain dot segments")
    if has_encoded_separator(parts.path):
        raise CallbackURLError("resultCallbackURL must not contain encoded slashes")
    prefix = urlsplit(api).path + RESULTS_PATH.split("{", 1)[0]
    order_id = parts.path.removeprefix(prefix).removesuffix("/results")
    if (
        not parts.path.startswith(prefix)
        or not parts.path.endswith("/results")
        or not _ORDER_ID.fullmatch(order_id)
    ):
        raise CallbackURLError(
            f"resultCallbackURL must be {api}{RESULTS_PATH.format(order_id='{orderId}')} "
            "with the order's UUID"
        )
    return ResultCallback(url=result_callback_url(order_id=order_id), order_id=order_id.lower())


def order_id_from_callback(url: str) -> str:
    """The SR order id (lower-case UUID) in a valid resultCallbackURL, else ``CallbackURLError``."""
    return result_callback_check(url).order_id


def result_callback_for_sending(url: str) -> str:
    """``url`` if our SR token may go there now, else ``CallbackURLError``.

    Checked again at send time: the setting may have changed since the order arrived, and a
    row written before this check existed may hold another spelling.
    """
    checked = result_callback_check(url)
    if checked.url != url:
        raise CallbackURLError("resultCallbackURL is not in its one accepted spelling")
    return url


def _sandbox_netloc() -> str | None:
    """In development the sandbox plays SR's web site as well as its API."""
    if not getattr(settings, "SANDBOX_ENABLED", False) or getattr(settings, "PRODUCTION", False):
        return None
    return urlsplit(str(settings.SMARTRECRUITERS_API_URL)).netloc.lower() or None


def allowed_web_netlocs() -> set[str]:
    hosts = {h.strip().lower() for h in settings.SMARTRECRUITERS_WEB_HOSTS if h.strip()}
    sandbox = _sandbox_netloc()
    if sandbox:
        hosts.add(sandbox)
    return hosts


def is_allowed_web_redirect(url: str) -> bool:
    """May we send a browser to ``url``? Only https (http for the sandbox host) URLs on
    an allowed SR web host, with no user info and no backslash tricks."""
    if not url or "\\" in url or any(ord(c) < 32 for c in url):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    netloc = parts.netloc.lower()
    if not netloc or "@" in netloc:
        return False
    sandbox = _sandbox_netloc()
    if parts.scheme == "https":
        return netloc in allowed_web_netlocs()
    return parts.scheme == "http" and sandbox is not None and netloc == sandbox
