"""Every endpoint SR calls needs a live Bearer token of the right company (§7)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from partner.assessments.models import AccessToken, Order
from tests.assessments.factories import Connected, fullstack_package, issue_token, order_body

COMPANY = "5f1c0c2e9b1d4a0012345678"


def _inline_body() -> dict[str, object]:
    body = order_body()
    body.pop("requester")
    body["candidate"].pop("id")  # type: ignore[union-attr]
    body["completedAssessmentCallbackUrl"] = "https://jobs.smartrecruiters.com/acme/apply/complete"
    return body


ENDPOINTS = [
    ("get", "/sr/assessments/packages", None),
    ("get", "/sr/assessments/packages/pkg-fullstack", None),
    ("post", "/sr/assessments/packages/orders", order_body),
    ("post", "/sr/assessments/packages/inline/orders", _inline_body),
    ("delete", f"/sr/assessments/integrations/companies/{COMPANY}", None),
]


def _call(client, method: str, url: str, body, **headers: str):
    if body is None:
        return getattr(client, method)(url, **headers)
    return getattr(client, method)(
        url, json.dumps(body()), content_type="application/json", **headers
    )


@pytest.fixture
def package(db):
    return fullstack_package()


@pytest.mark.parametrize(("method", "url", "body"), ENDPOINTS)
@pytest.mark.django_db
def test_every_endpoint_refuses_a_call_without_a_token(
    client, company: Connected, package, method, url, body
):
    response = _call(client, method, url, body)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["errors"][0]["code"] == "UNAUTHORIZED"
    assert Order.objects.count() == 0


@pytest.mark.parametrize(("method", "url", "body"), ENDPOINTS)
@pytest.mark.django_db
def test_every_endpoint_refuses_an_expired_token(
    client, company: Connected, package, method, url, body
):
    token = issue_token(company.integration)
    AccessToken.objects.update(expires_at=timezone.now() - timedelta(seconds=5))
    response = _call(client, method, url, body, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 401
    assert 'error="invalid_token"' in response["WWW-Authenticate"]
    assert set(response.json()) == {"message", "errors"}
    assert company.integration.tokens.filter(revoked_at__isnull=True).count() == 1


@pytest.mark.parametrize(("method", "url", "body"), ENDPOINTS)
@pytest.mark.django_db
def test_every_endpoint_refuses_a_made_up_token(
    client, company: Connected, package, method, url, body
):
    response = _call(client, method, url, body, HTTP_AUTHORIZATION="Bearer " + "A" * 43)
    assert response.status_code == 401


@pytest.mark.parametrize(("method", "url", "body"), ENDPOINTS)
@pytest.mark.django_db
def test_a_basic_header_is_not_a_bearer_token(
    client, company: Connected, package, method, url, body
):
    response = _call(client, method, url, body, HTTP_AUTHORIZATION=f"Basic {company.client_secret}")
    assert response.status_code == 401


@pytest.mark.django_db
def test_another_companys_token_cannot_place_an_order_for_this_company(
    client, company: Connected, other_company: Connected, package, bearer
):
    response = client.post(
        "/sr/assessments/packages/orders",
        order_body(company_id=COMPANY),
        content_type="application/json",
        **bearer(other_company),
    )
    assert response.status_code == 403
    assert response.json()["errors"][0]["code"] == "COMPANY_MISMATCH"
    assert Order.objects.count() == 0


@pytest.mark.django_db
def test_another_companys_token_cannot_reuse_an_existing_order(
    client, company: Connected, other_company: Connected, package, bearer
):
    body = order_body()
    first = client.post(
        "/sr/assessments/packages/orders", body, content_type="application/json", **bearer()
    )
    assert first.status_code == 202
    body["companyId"] = other_company.integration.company_id
    second = client.post(
        "/sr/assessments/packages/orders",
        body,
        content_type="application/json",
        **bearer(other_company),
    )
    assert second.status_code == 403


@pytest.mark.django_db
def test_another_companys_token_does_not_disconnect_this_company(
    client, company: Connected, other_company: Connected, bearer
):
    token = issue_token(company.integration)
    response = client.delete(
        f"/sr/assessments/integrations/companies/{COMPANY}", **bearer(other_company)
    )
    assert response.status_code == 204
    company.integration.refresh_from_db()
    assert company.integration.is_active
    still = client.get("/sr/assessments/packages", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert still.status_code in (200, 204)


@pytest.mark.django_db
def test_a_package_not_offered_to_the_callers_client_is_not_found(
    client, company: Connected, other_company: Connected, bearer
):
    package = fullstack_package(offered_to_all=False)
    package.clients.add(other_company.integration.client)
    assert client.get("/sr/assessments/packages/pkg-fullstack", **bearer()).status_code == 404
    assert (
        client.get("/sr/assessments/packages/pkg-fullstack", **bearer(other_company)).status_code
        == 200
    )


@pytest.mark.django_db
def test_the_openapi_schema_describes_the_endpoints(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    text = response.content.decode()
    for path in (
        "/sr/assessments/oauth/token",
        "/sr/assessments/packages",
        "/sr/assessments/packages/orders",
        "/sr/assessments/packages/inline/orders",
        "/sr/assessments/integrations/companies/{company_id}",
    ):
        assert path in text
