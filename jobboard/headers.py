"""Security headers on every response: Content-Security-Policy and Permissions-Policy.

Django 5.2 has no CSP of its own; ``SecurityMiddleware`` already sends
Referrer-Policy (``SECURE_REFERRER_POLICY``), Cross-Origin-Opener-Policy
(``SECURE_CROSS_ORIGIN_OPENER_POLICY``), ``X-Content-Type-Options`` and HSTS. This adds
the two it lacks, from ``CONTENT_SECURITY_POLICY`` and ``PERMISSIONS_POLICY`` in settings.

The policy is strict: scripts and styles only from our own origin, as files. No inline
``<script>``, no ``on…=`` handler, no ``style="…"`` and no ``javascript:`` URL runs, so an
XSS that slips past escaping and nh3 still executes nothing. Templates pass data to
scripts in ``data-`` attributes or ``json_script`` blocks (data, not script). The one
exception is ``form-action``: the consent page and the inline assessment redirect a
submitted form to SmartRecruiters' web hosts (``SMARTRECRUITERS_WEB_HOSTS``), and browsers
apply ``form-action`` to redirects after a submission too.

A view may set its own header; the middleware then leaves it alone.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase

CSP = "Content-Security-Policy"
PERMISSIONS = "Permissions-Policy"


def content_security_policy(
    extra: Mapping[str, Sequence[str]] | None = None,
    *,
    overrides: Mapping[str, Sequence[str]] | None = None,
) -> str:
    """The header value: the settings' directives, SR's web hosts added to form-action.

    For one view: ``extra`` sources are added to their directives (the API docs' inline
    styles); ``overrides`` replace whole directives (the widget's iframe page may be
    framed by any site: ``{"frame-ancestors": ["*"]}``).
    """
    directives = {name: list(sources) for name, sources in settings.CONTENT_SECURITY_POLICY.items()}
    for name, sources in (extra or {}).items():
        directives.setdefault(name, []).extend(sources)
    directives.update({name: list(sources) for name, sources in (overrides or {}).items()})
    if "form-action" in directives:
        hosts = [f"https://{host.strip().lower()}" for host in settings.SMARTRECRUITERS_WEB_HOSTS]
        directives["form-action"] += [host for host in hosts if host != "https://"]
    return "; ".join(" ".join([name, *sources]).strip() for name, sources in directives.items())


# The API documentation (Swagger UI, Redoc) is third-party code that styles itself with
# inline styles (Redoc renders nothing without them) and draws icons from data: URLs.
# It shows no user content, so these pages alone get both; scripts stay files.
API_DOCS_SOURCES: dict[str, list[str]] = {
    "style-src": ["'unsafe-inline'"],
    "img-src": ["data:"],
    "worker-src": ["'self'", "blob:"],
}


def with_policy_sources(
    extra: Mapping[str, Sequence[str]],
) -> Callable[[Callable[..., HttpResponseBase]], Callable[..., HttpResponseBase]]:
    """A view decorator: the project's policy with ``extra`` sources, for that view only."""

    def decorate(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @wraps(view)
        def with_sources(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            response = view(request, *args, **kwargs)
            response[CSP] = content_security_policy(extra)
            return response

        return with_sources

    return decorate


def permissions_policy() -> str:
    return ", ".join(f"{feature}=()" for feature in settings.PERMISSIONS_POLICY)


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if settings.DEBUG and response.status_code in (404, 500) and CSP not in response:
            # Django's debug error pages are built with inline styles and scripts; they
            # exist only in development, where reading them matters more than the policy.
            return response
        if CSP not in response:
            response[CSP] = content_security_policy()
        if PERMISSIONS not in response:
            response[PERMISSIONS] = permissions_policy()
        return response
