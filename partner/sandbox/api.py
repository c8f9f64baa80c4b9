"""The one decorator every sandbox API view goes through, and the sandbox's error bodies.

``@sandbox_endpoint(name, auth=..., errors=...)`` applies, in this order: journal (request
and response, secrets masked), the ``outage`` switch, authentication, the per-credential
rate limit (``X-RateLimit-*`` headers on every response), fault injection scoped by endpoint
name, then the view. The contracts require the same behaviour on every SR endpoint, so it
lives here once (the assessment side reuses it with its own ``auth`` and ``errors``).
"""

from __future__ import annotations

import base64
import json
import logging
import os
import random
import re
import socket
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any
from urllib.parse import parse_qsl, urlencode

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from partner.sandbox import state
from partner.sandbox.models import JournalEntry, SandboxPartner
from partner.sandbox.ratelimit import Decision, limiter

logger = logging.getLogger(__name__)


# ---------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------
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


# Generic (status -> code, message) per error style, for errors the decorator produces
# itself (auth, rate limit, outage, injected faults) and views that raise a bare status.
_GENERIC: dict[str, dict[int, tuple[str, str]]] = {
    "marketplace": {
        400: ("invalid_request", "Invalid request"),
        401: ("unauthorized", "Missing or invalid partner API key"),
        403: ("forbidden", "Forbidden"),
        404: ("not_found", "Not found"),
        429: ("rate_limit_exceeded", "Rate limit exceeded"),
        500: ("internal_error", "Internal server error"),
        502: ("internal_error", "Bad gateway"),
        503: ("internal_error", "Service unavailable"),
        504: ("internal_error", "Gateway timeout"),
    },
    "apply": {
        400: ("INVALID_REQUEST", "Invalid request"),
        401: ("INVALID_API_KEY_ERROR", "Missing or invalid API key"),
        403: ("UNAUTHORIZED", "Forbidden"),
        404: ("RESOURCE_NOT_FOUND_ERROR", "Posting not found"),
        500: ("APPLY_API_ERROR", "Internal server error"),
        502: ("APPLY_API_ERROR", "Bad gateway"),
        503: ("APPLY_API_ERROR", "Service unavailable"),
        504: ("APPLY_API_ERROR", "Gateway timeout"),
    },
    "assessment": {
        400: ("invalid_request", "Invalid request"),
        401: ("unauthorized", "Unauthorized"),
        403: ("forbidden", "Forbidden"),
        404: ("not_found", "Not found"),
        415: ("unsupported_media_type", "Unsupported media type"),
        429: ("rate_limit_exceeded", "Rate limit exceeded"),
        500: ("internal_error", "Internal server error"),
        502: ("internal_error", "Bad gateway"),
        503: ("internal_error", "Service unavailable"),
        504: ("internal_error", "Gateway timeout"),
    },
    "oauth": {
        400: ("invalid_request", "Invalid request"),
        401: ("invalid_client", "Client authentication failed"),
        429: ("rate_limit_exceeded", "Rate limit exceeded"),
        500: ("server_error", "Internal server error"),
        502: ("temporarily_unavailable", "Bad gateway"),
        503: ("temporarily_unavailable", "Service unavailable"),
        504: ("temporarily_unavailable", "Gateway timeout"),
    },
}

ErrorRenderer = Callable[[int, str, str], HttpResponse]


def sandbox_root(request: HttpRequest) -> str:
    """Absolute URL of the sandbox root (what SMARTRECRUITERS_API_URL points to)."""
    return request.build_absolute_uri(f"{request.META.get('SCRIPT_NAME', '')}/sandbox")


def marketplace_error(request: HttpRequest, status: int, code: str, message: str) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "httpCode": str(status),
        "code": code,
        "message": message,
        "helpUrl": f"{sandbox_root(request)}/v1/errors/{code}",
    }


def apply_error(code: str, message: str) -> dict:
    return {"id": uuid.uuid4().hex[:8], "code": code, "message": message}


def _render_error(
    request: HttpRequest, style: str | ErrorRenderer, status: int, code: str, message: str
) -> HttpResponse:
    if callable(style):
        return style(status, code, message)
    generic = _GENERIC[style].get(status) or _GENERIC["marketplace"].get(status)
    code = code or (generic[0] if generic else "error")
    message = message or (generic[1] if generic else "Error")
    body: Any
    # The Application API's 429 carries a Marketplace body (application-api.md §2).
    if style == "marketplace" or (style == "apply" and status == 429):
        body = marketplace_error(request, status, code, message)
    elif style == "apply":
        body = apply_error(code, message)
    elif style == "assessment":
        body = {"message": message, "errors": [{"code": code, "message": message}]}
    else:
        body = {"error": code, "error_description": message}
    return JsonResponse(body, status=status, safe=False)


_GATEWAY_PAGE = """<!DOCTYPE html>
<html><head><title>{status} {reason}</title></head>
<body><center><h1>{status} {reason}</h1></center><hr><center>nginx</center></body></html>
"""


def _server_error(
    request: HttpRequest, style: str | ErrorRenderer, status: int, switches: dict
) -> HttpResponse:
    if switches["html_5xx"]:
        reason = {
            500: "Internal Server Error",
            502: "Bad Gateway",
            503: "Service Temporarily Unavailable",
            504: "Gateway Time-out",
        }.get(status, "Error")
        return HttpResponse(
            _GATEWAY_PAGE.format(status=status, reason=reason),
            status=status,
            content_type="text/html; charset=utf-8",
        )
    return _render_error(request, style, status, "", "")


# ---------------------------------------------------------------------------
# Authentication
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Credential:
    """Who is calling: ``key`` is the rate-limit bucket (never shown unmasked)."""

    key: str


@dataclass(frozen=True)
class PartnerCredential(Credential):
    """A partner's X-SmartToken: the Job Board, Posting and Application APIs."""

    partner: SandboxPartner


AuthCallable = Callable[[HttpRequest], Credential | None]


def presented_smart_token(request: HttpRequest) -> str:
    # job-board-api.md §6: `apiKey` is checked first, then the header.
    return request.GET.get("apiKey") or request.headers.get("X-SmartToken", "")


def smarttoken_auth(request: HttpRequest) -> PartnerCredential | None:
    token = presented_smart_token(request)
    if not token:
        return None
    partner = SandboxPartner.objects.filter(token=token).first()
    if partner is None:
        return None
    return PartnerCredential(key=f"partner:{partner.pk}", partner=partner)


# ---------------------------------------------------------------------------
# Masking and the journal
# ---------------------------------------------------------------------------
_SECRET_HEADERS = {
    "x-smarttoken",
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
    "x-sandbox-control-token",
}
_SECRET_KEYS = {
    "apikey",
    "password",
    "client_secret",
    "clientsecret",  # the Assessment API's ClientCredentials (camelCase)
    "access_token",
    "refresh_token",
    "token",
    "secret",
}
_BULKY_KEYS = {"filecontent", "content"}
_BODY_CAP = 20_000
_MASKED_KEY = re.compile(
    "|".join(f'"{re.escape(key)}"' for key in sorted(_SECRET_KEYS | _BULKY_KEYS)), re.IGNORECASE
)


def mask(value: str) -> str:
    if not value:
        return ""
    return f"{value[:4]}…{value[-2:]}" if len(value) >= 12 else "•••"


def _mask_data(data: Any) -> Any:
    if isinstance(data, dict):
        masked = {}
        for key, value in data.items():
            lowered = str(key).lower()
            if lowered in _SECRET_KEYS and isinstance(value, str):
                masked[key] = mask(value)
            elif lowered in _BULKY_KEYS and isinstance(value, str) and len(value) > 200:
                masked[key] = f"<{len(value)} characters>"
            else:
                masked[key] = _mask_data(value)
        return masked
    if isinstance(data, list):
        return [_mask_data(item) for item in data]
    return data


def mask_body(raw: bytes, content_type: str) -> str:
    if not raw:
        return ""
    text = raw.decode("utf-8", errors="replace")
    looks_json = "json" in content_type or text[:1] in "[{"
    if looks_json and _MASKED_KEY.search(text) is None:
        # Nothing to mask (a feed page): skip parsing 100 postings just to dump them again.
        return text[:_BODY_CAP]
    if looks_json:
        try:
            return json.dumps(_mask_data(json.loads(text)), ensure_ascii=False)[:_BODY_CAP]
        except ValueError:
            pass
    if "x-www-form-urlencoded" in content_type:
        pairs = [
            (k, mask(v) if k.lower() in _SECRET_KEYS else v)
            for k, v in parse_qsl(text, keep_blank_values=True)
        ]
        return urlencode(pairs)[:_BODY_CAP]
    if "multipart/" in content_type or "\x00" in text:
        return f"<{len(raw)} bytes {content_type or 'binary'}>"
    return text[:_BODY_CAP]


def mask_headers(headers: Any) -> dict[str, str]:
    return {
        name: (mask(value) if name.lower() in _SECRET_HEADERS else value)
        for name, value in headers.items()
    }


def mask_query(request: HttpRequest) -> str:
    pairs = [
        (k, mask(v) if k.lower() in _SECRET_KEYS else v)
        for k, values in request.GET.lists()
        for v in values
    ]
    return urlencode(pairs)


PRUNE_EVERY = 50


def prune_journal(*, newest_id: int) -> int:
    """Keep the newest ``SANDBOX_JOURNAL_MAX_ROWS`` rows; returns how many were deleted."""
    cap = settings.SANDBOX_JOURNAL_MAX_ROWS
    deleted, _ = JournalEntry.objects.filter(id__lte=newest_id - cap).delete()
    return deleted


def _maybe_prune(newest_id: int) -> None:
    # Pruning every 50 rows keeps the insert path cheap; the table overshoots by < 50.
    if newest_id % PRUNE_EVERY == 0:
        prune_journal(newest_id=newest_id)


def record(
    *,
    endpoint: str,
    request: HttpRequest,
    request_body: bytes,
    response: HttpResponse | None,
    started: float,
    fault: str,
    credential: str,
) -> None:
    """Write one journal row; a journal failure never breaks the API response."""
    # Measured before the masking below: the journal's own cost is not the API's.
    duration_ms = round((time.monotonic() - started) * 1000, 2)
    try:
        entry = JournalEntry.objects.create(
            at=timezone.now(),
            endpoint=endpoint,
            method=request.method or "",
            path=request.path[:500],
            query=mask_query(request)[:2000],
            request_headers=mask_headers(request.headers),
            request_body=mask_body(request_body, request.content_type or ""),
            status=None if response is None else response.status_code,
            response_headers={} if response is None else mask_headers(response.headers),
            response_body=(
                ""
                if response is None or response.streaming
                else mask_body(response.content, response.get("Content-Type", ""))
            ),
            duration_ms=duration_ms,
            fault=fault,
            credential=credential,
        )
        _maybe_prune(entry.id)
    except DatabaseError:
        logger.exception("sandbox journal: could not record %s %s", request.method, endpoint)


# ---------------------------------------------------------------------------
# Faults
# ---------------------------------------------------------------------------
def _in_scope(name: str, scope: str | list[str]) -> bool:
    if scope == "all":
        return True
    return any(name == s or name.startswith(f"{s}.") for s in scope)


def pick_fault(name: str, switches: dict[str, Any]) -> str | None:
    fault: str | None = switches["fault"]
    if not fault or not _in_scope(name, switches["fault_scope"]):
        return None
    probability = switches["fault_probability"]
    if probability is not None and random.random() >= probability:
        return None
    if switches["fault_count"] is not None and not state.consume_fault_count():
        return None
    return fault


def drop_connection(request: HttpRequest) -> None:
    """Reset the client's TCP connection (RST), so it sees "connection reset by peer".

    SO_LINGER (on, 0 s) makes the kernel answer the close with an RST instead of a FIN.
    The server still holds the socket object and will try to write our (empty) response:
    the fd is swapped for one half of a closed socketpair with dup2, which closes the TCP
    socket and turns that write into a quiet broken pipe instead of a logged traceback.
    """
    sock = _client_socket(request)
    if sock is None:
        logger.warning("sandbox: cannot reach the client socket; answering 502 instead")
        return
    fd = sock.fileno()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    dead, peer = socket.socketpair()
    peer.close()
    try:
        os.dup2(dead.fileno(), fd)
    finally:
        dead.close()


def _client_socket(request: HttpRequest) -> socket.socket | None:
    environ = request.META
    sock = environ.get("gunicorn.socket")
    if isinstance(sock, socket.socket):
        return sock
    # Django's runserver / live_server: LimitedStream (which keeps only the bound ``read`` of
    # its stream) -> BufferedReader -> SocketIO -> socket.
    stream: Any = environ.get("wsgi.input")
    read = getattr(stream, "_read", None)
    stream = getattr(read, "__self__", stream)
    stream = getattr(getattr(stream, "raw", None), "_sock", None)
    return stream if isinstance(stream, socket.socket) else None


class _Dropped(HttpResponse):
    """Marks a response whose connection was dropped; the journal records no status."""


def _truncate(response: HttpResponse) -> HttpResponse:
    content = response.content
    # Cut inside the JSON so no parser accepts it; tiny bodies become an open object.
    response.content = content[: max(1, len(content) // 2)] if len(content) > 4 else b'{"'
    return response


# ---------------------------------------------------------------------------
# The decorator
# ---------------------------------------------------------------------------
@dataclass
class _Call:
    name: str
    switches: dict[str, Any]
    credential: Credential | None = None
    fault: str = ""
    decision: Decision | None = None
    extra_headers: dict[str, str] = field(default_factory=dict)


def sandbox_endpoint(
    name: str,
    *,
    auth: AuthCallable | None = smarttoken_auth,
    errors: str | ErrorRenderer = "marketplace",
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Wrap a view as the SR endpoint ``name`` (e.g. ``"feed.list"``); see the module doc.

    The view is called as ``view(request, *args, credential=<Credential|None>, **kwargs)``.
    """

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @csrf_exempt
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            started = time.monotonic()
            body = request.body  # read once, before anything can drop the connection
            call = _Call(name=name, switches=state.get_switches())
            # Read once per request; views take them from here (``request_switches``).
            # The ignores below: Django's stubs declare none of these attributes.
            request.sandbox_switches = call.switches  # type: ignore[attr-defined]
            response: HttpResponse | None = None
            try:
                response = _serve(request, call, auth, errors, view, args, kwargs)
            finally:
                record(
                    endpoint=name,
                    request=request,
                    request_body=body,
                    response=None if isinstance(response, _Dropped) else response,
                    started=started,
                    fault=call.fault,
                    credential=_credential_label(call.credential),
                )
            if call.fault and response is not None:
                # An injected fault is the sandbox working as asked, not a server error:
                # keep Django's request logger from reporting it at ERROR level.
                response._has_been_logged = True  # type: ignore[attr-defined]
                logger.info("sandbox: %s answered with fault %s", name, call.fault)
            if isinstance(response, _Dropped):
                # After the journal row is written, so a test that saw the connection drop
                # finds the row (and no write races the test's teardown).
                drop_connection(request)
            return response

        # The console's journal filter lists endpoints by this mark on the view.
        wrapper.sandbox_endpoint = name  # type: ignore[attr-defined]
        return wrapper

    return decorate


def _credential_label(credential: Credential | None) -> str:
    if credential is None:
        return ""
    if isinstance(credential, PartnerCredential):
        return mask(credential.partner.token)
    return credential.key[:40]


def _serve(
    request: HttpRequest,
    call: _Call,
    authenticate: AuthCallable | None,
    style: str | ErrorRenderer,
    view: Callable[..., HttpResponse],
    args: tuple,
    kwargs: dict,
) -> HttpResponse:
    switches = call.switches
    rps = int(switches["rate_limit_rps"])
    concurrent = int(switches["rate_limit_concurrent"])

    def with_headers(response: HttpResponse) -> HttpResponse:
        decision = call.decision or limiter.peek(
            call.credential.key if call.credential else None, rps=rps, concurrent=concurrent
        )
        for header, value in decision.headers().items():
            response[header] = value
        for header, value in call.extra_headers.items():
            response[header] = value
        return response

    if switches["outage"]:
        call.fault = "outage"
        return with_headers(_server_error(request, style, 503, switches))

    if authenticate is not None:
        try:
            call.credential = authenticate(request)
        except SandboxError as error:
            return with_headers(_error_response(request, style, error))
        if call.credential is None:
            return with_headers(_render_error(request, style, 401, "", ""))

    key = call.credential.key if call.credential else None
    if key is not None:
        call.decision = limiter.acquire(
            key, rps=rps, concurrent=concurrent, enforce=bool(switches["rate_limit"])
        )
        if not call.decision.allowed:
            call.fault = "rate_limit"
            if switches["retry_after"]:
                call.extra_headers["Retry-After"] = str(int(switches["retry_after_seconds"]))
            return with_headers(_render_error(request, style, 429, "", ""))
    try:
        return with_headers(_serve_with_faults(request, call, style, view, args, kwargs))
    finally:
        if key is not None:
            limiter.release(key)


def _serve_with_faults(
    request: HttpRequest,
    call: _Call,
    style: str | ErrorRenderer,
    view: Callable[..., HttpResponse],
    args: tuple,
    kwargs: dict,
) -> HttpResponse:
    switches = call.switches
    fault = pick_fault(call.name, switches)

    def run_view() -> HttpResponse:
        try:
            return view(request, *args, credential=call.credential, **kwargs)
        except SandboxError as error:
            return _error_response(request, style, error)

    if fault is None:
        return run_view()
    call.fault = fault
    after_commit = bool(switches["fault_after_commit"])
    if fault == "slow":
        time.sleep(float(switches["slow_seconds"]))
        return run_view()
    if fault == "malformed_json":
        response = run_view()
        return _truncate(response) if 200 <= response.status_code < 300 else response
    # The remaining faults replace the response; after commit, the view runs first (its
    # writes stay), and only its answer is lost.
    if after_commit:
        run_view()
    if fault in ("429", "429_retry_after"):
        if fault == "429_retry_after":
            call.extra_headers["Retry-After"] = str(int(switches["retry_after_seconds"]))
        call.decision = Decision(
            allowed=False,
            limit=int(switches["rate_limit_rps"]),
            remaining=0,
            concurrent_limit=int(switches["rate_limit_concurrent"]),
            concurrent_remaining=max(0, int(switches["rate_limit_concurrent"]) - 1),
        )
        return _render_error(request, style, 429, "", "")
    if fault in ("500", "502", "503", "504"):
        return _server_error(request, style, int(fault), switches)
    if fault == "timeout":
        time.sleep(float(switches["timeout_seconds"]))
    # "timeout" and "reset": the client gets no HTTP answer at all (the wrapper drops it).
    return _Dropped(status=502)


def _error_response(
    request: HttpRequest, style: str | ErrorRenderer, error: SandboxError
) -> HttpResponse:
    if error.body is not None:
        return JsonResponse(error.body, status=error.status, safe=False)
    return _render_error(request, style, error.status, error.code, error.message)


def request_switches(request: HttpRequest) -> dict[str, Any]:
    """The switches as this request's decorator read them (or fresh, outside one)."""
    return getattr(request, "sandbox_switches", None) or state.get_switches()


def json_body(request: HttpRequest) -> Any:
    """The request body parsed as JSON; ``SandboxError(400)`` when it is not JSON."""
    try:
        return json.loads(request.body.decode("utf-8") or "null")
    except (UnicodeDecodeError, ValueError):
        raise SandboxError(400, "", "Body is not valid JSON") from None


def decode_base64(value: Any) -> bytes | None:
    """RFC 4648 base64 (strict alphabet); None when ``value`` is not valid base64."""
    if not isinstance(value, str):
        return None
    try:
        return base64.b64decode(value.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError):
        return None
