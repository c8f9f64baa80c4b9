from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from partner.sandbox.assessments import services

MASTER = ("sandbox-master-client", "sandbox-master-secret")

CONFIGURATION = {
    "consentUrl": "https://p.example/sr/assessments/integration",
    "consentDisplayMode": "REDIRECT",
    "assessmentPackageListUrl": "https://p.example/sr/assessments/packages",
    "singleAssessmentPackageUrl": "https://p.example/sr/assessments/packages",
    "packageOrderUrl": "https://p.example/sr/assessments/packages/orders",
    "inlineAssessmentPackageOrderUrl": "https://p.example/sr/assessments/packages/inline/orders",
    "oauthTokenUrl": "https://p.example/sr/assessments/oauth/token",
    "integrationDisableUrl": "https://p.example/sr/assessments/integrations/companies",
    "fields": [{"id": "cost-center", "name": "Cost center", "description": "Billing code"}],
    "supportedAssessmentTypes": ["SKILL_TEST", "INLINE_ASSESSMENT"],
}


@pytest.fixture(autouse=True)
def _quiet_rate_limit(settings) -> None:
    settings.SANDBOX_SWITCHES = {"rate_limit": False}


@pytest.fixture
def token(client) -> Callable[[str, str], str]:
    def get(client_id: str, secret: str) -> str:
        response = client.post(
            "/sandbox/identity/oauth/token",
            f"grant_type=client_credentials&client_id={client_id}&client_secret={secret}",
            content_type="application/x-www-form-urlencoded",
        )
        assert response.status_code == 200, response.content
        return response.json()["access_token"]

    return get


@pytest.fixture
def master(token) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token(*MASTER)}"}


@pytest.fixture
def configured(db, client, master) -> dict[str, object]:
    response = client.put(
        "/sandbox/assessment-api/v202010/partner/configuration",
        json.dumps(CONFIGURATION),
        content_type="application/json",
        **master,
    )
    assert response.status_code == 200
    return CONFIGURATION


@pytest.fixture
def integrated(configured, client, master, token) -> dict[str, object]:
    """A consented and integrated company, its SR-pair and a token for it."""
    company = services.company_consent(company_id="5f1c0c2e9b1d4a0012345678", name="Acme")
    response = client.post(
        f"/sandbox/assessment-api/v202010/integration/company/{company.company_id}",
        json.dumps({"clientId": "p-5f1c-7f3a", "clientSecret": "q8N-secret"}),
        content_type="application/json",
        **master,
    )
    assert response.status_code == 200
    pair = response.json()
    return {
        "company": company,
        "pair": pair,
        "auth": {"HTTP_AUTHORIZATION": f"Bearer {token(pair['clientId'], pair['clientSecret'])}"},
    }


@pytest.fixture
def queued(monkeypatch: pytest.MonkeyPatch):
    """Partner tasks are recorded, not sent to a broker; ``queued.run()`` is the worker."""
    from tests.assessments.conftest import TaskRecorder

    return TaskRecorder().install(monkeypatch)


@pytest.fixture
def live(sandbox, settings, queued):
    """The sandbox on live_server, our partner registered there, SR's caches clean."""
    from django.core.management import call_command

    from partner.smartrecruiters.oauth import token_cache

    services.reset_assessments()
    token_cache.clear()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SANDBOX_SWITCHES = {}
    call_command("register_assessment_partner", stdout=__import__("io").StringIO())
    return sandbox
