"""The transport goes through the proxy the environment names, as httpx.Client did."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from partner.smartrecruiters.auth import SmartTokenAuth
from partner.smartrecruiters.transport import Transport, proxy_for

PROXY_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")


class _ProxyStub(BaseHTTPRequestHandler):
    """An HTTP proxy that answers itself: it records the absolute-form request lines."""

    seen: list[str] = []

    def do_GET(self) -> None:
        self.seen.append(self.path)
        body = b'{"content": [], "totalFound": 0}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def no_proxy_env(monkeypatch) -> None:
    for name in PROXY_VARS:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


@pytest.fixture
def proxy(no_proxy_env) -> Iterator[str]:
    _ProxyStub.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _ProxyStub)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_requests_go_through_the_proxy_the_environment_names(proxy, settings, monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", proxy)
    # A host that does not resolve: only the proxy can answer.
    settings.SMARTRECRUITERS_API_URL = "http://smartrecruiters.invalid/api/"
    transport = Transport()
    try:
        response = transport.request(
            "GET", "feed/publications", auth=SmartTokenAuth("t" * 64), params={"limit": 1}
        )
    finally:
        transport.close()
    assert response.json() == {"content": [], "totalFound": 0}
    assert _ProxyStub.seen == ["http://smartrecruiters.invalid/api/feed/publications?limit=1"]


def test_no_proxy_and_an_unset_environment_go_direct(no_proxy_env, monkeypatch):
    assert proxy_for("https://api.smartrecruiters.com/") is None
    monkeypatch.setenv("HTTPS_PROXY", "http://egress.internal:3128")
    assert proxy_for("https://api.smartrecruiters.com/") == "http://egress.internal:3128"
    monkeypatch.setenv("NO_PROXY", "api.smartrecruiters.com")
    assert proxy_for("https://api.smartrecruiters.com/") is None
