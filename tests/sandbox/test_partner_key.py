"""The sandbox's demo partner holds the configured key (issue: no 401s in development)."""

from __future__ import annotations

import pytest
from django.test import Client

from partner.sandbox.models import SandboxPartner
from partner.sandbox.services import create_posting, ensure_partner

pytestmark = pytest.mark.django_db

CONFIGURED = "my-own-partner-key-" + "7" * 45


@pytest.fixture
def configured_key(settings):
    # What jobboard/settings/ does when SMARTRECRUITERS_PARTNER_TOKEN is set with the
    # sandbox on (the wiring itself: tests/foundation/test_settings_contract.py).
    settings.SMARTRECRUITERS_PARTNER_TOKEN = CONFIGURED
    settings.SANDBOX_DEMO_PARTNER_TOKEN = CONFIGURED
    return CONFIGURED


def test_the_configured_key_is_accepted_on_the_very_first_request(client: Client, configured_key):
    assert not SandboxPartner.objects.exists()

    response = client.get(
        "/sandbox/feed/publications", {"status": "Pending"}, HTTP_X_SMARTTOKEN=configured_key
    )

    assert response.status_code == 200, response.content
    assert SandboxPartner.objects.get().token == configured_key


def test_postings_made_in_the_console_belong_to_the_configured_key(client: Client, configured_key):
    posting = create_posting(name="Backend Engineer")

    page = client.get(
        "/sandbox/feed/publications", {"status": "Pending"}, HTTP_X_SMARTTOKEN=configured_key
    ).json()

    assert posting.partner.token == configured_key
    assert [job["id"] for job in page["jobs"]] == [str(posting.id)]


def test_a_demo_partner_made_with_the_built_in_key_takes_the_configured_one(
    settings, configured_key
):
    old = ensure_partner(token=settings.SANDBOX_DEFAULT_PARTNER_TOKEN)
    create_posting(name="Made before the key was set", partner=old)

    partner = ensure_partner()

    assert partner.pk == old.pk
    assert partner.token == configured_key
    assert SandboxPartner.objects.count() == 1


def test_other_keys_are_still_refused(client: Client, configured_key):
    response = client.get(
        "/sandbox/feed/publications", {"status": "Pending"}, HTTP_X_SMARTTOKEN="someone-else"
    )

    assert response.status_code == 401
    assert not SandboxPartner.objects.exists()


def test_without_a_configured_key_the_built_in_demo_key_works(client: Client, settings):
    settings.SANDBOX_DEMO_PARTNER_TOKEN = settings.SANDBOX_DEFAULT_PARTNER_TOKEN
    response = client.get(
        "/sandbox/feed/publications",
        {"status": "Pending"},
        HTTP_X_SMARTTOKEN=settings.SANDBOX_DEFAULT_PARTNER_TOKEN,
    )

    assert response.status_code == 200
