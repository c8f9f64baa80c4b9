"""Count every request for /metrics: by method, view and status class, with its latency."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from jobboard.operations.metrics import HTTP_LATENCY, HTTP_REQUESTS


class MetricsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.monotonic()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        # The route's name, never the raw path: tokens in URLs must not become labels.
        view = (match.view_name if match else "") or "unresolved"
        HTTP_REQUESTS.labels(request.method or "", view, f"{response.status_code // 100}xx").inc()
        HTTP_LATENCY.labels(view).observe(time.monotonic() - started)
        return response
