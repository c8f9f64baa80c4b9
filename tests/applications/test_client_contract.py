"""What the client sends to the sandbox, and what it tolerates back (contract §7)."""

from __future__ import annotations

import json

import pytest

from partner.smartrecruiters import applications as sr
from partner.smartrecruiters.errors import NotFoundError
from tests.applications.sandbox_helpers import answers_ok, candidate, sandbox_listing

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_configuration_request_asks_for_conditionals_in_the_visitors_language(sandbox):
    listing = sandbox_listing(sandbox)

    sr.get_configuration(listing.posting_uuid, language="de")

    [entry] = sandbox.journal(endpoint="apply.configuration")
    headers = {k.lower(): v for k, v in entry.request_headers.items()}
    assert entry.query == "conditionalsIncluded=true"
    assert headers["accept-language"] == "de"
    assert headers["accept"] == "application/json"
    assert "x-smarttoken" in headers
    assert "apiKey" not in entry.query


def test_the_candidate_post_is_json_without_legacy_fields(sandbox):
    listing = sandbox_listing(sandbox)

    response = sr.create_candidate(listing.posting_uuid, {**candidate(), "answers": answers_ok()})

    [entry] = sandbox.journal(endpoint="apply.candidates")
    headers = {k.lower(): v for k, v in entry.request_headers.items()}
    body = json.loads(entry.request_body)
    assert headers["content-type"].startswith("application/json")
    assert not {"consent", "internal", "createJoinLink"} & set(body)
    assert response.application_id


@pytest.mark.parametrize("envelope", ["array", "object", "wrapped"])
def test_every_400_envelope_names_the_questions(sandbox, envelope):
    listing = sandbox_listing(sandbox)
    sandbox.set_switches(error_envelope=envelope)
    body = {**candidate(), "answers": [a for a in answers_ok() if a["id"] != "q-permit"]}

    with pytest.raises(sr.ApplicationRejected) as raised:
        sr.create_candidate(listing.posting_uuid, body)

    assert raised.value.screening.required == ("q-permit",)


def test_a_201_without_application_id_and_a_config_without_optional_parts(sandbox):
    listing = sandbox_listing(sandbox)
    sandbox.set_switches(omit_application_id=True, omit_optional_config=True)

    config = sr.get_configuration(listing.posting_uuid)
    response = sr.create_candidate(
        listing.posting_uuid,
        {**candidate(), "consentDecisions": {"SINGLE": True}, "answers": answers_ok()},
    )

    assert config.consent_scopes is None
    assert config.ai_disclosure_label == ""
    assert response.id
    assert response.application_id == ""


def test_the_unknown_field_type_switch_renders_as_text(sandbox):
    listing = sandbox_listing(sandbox)
    sandbox.set_switches(unknown_field_type=True)

    config = sr.get_configuration(listing.posting_uuid)

    assert any(
        f.original_type == "TEXT" and f.type == "INPUT_TEXT"
        for q in config.questions
        for f in q.fields
    )


def test_an_unknown_posting_is_not_found(sandbox):
    with pytest.raises(NotFoundError):
        sr.get_configuration("00000000-0000-0000-0000-000000000000")
