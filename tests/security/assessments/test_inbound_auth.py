"""Attacks that held, kept held: auth on every inbound Assessment API endpoint, and the
candidate's take link as the only key to an order (IDOR)."""

from __future__ import annotations

import base64
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from partner.assessments import integrations, tasks
from partner.assessments.models import AccessToken, Integration, Order
from tests.assessments.factories import fullstack_package, issue_token, order_body

pytestmark = pytest.mark.django_db

COMPANY = "5f1c0c2e9b1d4a0012345678"
ENDPOINTS = {
    "list packages": ("get", "/sr/assessments/packages"),
    "one package": ("get", "/sr/assessments/packages/pkg-fullstack"),
    "place an order": ("post", "/sr/assessments/packages/orders"),
    "place an inline order": ("post", "/sr/assessments/packages/inline/orders"),
    "disconnect a company": ("delete", f"/sr/assessments/integrations/companies/{COMPANY}"),
}


def _expired(company) -> str:
    return f"Bearer {issue_token(company.integration, expires_in=-1)}"


def _revoked(company) -> str:
    token = issue_token(company.integration)
    AccessToken.objects.update(revoked_at=timezone.now())
    return f"Bearer {token}"


def _disconnected(company) -> str:
    token = issue_token(company.integration)
    integrations.integration_disconnect(integration=company.integration)
    return f"Bearer {token}"


CREDENTIALS = {
    "no Authorization header": lambda company: None,
    "an empty Bearer token": lambda company: "Bearer ",
    "a made-up token": lambda company: "Bearer " + "A" * 43,
    "the P-pair as Basic credentials": lambda company: (
        "Basic "
        + base64.b64encode(f"{company.client_id}:{company.client_secret}".encode()).decode()
    ),
    "the P-pair secret as a Bearer token": lambda company: f"Bearer {company.client_secret}",
    "an expired token": _expired,
    "a revoked token": _revoked,
    "a token of a disconnected company": _disconnected,
}


@pytest.mark.parametrize(("method", "path"), ENDPOINTS.values(), ids=ENDPOINTS.keys())
@pytest.mark.parametrize("credential", CREDENTIALS.values(), ids=CREDENTIALS.keys())
def test_every_inbound_endpoint_needs_a_live_token_of_a_connected_company(
    client: Client, company, queued, method, path, credential
):
    fullstack_package()
    header = credential(company)
    headers = {"HTTP_AUTHORIZATION": header} if header else {}
    active_before = Integration.objects.get().is_active
    response = getattr(client, method)(
        path, order_body(), content_type="application/json", **headers
    )
    if method == "delete" and response.status_code == 204:
        # §7: the disconnect answers 204 to a revoked token (its own disconnect's retry),
        # and such a token changes nothing.
        assert "revoked" in credential.__name__ or "disconnected" in credential.__name__
        assert Integration.objects.get().is_active == active_before
        return
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert set(response.json()) == {"message", "errors"}
    assert Order.objects.count() == 0
    assert queued.calls == []


@pytest.mark.parametrize(
    "form",
    [
        {"grant_type": "client_credentials"},
        {"grant_type": "client_credentials", "client_id": "p-unknown", "client_secret": "x"},
        {"grant_type": "client_credentials", "client_id": "{id}", "client_secret": "wrong"},
        {"grant_type": "client_credentials", "client_id": "{id}", "client_secret": ""},
    ],
)
def test_the_token_endpoint_gives_nothing_for_wrong_client_credentials(client, company, form):
    form = {k: v.replace("{id}", company.client_id) for k, v in form.items()}
    response = client.post(
        "/sr/assessments/oauth/token",
        urlencode(form),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert "access_token" not in response.json()


@pytest.fixture
def placed(client, company, bearer, queued) -> Order:
    fullstack_package()
    body = order_body()
    url = "/sr/assessments/packages/orders"
    response = client.post(url, body, content_type="application/json", **bearer())
    assert response.status_code == 202
    tasks.send_invitation(Order.objects.get().pk)  # a NEW order has no page yet
    queued.calls.clear()
    return Order.objects.get()


TAKE_GUESSES = {
    "a made-up key": "A" * 32,
    "the order's id": "{pk}",
    "the SR order id": "{sr}",
    "the key's hash": "{hash}",
    "the key with one character changed": "{key_changed}",
    "the key in upper case": "{key_upper}",
}


@pytest.mark.parametrize("guess", TAKE_GUESSES.values(), ids=TAKE_GUESSES.keys())
@pytest.mark.parametrize("suffix", ["", "js/"])
def test_a_take_link_cannot_be_guessed_from_what_is_known_about_an_order(
    client, placed, guess, suffix
):
    key = placed.access_key
    guess = (
        guess.replace("{pk}", str(placed.pk)).replace("{sr}", placed.sr_order_id)
        .replace("{hash}", placed.access_key_hash)
        .replace("{key_changed}", ("B" if key[0] != "B" else "C") + key[1:])
        .replace("{key_upper}", key.upper() if key.upper() != key else key.lower())
    )  # fmt: skip
    assert client.get(f"/sr/assessments/take/{guess}/{suffix}").status_code == 404
    assert client.get(f"/sr/assessments/take/{key}/").status_code == 200


def test_a_take_link_opens_only_its_own_packages_tests(client, placed):
    other = fullstack_package(external_id="pkg-other")
    other.assessments.update(external_id="other-test")
    url = f"/sr/assessments/take/{placed.access_key}/other-test/"
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    "who", ["anonymous", "a candidate account", "staff without the permission"]
)
def test_a_report_is_served_only_to_staff_who_may_see_orders(client, placed, who):
    from django.core.files.base import ContentFile

    placed.report.save("report.pdf", ContentFile(b"%PDF-1.4 secret"), save=True)
    if who != "anonymous":
        get_user_model().objects.create_user(
            "u", password="pw-user-12345", is_staff=who.startswith("staff")
        )
        client.login(username="u", password="pw-user-12345")
    response = client.get(f"/sr/assessments/staff/orders/{placed.pk}/report")
    assert response.status_code in {302, 404}
    assert b"secret" not in b"".join(getattr(response, "streaming_content", [response.content]))


def test_an_expired_token_is_expired_by_the_clock_not_by_a_flag(client, company):
    token = issue_token(company.integration, expires_in=60)
    AccessToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.get("/sr/assessments/packages", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 401
