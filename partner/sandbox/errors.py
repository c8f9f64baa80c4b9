"""The sandbox's error bodies: one ``SandboxError`` rendered in the shape of each SR API."""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse


class ErrorStyle(StrEnum):
    """Which SR API's error body an endpoint answers with."""

    MARKETPLACE = "marketplace"  # {id, httpCode, code, message, helpUrl}
    APPLY = "apply"  # {id, code, message}
    ASSESSMENT = "assessment"  # {message, errors: [{code, message}]}
    OAUTH = "oauth"  # {error, error_description}


class SandboxError(Exception):
    """An API error a view raises; the decorator renders it in the endpoint's shape.

    ``body`` overrides the rendered body (the Application API's 400 envelopes).
    """

    def __init__(self, status: int, code: str = "", message: str = "", *, body: Any = None) -> None:
        super().__init__(message or code)
        self.status = status
        self.code = code
        self.message = message
        self.body = body


# Generic codes and messages per style, for errors the decorator produces itself (auth, rate
# limit, outage, injected faults) and views that raise a bare status. A status a style does
# not list falls back to the Marketplace's code.
_SERVER = (500, 502, 503, 504)
_MESSAGES = {
    400: "Invalid request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    415: "Unsupported media type",
    429: "Rate limit exceeded",
    500: "Internal server error",
    502: "Bad gateway",
    503: "Service unavailable",
    504: "Gateway timeout",
}
_MARKETPLACE_CODES = {
    400: "invalid_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    429: "rate_limit_exceeded",
    **dict.fromkeys(_SERVER, "internal_error"),
}
_CODES: dict[ErrorStyle, dict[int, str]] = {
    ErrorStyle.MARKETPLACE: _MARKETPLACE_CODES,
    ErrorStyle.APPLY: {
        400: "INVALID_REQUEST",
        401: "INVALID_API_KEY_ERROR",
        403: "UNAUTHORIZED",
        404: "RESOURCE_NOT_FOUND_ERROR",
        **dict.fromkeys(_SERVER, "APPLY_API_ERROR"),
    },
    ErrorStyle.ASSESSMENT: {**_MARKETPLACE_CODES, 415: "unsupported_media_type"},
    ErrorStyle.OAUTH: {
        400: "invalid_request",
        401: "invalid_client",
        429: "rate_limit_exceeded",
        500: "server_error",
        **dict.fromkeys(_SERVER[1:], "temporarily_unavailable"),
    },
}
_OWN_MESSAGES = {
    (ErrorStyle.MARKETPLACE, 401): "Missing or invalid partner API key",
    (ErrorStyle.APPLY, 401): "Missing or invalid API key",
    (ErrorStyle.APPLY, 404): "Posting not found",
    (ErrorStyle.OAUTH, 401): "Client authentication failed",
}
_GATEWAY_REASONS = {
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Temporarily Unavailable",
    504: "Gateway Time-out",
}
_GATEWAY_PAGE = """<!DOCTYPE html>
<html><head><title>{status} {reason}</title></head>
<body><center><h1>{status} {reason}</h1></center><hr><center>nginx</center></body></html>
"""


def _generic(style: ErrorStyle, status: int) -> tuple[str, str]:
    for table in (style, ErrorStyle.MARKETPLACE):
        code = _CODES[table].get(status)
        if code:
            return code, _OWN_MESSAGES.get((table, status), _MESSAGES[status])
    return "error", "Error"


def sandbox_root(request: HttpRequest) -> str:
    """Absolute URL of the sandbox root (what SMARTRECRUITERS_API_URL points to)."""
    return request.build_absolute_uri(f"{request.META.get('SCRIPT_NAME', '')}/sandbox")


def apply_error(code: str, message: str) -> dict[str, str]:
    return {"id": uuid.uuid4().hex[:8], "code": code, "message": message}


def render_error(
    request: HttpRequest, style: ErrorStyle, status: int, code: str = "", message: str = ""
) -> HttpResponse:
    generic_code, generic_message = _generic(style, status)
    code, message = code or generic_code, message or generic_message
    body: dict[str, Any]
    # The Application API's 429 carries a Marketplace body (application-api.md §2).
    if style == ErrorStyle.MARKETPLACE or (style == ErrorStyle.APPLY and status == 429):
        body = {
            "id": str(uuid.uuid4()),
            "httpCode": str(status),
            "code": code,
            "message": message,
            "helpUrl": f"{sandbox_root(request)}/v1/errors/{code}",
        }
    elif style == ErrorStyle.APPLY:
        body = apply_error(code, message)
    elif style == ErrorStyle.ASSESSMENT:
        body = {"message": message, "errors": [{"code": code, "message": message}]}
    else:
        body = {"error": code, "error_description": message}
    return JsonResponse(body, status=status)


def server_error(
    request: HttpRequest, style: ErrorStyle, status: int, *, html: bool
) -> HttpResponse:
    """A 5xx: the style's JSON body, or (switch ``html_5xx``) a proxy's HTML page."""
    if not html:
        return render_error(request, style, status)
    page = _GATEWAY_PAGE.format(status=status, reason=_GATEWAY_REASONS.get(status, "Error"))
    return HttpResponse(page, status=status, content_type="text/html; charset=utf-8")


def error_response(request: HttpRequest, style: ErrorStyle, error: SandboxError) -> HttpResponse:
    if error.body is not None:
        return JsonResponse(error.body, status=error.status, safe=False)
    return render_error(request, style, error.status, error.code, error.message)
