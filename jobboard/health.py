"""Liveness and readiness endpoints for load balancers and orchestrators.

``/healthz`` answers as long as the process can serve a request. ``/readyz`` says
whether this instance can do useful work: the database answers, the broker accepts a
connection, and (once the feed has been synced) how old the last good sync is.
Readiness providers are registered by the apps that own the data, so this module
imports nothing from them.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

# name -> callable returning (ok, details). Apps add theirs in AppConfig.ready().
ReadinessCheck = Callable[[], tuple[bool, dict[str, Any]]]
_extra_checks: dict[str, ReadinessCheck] = {}


def register_readiness_check(name: str, check: ReadinessCheck) -> None:
    _extra_checks[name] = check


def check_database() -> tuple[bool, dict[str, Any]]:
    started = time.monotonic()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "not ready"
        logger.warning("readiness: database unreachable: %s", type(exc).__name__)
        return False, {"error": type(exc).__name__}
    return True, {"latency_ms": round((time.monotonic() - started) * 1000, 1)}


def check_broker() -> tuple[bool, dict[str, Any]]:
    from jobboard.celery import app

    started = time.monotonic()
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:  # kombu raises transport-specific errors
        logger.warning("readiness: broker unreachable: %s", type(exc).__name__)
        return False, {"error": type(exc).__name__}
    return True, {"latency_ms": round((time.monotonic() - started) * 1000, 1)}


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def readyz(request: HttpRequest) -> JsonResponse:
    checks: dict[str, dict[str, Any]] = {}
    ready = True
    for name, check in [("database", check_database), ("broker", check_broker)]:
        ok, details = check()
        checks[name] = {"ok": ok, **details}
        ready = ready and ok
    if checks["database"]["ok"]:
        for name, check in _extra_checks.items():
            ok, details = check()
            checks[name] = {"ok": ok, **details}
            ready = ready and ok
    return JsonResponse(
        {"status": "ready" if ready else "unavailable", "checks": checks},
        status=200 if ready else 503,
    )
