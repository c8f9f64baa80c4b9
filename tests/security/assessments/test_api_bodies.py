"""Finding 9: Assessment API bodies are bounded, and too much gets JSON in the API's shape."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import RequestDataTooBig

from partner.assessments.api.errors import api_exception_handler
from partner.assessments.api.parsers import MAX_BODY_BYTES
from partner.assessments.models import Order
from tests.assessments.factories import fullstack_package, order_body

ORDERS = "/sr/assessments/packages/orders"
INLINE = "/sr/assessments/packages/inline/orders"
TOKEN = "/sr/assessments/oauth/token"

pytestmark = pytest.mark.django_db


@pytest.fixture
def package(db):
    return fullstack_package()


def _with(**changes: object) -> dict:
    body = order_body()
    body.update(changes)
    return body


def _candidate(**changes: object) -> dict:
    candidate = dict(order_body()["candidate"])  # type: ignore[call-overload]
    candidate.update(changes)
    return candidate


BODY_ATTACKS = {
    "a 5,000-character field id (the finding)": _with(fields={"k" * 5000: "x"}),
    "a 50 KB field value": _with(fields={"cost-center": "x" * 50_000}),
    "a field value just over 1,000 characters": _with(fields={"cost-center": "x" * 1001}),
    "a field id just over 100 characters": _with(fields={"k" * 101: "x"}),
    "an empty field id": _with(fields={"": "x"}),
    "six fields (the configuration allows five)": _with(fields={f"f{n}": "x" for n in range(6)}),
    "a field value that is an object": _with(fields={"cost-center": {"nested": "x" * 100}}),
    "fields that are a list": _with(fields=["x"] * 10),
    "an over-long candidate id": _with(candidate=_candidate(id="c" * 101)),
    "an over-long candidate email": _with(candidate=_candidate(email="a" * 320 + "@example.org")),
    "an over-long requester": _with(requester={"userId": "u" * 101, "email": "r@example.org"}),
    "an over-long company id": _with(companyId="5" * 65),
}


@pytest.mark.parametrize("body", BODY_ATTACKS.values(), ids=BODY_ATTACKS.keys())
def test_an_order_outside_the_bounds_is_refused_with_a_field_error(
    client, company, package, bearer, queued, body
):
    response = client.post(ORDERS, body, content_type="application/json", **bearer())
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    error = response.json()
    assert error["errors"][0]["code"] == "INVALID_FIELD"
    assert Order.objects.count() == 0
    assert queued.calls == []


def test_a_100_kb_field_value_is_refused_as_too_large_a_body(
    client, company, package, bearer, queued
):
    """The finding's value: past the body's bound, so it is not even parsed."""
    body = _with(fields={"cost-center": "x" * 100_000})
    response = client.post(ORDERS, body, content_type="application/json", **bearer())
    assert response.status_code == 413
    assert response.json()["errors"][0]["code"] == "BODY_TOO_LARGE"
    assert Order.objects.count() == 0


def test_five_fields_at_their_longest_are_accepted(client, company, package, bearer):
    fields = {f"{n}".rjust(100, "f"): "v" * 1000 for n in range(5)}
    response = client.post(
        ORDERS, _with(fields=fields), content_type="application/json", **bearer()
    )
    assert response.status_code == 202
    assert Order.objects.get().fields == fields


@pytest.mark.parametrize("endpoint", [ORDERS, INLINE])
def test_an_oversized_body_gets_413_json_in_the_apis_shape(
    client, company, package, bearer, endpoint
):
    body = _with(padding="x" * (MAX_BODY_BYTES + 1))
    response = client.post(endpoint, body, content_type="application/json", **bearer())
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "message": "Request body too large",
        "errors": [{"code": "BODY_TOO_LARGE", "message": "The request body may be at most 64 KB"}],
    }
    assert Order.objects.count() == 0


def test_the_parser_stops_reading_past_the_bound_whatever_the_length_says():
    """A body longer than it declared (or one read without a length) is cut off while read."""
    import io

    from partner.assessments.api.parsers import BodyTooLarge, BoundedJSONParser

    stream = io.BytesIO(json.dumps({"padding": "x" * (MAX_BODY_BYTES + 1)}).encode())
    with pytest.raises(BodyTooLarge):
        BoundedJSONParser().parse(stream)
    assert stream.tell() == MAX_BODY_BYTES + 1


def test_djangos_own_body_bound_is_answered_in_the_apis_shape_too():
    """RequestDataTooBig (DATA_UPLOAD_MAX_MEMORY_SIZE) is raised when something reads
    request.body; the API's handler turns it into its JSON 413, not Django's HTML 400."""
    response = api_exception_handler(RequestDataTooBig("too big"), {})
    assert response is not None
    assert response.status_code == 413
    assert response.data["errors"][0]["code"] == "BODY_TOO_LARGE"


def test_an_oversized_token_request_gets_an_oauth_error_not_a_page(client):
    body = "grant_type=client_credentials&client_id=x&client_secret=" + "s" * MAX_BODY_BYTES
    response = client.post(TOKEN, body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"] == "invalid_request"


def test_an_unauthenticated_oversized_body_learns_nothing_but_its_size(client, package):
    body = _with(padding="x" * (MAX_BODY_BYTES + 1))
    response = client.post(ORDERS, body, content_type="application/json")
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
