"""The exceptions every SmartRecruiters client raises, and the one table that picks them.

Callers decide on two things only: may this be retried (``permanent``), and is it one of
the few cases they handle differently (rate limited, bad request, auth, not found).
Classification is by HTTP status, never by body: SmartRecruiters' error bodies come in
several shapes, or not as JSON at all (contracts, README "Error shapes").
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ErrorDetail:
    """One ``{code, message}`` pair found in an error body."""

    code: str = ""
    message: str = ""
    field: str = ""


class SmartRecruitersError(Exception):
    """Base of every error raised by ``partner.smartrecruiters``.

    ``permanent`` says whether repeating the same request can succeed. ``body_excerpt``
    is a short, secret-scrubbed excerpt of the response body for logs and admin.
    """

    default_permanent: bool = True

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        permanent: bool | None = None,
        body_excerpt: str = "",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.permanent = self.default_permanent if permanent is None else permanent
        self.body_excerpt = body_excerpt

    def __str__(self) -> str:
        parts = [self.message]
        if self.status is not None and f"HTTP {self.status}" not in self.message:
            parts.append(f"HTTP {self.status}")
        if self.code:
            parts.append(f"code={self.code}")
        return " | ".join(parts)


class TransientError(SmartRecruitersError):
    """Worth retrying later: the same request may succeed."""

    default_permanent = False


class PermanentError(SmartRecruitersError):
    """Retrying the same request cannot help."""

    default_permanent = True


class RateLimitedError(TransientError):
    """429. ``retry_after`` is the server's wish in seconds, when it said one."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class ServerError(TransientError):
    """500, 502, 503, 504 (and other 5xx): SmartRecruiters' side failed."""


class NetworkError(TransientError):
    """No usable HTTP answer: connect or read timeout, connection refused or reset."""


class MalformedResponseError(TransientError):
    """A 2xx whose body is not the JSON it should be (e.g. truncated)."""


class BadRequestError(PermanentError):
    """400, 415, 422: SmartRecruiters refused the request as such.

    ``errors`` holds every ``{code, message}`` found, whatever the body's shape.
    """

    def __init__(
        self, message: str, *, errors: list[ErrorDetail] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(message, **kwargs)
        self.errors = errors or []


class AuthenticationError(PermanentError):
    """401, 403: the credential is wrong, revoked or not allowed; alert the operator."""


class NotFoundError(PermanentError):
    """404: no such resource (or another partner's)."""


# The single table from HTTP status to exception class. Statuses not listed fall back
# to ServerError for 5xx and PermanentError for anything else.
STATUS_ERRORS: dict[int, type[SmartRecruitersError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: AuthenticationError,
    404: NotFoundError,
    408: NetworkError,
    415: BadRequestError,
    422: BadRequestError,
    429: RateLimitedError,
    500: ServerError,
    502: ServerError,
    503: ServerError,
    504: ServerError,
}

# 5xx we do not retry: the server says it will never do this.
PERMANENT_SERVER_STATUSES = frozenset({501, 505})

EXCERPT_CHARS = 500


def error_class_for_status(status: int) -> type[SmartRecruitersError]:
    if status in STATUS_ERRORS:
        return STATUS_ERRORS[status]
    if status >= 500 and status not in PERMANENT_SERVER_STATUSES:
        return ServerError
    return PermanentError


def parse_error_details(body: bytes | str) -> list[ErrorDetail]:
    """Every ``{code, message}`` in an error body of any shape; [] when not JSON.

    Shapes seen in the contracts: Marketplace ``{id, httpCode, code, message}``,
    Application API arrays ``[{code, message}]``, ``{message, errors: [...]}``, and
    RFC 6749 ``{error, error_description}``.
    """
    try:
        data = json.loads(body)
    except (ValueError, TypeError):
        return []
    return _details_from(data)


def _details_from(data: Any) -> list[ErrorDetail]:
    if isinstance(data, list):
        out: list[ErrorDetail] = []
        for item in data:
            out.extend(_details_from(item))
        return out
    if not isinstance(data, dict):
        return []
    details: list[ErrorDetail] = []
    code = data.get("code") or data.get("error") or ""
    message = data.get("message") or data.get("error_description") or ""
    field = data.get("field") or data.get("fieldName") or ""
    if code or message:
        details.append(ErrorDetail(code=str(code), message=str(message), field=str(field)))
    nested = data.get("errors")
    if isinstance(nested, list | dict):
        details.extend(_details_from(nested))
    return details


def error_from_response(
    *, status: int, body: bytes, retry_after: float | None = None, scrub: Any = None
) -> SmartRecruitersError:
    """Build the exception for a non-2xx response. ``scrub`` removes secrets from text."""
    text = body[:EXCERPT_CHARS].decode("utf-8", errors="replace")
    if scrub is not None:
        text = scrub(text)
    details = parse_error_details(body)
    code = next((d.code for d in details if d.code), None)
    summary = next((d.message for d in details if d.message), "") or f"HTTP {status}"
    if scrub is not None:
        summary = scrub(summary)
    cls = error_class_for_status(status)
    kwargs: dict[str, Any] = {"status": status, "code": code, "body_excerpt": text}
    if cls is RateLimitedError:
        return RateLimitedError(summary, retry_after=retry_after, **kwargs)
    if cls is BadRequestError:
        return BadRequestError(summary, errors=details, **kwargs)
    return cls(summary, **kwargs)
