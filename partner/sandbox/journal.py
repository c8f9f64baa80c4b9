"""The journal: every request to a sandbox endpoint and its answer, secrets masked."""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from partner.sandbox.models import JournalEntry

logger = logging.getLogger(__name__)

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
PRUNE_EVERY = 50


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


def _mask_pairs(pairs: list[tuple[str, str]]) -> str:
    return urlencode([(k, mask(v) if k.lower() in _SECRET_KEYS else v) for k, v in pairs])


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
        return _mask_pairs(parse_qsl(text, keep_blank_values=True))[:_BODY_CAP]
    if "multipart/" in content_type or "\x00" in text:
        return f"<{len(raw)} bytes {content_type or 'binary'}>"
    return text[:_BODY_CAP]


def mask_headers(headers: Mapping[str, str]) -> dict[str, str]:
    return {
        name: (mask(value) if name.lower() in _SECRET_HEADERS else value)
        for name, value in headers.items()
    }


def prune_journal(*, newest_id: int) -> int:
    """Keep the newest ``SANDBOX_JOURNAL_MAX_ROWS`` rows; returns how many were deleted."""
    cap = settings.SANDBOX_JOURNAL_MAX_ROWS
    deleted, _ = JournalEntry.objects.filter(id__lte=newest_id - cap).delete()
    return deleted


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
    query = [(k, v) for k, values in request.GET.lists() for v in values]
    try:
        entry = JournalEntry.objects.create(
            at=timezone.now(),
            endpoint=endpoint,
            method=request.method or "",
            path=request.path[:500],
            query=_mask_pairs(query)[:2000],
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
        # Pruning every 50 rows keeps the insert path cheap; the table overshoots by < 50.
        if entry.id % PRUNE_EVERY == 0:
            prune_journal(newest_id=entry.id)
    except DatabaseError:
        logger.exception("sandbox journal: could not record %s %s", request.method, endpoint)
