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

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

CSP = "Content-Security-Policy"
PERMISSIONS = "Permissions-Policy"


def content_security_policy(overrides: dict[str, list[str]] | None = None) -> str:
    """The header value: the settings' directives, SR's web hosts added to form-action.

    ``overrides`` replaces whole directives for one view (the widget's iframe page may be
    framed by any site: ``{"frame-ancestors": ["*"]}``).
    """
    directives = {name: list(sources) for name, sources in settings.CONTENT_SECURITY_POLICY.items()}
    directives.update(overrides or {})
    if "form-action" in directives:
        hosts = [f"https://{host.strip().lower()}" for host in settings.SMARTRECRUITERS_WEB_HOSTS]
        directives["form-action"] += [host for host in hosts if host != "https://"]
    return "; ".join(" ".join([name, *sources]).strip() for name, sources in directives.items())


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
