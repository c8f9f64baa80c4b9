"""URL safety: which links we show, and which host may receive our credentials."""

from __future__ import annotations

import pytest

from jobboard.safeurl import http_link, same_host, same_origin


@pytest.mark.parametrize(
    "url",
    [
        "https://jobs.smartrecruiters.com/Acme/743999000001?oga=true",
        "http://example.org/video",
        "HTTPS://Example.org/",
    ],
)
def test_absolute_http_links_are_kept(url):
    assert http_link(url) == url


def test_surrounding_blanks_are_trimmed():
    assert http_link("  https://example.org/a \n") == "https://example.org/a"


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "//example.org/no-scheme",
        "/relative",
        "https://",
        "http:///path-without-host",
        "https://exa mple.org/",
        "https://example.org\\@evil.test/",
        "https://[::1/broken-ipv6",
        "",
        None,
    ],
)
def test_anything_else_is_dropped(url):
    assert http_link(url) == ""


def test_links_are_bounded_in_length_unless_the_caller_lifts_the_bound():
    long = "https://example.org/" + "a" * 500
    assert http_link(long) == ""
    assert http_link(long, max_length=None) == long


API = "https://api.smartrecruiters.com/v1"


@pytest.mark.parametrize(
    "url",
    ["https://api.smartrecruiters.com/feed/publications/1", "https://API.smartrecruiters.com/x"],
)
def test_urls_on_the_api_origin_may_receive_credentials(url):
    assert same_origin(url, API)


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.test/steal",
        "http://api.smartrecruiters.com/downgraded",
        "https://api.smartrecruiters.com:8443/other-port",
        "https://user@api.smartrecruiters.com/userinfo",
        "https://api.smartrecruiters.com.evil.test/lookalike",
    ],
)
def test_urls_elsewhere_may_not(url):
    assert not same_origin(url, API)


def test_same_host_ignores_the_scheme_but_not_the_port():
    assert same_host("http://api.smartrecruiters.com/x", API)
    assert not same_host("https://api.smartrecruiters.com:8443/x", API)
