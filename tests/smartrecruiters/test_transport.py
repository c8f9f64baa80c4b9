"""The shared transport against respx-faked SmartRecruiters (edge cases of the client)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest
import respx

from partner.smartrecruiters import errors
from partner.smartrecruiters.auth import BearerAuth, NoAuth, SmartTokenAuth
from partner.smartrecruiters.transport import Transport, parse_retry_after

API = "https://sr.test/api"
TOKEN = "t0ken-" + "x" * 58


@pytest.fixture(autouse=True)
def _fast_settings(settings):
    settings.SMARTRECRUITERS_API_URL = API
    settings.SMARTRECRUITERS_BACKOFF_BASE = 0.001
    settings.SMARTRECRUITERS_BACKOFF_CAP = 0.01
    settings.SMARTRECRUITERS_MAX_RETRIES = 3
    settings.SMARTRECRUITERS_RATE_PER_SECOND = 1000.0
    settings.SMARTRECRUITERS_MAX_IN_FLIGHT = 8


@pytest.fixture
def transport():
    t = Transport()
    yield t
    t.close()


@pytest.fixture
def auth():
    return SmartTokenAuth(TOKEN)


@respx.mock
def test_it_sends_the_smart_token_header_and_never_an_api_key_query(transport, auth):
    route = respx.get(f"{API}/feed/publications").respond(200, json={"jobs": []})
    transport.request("GET", "/feed/publications", auth=auth, params={"status": "Pending"})
    request = route.calls.last.request
    assert request.headers["X-SmartToken"] == TOKEN
    assert request.headers["Accept"] == "application/json"
    assert "apiKey" not in str(request.url)
    assert request.url.params["status"] == "Pending"


@respx.mock
def test_it_sends_a_bearer_token_for_bearer_auth(transport):
    route = respx.get(f"{API}/x").respond(200, json={})
    transport.request("GET", "x", auth=BearerAuth("abc123"))
    assert route.calls.last.request.headers["Authorization"] == "Bearer abc123"


@respx.mock
def test_it_joins_relative_paths_to_the_api_url_read_at_call_time(transport, auth, settings):
    settings.SMARTRECRUITERS_API_URL = "https://other.test/sandbox"
    route = respx.get("https://other.test/sandbox/v1/offers").respond(200, json={})
    transport.request("GET", "/v1/offers", auth=auth)
    assert route.called


def test_it_refuses_absolute_urls_on_another_host(transport, auth):
    with pytest.raises(errors.PermanentError):
        transport.request("GET", "https://evil.test/steal", auth=auth)


@respx.mock
def test_it_accepts_absolute_urls_on_the_api_host(transport, auth):
    route = respx.get(f"{API}/feed/publications/1").respond(200, json={"id": "1"})
    response = transport.request("GET", f"{API}/feed/publications/1", auth=auth)
    assert route.called
    assert response.json() == {"id": "1"}


@respx.mock
def test_it_retries_a_429_and_then_succeeds(transport, auth):
    route = respx.get(f"{API}/x").mock(
        side_effect=[httpx.Response(429, json={"code": "rate_limit_exceeded"}),
                     httpx.Response(200, json={"ok": True})]
    )  # fmt: skip
    response = transport.request("GET", "/x", auth=auth)
    assert route.call_count == 2
    assert response.json() == {"ok": True}
    assert response.attempts == 2


@respx.mock
def test_it_honours_retry_after_seconds(transport, auth, monkeypatch):
    slept: list[float] = []
    monkeypatch.setattr("partner.smartrecruiters.transport.time.sleep", slept.append)
    respx.get(f"{API}/x").mock(
        side_effect=[httpx.Response(429, headers={"Retry-After": "0.005"}),
                     httpx.Response(200, json={})]
    )  # fmt: skip
    transport.request("GET", "/x", auth=auth)
    assert 0.005 in slept


@respx.mock
def test_it_gives_up_at_once_when_retry_after_is_longer_than_the_backoff_cap(transport, auth):
    route = respx.get(f"{API}/x").respond(429, headers={"Retry-After": "3600"})
    with pytest.raises(errors.RateLimitedError) as caught:
        transport.request("GET", "/x", auth=auth)
    assert route.call_count == 1
    assert caught.value.retry_after == 3600


def test_retry_after_is_read_as_seconds_or_an_http_date():
    now = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    later = format_datetime(now + timedelta(seconds=30), usegmt=True)
    assert parse_retry_after("2") == 2.0
    assert parse_retry_after(later, now=now) == 30.0
    assert parse_retry_after("nonsense") is None
    assert parse_retry_after(None) is None


@pytest.mark.parametrize("status", [500, 502, 503, 504])
@respx.mock
def test_it_retries_server_errors_a_bounded_number_of_times(transport, auth, status):
    route = respx.get(f"{API}/x").respond(status, text="<html>Bad gateway</html>")
    with pytest.raises(errors.ServerError) as caught:
        transport.request("GET", "/x", auth=auth)
    assert route.call_count == 4  # 1 + SMARTRECRUITERS_MAX_RETRIES
    assert caught.value.status == status
    assert not caught.value.permanent


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, errors.BadRequestError),
        (401, errors.AuthenticationError),
        (403, errors.AuthenticationError),
        (404, errors.NotFoundError),
        (422, errors.BadRequestError),
    ],
)
@respx.mock
def test_it_never_retries_permanent_errors(transport, auth, status, cls):
    route = respx.put(f"{API}/x").respond(status, json={"code": "nope", "message": "no"})
    with pytest.raises(cls) as caught:
        transport.request("PUT", "/x", auth=auth, json={"status": "Active"})
    assert route.call_count == 1
    assert caught.value.permanent


@respx.mock
def test_it_retries_timeouts_and_dropped_connections(transport, auth):
    route = respx.get(f"{API}/x").mock(
        side_effect=[httpx.ReadTimeout("slow"), httpx.RemoteProtocolError("reset"),
                     httpx.ConnectError("refused"), httpx.Response(200, json={})]
    )  # fmt: skip
    transport.request("GET", "/x", auth=auth)
    assert route.call_count == 4


@respx.mock
def test_it_raises_a_network_error_when_timeouts_persist(transport, auth):
    respx.get(f"{API}/x").mock(side_effect=httpx.ReadTimeout("slow"))
    with pytest.raises(errors.NetworkError):
        transport.request("GET", "/x", auth=auth)


@respx.mock
def test_it_retries_a_truncated_json_body_on_get(transport, auth):
    route = respx.get(f"{API}/x").mock(
        side_effect=[
            httpx.Response(
                200, content=b'{"jobs": [', headers={"Content-Type": "application/json"}
            ),
            httpx.Response(200, json={"jobs": []}),
        ]
    )
    assert transport.request("GET", "/x", auth=auth).json() == {"jobs": []}
    assert route.call_count == 2


@respx.mock
def test_it_accepts_an_empty_2xx_on_put(transport, auth):
    respx.put(f"{API}/x").respond(204)
    response = transport.request("PUT", "/x", auth=auth, json={"status": "Inactive"})
    assert response.status == 204
    assert response.json() is None


@respx.mock
def test_max_retries_zero_means_a_single_attempt(transport, auth):
    route = respx.post(f"{API}/x").respond(503)
    with pytest.raises(errors.ServerError):
        transport.request("POST", "/x", auth=auth, json={}, max_retries=0)
    assert route.call_count == 1


@respx.mock
def test_it_reports_every_attempt_to_the_hook(transport, auth):
    respx.get(f"{API}/x").mock(side_effect=[httpx.Response(500), httpx.Response(200, json={})])
    attempts = []
    transport.request("GET", "/x", auth=auth, on_attempt=attempts.append)
    assert [(a.number, a.status, a.will_retry) for a in attempts] == [
        (1, 500, True),
        (2, 200, False),
    ]


@respx.mock
def test_bad_request_errors_are_parsed_from_every_body_shape(transport, auth):
    shapes = [
        {"id": "1", "httpCode": "400", "code": "invalid_status_transition", "message": "no"},
        [{"code": "BAD_FIELD", "message": "first"}],
        {"message": "Validation failed", "errors": [{"code": "X", "message": "y"}]},
    ]
    for body in shapes:
        respx.put(f"{API}/x").respond(400, json=body)
        with pytest.raises(errors.BadRequestError) as caught:
            transport.request("PUT", "/x", auth=auth, json={})
        assert caught.value.errors
    respx.put(f"{API}/x").respond(400, text="<html>nope</html>")
    with pytest.raises(errors.BadRequestError) as caught:
        transport.request("PUT", "/x", auth=auth, json={})
    assert caught.value.errors == []
    assert caught.value.code is None


@respx.mock
def test_the_marketplace_error_code_is_kept(transport, auth):
    respx.put(f"{API}/x").respond(
        400, json={"httpCode": "400", "code": "invalid_status_transition", "message": "toUnpost"}
    )
    with pytest.raises(errors.BadRequestError) as caught:
        transport.request("PUT", "/x", auth=auth, json={})
    assert caught.value.code == "invalid_status_transition"


@respx.mock
def test_secrets_never_reach_logs_or_error_text(transport, auth, caplog):
    respx.get(f"{API}/x").respond(401, json={"message": f"bad key {TOKEN}"})
    with (
        caplog.at_level(logging.DEBUG, logger="partner.smartrecruiters"),
        pytest.raises(errors.AuthenticationError) as caught,
    ):
        transport.request("GET", "/x", auth=auth)
    assert TOKEN not in caplog.text
    assert TOKEN not in str(caught.value)
    assert TOKEN not in caught.value.body_excerpt
    assert TOKEN not in repr(auth)


def test_each_credential_gets_its_own_budget_key_and_the_key_hides_the_secret():
    one, two = SmartTokenAuth("a" * 64), SmartTokenAuth("b" * 64)
    assert one.throttle_key != two.throttle_key
    assert "a" * 10 not in one.throttle_key
    assert one.throttle_key == SmartTokenAuth("a" * 64).throttle_key
    assert BearerAuth("tok", throttle_key="company:1").throttle_key == "company:1"
    assert NoAuth().throttle_key == "anonymous"


def test_a_missing_partner_token_is_a_permanent_error():
    with pytest.raises(errors.PermanentError):
        SmartTokenAuth("")


def test_unknown_statuses_fall_back_by_class():
    assert errors.error_class_for_status(507) is errors.ServerError
    assert errors.error_class_for_status(501) is errors.PermanentError
    assert errors.error_class_for_status(409) is errors.PermanentError


def test_a_connection_error_names_the_url_it_could_not_reach(settings, transport, auth):
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.SMARTRECRUITERS_API_URL = f"http://127.0.0.1:{port}/sandbox"
    settings.SMARTRECRUITERS_MAX_RETRIES = 0
    with pytest.raises(errors.NetworkError) as caught:
        transport.request("GET", "/feed/publications", auth=auth, params={"apiKey": "k"})
    message = str(caught.value)
    assert f"GET http://127.0.0.1:{port}/sandbox/feed/publications" in message
    assert "apiKey" not in message


@respx.mock
@pytest.mark.django_db
def test_every_attempt_is_counted_per_api_endpoint_and_outcome(transport, auth):
    from jobboard.operations import callstats
    from jobboard.operations.models import CallStat

    respx.get(f"{API}/feed/publications/p-1").mock(
        side_effect=[httpx.Response(503), httpx.Response(200, json={"id": "p-1"})]
    )
    respx.post(f"{API}/postings/u-1/candidates").respond(401, json={"message": "no"})
    transport.request("GET", "/feed/publications/p-1", auth=auth)
    with pytest.raises(errors.AuthenticationError):
        transport.request("POST", "/postings/u-1/candidates", auth=auth, json={})
    callstats.flush()
    rows = set(CallStat.objects.values_list("api", "outcome", "count"))
    assert rows == {("feed", "5xx", 1), ("feed", "2xx", 1), ("apply", "401/403", 1)}


def test_each_request_waits_in_the_queue_of_its_kind_of_work(settings):
    from partner.smartrecruiters.budget import Work
    from partner.smartrecruiters.transport import work_of

    settings.SMARTRECRUITERS_API_URL = "https://api.example.test/base"
    assert work_of("/base/feed/publications/12") == Work.FEED
    assert work_of("/base/v1/offers") == Work.FEED
    assert work_of("/base/postings/u-1/candidates") == Work.APPLY
    assert work_of("/base/postings/u-1/configuration") == Work.APPLY
    assert work_of("/base/postings/u-1/candidates/c-1/status") == Work.STATUS
    assert work_of("/base/assessment-api/v202010/partner/orders/o-1") == Work.ASSESSMENT
    assert work_of("/base/identity/oauth/token") == Work.ASSESSMENT


# -- What httpx did for us, done by the transport (requests without a form) ----------------
@pytest.mark.parametrize(
    ("path", "params", "query"),
    [
        (
            "/v1/offers",
            {"q": "data engineer", "on": True, "off": False, "n": 1, "no": None, "id": ["a", "b"]},
            b"q=data+engineer&on=true&off=false&n=1&no=&id=a&id=b",
        ),
        ("/v1/offers?kept=1", None, b"kept=1"),
        ("/v1/offers?replaced=1", {"limit": 100}, b"limit=100"),
        ("/v1/offers", None, b""),
    ],
)
@respx.mock
def test_the_query_string_is_what_httpx_sends(transport, auth, path, params, query):
    route = respx.get(url__startswith=f"{API}/v1/offers").respond(200, json={})
    transport.request("GET", path, auth=auth, params=params)
    url = route.calls.last.request.url
    assert url.path == "/api/v1/offers"
    assert url.query == query


@respx.mock
def test_host_and_content_length_are_sent(transport, auth):
    put = respx.put(f"{API}/feed/publications/7").respond(204)
    post = respx.post(f"{API}/x").respond(200, json={})
    get = respx.get(f"{API}/y").respond(200, json={})
    transport.request("PUT", "/feed/publications/7", auth=auth, json={"status": "Active"})
    transport.request("POST", "/x", auth=auth)
    transport.request("GET", "/y", auth=auth)
    sent = put.calls.last.request
    assert sent.headers["Host"] == "sr.test"
    assert sent.headers["Content-Type"] == "application/json"
    assert sent.content == b'{"status":"Active"}'
    assert sent.headers["Content-Length"] == str(len(sent.content))
    assert post.calls.last.request.headers["Content-Length"] == "0"
    assert "Content-Length" not in get.calls.last.request.headers


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "raw-deflate"])
@respx.mock
def test_compressed_bodies_are_decoded(transport, auth, encoding):
    import gzip
    import zlib

    body = b'{"id": "p-1", "name": "Zo\xc3\xab"}'
    packed = {
        "gzip": gzip.compress(body),
        "deflate": zlib.compress(body),
        "raw-deflate": zlib.compress(body)[2:-4],
    }[encoding]
    respx.get(f"{API}/x").respond(
        200, content=packed, headers={"Content-Encoding": encoding.removeprefix("raw-")}
    )
    response = transport.request("GET", "/x", auth=auth)
    assert response.json() == {"id": "p-1", "name": "Zoë"}
    assert response.headers["content-encoding"] == encoding.removeprefix("raw-")


@respx.mock
def test_a_body_that_does_not_decode_is_an_error_not_garbage(transport, auth):
    # A stream, not content: respx would decode the content itself.
    answer = httpx.Response(
        200, headers={"Content-Encoding": "gzip"}, stream=httpx.ByteStream(b"not gzip")
    )
    respx.get(f"{API}/x").mock(return_value=answer)
    with pytest.raises(errors.PermanentError, match="DecodingError"):
        transport.request("GET", "/x", auth=auth, max_retries=0)


@respx.mock
def test_a_form_with_a_file_still_goes_through_httpx(transport, auth):
    route = respx.post(f"{API}/upload").respond(201, json={"ok": True})
    transport.request(
        "POST",
        "/upload",
        auth=auth,
        data={"name": "cv"},
        files={"file": ("cv.pdf", b"%PDF-1.4", "application/pdf")},
    )
    sent = route.calls.last.request
    assert sent.headers["Content-Type"].startswith("multipart/form-data")
    assert b"%PDF-1.4" in sent.content


@respx.mock
def test_a_url_with_characters_to_encode_is_left_to_httpx(transport, auth):
    route = respx.get(f"{API}/x%20y").respond(200, json={})
    transport.request("GET", "/x y", auth=auth)
    assert route.calls.last.request.url.raw_path == b"/api/x%20y"


@respx.mock
def test_the_host_header_names_the_port_the_url_names(transport, auth, settings):
    settings.SMARTRECRUITERS_API_URL = "http://127.0.0.1:8765/api"
    route = respx.get("http://127.0.0.1:8765/api/x").respond(200, json={})
    transport.request("GET", "/x", auth=auth)
    assert route.calls.last.request.headers["Host"] == "127.0.0.1:8765"


def test_an_ipv6_host_is_bracketed_in_the_host_header():
    from partner.smartrecruiters.transport import _host_header

    assert _host_header("::1", 8000) == "[::1]:8000"
    assert _host_header("sr.test", None) == "sr.test"
