"""The Application API client's parsing: every variation the contract lists."""

from __future__ import annotations

import json

import pytest

from partner.smartrecruiters import applications as sr
from partner.smartrecruiters import apply_configuration
from partner.smartrecruiters.errors import MalformedResponseError


def test_the_contract_example_configuration_parses_into_typed_objects(config_json):
    config = apply_configuration.parse_configuration(config_json)

    assert [q.id for q in config.questions][:4] == ["q-permit", "q-contract", "q-rate", "languages"]
    assert config.question("languages").repeatable is True
    assert config.question("q-gender").is_diversity is True
    assert config.conditionals[0] == apply_configuration.Conditional(
        parent_question_id="q-contract",
        field_id="value",
        value_ids=("ct-contract",),
        conditional_questions=("q-rate",),
    )
    assert [s.scope for s in config.consent_scopes] == ["SMART_RECRUIT", "SMART_CRM"]
    assert config.company_imprint_url == "https://acme.example/imprint"
    assert config.ai_disclosure_label == "Your application may be processed with AI."


def test_a_configuration_survives_the_database_cache_round_trip(config_json):
    config = apply_configuration.parse_configuration(config_json)

    assert (
        apply_configuration.ApplyConfiguration.from_json(json.loads(json.dumps(config.to_json())))
        == config
    )


def test_missing_optional_parts_are_tolerated():
    config = apply_configuration.parse_configuration({"questions": [], "extra": {"anything": 1}})

    assert config.consent_scopes is None
    assert config.conditionals == ()
    assert config.avatar_upload_available is False
    assert config.company_imprint_url == ""
    assert config.ai_disclosure_label == ""


def test_an_unknown_field_type_is_read_as_text(config_json):
    config_json["questions"][2]["fields"][0]["type"] = "TEXT"

    field = apply_configuration.parse_configuration(config_json).question("q-rate").fields[0]

    assert field.type == "INPUT_TEXT"
    assert field.original_type == "TEXT"


def test_links_that_are_not_http_are_dropped(config_json):
    config_json["companyImprintUrl"] = "javascript:alert(1)"
    config_json["privacyPolicies"].append({"url": "data:text/html,x", "orgName": "Evil"})

    config = apply_configuration.parse_configuration(config_json)

    assert config.company_imprint_url == ""
    assert [p.org_name for p in config.privacy_policies] == ["Acme Corp", "SmartRecruiters"]


def test_all_three_400_envelopes_give_the_same_question_ids():
    required = "The following screening questions are required: q-permit, languages."
    incorrect = "Values for the following screening questions' answers are incorrect: q-contract."
    array = json.dumps(
        [
            {"id": "1", "code": "DATA_VALIDATION_ERROR", "message": required},
            {"id": "2", "code": "DATA_VALIDATION_ERROR", "message": incorrect},
        ]
    )
    single = json.dumps({"id": "1", "code": "DATA_VALIDATION_ERROR", "message": required})
    wrapped = json.dumps(
        {"message": required, "errors": [{"code": "DATA_VALIDATION_ERROR", "message": "…"}]}
    )

    assert sr.screening_errors(sr.parse_errors(array)).required == ("q-permit", "languages")
    assert sr.screening_errors(sr.parse_errors(array)).incorrect == ("q-contract",)
    assert sr.screening_errors(sr.parse_errors(single)).required == ("q-permit", "languages")
    assert sr.screening_errors(sr.parse_errors(wrapped)).required == ("q-permit", "languages")


def test_an_error_body_that_is_not_json_is_kept_as_text():
    errors = sr.parse_errors(b"<html>Bad gateway</html>")

    assert errors == (sr.ApplyError(message="<html>Bad gateway</html>"),)
    assert sr.screening_errors(errors).question_ids == ()


def test_a_201_without_application_id_is_accepted():
    response = sr.parse_apply_response({"id": "c1", "createdOn": "2026-05-04T10:15:30Z"})

    assert response == sr.ApplyResponse(id="c1", created_on="2026-05-04T10:15:30Z")


# application-api.md §4: the 200 SR's published spec gives, without applicationId.
APPLY_RESPONSE_EXAMPLE = {
    "id": "0f8e2d1c-4b3a-4c5d-8e9f-a1b2c3d4e5f6",
    "createdOn": "2026-05-04T10:15:30.123Z",
    "candidatePortalUrl": "https://jobs.smartrecruiters.com/candidate-portal/0f8e2d1c",
    "smartrJoinUrl": "https://www.smartrecruiters.com/join/0f8e2d1c",
}


@pytest.mark.parametrize("status", [200, 201])
@pytest.mark.parametrize("application_id", [None, "a-77"])
def test_the_success_example_is_read_as_200_or_201_with_or_without_application_id(
    status, application_id
):
    body = dict(APPLY_RESPONSE_EXAMPLE)
    if application_id:
        body["applicationId"] = application_id

    response = sr.parse_apply_response(body, http_status=status)

    assert response == sr.ApplyResponse(
        id="0f8e2d1c-4b3a-4c5d-8e9f-a1b2c3d4e5f6",
        created_on="2026-05-04T10:15:30.123Z",
        candidate_portal_url="https://jobs.smartrecruiters.com/candidate-portal/0f8e2d1c",
        smartr_join_url="https://www.smartrecruiters.com/join/0f8e2d1c",
        application_id=application_id or "",
        http_status=status,
    )


@pytest.mark.parametrize("body", [{}, {"applicationId": "a-1"}, [], None])
def test_a_success_without_a_candidate_id_is_malformed(body):
    with pytest.raises(MalformedResponseError):
        sr.parse_apply_response(body, http_status=200)


def test_the_client_knows_every_error_code_of_srs_spec():
    published = {
        "INVALID_REQUEST", "INVALID_INPUT", "DATA_VALIDATION_ERROR", "RESOURCE_NOT_FOUND_ERROR",
        "COMPANY_NOT_FOUND_ERROR", "COMPANY_RETRIEVAL_ERROR", "APPLY_API_ERROR",
        "FILE_UPLOAD_ERROR", "FILE_API_ERROR", "INVALID_API_KEY_ERROR", "UNAUTHORIZED",
        "REST_CALL_TIMEOUT", "TRAFFIC_LOCKED",
    }  # fmt: skip

    assert {code.value for code in sr.ApplyErrorCode} == published
    assert set(sr.ERROR_MEANINGS) == set(sr.ApplyErrorCode)
    assert sr.ApplyError(code="TRAFFIC_LOCKED").known_code is sr.ApplyErrorCode.TRAFFIC_LOCKED
    assert sr.ApplyError(code="SOMETHING_NEW").known_code is None


def test_a_traffic_locked_body_in_any_envelope_names_its_code():
    for body in (
        b'{"id": "1", "code": "TRAFFIC_LOCKED", "message": "locked"}',
        b'[{"id": "1", "code": "TRAFFIC_LOCKED", "message": "locked"}]',
        b'{"message": "locked", "errors": [{"code": "TRAFFIC_LOCKED", "message": "locked"}]}',
    ):
        codes = [e.known_code for e in sr.parse_errors(body)]
        assert sr.ApplyErrorCode.TRAFFIC_LOCKED in codes, body


def test_the_hyphenated_review_status_is_normalised_and_unknown_ones_kept():
    assert sr.normalise_status("IN-REVIEW") == "IN_REVIEW"
    assert sr.normalise_status("SOMETHING_NEW") == "SOMETHING_NEW"
