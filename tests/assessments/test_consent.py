"""GET/POST /sr/assessments/integration: the consent page (§1 steps 2-4, §7 Security)."""

from __future__ import annotations

import json
import logging
from urllib.parse import quote

import httpx
import pytest
from django.contrib.auth.models import Group, User
from django.test import Client

from partner.assessments.models import ClientAccount, Integration

COMPANY = "5f1c0c2e9b1d4a0012345678"
BACK = "https://www.smartrecruiters.com/settings/assessments?done=1"
SR = "https://api.smartrecruiters.com"


def _url(company: str | None = COMPANY, redirect: str | None = BACK) -> str:
    parts = []
    if company is not None:
        parts.append(f"companyId={quote(company)}")
    if redirect is not None:
        parts.append(f"redirect={quote(redirect, safe='')}")
    return "/sr/assessments/integration?" + "&".join(parts)


@pytest.fixture
def staff(db) -> User:
    user = User.objects.create(username="vera", email="vera@vendor.example", is_staff=True)
    user.groups.add(Group.objects.get(name="Assessment staff"))
    return user


@pytest.fixture
def staff_client(staff) -> Client:
    client = Client()
    client.force_login(staff)
    return client


@pytest.fixture
def sr_setup(sr_mock):
    """SR's token endpoint and setup, faked."""
    sr_mock.post(f"{SR}/identity/oauth/token").mock(
        return_value=httpx.Response(
            200, json={"access_token": "master-token-xyz", "expires_in": 1800}
        )
    )
    return sr_mock.post(f"{SR}/assessment-api/v202010/integration/company/{COMPANY}").mock(
        return_value=httpx.Response(
            200, json={"clientId": "sr-3b9e61d2", "clientSecret": "Yt4-sr-secret-Qw"}
        )
    )


@pytest.mark.django_db
def test_the_consent_page_needs_a_login(client):
    response = client.get(_url())
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


@pytest.mark.django_db
def test_a_user_without_assessment_rights_is_refused(client):
    user = User.objects.create(username="joe", email="joe@x.example", is_staff=True)
    client.force_login(user)
    assert client.get(_url()).status_code == 403


@pytest.mark.django_db
def test_a_link_without_company_id_is_a_400_page(staff_client):
    response = staff_client.get(_url(company=None))
    assert response.status_code == 400
    assert "company id" in response.content.decode()


@pytest.mark.parametrize(
    "redirect",
    [
        None,
        "https://evil.example/steal",
        "//evil.example/steal",
        "/relative/path",
        "http://www.smartrecruiters.com/plain-http",
        "https://www.smartrecruiters.com@evil.example/",
        "https://www.smartrecruiters.com.evil.example/",
        "javascript:alert(document.cookie)",
        "https:\\\\evil.example",
        "https://evil.example\\@www.smartrecruiters.com/",
        "data:text/html,<script>alert(1)</script>",
    ],
)
@pytest.mark.django_db
def test_open_redirect_attempts_get_a_400_page(client, staff_client, redirect):
    # Refused before the login check too, so a bad link never bounces through our login.
    assert client.get(_url(redirect=redirect)).status_code == 400
    assert staff_client.get(_url(redirect=redirect)).status_code == 400


@pytest.mark.django_db
def test_a_post_cannot_change_the_redirect_target(staff_client, sr_setup):
    response = staff_client.post(
        _url(redirect="https://evil.example/"), {"new_client_name": "Acme Corp"}
    )
    assert response.status_code == 400
    assert not sr_setup.called


@pytest.mark.django_db
def test_the_form_is_csrf_protected(staff, sr_setup):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)
    response = client.post(_url(), {"new_client_name": "Acme Corp"})
    assert response.status_code == 403
    assert not sr_setup.called
    assert not Integration.objects.exists()


@pytest.mark.django_db
def test_confirming_mints_a_p_pair_stores_the_sr_pair_and_redirects(
    staff_client, staff, sr_setup, caplog
):
    caplog.set_level(logging.DEBUG)
    page = staff_client.get(_url())
    assert page.status_code == 200
    assert COMPANY in page.content.decode()
    response = staff_client.post(_url(), {"new_client_name": "Acme Corp"})
    assert response.status_code == 302
    assert response["Location"] == BACK
    integration = Integration.objects.get(company_id=COMPANY)
    assert integration.client == ClientAccount.objects.get(name="Acme Corp")
    assert integration.connected_by == staff
    assert integration.sr_client_id == "sr-3b9e61d2"
    assert integration.sr_client_secret == "Yt4-sr-secret-Qw"
    sent = json.loads(sr_setup.calls.last.request.content)
    assert sent["clientId"] == integration.p_client_id
    assert integration.p_secret_hash
    assert sent["clientSecret"] not in integration.p_secret_hash
    assert sr_setup.calls.last.request.headers["Authorization"] == "Bearer master-token-xyz"
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT sr_client_secret FROM assessments_integration")
        assert "Yt4-sr-secret-Qw" not in cursor.fetchone()[0]
    logged = caplog.text
    for secret in (
        "Yt4-sr-secret-Qw",
        sent["clientSecret"],
        "master-token-xyz",
        "master-secret-test-0123456789",
    ):
        assert secret not in logged


@pytest.mark.django_db
def test_an_existing_client_account_can_be_chosen(staff_client, sr_setup):
    acme = ClientAccount.objects.create(name="Acme Corp")
    response = staff_client.post(_url(), {"client": acme.pk})
    assert response.status_code == 302
    assert Integration.objects.get().client == acme


@pytest.mark.django_db
def test_setup_403_tells_the_admin_that_consent_is_missing(staff_client, sr_mock, sr_setup):
    sr_setup.mock(
        return_value=httpx.Response(
            403,
            json={
                "message": "No consent recorded",
                "errors": [{"code": "CONSENT_MISSING", "message": "no"}],
            },
        )
    )
    response = staff_client.post(_url(), {"new_client_name": "Acme Corp"})
    assert response.status_code == 502
    assert "no consent recorded" in response.content.decode().lower()
    assert not Integration.objects.exists()


@pytest.mark.django_db
def test_setup_409_keeps_an_sr_pair_we_already_hold(staff_client, sr_setup, company):
    sr_setup.mock(return_value=httpx.Response(409, json={"message": "Conflict", "errors": []}))
    before = Integration.objects.get()
    response = staff_client.post(_url(), {"client": before.client_id})
    assert response.status_code == 302
    after = Integration.objects.get()
    assert after.sr_client_secret == before.sr_client_secret
    assert after.p_secret_hash == before.p_secret_hash


@pytest.mark.django_db
def test_setup_409_without_an_sr_pair_asks_for_a_reconnect(staff_client, sr_setup):
    sr_setup.mock(return_value=httpx.Response(409, json={"message": "Conflict", "errors": []}))
    response = staff_client.post(_url(), {"new_client_name": "Acme Corp"})
    assert response.status_code == 502
    assert "disconnect and reconnect" in response.content.decode()


@pytest.mark.django_db
def test_a_reconnect_after_disconnect_issues_new_credentials(staff_client, sr_setup, company):
    from partner.assessments.integrations import integration_disconnect

    integration_disconnect(integration=company.integration)
    response = staff_client.post(_url(), {"client": company.integration.client_id})
    assert response.status_code == 302
    integration = Integration.objects.get()
    assert integration.is_active
    assert integration.p_client_id
    assert integration.p_client_id != company.client_id


@pytest.mark.django_db
def test_a_failed_setup_leaves_no_new_client_account(staff_client, sr_setup):
    sr_setup.mock(return_value=httpx.Response(403, json={"message": "no", "errors": []}))
    staff_client.post(_url(), {"new_client_name": "Acme Corp"})
    assert not ClientAccount.objects.exists()
