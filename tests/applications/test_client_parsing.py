"""The Application API client's parsing: every variation the contract lists."""

from __future__ import annotations

import json

from partner.smartrecruiters import applications as sr


def test_the_contract_example_configuration_parses_into_typed_objects(config_json):
    config = sr.parse_configuration(config_json)

    assert [q.id for q in config.questions][:4] == ["q-permit", "q-contract", "q-rate", "languages"]
    assert config.question("languages").repeatable is True
    assert config.question("q-gender").is_diversity is True
    assert config.conditionals[0] == sr.Conditional(
        parent_question_id="q-contract",
        field_id="value",
        value_ids=("ct-contract",),
        conditional_questions=("q-rate",),
    )
    assert [s.scope for s in config.consent_scopes] == ["SMART_RECRUIT", "SMART_CRM"]
    assert config.company_imprint_url == "https://acme.example/imprint"
    assert config.ai_disclosure_label == "Your application may be processed with AI."


def test_a_configuration_survives_the_database_cache_round_trip(config_json):
    config = sr.parse_configuration(config_json)

    assert sr.ApplyConfiguration.from_json(json.loads(json.dumps(config.to_json()))) == config


def test_missing_optional_parts_are_tolerated():
    config = sr.parse_configuration({"questions": [], "extra": {"anything": 1}})

    assert config.consent_scopes is None
    assert config.conditionals == ()
    assert config.avatar_upload_available is False
    assert config.company_imprint_url == ""
    assert config.ai_disclosure_label == ""


def test_an_unknown_field_type_is_read_as_text(config_json):
    config_json["questions"][2]["fields"][0]["type"] = "TEXT"

    field = sr.parse_configuration(config_json).question("q-rate").fields[0]

    assert field.type == "INPUT_TEXT"
    assert field.original_type == "TEXT"


def test_links_that_are_not_http_are_dropped(config_json):
    config_json["companyImprintUrl"] = "javascript:alert(1)"
    config_json["privacyPolicies"].append({"url": "data:text/html,x", "orgName": "Evil"})

    config = sr.parse_configuration(config_json)

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


def test_the_hyphenated_review_status_is_normalised_and_unknown_ones_kept():
    assert sr.normalise_status("IN-REVIEW") == "IN_REVIEW"
    assert sr.normalise_status("SOMETHING_NEW") == "SOMETHING_NEW"
