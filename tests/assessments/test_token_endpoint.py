"""POST /sr/assessments/oauth/token (contract §7 "Serving SR: token endpoint")."""

from __future__ import annotations

import base64
import logging
from datetime import timedelta

import pytest
from django.utils import timezone

from partner.assessments.models import AccessToken
from tests.assessments.factories import Connected

URL = "/sr/assessments/oauth/token"


def _form(client, data: dict[str, str], **extra: str):
    return client.post(URL, data, content_type="application/x-www-form-urlencoded", **extra)


def _encode(data: dict[str, str]) -> str:
    from urllib.parse import urlencode

    return urlencode(data)


def _post(client, data: dict[str, str], **extra: str):
    return client.post(
        URL, _encode(data), content_type="application/x-www-form-urlencoded", **extra
    )


def _basic(client_id: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


@pytest.mark.django_db
def test_it_issues_a_bearer_token_for_the_p_pair_in_the_form_body(client, company: Connected):
    response = _post(
        client,
        {
            "grant_type": "client_credentials",
            "client_id": company.client_id,
            "client_secret": company.client_secret,
        },
    )
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert len(body["access_token"]) >= 43  # 256 bits, url-safe base64
    assert response["Cache-Control"] == "no-store"
    stored = AccessToken.objects.get()
    assert stored.token_hash != body["access_token"]
    assert body["access_token"] not in stored.token_hash


@pytest.mark.django_db
def test_it_accepts_the_p_pair_in_http_basic(client, company: Connected):
    response = _post(
        client,
        {"grant_type": "client_credentials"},
        HTTP_AUTHORIZATION=_basic(company.client_id, company.client_secret),
    )
    assert response.status_code == 200
    assert response.json()["access_token"]


@pytest.mark.django_db
def test_it_ignores_a_scope_parameter(client, company: Connected):
    response = _post(
        client,
        {
            "grant_type": "client_credentials",
            "client_id": company.client_id,
            "client_secret": company.client_secret,
            "scope": "assessments:write nonsense",
        },
    )
    assert response.status_code == 200


@pytest.mark.django_db
def test_a_bad_secret_gets_invalid_client(client, company: Connected):
    response = _post(
        client,
        {
            "grant_type": "client_credentials",
            "client_id": company.client_id,
            "client_secret": company.client_secret[:-2] + "xx",
        },
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert "WWW-Authenticate" in response
    assert AccessToken.objects.count() == 0


@pytest.mark.django_db
def test_a_bad_secret_in_basic_gets_a_basic_challenge(client, company: Connected):
    response = _post(
        client,
        {"grant_type": "client_credentials"},
        HTTP_AUTHORIZATION=_basic(company.client_id, "wrong"),
    )
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Basic")


@pytest.mark.django_db
def test_an_unknown_client_gets_invalid_client(client, company: Connected):
    response = _post(
        client,
        {"grant_type": "client_credentials", "client_id": "p-nobody", "client_secret": "x" * 43},
    )
    assert response.status_code == 401
    assert response.json() == {"error": "invalid_client", "error_description": "Unknown client"}


@pytest.mark.django_db
def test_missing_credentials_get_invalid_client(client, company: Connected):
    response = _post(client, {"grant_type": "client_credentials"})
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


@pytest.mark.django_db
def test_a_wrong_grant_type_gets_unsupported_grant_type(client, company: Connected):
    response = _post(
        client,
        {
            "grant_type": "password",
            "client_id": company.client_id,
            "client_secret": company.client_secret,
        },
    )
    assert response.status_code == 400
    assert response.json()["error"] == "unsupported_grant_type"
    assert AccessToken.objects.count() == 0


@pytest.mark.django_db
def test_a_missing_grant_type_gets_invalid_request(client, company: Connected):
    response = _post(
        client, {"client_id": company.client_id, "client_secret": company.client_secret}
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


@pytest.mark.django_db
def test_a_json_body_gets_invalid_request(client, company: Connected):
    response = client.post(
        URL,
        {
            "grant_type": "client_credentials",
            "client_id": company.client_id,
            "client_secret": company.client_secret,
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


@pytest.mark.django_db
def test_credentials_in_both_basic_and_the_body_are_refused(client, company: Connected):
    response = _post(
        client,
        {
            "grant_type": "client_credentials",
            "client_id": company.client_id,
            "client_secret": company.client_secret,
        },
        HTTP_AUTHORIZATION=_basic(company.client_id, company.client_secret),
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


@pytest.mark.django_db
def test_a_disconnected_company_gets_no_token(client, company: Connected):
    from partner.assessments.integrations import integration_disconnect

    integration_disconnect(integration=company.integration)
    response = _post(
        client,
        {
            "grant_type": "client_credentials",
            "client_id": company.client_id,
            "client_secret": company.client_secret,
        },
    )
    assert response.status_code == 401


@pytest.mark.django_db
def test_an_issued_token_stops_working_when_it_expires(client, company: Connected):
    response = _post(
        client,
        {
            "grant_type": "client_credentials",
            "client_id": company.client_id,
            "client_secret": company.client_secret,
        },
    )
    token = response.json()["access_token"]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    assert client.get("/sr/assessments/packages", **auth).status_code == 204
    AccessToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    expired = client.get("/sr/assessments/packages", **auth)
    assert expired.status_code == 401
    assert expired["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.django_db
def test_no_secret_or_token_reaches_the_logs(client, company: Connected, caplog):
    caplog.set_level(logging.DEBUG)
    good = _post(
        client,
        {
            "grant_type": "client_credentials",
            "client_id": company.client_id,
            "client_secret": company.client_secret,
        },
    )
    token = good.json()["access_token"]
    _post(
        client,
        {
            "grant_type": "client_credentials",
            "client_id": company.client_id,
            "client_secret": "not-" + company.client_secret,
        },
    )
    client.get("/sr/assessments/packages", HTTP_AUTHORIZATION=f"Bearer {token}")
    client.get("/sr/assessments/packages", HTTP_AUTHORIZATION=f"Bearer x{token}")
    logged = caplog.text + " ".join(str(r.args) for r in caplog.records)
    assert company.client_secret not in logged
    assert token not in logged
    assert "Bearer" not in logged
