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
    # SR's published answer: 200 with the candidate id, no applicationId.
    assert (entry.status, response.http_status) == (200, 200)
    assert response.id
    assert response.application_id == ""
    assert response.smartr_join_url.startswith("https://")


@pytest.mark.parametrize("envelope", ["array", "object", "wrapped"])
def test_every_400_envelope_names_the_questions(sandbox, envelope):
    listing = sandbox_listing(sandbox)
    sandbox.set_switches(error_envelope=envelope)
    body = {**candidate(), "answers": [a for a in answers_ok() if a["id"] != "q-permit"]}

    with pytest.raises(sr.ApplicationRejected) as raised:
        sr.create_candidate(listing.posting_uuid, body)

    assert raised.value.screening.required == ("q-permit",)


@pytest.mark.parametrize("status", [200, 201])
@pytest.mark.parametrize("include_application_id", [False, True])
def test_every_success_answer_is_read_with_or_without_application_id(
    sandbox, status, include_application_id
):
    listing = sandbox_listing(sandbox)
    sandbox.set_switches(apply_success_status=status, include_application_id=include_application_id)

    response = sr.create_candidate(listing.posting_uuid, {**candidate(), "answers": answers_ok()})

    [stored] = sandbox.candidates()
    assert response.http_status == status
    assert response.id == str(stored.candidate_id)
    assert response.application_id == (str(stored.application_id) if include_application_id else "")


def test_a_config_without_optional_parts_and_the_single_consent(sandbox):
    listing = sandbox_listing(sandbox)
    sandbox.set_switches(omit_optional_config=True)

    config = sr.get_configuration(listing.posting_uuid)
    response = sr.create_candidate(
        listing.posting_uuid,
        {**candidate(), "consentDecisions": {"SINGLE": True}, "answers": answers_ok()},
    )

    assert config.consent_scopes is None
    assert config.ai_disclosure_label == ""
    assert response.id
    assert response.application_id == ""


def test_traffic_locked_raises_its_own_error_and_is_not_retried(sandbox):
    listing = sandbox_listing(sandbox)
    sandbox.set_switches(traffic_locked=True)

    with pytest.raises(sr.TrafficLocked) as raised:
        sr.create_candidate(listing.posting_uuid, {**candidate(), "answers": answers_ok()})

    assert raised.value.status == 403
    assert raised.value.code == sr.ApplyErrorCode.TRAFFIC_LOCKED
    assert raised.value.permanent is True
    assert len(sandbox.journal(endpoint="apply.candidates")) == 1


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"firstName": "J" * 129}, "firstName"),
        ({"phoneNumber": "1" * 129}, "phoneNumber"),
        ({"location": {"city": "Berlin"}}, "location"),
        ({"sourceDetails": {"sourceTypeId": "job_boards"}}, "sourceDetails"),
    ],
)
def test_the_new_check_4_rules_come_back_as_invalid_input(sandbox, extra, field):
    listing = sandbox_listing(sandbox)

    with pytest.raises(sr.ApplicationRejected) as raised:
        sr.create_candidate(listing.posting_uuid, {**candidate(), **extra, "answers": answers_ok()})

    assert raised.value.code == sr.ApplyErrorCode.INVALID_INPUT
    assert field in raised.value.message


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
