"""CORS for the public jobs API: any site may read it from a browser, nothing more.

Scoped to ``/api/v1/`` and to GET, HEAD and OPTIONS. The API is anonymous and sends no
cookies' worth of anything, so ``*`` is right and credentials are never allowed. A
preflight for another method gets no permission; the browser then stops the request.
django-cors-headers would do the same with a dependency and settings for every path;
the rule here is one prefix and three methods.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBase

API_PREFIX = "/api/v1/"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
# The headers a widget or another site sends when it revalidates what it has.
ALLOWED_HEADERS = "Accept, Accept-Language, If-None-Match, If-Modified-Since"
# Readable by the calling page: the validators, and how long to wait after a 429.
EXPOSED_HEADERS = "ETag, Last-Modified, Retry-After"
PREFLIGHT_MAX_AGE = "86400"


def _is_preflight(request: HttpRequest) -> bool:
    return request.method == "OPTIONS" and "HTTP_ACCESS_CONTROL_REQUEST_METHOD" in request.META


class PublicApiCorsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        if _is_preflight(request):
            preflight = HttpResponse(status=204)
            asked = request.META["HTTP_ACCESS_CONTROL_REQUEST_METHOD"].upper()
            if asked in SAFE_METHODS:
                preflight["Access-Control-Allow-Origin"] = "*"
                preflight["Access-Control-Allow-Methods"] = ", ".join(SAFE_METHODS)
                preflight["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
                preflight["Access-Control-Max-Age"] = PREFLIGHT_MAX_AGE
            return preflight
        response = self.get_response(request)
        if request.method in SAFE_METHODS:
            response["Access-Control-Allow-Origin"] = "*"
            response["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
        return response
