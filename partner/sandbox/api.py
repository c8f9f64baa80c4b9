"""The one decorator every sandbox API view goes through.

``@sandbox_endpoint(name, methods=..., auth=..., errors=...)`` applies, in this order: the
HTTP method check, the journal (request and response, secrets masked), the ``outage``
switch, authentication, the per-credential rate limit (``X-RateLimit-*`` headers on every
response), fault injection scoped by endpoint name, then the view. The contracts require
the same behaviour on every SR endpoint, so it lives here once (the assessment side reuses
it with its own ``auth`` and ``errors``).
"""

from __future__ import annotations

import hmac
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from partner.sandbox import in_flight, state
from partner.sandbox.errors import (
    ErrorStyle,
    SandboxError,
    error_response,
    render_error,
    server_error,
)
from partner.sandbox.faults import Dropped, drop_connection, faulty_response, pick_fault
from partner.sandbox.journal import mask, record
from partner.sandbox.models import SandboxPartner
from partner.sandbox.ratelimit import Decision, limiter
from partner.sandbox.services.partners import ensure_partner
from partner.sandbox.state import Fault, Switches

logger = logging.getLogger(__name__)

View = Callable[..., HttpResponse]


@dataclass(frozen=True, kw_only=True)
class Credential:
    """Who is calling: ``key`` is the rate-limit bucket (never shown unmasked)."""

    key: str


@dataclass(frozen=True, kw_only=True)
class PartnerCredential(Credential):
    """A job board calling with its partner key (X-SmartToken or ``apiKey``)."""

    partner: SandboxPartner


AuthCallable = Callable[[HttpRequest], Credential | None]


def smarttoken_auth(request: HttpRequest) -> PartnerCredential | None:
    # job-board-api.md §6: `apiKey` is checked first, then the header.
    token = request.GET.get("apiKey") or request.headers.get("X-SmartToken", "")
    partner = SandboxPartner.objects.filter(token=token).first() if token else None
    if (
        partner is None
        and token
        and hmac.compare_digest(token.encode(), str(settings.SANDBOX_DEMO_PARTNER_TOKEN).encode())
    ):
        # The demo key (SMARTRECRUITERS_PARTNER_TOKEN when set) works from the first
        # request, before anything was seeded: its partner is made on first use.
        partner = ensure_partner()
    if partner is None:
        return None
    return PartnerCredential(key=f"partner:{partner.pk}", partner=partner)


@dataclass
class _Call:
    """One request on its way through the decorator; what the journal records of it."""

    name: str
    style: ErrorStyle
    switches: Switches
    credential: Credential | None = None
    fault: str = ""
    decision: Decision | None = None
    extra_headers: dict[str, str] = field(default_factory=dict)

    @property
    def rps(self) -> int:
        return int(self.switches["rate_limit_rps"])

    @property
    def concurrent(self) -> int:
        return int(self.switches["rate_limit_concurrent"])

    def retry_after(self) -> None:
        self.extra_headers["Retry-After"] = str(int(self.switches["retry_after_seconds"]))

    def with_headers(self, response: HttpResponse) -> HttpResponse:
        key = self.credential.key if self.credential else None
        decision = self.decision or limiter.peek(key, rps=self.rps, concurrent=self.concurrent)
        for header, value in {**decision.headers(), **self.extra_headers}.items():
            response[header] = value
        return response

    def credential_label(self) -> str:
        if isinstance(self.credential, PartnerCredential):
            return mask(self.credential.partner.token)
        return self.credential.key[:40] if self.credential else ""


def sandbox_endpoint(
    name: str,
    *,
    methods: tuple[str, ...] = ("GET",),
    auth: AuthCallable = smarttoken_auth,
    errors: ErrorStyle = ErrorStyle.MARKETPLACE,
) -> Callable[[View], View]:
    """Wrap a view as the SR endpoint ``name`` (e.g. ``"feed.list"``); see the module doc.

    The view is called as ``view(request, *args, credential=<Credential>, **kwargs)``.
    """

    def decorate(view: View) -> View:
        @csrf_exempt
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            # Counted until its journal row is written (in_flight: tests wait for it).
            with in_flight.serving():
                started = time.monotonic()
                body = request.body  # read once, before anything can drop the connection
                call = _Call(name=name, style=errors, switches=state.get_switches())
                # Read once per request; views take them from here (``request_switches``).
                request.sandbox_switches = call.switches  # type: ignore[attr-defined]
                response: HttpResponse | None = None
                try:
                    response = call.with_headers(_serve(request, call, auth, view, args, kwargs))
                finally:
                    record(
                        endpoint=name,
                        request=request,
                        request_body=body,
                        response=None if isinstance(response, Dropped) else response,
                        started=started,
                        fault=call.fault,
                        credential=call.credential_label(),
                    )
            if call.fault:
                # An injected fault is the sandbox working as asked, not a server error:
                # keep Django's request logger from reporting it at ERROR level.
                response._has_been_logged = True  # type: ignore[attr-defined]
                logger.info("sandbox: %s answered with fault %s", name, call.fault)
            if isinstance(response, Dropped):
                # After the journal row is written, so a test that saw the connection drop
                # finds the row (and no write races the test's teardown).
                drop_connection(request)
            return response

        endpoint = require_http_methods(list(methods))(wrapper)
        endpoint.sandbox_endpoint = name  # type: ignore[attr-defined]
        return endpoint

    return decorate


def _serve(
    request: HttpRequest,
    call: _Call,
    authenticate: AuthCallable,
    view: View,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
) -> HttpResponse:
    """Outage, authentication and the rate limit, then the view (or its fault)."""
    switches = call.switches
    if switches["outage"]:
        call.fault = "outage"
        return server_error(request, call.style, 503, html=switches["html_5xx"])
    try:
        call.credential = authenticate(request)
    except SandboxError as error:
        return error_response(request, call.style, error)
    if call.credential is None:
        return render_error(request, call.style, 401)
    key = call.credential.key
    enforce = bool(switches["rate_limit"])
    call.decision = limiter.acquire(key, rps=call.rps, concurrent=call.concurrent, enforce=enforce)
    if not call.decision.allowed:
        call.fault = "rate_limit"
        if switches["retry_after"]:
            call.retry_after()
        return render_error(request, call.style, 429)

    def run_view() -> HttpResponse:
        try:
            return view(request, *args, credential=call.credential, **kwargs)
        except SandboxError as error:
            return error_response(request, call.style, error)

    try:
        fault = pick_fault(call.name, switches)
        if fault is None:
            return run_view()
        call.fault = fault
        response = faulty_response(
            request, fault, switches=switches, style=call.style, run_view=run_view
        )
        if fault in (Fault.RATE_LIMITED, Fault.RATE_LIMITED_RETRY_AFTER):
            # As if the limiter had refused it: nothing left this second, this one in flight.
            call.decision = Decision(
                allowed=False,
                limit=call.rps,
                remaining=0,
                concurrent_limit=call.concurrent,
                concurrent_remaining=max(0, call.concurrent - 1),
            )
            if fault == Fault.RATE_LIMITED_RETRY_AFTER:
                call.retry_after()
        return response
    finally:
        limiter.release(key)


def request_switches(request: HttpRequest) -> Switches:
    """The switches as this request's decorator read them (or fresh, outside one)."""
    return getattr(request, "sandbox_switches", None) or state.get_switches()


def json_body(request: HttpRequest) -> Any:
    """The request body parsed as JSON; ``SandboxError(400)`` when it is not JSON."""
    try:
        return json.loads(request.body.decode("utf-8") or "null")
    except (UnicodeDecodeError, ValueError):
        raise SandboxError(400, "", "Body is not valid JSON") from None
