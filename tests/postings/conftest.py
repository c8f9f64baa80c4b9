"""A small stateful fake of the feed API on respx, for fast tests of the sync service.

The flows also run against the real sandbox over HTTP (test_sync_sandbox.py); this fake
exists to pin edge cases cheaply (order of calls, exact bodies, failures on one call).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import respx

API = "https://sr.test/api"

# Contract §5: from toUnpost/Inactive only Error and Inactive are accepted.
_CLOSED = {"toUnpost", "Inactive"}


@dataclass
class FakeFeed:
    postings: dict[str, dict[str, Any]] = field(default_factory=dict)
    offers: dict[str, dict[str, Any]] = field(default_factory=dict)
    puts: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    fail_list_at_offset: int | None = None
    fail_puts: int = 0
    next_id: int = 311000100
    # The query of every list request, to check what the client sent.
    list_queries: list[dict[str, str]] = field(default_factory=list)

    def add(self, *, name: str = "Backend Engineer", status: str = "Pending", **extra: Any) -> str:
        self.next_id += 1
        sr_id = str(self.next_id)
        self.postings[sr_id] = {
            "id": sr_id,
            "uuid": extra.pop("uuid", f"uuid-{sr_id}"),
            "name": name,
            "status": status,
            "postedDate": "2030-01-01T09:00:00.000Z",
            "applyUrl": f"https://jobs.smartrecruiters.com/Acme/{sr_id}?oga=true",
            "company": {"id": "123", "name": "Acme Corp"},
            "location": {"city": "Berlin", "country": "Germany", "countryCode": "de"},
            "jobAd": {"jobDescription": "<p>Build things</p><script>alert(1)</script>"},
            **extra,
        }
        self.offers[sr_id] = {
            "id": f"offer-{sr_id}",
            "terms": {
                "price": {"amount": 150, "currencyCode": "EUR"},
                "postingPeriod": 30,
                "existingContract": {"login": "acme-hr", "password": "s3cret"},
            },
        }
        return sr_id

    def set_status(self, sr_id: str, status: str) -> None:
        self.postings[sr_id]["status"] = status

    def status(self, sr_id: str) -> str:
        return self.postings[sr_id]["status"]

    def puts_for(self, sr_id: str) -> list[dict[str, Any]]:
        return [body for pid, body in self.puts if pid == sr_id]

    # -- handlers --------------------------------------------------------------
    def list(self, request: httpx.Request) -> httpx.Response:
        self.list_queries.append(dict(request.url.params))
        statuses = request.url.params["status"].split(",")
        offset = int(request.url.params.get("offset", 0))
        limit = int(request.url.params.get("limit", 100))
        if self.fail_list_at_offset is not None and offset >= self.fail_list_at_offset:
            return httpx.Response(500, json={"code": "internal_error"})
        created_after = _created_after(request.url.params.get("updatedAfter"))
        matches = [
            p
            for p in self.postings.values()
            if p["status"] in statuses and _posted(p) > created_after
        ]
        page = matches[offset : offset + limit]
        return httpx.Response(
            200, json={"totalFound": str(len(matches)), "offset": str(offset), "jobs": page}
        )

    def get(self, request: httpx.Request, sr_id: str) -> httpx.Response:
        if sr_id not in self.postings:
            return httpx.Response(404, json={"code": "not_found"})
        return httpx.Response(200, json=self.postings[sr_id])

    def put(self, request: httpx.Request, sr_id: str) -> httpx.Response:
        body = json.loads(request.content)
        if self.fail_puts:
            self.fail_puts -= 1
            return httpx.Response(503, text="<html>unavailable</html>")
        current = self.postings[sr_id]["status"]
        if current in _CLOSED and body["status"] in {"Active", "UnderPosting"}:
            return httpx.Response(
                400,
                json={"httpCode": "400", "code": "invalid_status_transition", "message": "no"},
            )
        self.puts.append((sr_id, body))
        self.postings[sr_id]["status"] = body["status"]
        return httpx.Response(200, json=self.postings[sr_id])

    def offer(self, request: httpx.Request) -> httpx.Response:
        offer = self.offers.get(request.url.params["postingId"])
        content = [offer] if offer else []
        return httpx.Response(
            200, json={"limit": 100, "offset": 0, "totalFound": len(content), "content": content}
        )


def _posted(posting: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(posting["postedDate"].replace("Z", "+00:00"))


def _created_after(updated_after: str | None) -> datetime:
    # job-board-api.md §2: updatedAfter selects postings created after it; without it,
    # only the last 30 days, whatever the status filter.
    if updated_after:
        return datetime.fromisoformat(updated_after.replace("Z", "+00:00"))
    return datetime.now(UTC) - timedelta(days=30)


@pytest.fixture
def fake_feed(settings):
    settings.SMARTRECRUITERS_API_URL = API
    settings.SMARTRECRUITERS_PARTNER_TOKEN = "p" * 64
    settings.SMARTRECRUITERS_BACKOFF_BASE = 0.001
    settings.SMARTRECRUITERS_BACKOFF_CAP = 0.005
    settings.SMARTRECRUITERS_MAX_RETRIES = 2
    settings.SMARTRECRUITERS_RATE_PER_SECOND = 10_000.0
    settings.SITE_URL = "https://board.test"
    fake = FakeFeed()
    with respx.mock(assert_all_called=False) as mock:
        mock.get(f"{API}/feed/publications").mock(side_effect=fake.list)
        mock.get(url__regex=rf"{re.escape(API)}/feed/publications/(?P<sr_id>\d+)$").mock(
            side_effect=fake.get
        )
        mock.put(url__regex=rf"{re.escape(API)}/feed/publications/(?P<sr_id>\d+)$").mock(
            side_effect=fake.put
        )
        mock.get(f"{API}/v1/offers").mock(side_effect=fake.offer)
        yield fake
