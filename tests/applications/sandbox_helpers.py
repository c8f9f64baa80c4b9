"""Helpers for tests that run against the sandbox over HTTP."""

from __future__ import annotations

from typing import Any

from partner.applications.selectors import ApplyListing
from tests.applications.conftest import example_configuration_json, make_listing


def sandbox_listing(sandbox: Any, configuration: dict[str, Any] | None = None) -> ApplyListing:
    """A sandbox posting with the given form, and our board's listing for it."""
    posting = sandbox.create_posting(configuration=configuration or example_configuration_json())
    return make_listing(posting_uuid=str(posting.job.uuid))


def answers_ok() -> list[dict[str, Any]]:
    return [
        {"id": "q-permit", "records": [{"fields": {"value": ["yes"]}}]},
        {"id": "q-contract", "records": [{"fields": {"value": ["ct-perm"]}}]},
        {"id": "languages", "records": [{"fields": {"language": ["en"], "level": ["fluent"]}}]},
        {"id": "q-accurate", "records": [{"fields": {"confirm": ["true"]}}]},
    ]


def candidate(email: str = "jane.doe@example.test", last_name: str = "Doe") -> dict[str, Any]:
    return {
        "firstName": "Jane",
        "lastName": last_name,
        "email": email,
        "consentDecisions": {"SMART_RECRUIT": True, "SMART_CRM": False},
    }
