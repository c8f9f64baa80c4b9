"""Fault injection: every fault, its scope, its count, after-commit, outage, html_5xx."""

from __future__ import annotations

import json

import httpx
import pytest

from partner.sandbox import in_flight
from partner.sandbox.models import SandboxCandidate

from .test_apply import valid_body


def test_server_error_faults_answer_with_a_marketplace_body(api, sandbox, posting):
    for status in (500, 502, 503, 504):
        sandbox.set_switches(fault=str(status))
        response = api.get("/feed/publications", params={"status": "Pending"})
        assert response.status_code == status
        assert response.json()["httpCode"] == str(status)
        assert response.json()["code"] == "internal_error"
        assert "X-RateLimit-Limit" in response.headers


def test_server_error_faults_on_the_application_api_use_its_shape(api, sandbox, posting):
    sandbox.set_switches(fault="503")
    response = api.get(f"/postings/{posting.job.uuid}/configuration")
    assert response.status_code == 503
    assert response.json()["code"] == "APPLY_API_ERROR"


def test_html_5xx_sends_a_gateway_page(api, sandbox, posting):
    sandbox.set_switches(fault="502", html_5xx=True)
    response = api.get("/feed/publications", params={"status": "Pending"})
    assert response.status_code == 502
    assert response.headers["content-type"].startswith("text/html")
    assert "502 Bad Gateway" in response.text


def test_fault_429_without_and_with_retry_after(api, sandbox, posting):
    sandbox.set_switches(fault="429")
    plain = api.get("/feed/publications", params={"status": "Pending"})
    assert plain.status_code == 429
    assert plain.json()["code"] == "rate_limit_exceeded"
    assert "Retry-After" not in plain.headers
    assert plain.headers["X-RateLimit-Remaining"] == "0"
    sandbox.set_switches(fault="429_retry_after", retry_after_seconds=7)
    later = api.get("/feed/publications", params={"status": "Pending"})
    assert later.status_code == 429
    assert later.headers["Retry-After"] == "7"


def test_a_429_on_the_application_api_has_a_marketplace_body(api, sandbox, posting):
    sandbox.set_switches(fault="429")
    response = api.get(f"/postings/{posting.job.uuid}/configuration")
    assert response.status_code == 429
    assert response.json()["httpCode"] == "429"


def test_malformed_json_truncates_a_2xx_body(api, sandbox, posting):
    sandbox.set_switches(fault="malformed_json")
    response = api.get("/feed/publications", params={"status": "Pending"})
    assert response.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.content)
    # Error answers are left as they are.
    assert api.get("/feed/publications/1").status_code == 404


def test_slow_delays_then_answers(api, sandbox, posting):
    sandbox.set_switches(fault="slow", slow_seconds=0.3)
    response = api.get("/feed/publications", params={"status": "Pending"})
    assert response.status_code == 200
    assert response.elapsed.total_seconds() >= 0.3
    assert sandbox.journal(endpoint="feed.list")[0].fault == "slow"


def test_slow_beyond_the_client_timeout_is_a_read_timeout(sandbox, posting):
    sandbox.set_switches(fault="slow", slow_seconds=1.5)
    with (
        httpx.Client(base_url=sandbox.url, headers={"X-SmartToken": sandbox.token}) as client,
        pytest.raises(httpx.ReadTimeout),
    ):
        client.get("/feed/publications", params={"status": "Pending"}, timeout=0.5)
    # The client has moved on; the sandbox has not: it finishes the view and its journal
    # row later, and says so until then (the sandbox fixture waits on it after each test).
    assert in_flight.count() == 1
    assert not sandbox.journal(endpoint="feed.list")
    assert in_flight.wait_idle(timeout=10)
    assert sandbox.journal(endpoint="feed.list")[0].status == 200


def test_reset_drops_the_connection(api, sandbox, posting):
    sandbox.set_switches(fault="reset")
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        api.get("/feed/publications", params={"status": "Pending"})
    entry = sandbox.journal(endpoint="feed.list")[0]
    assert entry.fault == "reset"
    assert entry.status is None
    # The server keeps serving afterwards.
    sandbox.set_switches(fault=None)
    assert api.get("/feed/publications", params={"status": "Pending"}).status_code == 200


def test_timeout_holds_then_drops_the_connection(api, sandbox, posting):
    sandbox.set_switches(fault="timeout", timeout_seconds=0.2)
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        api.get("/feed/publications", params={"status": "Pending"})
    assert sandbox.journal(endpoint="feed.list")[0].fault == "timeout"


def test_fault_scope_limits_the_fault_to_named_endpoints(api, sandbox, posting):
    sandbox.set_switches(fault="500", fault_scope=["offers.list", "apply"])
    assert api.get("/feed/publications", params={"status": "Pending"}).status_code == 200
    assert api.get("/v1/offers", params={"postingId": posting.id}).status_code == 500
    assert api.get(f"/postings/{posting.job.uuid}/configuration").status_code == 500


def test_fault_scope_separates_get_and_put_on_the_same_url(api, sandbox, posting):
    sandbox.set_switches(fault="503", fault_scope="feed.put")
    assert api.get(f"/feed/publications/{posting.id}").status_code == 200
    assert api.put(f"/feed/publications/{posting.id}", json={"status": "Active"}).status_code == 503


def test_fault_count_faults_the_next_n_requests_then_switches_off(api, sandbox, posting):
    sandbox.set_switches(fault="502", fault_count=2)
    statuses = [
        api.get("/feed/publications", params={"status": "Pending"}).status_code for _ in range(3)
    ]
    assert statuses == [502, 502, 200]
    assert sandbox.get_switches()["fault"] is None


def test_fault_count_only_counts_requests_in_scope(api, sandbox, posting):
    sandbox.set_switches(fault="500", fault_count=1, fault_scope=["offers.list"])
    assert api.get("/feed/publications", params={"status": "Pending"}).status_code == 200
    assert api.get("/v1/offers", params={"postingId": posting.id}).status_code == 500
    assert api.get("/v1/offers", params={"postingId": posting.id}).status_code == 200


def test_fault_probability(api, sandbox, posting):
    for probability, expected in ((0.0, 200), (1.0, 500)):
        sandbox.set_switches(fault="500", fault_probability=probability)
        response = api.get("/feed/publications", params={"status": "Pending"})
        assert response.status_code == expected


def test_fault_after_commit_applies_the_put_then_loses_the_response(api, sandbox, posting):
    sandbox.set_switches(fault="502", fault_after_commit=True, fault_scope=["feed.put"])
    response = api.put(
        f"/feed/publications/{posting.id}", json={"status": "Active", "liveUrl": "https://b/1"}
    )
    assert response.status_code == 502
    posting.refresh_from_db()
    assert posting.status == "Active"


def test_fault_after_commit_with_reset_stores_the_application(api, sandbox):
    from partner.sandbox.configuration import question_id

    posting = sandbox.create_posting(name="Apply")
    ids = {k: question_id(posting.job.uuid, k) for k in ("permit", "contract", "rate",
                                                          "accurate", "gender")}  # fmt: skip
    sandbox.set_switches(fault="reset", fault_after_commit=True, fault_scope="apply.candidates")
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        api.post(f"/postings/{posting.job.uuid}/candidates", json=valid_body(ids))
    assert SandboxCandidate.objects.count() == 1
    # The retry gets the same ids: the duplicate rule makes it safe.
    sandbox.set_switches(fault=None)
    retried = api.post(f"/postings/{posting.job.uuid}/candidates", json=valid_body(ids))
    assert retried.status_code == 200
    assert retried.json()["id"] == str(SandboxCandidate.objects.get().candidate_id)


def test_without_after_commit_a_faulted_put_changes_nothing(api, sandbox, posting):
    sandbox.set_switches(fault="500", fault_scope=["feed.put"])
    api.put(f"/feed/publications/{posting.id}", json={"status": "Active", "liveUrl": "u"})
    posting.refresh_from_db()
    assert posting.status == "Pending"


def test_outage_answers_503_to_everything_even_without_a_key(api, anonymous, sandbox, posting):
    sandbox.set_switches(outage=True)
    assert api.get("/feed/publications").status_code == 503
    assert anonymous.get("/feed/publications").status_code == 503
    assert api.get(f"/postings/{posting.job.uuid}/configuration").status_code == 503
    assert sandbox.journal()[0].fault == "outage"


def test_switches_come_from_settings_defaults(api, sandbox, settings, posting):
    settings.SANDBOX_SWITCHES = {"fault": "504"}
    assert api.get("/feed/publications", params={"status": "Pending"}).status_code == 504
    sandbox.set_switches(fault=None)
    assert api.get("/feed/publications", params={"status": "Pending"}).status_code == 200


def test_bad_switch_values_are_refused(sandbox):
    from partner.sandbox.state import SwitchError

    cases = [
        {"no_such_switch": True},
        {"fault": "418"},
        {"rate_limit": "yes"},
        {"error_envelope": "xml"},
        {"fault_count": -1},
        {"fault_probability": 2},
        {"fault_scope": 5},
        {"slow_seconds": -1},
    ]
    for switches in cases:
        with pytest.raises(SwitchError):
            sandbox.set_switches(**switches)
    assert sandbox.get_switches()["fault"] is None
