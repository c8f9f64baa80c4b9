"""The one way out to search engines: a POST with a timeout, errors that say whether to retry.

Every call has ``SEARCH_NOTIFY_TIMEOUT`` seconds (connect and read alike); retries are
the outbox's (bounded by ``SEARCH_NOTIFY_MAX_ATTEMPTS``, with full-jitter backoff), never
a loop here. What an answer means is one table, from status code to permanence.
"""

from __future__ import annotations

from typing import Any

import httpx
from django.conf import settings

USER_AGENT = "OpenJobBoard/1.0 (+search engine notifications)"

# Statuses that another try will not change: the request itself is wrong, or we are not
# allowed to make it (a 401 from Google is handled by its client: the token is renewed).
PERMANENT_STATUSES = frozenset({400, 401, 403, 404, 405, 410, 413, 422})


class NotifyError(Exception):
    """A notification did not get through; ``permanent`` says whether to give up."""

    def __init__(
        self, message: str, *, permanent: bool, status: int = 0, retry_after: float | None = None
    ) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.status = status
        self.retry_after = retry_after


def _retry_after(response: httpx.Response) -> float | None:
    try:
        return max(0.0, float(response.headers.get("Retry-After", "")))
    except ValueError:
        return None  # an HTTP date or nothing: our own backoff decides


def _error(response: httpx.Response, *, what: str) -> NotifyError:
    # The body helps an operator (a quota message, a bad key); it is never a secret of ours.
    detail = response.text[:300].strip()
    return NotifyError(
        f"{what}: HTTP {response.status_code} {detail}".strip(),
        permanent=response.status_code in PERMANENT_STATUSES,
        status=response.status_code,
        retry_after=_retry_after(response) if response.status_code in (429, 503) else None,
    )


def post(url: str, *, what: str, **kwargs: Any) -> httpx.Response:
    """POST and return a 2xx answer; raise ``NotifyError`` for anything else.

    ``what`` names the call in errors ("Google token", "IndexNow"); never a secret.
    """
    timeout = float(settings.SEARCH_NOTIFY_TIMEOUT)
    headers = {"User-Agent": USER_AGENT, **kwargs.pop("headers", {})}
    try:
        with httpx.Client(timeout=timeout, follow_redirects=False) as client:
            response = client.post(url, headers=headers, **kwargs)
    except httpx.TimeoutException:
        raise NotifyError(f"{what}: no answer within {timeout:g} s", permanent=False) from None
    except httpx.HTTPError as exc:
        raise NotifyError(f"{what}: {type(exc).__name__}", permanent=False) from None
    if not response.is_success:
        raise _error(response, what=what)
    return response
