"""A tiny SmartRecruiters feed, without Django, to measure our side of the feed sync alone.

``python tests/bench/feed_stub.py --postings 10000`` prints ``port <n>`` once it listens
on 127.0.0.1, then serves (job-board-api.md §3 shapes, the sandbox's data lists):

- ``GET /feed/publications?status=…&offset=…&limit=…``: pages of the postings in those
  statuses (every posting starts ``Pending``);
- ``GET /feed/publications/<id>``: one posting;
- ``GET /v1/offers?postingId=<id>``: its offer page;
- ``PUT /feed/publications/<id>``: a status report (the posting takes that status);
- ``GET /_stats``: how many of each request it answered.

Postings are rendered to JSON once at start, so a request costs the stub a dictionary
lookup and a join: the sync's own CPU is what the benchmark sees. The sandbox, by
contrast, is a Django app with a database and a journal, and on two cores it competes
with the sync for the CPU it is meant to measure.
"""

# ruff: noqa: T201 - it prints the port it listens on for the benchmark to read

from __future__ import annotations

import argparse
import json
import random
import sys
import threading
import uuid
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

# The data lists are plain Python; importing them loads no Django.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from partner.sandbox import fixtures_data as data

SR_WEB = "https://jobs.smartrecruiters.com"


def _millis_z(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _pair(rng: random.Random, values: list[tuple[str, str]]) -> dict[str, str]:
    value_id, label = rng.choice(values)
    return {"id": value_id, "label": label}


def build_feed(
    count: int, *, first: int = 3_000_000_000, seed: int = 1
) -> tuple[list[dict[str, Any]], dict[str, bytes]]:
    """``count`` Pending postings and their offer pages, deterministic per seed."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    functions = dict(data.FUNCTIONS)
    postings: list[dict[str, Any]] = []
    offers: dict[str, bytes] = {}
    for index in range(count):
        posting_id = str(first + index)
        company = rng.randrange(len(data.COMPANY_NAMES))
        name = data.COMPANY_NAMES[company]
        title, function_id = rng.choice(data.JOB_TITLES)
        city = rng.choice(data.CITIES)
        keys = ("city", "region", "regionCode", "country", "countryCode", "latitude", "longitude")
        location: dict[str, Any] = dict(zip(keys, city, strict=True))
        if rng.random() < 0.15:
            location["remote"] = True
        low = rng.randrange(30, 90) * 1000
        posted = now - timedelta(seconds=rng.randrange(0, 20 * 86_400))
        ad_url = f"{SR_WEB}/company{company}/{743_999_000_000 + index}"
        postings.append(
            {
                "id": posting_id,
                "uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                "name": title,
                "refNumber": f"{function_id[:3].upper()}-{1000 + index}",
                "status": "Pending",
                "postedDate": _millis_z(posted),
                "jobAdUrl": ad_url,
                "applyUrl": f"{ad_url}?oga=true",
                "location": location,
                "company": {"id": f"company{company}", "name": name},
                "creator": {"firstName": "Ada", "lastName": "Lovelace"},
                "compensation": (
                    {"min": low, "max": low + 10_000, "currency": "EUR", "period": "YEAR"}
                    if rng.random() < 0.6
                    else {}
                ),
                "industry": _pair(rng, data.INDUSTRIES),
                "function": {"id": function_id, "label": functions[function_id]},
                "experienceLevel": _pair(rng, data.EXPERIENCE_LEVELS),
                "typeOfEmployment": _pair(rng, data.EMPLOYMENT_TYPES),
                "jobAd": {
                    "companyDescription": f"<p>{name} {rng.choice(data.COMPANY_TAGLINES)}.</p>",
                    "jobDescription": rng.choice(data.JOB_DESCRIPTIONS),
                    "qualifications": rng.choice(data.QUALIFICATIONS),
                    "additionalInformation": rng.choice(data.ADDITIONAL_INFORMATION),
                },
            }
        )
        catalog_id, offer_name, description, period, price = rng.choice(data.OFFER_CATALOG)
        offer = {
            "id": f"{rng.getrandbits(96):024x}",
            "catalogId": catalog_id,
            "name": offer_name,
            "description": description,
            "status": "ACTIVE",
            "terms": {"price": {"amount": price, "currencyCode": "EUR"}, "postingPeriod": period},
        }
        page = {"limit": 100, "offset": 0, "totalFound": 1, "content": [offer]}
        offers[posting_id] = json.dumps(page).encode()
    return postings, offers


class Feed:
    """The stub's state: postings, their statuses, pre-rendered JSON, request counters."""

    def __init__(self, count: int, *, first: int) -> None:
        self.postings, self.offers = build_feed(count, first=first)
        self.by_id = {p["id"]: p for p in self.postings}
        self.rendered = {p["id"]: json.dumps(p) for p in self.postings}
        self.lock = threading.Lock()
        self.stats: dict[str, int] = {"list": 0, "get": 0, "offer": 0, "put": 0}

    def page(self, statuses: set[str], offset: int, limit: int) -> bytes:
        with self.lock:
            self.stats["list"] += 1
            matching = [p["id"] for p in self.postings if p["status"] in statuses]
        chosen = matching[offset : offset + limit]
        items = ",".join(self.rendered[i] for i in chosen)
        head = f'{{"offset":{offset},"limit":{limit},"totalFound":{len(matching)},"content":['
        return (head + items + "]}").encode()

    def report(self, posting_id: str, status: str) -> bool:
        with self.lock:
            self.stats["put"] += 1
            posting = self.by_id.get(posting_id)
            if posting is None:
                return False
            posting["status"] = status
            self.rendered[posting_id] = json.dumps(posting)
            return True


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the transport's pool expects
    feed: Feed

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _send(self, status: int, body: bytes = b"", content_type: str = "application/json"):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        feed = self.feed
        if parts.path == "/feed/publications":
            statuses = set(",".join(query.get("status", ["Pending"])).split(","))
            offset = int(query.get("offset", ["0"])[0])
            limit = int(query.get("limit", ["100"])[0])
            self._send(200, feed.page(statuses, offset, limit))
        elif parts.path.startswith("/feed/publications/"):
            posting_id = parts.path.rsplit("/", 1)[1]
            with feed.lock:
                feed.stats["get"] += 1
                body = feed.rendered.get(posting_id)
            self._send(200, body.encode()) if body else self._send(404, b"{}")
        elif parts.path == "/v1/offers":
            with feed.lock:
                feed.stats["offer"] += 1
            posting_id = query.get("postingId", [""])[0]
            empty = b'{"limit":100,"offset":0,"totalFound":0,"content":[]}'
            self._send(200, feed.offers.get(posting_id, empty))
        elif parts.path == "/_stats":
            with feed.lock:
                self._send(200, json.dumps(feed.stats).encode())
        else:
            self._send(404, b"{}")

    def do_PUT(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}")
        posting_id = urlsplit(self.path).path.rsplit("/", 1)[1]
        found = self.feed.report(posting_id, str(body.get("status", "")))
        self._send(204 if found else 404)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postings", type=int, default=1000)
    parser.add_argument("--port", type=int, default=0)
    # Posting ids start here: stubs started one after the other can share a database.
    parser.add_argument("--first-id", type=int, default=3_000_000_000)
    args = parser.parse_args()
    Handler.feed = Feed(args.postings, first=args.first_id)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    print(f"port {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
