"""Error bodies in the contract's shape: ``{message, errors: [{code, message}]}``."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from partner.assessments.api.parsers import BodyTooLarge
from partner.assessments.errors import ServiceError

_CODES: dict[type[exceptions.APIException], str] = {
    exceptions.NotAuthenticated: "UNAUTHORIZED",
    exceptions.AuthenticationFailed: "INVALID_TOKEN",
    exceptions.PermissionDenied: "FORBIDDEN",
    exceptions.NotFound: "NOT_FOUND",
    exceptions.MethodNotAllowed: "METHOD_NOT_ALLOWED",
    exceptions.UnsupportedMediaType: "UNSUPPORTED_MEDIA_TYPE",
    exceptions.ParseError: "MALFORMED_BODY",
    exceptions.ValidationError: "INVALID_FIELD",
    exceptions.Throttled: "RATE_LIMITED",
    BodyTooLarge: "BODY_TOO_LARGE",
}
_MESSAGES = {
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    400: "Bad request",
    413: "Request body too large",
}


def error_body(status_code: int, errors: list[dict[str, str]], message: str = "") -> dict[str, Any]:
    return {"message": message or _MESSAGES.get(status_code, "Error"), "errors": errors}


def _flatten(detail: Any, prefix: str = "") -> list[dict[str, str]]:
    if isinstance(detail, dict):
        out: list[dict[str, str]] = []
        for key, value in detail.items():
            name = key if key != "non_field_errors" else ""
            out.extend(_flatten(value, f"{prefix}.{name}" if prefix and name else name or prefix))
        return out
    if isinstance(detail, list):
        out = []
        for item in detail:
            out.extend(_flatten(item, prefix))
        return out
    message = str(detail)
    return [{"code": "INVALID_FIELD", "message": f"{prefix}: {message}" if prefix else message}]


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ServiceError):
        return Response(
            error_body(exc.status, [{"code": exc.code, "message": exc.message}]),
            status=exc.status,
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    if isinstance(exc, RequestDataTooBig):
        # Django's own bound (DATA_UPLOAD_MAX_MEMORY_SIZE), met when a body is read through
        # request.body: JSON in our shape, not Django's HTML error page.
        exc = BodyTooLarge()
    if isinstance(exc, TooManyFieldsSent):
        exc = exceptions.ParseError("The request has too many fields")
    response = drf_exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response
    code = _CODES.get(type(exc), "ERROR")
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
    else:
        errors = [{"code": code, "message": str(exc.detail)}]
    response.data = error_body(response.status_code, errors)
    if response.status_code == status.HTTP_401_UNAUTHORIZED:
        # RFC 6750 §3: say which error, without echoing the token.
        response["WWW-Authenticate"] = response.get(
            "WWW-Authenticate", 'Bearer realm="smartrecruiters-assessments"'
        )
        if isinstance(exc, exceptions.AuthenticationFailed):
            response["WWW-Authenticate"] += ', error="invalid_token"'
    return response
