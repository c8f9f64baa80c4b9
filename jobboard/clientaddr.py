"""The address a request came from: one definition for rate limits and logs.

Today that is ``REMOTE_ADDR`` only. ``X-Forwarded-For`` is whatever a client chooses to
send unless a proxy we trust rewrites it, and a rate limit keyed on a value the client
picks is trivial to dodge. Behind a reverse proxy every visitor therefore shares the
proxy's address. Trusting a proxy's header belongs here, in ``client_address`` and
nowhere else, so that every limit and log line follows the same rule.
"""

from __future__ import annotations

from django.http import HttpRequest

UNKNOWN = "unknown"


def client_address(request: HttpRequest) -> str:
    """The client's IP address as we can trust it; ``"unknown"`` when the server gave none."""
    return request.META.get("REMOTE_ADDR", "") or UNKNOWN
