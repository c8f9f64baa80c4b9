"""The one client-address rule, used by every rate limit and log line."""

from __future__ import annotations

from django.test import RequestFactory

from jobboard.clientaddr import client_address


def test_the_address_is_the_connections_remote_addr() -> None:
    request = RequestFactory().get("/", REMOTE_ADDR="203.0.113.7")

    assert client_address(request) == "203.0.113.7"


def test_a_forwarded_for_header_is_not_trusted() -> None:
    # Any client can send the header; only a trusted proxy's rewrite could make it true.
    request = RequestFactory().get(
        "/", REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="198.51.100.1"
    )

    assert client_address(request) == "203.0.113.7"


def test_a_request_without_an_address_is_unknown() -> None:
    request = RequestFactory().get("/", REMOTE_ADDR="")

    assert client_address(request) == "unknown"
