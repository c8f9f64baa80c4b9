"""Where our SR tokens and our users' browsers may be sent (assessment-api.md §7).

Two allow-lists: result callbacks (the host of SMARTRECRUITERS_API_URL, nothing else) and
browser redirects (SMARTRECRUITERS_WEB_HOSTS, plus the sandbox host in development).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django.conf import settings

_RESULTS_PATH = re.compile(r"/orders/([^/?#]+)/results$")


class CallbackURLError(ValueError):
    """The resultCallbackURL may not receive our SR tokens."""


def _sandbox_netloc() -> str | None:
    """In development the sandbox plays SR's web site as well as its API."""
    if not getattr(settings, "SANDBOX_ENABLED", False) or getattr(settings, "PRODUCTION", False):
        return None
    return urlsplit(str(settings.SMARTRECRUITERS_API_URL)).netloc.lower() or None


def order_id_from_callback(url: str) -> str:
    """The SR order id in a valid resultCallbackURL, else ``CallbackURLError``.

    Rules: https (http only when SMARTRECRUITERS_API_URL itself is http, i.e. the
    sandbox), exactly the host (and port) of SMARTRECRUITERS_API_URL, no user info, and a
    path ending in ``/orders/{orderId}/results``.
    """
    try:
        parts = urlsplit(url)
        api = urlsplit(str(settings.SMARTRECRUITERS_API_URL))
    except ValueError:
        raise CallbackURLError("resultCallbackURL is not a URL") from None
    allowed_schemes = {"https"} | ({"http"} if api.scheme == "http" else set())
    if parts.scheme not in allowed_schemes:
        raise CallbackURLError("resultCallbackURL must use https")
    if "@" in parts.netloc or parts.netloc.lower() != api.netloc.lower():
        raise CallbackURLError("resultCallbackURL is not on the SmartRecruiters API host")
    if parts.query or parts.fragment:
        raise CallbackURLError("resultCallbackURL must not carry a query or fragment")
    match = _RESULTS_PATH.search(parts.path)
    if not match:
        raise CallbackURLError("resultCallbackURL must end with /orders/{orderId}/results")
    return match.group(1)


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
