"""Which URLs are safe: to show as a link, and to receive our credentials.

Two questions, asked in several places, answered here once:

- ``http_link``: may a URL from an outside source (a feed, an API) become an ``href`` on
  our pages? Only an absolute http(s) URL with a host: ``javascript:`` or ``data:`` would
  run in a visitor's browser.
- ``same_origin`` / ``same_host``: is a URL on the host we trust with a secret (e.g. the
  host of ``SMARTRECRUITERS_API_URL``)? Credentials go there and nowhere else.

The small predicates below (``split_url``, ``has_unsafe_characters``, ``has_userinfo``,
``has_dot_segments``, ``has_encoded_separator``) are the pieces those answers are built
from, for callers with stricter rules of their own (allow-lists of hosts, a fixed path). It
imports no app.
"""

from __future__ import annotations

import re
from urllib.parse import SplitResult, urlsplit

HTTP_SCHEMES = frozenset({"http", "https"})
# The longest link we keep: the board's URL columns hold 500 characters.
MAX_LINK_LENGTH = 500

# Whitespace, control characters and backslashes: browsers and URL parsers disagree about
# them (a backslash reads as a slash to a browser, not to urlsplit), which is how a URL
# that passes a check ends up somewhere else.
_UNSAFE_CHARACTERS = re.compile(r"[\s\x00-\x1f\x7f\\]")


def split_url(url: str) -> SplitResult | None:
    """The parts of ``url``, or None when it cannot be parsed (e.g. a bad IPv6 host)."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - reading the port validates it
    except ValueError:
        return None
    return parts


def has_unsafe_characters(url: str) -> bool:
    return bool(_UNSAFE_CHARACTERS.search(url))


def has_userinfo(parts: SplitResult) -> bool:
    """``user:password@host``: a way to make a URL look like it is on another host."""
    return "@" in parts.netloc


# "." and ".." as path segments, also spelled with percent-escapes (%2e): a server that
# normalises the path after our check would act on another resource than the one we checked.
_DOT_SEGMENT = re.compile(r"(?:^|/)(?:\.|%2e){1,2}(?:/|$)", re.IGNORECASE)
# An escaped "/" or "\": one segment to us, two to a server that decodes before routing.
_ENCODED_SEPARATOR = re.compile(r"%(?:2f|5c)", re.IGNORECASE)


def has_dot_segments(path: str) -> bool:
    """``path`` has a ``.`` or ``..`` segment, raw or percent-encoded."""
    return bool(_DOT_SEGMENT.search(path))


def has_encoded_separator(path: str) -> bool:
    """``path`` has a percent-encoded slash or backslash (``%2F``, ``%5C``)."""
    return bool(_ENCODED_SEPARATOR.search(path))


def http_link(url: str | None, *, max_length: int | None = MAX_LINK_LENGTH) -> str:
    """``url`` without surrounding blanks when it is a safe absolute http(s) link, else "".

    Safe: scheme http or https, a host, no whitespace, control character or backslash
    inside, and at most ``max_length`` characters (None: no bound).
    """
    url = (url or "").strip()
    if max_length is not None and len(url) > max_length:
        return ""
    if has_unsafe_characters(url):
        return ""
    parts = split_url(url)
    if parts is None or parts.scheme.lower() not in HTTP_SCHEMES or not parts.hostname:
        return ""
    return url


def same_host(url: str, base: str) -> bool:
    """``url`` is on the host and port of ``base`` (case-insensitive), with no user info."""
    parts, allowed = split_url(url), split_url(base)
    if parts is None or allowed is None or not parts.netloc or has_userinfo(parts):
        return False
    return parts.netloc.lower() == allowed.netloc.lower()


def same_origin(url: str, base: str) -> bool:
    """``url`` has the scheme, host and port of ``base``: where ``base``'s secrets may go."""
    parts, allowed = split_url(url), split_url(base)
    if parts is None or allowed is None:
        return False
    return parts.scheme.lower() == allowed.scheme.lower() and same_host(url, base)
