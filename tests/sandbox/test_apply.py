"""Application API contract (application-api.md §2-§6) against the sandbox over HTTP."""

from __future__ import annotations

import base64
import io
import zipfile

import pytest

from partner.sandbox.models import SandboxAttachment, SandboxCandidate

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def b64(content: bytes) -> str:
    return base64.b64encode(content).decode()


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "not a word file")
    return buffer.getvalue()


FILES = {
    "pdf": PDF,
    "doc": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64,
    "docx": docx_bytes(),
    "rtf": b"{\\rtf1\\ansi Hello}",
    "jpg": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32,
    "png": b"\x89PNG\r\n\x1a\n" + b"\x00" * 32,
}


def file_json(content: bytes = PDF, name: str = "cv.pdf", mime: str = "application/pdf") -> dict:
    return {"fileName": name, "mimeType": mime, "fileContent": b64(content)}


@pytest.fixture
def standard(sandbox):
    """A posting with the contract's example form; ``ids`` maps template keys to question ids."""
    posting = sandbox.create_posting(name="Backend", company_name="Acme Corp")
    from partner.sandbox.configuration import question_id

    ids = {k: question_id(posting.job.uuid, k) for k in ("permit", "contract", "rate",
                                                          "accurate", "gender")}  # fmt: skip
    ids["languages"] = "languages"
    return posting, ids


def valid_body(ids: dict, **overrides) -> dict:
    body = {
        "firstName": "Jane",
        "lastName": "Doe",
        "email": "jane.doe@example.test",
        "phoneNumber": "+49 30 1234567",
        "location": {"country": "Germany", "countryCode": "de", "city": "Berlin"},
        "resume": file_json(),
        "answers": [
            {"id": ids["permit"], "records": [{"fields": {"value": ["yes"]}}]},
            {"id": ids["contract"], "records": [{"fields": {"value": ["ct-contract"]}}]},
            {"id": ids["rate"], "records": [{"fields": {"value": ["650"]}}]},
            {"id": "languages", "records": [{"fields": {"language": ["en"], "level": ["fluent"]}},
                                            {"fields": {"language": ["de"], "level": ["native"]}}]},
            {"id": ids["accurate"], "records": [{"fields": {"confirm": ["true"]}}]},
            {"id": ids["gender"], "records": [{"fields": {"value": ["x"]}}]},
        ],
        "consentDecisions": {"SMART_RECRUIT": True, "SMART_CRM": False},
    }  # fmt: skip
    body.update(overrides)
    return body


def replace_answer(body: dict, question_id: str, records) -> dict:
    body["answers"] = [a for a in body["answers"] if a["id"] != question_id]
    if records is not None:
        body["answers"].append({"id": question_id, "records": records})
    return body


def post(api, posting, body):
    return api.post(f"/postings/{posting.job.uuid}/candidates", json=body)


def errors_of(response) -> list[tuple[str, str]]:
    assert response.status_code == 400, response.text
    return [(e["code"], e["message"]) for e in response.json()]


# --- configuration --------------------------------------------------------
def test_configuration_with_conditionals_lists_children_and_rules(api, standard):
    posting, ids = standard
    config = api.get(
        f"/postings/{posting.job.uuid}/configuration", params={"conditionalsIncluded": "true"}
    ).json()
    assert [q["id"] for q in config["questions"]] == [
        ids["permit"], ids["contract"], ids["rate"], "languages", ids["accurate"], ids["gender"]
    ]  # fmt: skip
    assert config["settings"]["conditionals"] == [
        {"parentQuestionId": ids["contract"], "fieldId": "value", "valueIds": ["ct-contract"],
         "conditionalQuestions": [ids["rate"]]}
    ]  # fmt: skip
    assert config["consentDetails"]["scopes"][0]["scope"] == "SMART_RECRUIT"
    assert config["companyImprintUrl"].startswith("https://")
    assert config["aiSettings"]["aiDisclosureLabel"]
    assert [p["orgName"] for p in config["privacyPolicies"]] == ["Acme Corp", "SmartRecruiters"]


def test_configuration_without_conditionals_hides_children_and_rules(api, standard):
    posting, ids = standard
    config = api.get(f"/postings/{posting.job.uuid}/configuration").json()
    assert ids["rate"] not in [q["id"] for q in config["questions"]]
    assert "conditionals" not in config["settings"]
    # Only the lower-case "true" counts, as the client must send it.
    upper = api.get(
        f"/postings/{posting.job.uuid}/configuration", params={"conditionalsIncluded": "TRUE"}
    ).json()
    assert "conditionals" not in upper["settings"]


def test_labels_follow_accept_language_with_an_english_fallback(api, standard):
    posting, _ids = standard
    cases = [
        ("de", "Welche Vertragsart?"),
        ("de-DE,de;q=0.9,en;q=0.8", "Welche Vertragsart?"),
        ("fr-FR,fr;q=0.9", "Which contract type?"),
        ("en", "Which contract type?"),
    ]
    for header, label in cases:
        config = api.get(
            f"/postings/{posting.job.uuid}/configuration", headers={"Accept-Language": header}
        ).json()
        assert config["questions"][1]["label"] == label, header


def test_omit_optional_config_drops_consent_imprint_and_ai(api, sandbox, standard):
    posting, _ = standard
    sandbox.set_switches(omit_optional_config=True)
    config = api.get(f"/postings/{posting.job.uuid}/configuration").json()
    assert not {"consentDetails", "companyImprintUrl", "aiSettings"} & set(config)


def test_unknown_field_type_turns_one_field_into_text(api, sandbox, standard):
    posting, _ids = standard
    sandbox.set_switches(unknown_field_type=True)
    config = api.get(
        f"/postings/{posting.job.uuid}/configuration", params={"conditionalsIncluded": "true"}
    ).json()
    types = [f["type"] for q in config["questions"] for f in q["fields"]]
    assert types.count("TEXT") == 1


def test_configuration_of_unknown_foreign_or_closed_postings_is_404(api, sandbox, standard):
    posting, _ = standard
    for job_uuid in ("1d7c4b0e-0000-4000-8000-000000000000", "not-a-uuid"):
        response = api.get(f"/postings/{job_uuid}/configuration")
        assert response.status_code == 404
        assert response.json()["code"] == "RESOURCE_NOT_FOUND_ERROR"
    sandbox.remove_posting(posting)
    closed = api.get(f"/postings/{posting.job.uuid}/configuration")
    assert closed.status_code == 404


def test_a_reposted_job_stays_open(api, sandbox, standard):
    posting, _ = standard
    sandbox.repost_posting(posting)
    assert api.get(f"/postings/{posting.job.uuid}/configuration").status_code == 200


def test_application_api_auth_errors_use_its_own_shape(anonymous, standard):
    posting, _ = standard
    response = anonymous.get(f"/postings/{posting.job.uuid}/configuration")
    assert response.status_code == 401
    assert response.json()["code"] == "INVALID_API_KEY_ERROR"
    assert "X-RateLimit-Limit" in response.headers


# --- POST: success, duplicates, status -------------------------------------
def test_a_valid_application_is_created_with_a_200_and_the_candidate_id_only(api, standard):
    posting, ids = standard
    response = post(api, posting, valid_body(ids))
    assert response.status_code == 200, response.text
    body = response.json()
    # SR's published ApplyApiResponse: no applicationId.
    assert set(body) == {"id", "createdOn", "candidatePortalUrl", "smartrJoinUrl"}
    candidate = SandboxCandidate.objects.get()
    assert str(candidate.candidate_id) == body["id"]
    assert candidate.status == "NEW"
    attachment = SandboxAttachment.objects.get()
    assert (attachment.kind, attachment.detected_type, bytes(attachment.content)) == (
        "resume", "pdf", PDF
    )  # fmt: skip


def test_a_repeat_returns_the_same_ids_and_stores_nothing(api, sandbox, standard):
    posting, ids = standard
    sandbox.set_switches(include_application_id=True)
    first = post(api, posting, valid_body(ids)).json()
    again = post(api, posting, valid_body(ids, email="JANE.DOE@example.test", lastName="DOE"))
    assert again.status_code == 200
    assert (again.json()["id"], again.json()["applicationId"]) == (
        first["id"], first["applicationId"]
    )  # fmt: skip
    assert SandboxCandidate.objects.count() == 1


def test_the_same_person_on_another_posting_keeps_the_candidate_id(api, sandbox, standard):
    posting, ids = standard
    sandbox.set_switches(include_application_id=True)
    other = sandbox.create_posting(name="Other", configuration_template="minimal")
    first = post(api, posting, valid_body(ids)).json()
    minimal = {"firstName": "Jane", "lastName": "Doe", "email": "jane.doe@example.test",
               "consentDecisions": {"SINGLE": True}}  # fmt: skip
    second = post(api, other, minimal).json()
    assert second["id"] == first["id"]
    assert second["applicationId"] != first["applicationId"]


def test_status_starts_new_and_follows_the_recruiter(api, sandbox, standard):
    posting, ids = standard
    created = post(api, posting, valid_body(ids)).json()
    url = f"/postings/{posting.job.uuid}/candidates/{created['id']}/status"
    assert api.get(url).json() == {"status": "NEW"}
    candidate = SandboxCandidate.objects.get()
    sandbox.set_candidate_status(candidate, "IN_REVIEW")
    assert api.get(url).json() == {"status": "IN_REVIEW"}
    sandbox.set_switches(status_hyphen=True)
    assert api.get(url).json() == {"status": "IN-REVIEW"}
    # Status keeps working once the posting is closed.
    sandbox.remove_posting(posting)
    assert api.get(url).status_code == 200


def test_status_of_an_unknown_candidate_is_404(api, standard):
    posting, _ = standard
    for candidate_id in ("0f8e2d1c-4b3a-4c5d-8e9f-a1b2c3d4e5f6", "nope"):
        response = api.get(f"/postings/{posting.job.uuid}/candidates/{candidate_id}/status")
        assert response.status_code == 404
        assert response.json()["code"] == "RESOURCE_NOT_FOUND_ERROR"


@pytest.mark.parametrize("status", [200, 201])
@pytest.mark.parametrize("include_application_id", [False, True])
def test_the_success_switches_pick_the_status_and_the_application_id(
    api, sandbox, standard, status, include_application_id
):
    posting, ids = standard
    sandbox.set_switches(apply_success_status=status, include_application_id=include_application_id)
    response = post(api, posting, valid_body(ids))
    assert response.status_code == status
    assert ("applicationId" in response.json()) is include_application_id
    assert response.json()["id"]


def test_the_success_status_switch_takes_only_200_or_201(sandbox):
    from partner.sandbox.state import SwitchError

    with pytest.raises(SwitchError, match="apply_success_status"):
        sandbox.set_switches(apply_success_status=202)
    assert sandbox.get_switches()["apply_success_status"] == 200


def test_traffic_locked_answers_every_post_with_403_and_stores_nothing(api, sandbox, standard):
    posting, ids = standard
    sandbox.set_switches(traffic_locked=True)
    response = post(api, posting, valid_body(ids))
    assert response.status_code == 403
    assert response.json()["code"] == "TRAFFIC_LOCKED"
    assert set(response.json()) == {"id", "code", "message"}
    # Even a body that checks 2-10 would refuse: the lock comes first.
    assert post(api, posting, {}).json()["code"] == "TRAFFIC_LOCKED"
    assert SandboxCandidate.objects.count() == 0
    # The form itself is still served.
    assert api.get(f"/postings/{posting.job.uuid}/configuration").status_code == 200


def test_unknown_status_values_are_rejected_by_the_service(sandbox, standard):
    from partner.sandbox.services import set_candidate_status

    candidate_count = SandboxCandidate.objects.count()
    with pytest.raises(ValueError, match="Unknown status"):
        set_candidate_status(candidate=1, status="ARCHIVED")
    assert SandboxCandidate.objects.count() == candidate_count


# --- POST: checks 1-7 -----------------------------------------------------
def test_check_1_a_bad_key_is_401(anonymous, standard):
    posting, ids = standard
    response = anonymous.post(f"/postings/{posting.job.uuid}/candidates", json=valid_body(ids),
                              headers={"X-SmartToken": "wrong"})  # fmt: skip
    assert response.status_code == 401
    assert response.json()["code"] == "INVALID_API_KEY_ERROR"


def test_check_2_an_unknown_or_closed_posting_is_404(api, sandbox, standard):
    posting, ids = standard
    unknown = api.post("/postings/1d7c4b0e-0000-4000-8000-000000000000/candidates", json={})
    assert unknown.status_code == 404
    sandbox.remove_posting(posting)
    assert post(api, posting, valid_body(ids)).status_code == 404


def test_check_3_the_body_must_be_a_json_object(api, standard):
    posting, _ = standard
    for content in (b"[1, 2]", b'"text"', b"{not json", b"null"):
        response = api.post(f"/postings/{posting.job.uuid}/candidates", content=content,
                            headers={"Content-Type": "application/json"})  # fmt: skip
        assert [code for code, _ in errors_of(response)] == ["INVALID_REQUEST"], content


def test_check_4_identity_is_required(api, standard):
    posting, ids = standard
    cases = [
        {"firstName": ""},
        {"firstName": None},
        {"lastName": "   "},
        {"email": "not-an-email"},
        {"email": "a@b"},
        {"email": 42},
    ]
    for overrides in cases:
        response = post(api, posting, valid_body(ids, **overrides))
        assert [code for code, _ in errors_of(response)] == ["INVALID_INPUT"], overrides


@pytest.mark.parametrize(
    "overrides",
    [
        {"firstName": "J" * 129},
        {"lastName": "D" * 129},
        {"email": "j" * 116 + "@example.test"},  # 129 characters
        {"phoneNumber": "1" * 129},
        {"phoneNumber": 4930123},
    ],
)
def test_check_4_names_email_and_phone_over_128_characters_are_refused(api, standard, overrides):
    posting, ids = standard
    response = post(api, posting, valid_body(ids, **overrides))
    assert [code for code, _ in errors_of(response)] == ["INVALID_INPUT"]


def test_check_4_exactly_128_characters_are_accepted(api, standard):
    posting, ids = standard
    body = valid_body(
        ids,
        firstName="J" * 128,
        lastName="D" * 128,
        email="j" * 115 + "@example.test",  # 128 characters
        phoneNumber="1" * 128,
    )
    assert post(api, posting, body).status_code == 200


@pytest.mark.parametrize(
    "location",
    [
        {"city": "Berlin"},
        {"country": "Germany", "countryCode": "de"},
        {"city": "", "countryCode": "de"},
        {"city": "Berlin", "country": "Germany"},
        {"city": "Berlin", "countryCode": "deu"},
        {"city": "Berlin", "countryCode": "d1"},
        {"city": "Berlin", "countryCode": ""},
        {},
        "Berlin, Germany",
    ],
)
def test_check_4_a_partial_location_is_invalid_input(api, standard, location):
    posting, ids = standard
    response = post(api, posting, valid_body(ids, location=location))
    assert [code for code, _ in errors_of(response)] == ["INVALID_INPUT"]
    assert SandboxCandidate.objects.count() == 0


@pytest.mark.parametrize(
    "location",
    [
        {"city": "Berlin", "countryCode": "de"},
        {"city": "Berlin", "countryCode": "DE", "country": "Deutschland"},
        {"city": "Zürich", "countryCode": "ch", "region": "ZH", "lat": 47.37, "lng": 8.54},
    ],
)
def test_check_4_a_location_with_city_and_country_code_is_accepted(api, standard, location):
    posting, ids = standard
    assert post(api, posting, valid_body(ids, location=location)).status_code == 200


@pytest.mark.parametrize(
    "source",
    [
        {"sourceTypeId": "job_boards"},
        {"sourceId": "12345"},
        {"sourceTypeId": "job_boards", "sourceSubTypeId": "general"},
        {"sourceTypeId": "", "sourceId": "12345"},
        {},
        "job_boards",
    ],
)
def test_check_4_partial_source_details_are_invalid_input(api, standard, source):
    posting, ids = standard
    response = post(api, posting, valid_body(ids, sourceDetails=source))
    assert [code for code, _ in errors_of(response)] == ["INVALID_INPUT"]


@pytest.mark.parametrize(
    "source",
    [
        {"sourceTypeId": "job_boards", "sourceId": "12345"},
        {"sourceTypeId": "job_boards", "sourceSubTypeId": "general", "sourceId": "12345"},
    ],
)
def test_check_4_source_details_with_type_and_id_are_accepted(api, standard, source):
    posting, ids = standard
    assert post(api, posting, valid_body(ids, sourceDetails=source)).status_code == 200


def test_check_5_each_of_the_six_types_is_accepted_by_content(api, sandbox, standard):
    posting, ids = standard
    for kind, content in FILES.items():
        attachment = file_json(content, f"file.{kind}", "application/x")
        body = valid_body(ids, email=f"{kind}@example.test", attachments=[attachment])
        assert post(api, posting, body).status_code == 200, kind
    detected = set(SandboxAttachment.objects.values_list("detected_type", flat=True))
    assert detected == set(FILES)


def test_check_5_bad_attachments_are_file_upload_errors(api, standard):
    posting, ids = standard
    cases = [
        {"fileName": "cv.pdf", "mimeType": "application/pdf", "fileContent": "%%%not base64"},
        {"fileName": "cv.txt", "mimeType": "application/pdf", "fileContent": b64(b"plain text")},
        {"fileName": "cv.zip", "mimeType": "application/zip", "fileContent": b64(zip_bytes())},
        {"fileName": "big.pdf", "mimeType": "application/pdf",
         "fileContent": b64(b"%PDF-" + b"0" * (2_097_152 - 4))},
        {"mimeType": "application/pdf", "fileContent": b64(PDF)},
        "not an object",
    ]  # fmt: skip
    for attachment in cases:
        response = post(api, posting, valid_body(ids, attachments=[attachment]))
        assert [code for code, _ in errors_of(response)] == ["FILE_UPLOAD_ERROR"]
    response = post(api, posting, valid_body(ids, attachments="cv.pdf"))
    assert [code for code, _ in errors_of(response)] == ["FILE_UPLOAD_ERROR"]
    assert SandboxCandidate.objects.count() == 0


def test_check_5_exactly_two_mebibytes_is_accepted(api, standard):
    posting, ids = standard
    content = b"%PDF-" + b"0" * (2_097_152 - 5)
    assert post(api, posting, valid_body(ids, resume=file_json(content))).status_code == 200


def test_check_5_also_applies_to_the_resume(api, standard):
    posting, ids = standard
    response = post(api, posting, valid_body(ids, resume=file_json(b"GIF89a")))
    assert [code for code, _ in errors_of(response)] == ["FILE_UPLOAD_ERROR"]


def test_check_6_an_avatar_is_refused_unless_offered(api, sandbox, standard):
    posting, ids = standard
    body = valid_body(ids, avatar=file_json(FILES["png"], "me.png", "image/png"))
    assert [code for code, _ in errors_of(post(api, posting, body))] == ["INVALID_INPUT"]
    offered = sandbox.create_posting(name="Extended", configuration_template="extended")
    config = api.get(f"/postings/{offered.job.uuid}/configuration").json()
    assert config["settings"]["avatarUploadAvailable"] is True


def test_check_6_with_strict_answers_off_the_avatar_is_dropped(api, sandbox, standard):
    posting, ids = standard
    sandbox.set_switches(strict_answers=False)
    body = valid_body(ids, avatar=file_json(FILES["png"], "me.png", "image/png"))
    assert post(api, posting, body).status_code == 200
    assert list(SandboxAttachment.objects.values_list("kind", flat=True)) == ["resume"]


def test_check_7_required_consent_must_be_true(api, standard):
    posting, ids = standard
    for decisions in ({}, {"SMART_RECRUIT": False}, {"SMART_CRM": True}, {"SMART_RECRUIT": "yes"}):
        response = post(api, posting, valid_body(ids, consentDecisions=decisions))
        assert [code for code, _ in errors_of(response)] == ["INVALID_INPUT"], decisions
    response = post(api, posting, valid_body(ids, consentDecisions=["SMART_RECRUIT"]))
    assert [code for code, _ in errors_of(response)] == ["INVALID_INPUT"]


def test_check_7_single_consent_when_the_client_was_served_none(api, sandbox, standard):
    posting, ids = standard
    sandbox.set_switches(omit_optional_config=True)
    assert post(api, posting, valid_body(ids, consentDecisions={"SINGLE": True})).status_code == 200


def test_checks_stop_at_the_first_failure_in_order(api, standard):
    posting, ids = standard
    body = valid_body(ids, email="bad", resume=file_json(b"nope"), consentDecisions={})
    assert [code for code, _ in errors_of(post(api, posting, body))] == ["INVALID_INPUT"]
    body = valid_body(ids, resume=file_json(b"nope"), consentDecisions={})
    assert [code for code, _ in errors_of(post(api, posting, body))] == ["FILE_UPLOAD_ERROR"]


# --- POST: checks 8-10 ----------------------------------------------------
def test_check_8_missing_required_answers_are_listed_in_order(api, standard):
    posting, ids = standard
    body = valid_body(ids)
    replace_answer(body, ids["permit"], None)
    replace_answer(body, "languages", [{"fields": {"language": ["en"], "level": []}}])
    assert errors_of(post(api, posting, body)) == [
        ("DATA_VALIDATION_ERROR",
         f"The following screening questions are required: {ids['permit']}, languages.")
    ]  # fmt: skip


def test_check_8_a_hidden_child_is_not_required(api, standard):
    posting, ids = standard
    body = valid_body(ids)
    replace_answer(body, ids["contract"], [{"fields": {"value": ["ct-perm"]}}])
    replace_answer(body, ids["rate"], None)
    assert post(api, posting, body).status_code == 200


def test_check_8_a_visible_child_is_required(api, standard):
    posting, ids = standard
    body = replace_answer(valid_body(ids), ids["rate"], None)
    assert errors_of(post(api, posting, body)) == [
        ("DATA_VALIDATION_ERROR", f"The following screening questions are required: {ids['rate']}.")
    ]


INCORRECT_CASES = [
    ("permit", [{"fields": {"value": ["maybe"]}}]),  # unknown option id
    ("permit", [{"fields": {"value": ["yes", "no"]}}]),  # RADIO takes one value
    ("contract", [{"fields": {"value": ["ct-contract"]}}] * 2),  # one record only
    ("permit", [{"fields": {"other": ["yes"], "value": ["yes"]}}]),  # unknown field id
    ("rate", [{"fields": {"value": ["x" * 4001]}}]),  # over 4000 bytes
    ("rate", [{"fields": {"value": ["ü" * 2001]}}]),  # 4002 UTF-8 bytes
    ("rate", [{"fields": {"value": ["1", "2"]}}]),  # text takes one value
    ("accurate", [{"fields": {"confirm": ["yes"]}}]),  # checkbox without values: "true"
    ("permit", []),  # no record
    ("permit", "yes"),  # records not a list
    ("permit", [{"fields": {"value": "yes"}}]),  # values not a list
    ("permit", ["yes"]),  # a record that is not an object
]


def test_check_9_incorrect_values_are_reported(api, sandbox, standard):
    sandbox.set_switches(rate_limit=False)  # many requests in one test
    posting, ids = standard
    for key, records in INCORRECT_CASES:
        question = ids[key]
        body = replace_answer(valid_body(ids), question, records)
        errors = errors_of(post(api, posting, body))
        assert ("DATA_VALIDATION_ERROR",
                f"Values for the following screening questions' answers are incorrect: {question}."
                ) in errors, (key, records)  # fmt: skip
    assert SandboxCandidate.objects.count() == 0


def test_check_9_text_of_exactly_4000_bytes_is_accepted(api, standard):
    posting, ids = standard
    body = replace_answer(valid_body(ids), ids["rate"], [{"fields": {"value": ["ü" * 2000]}}])
    assert post(api, posting, body).status_code == 200


def test_check_9_the_extended_form_checks_multi_select_checkbox_and_information(api, sandbox):
    posting = sandbox.create_posting(name="Extended", configuration_template="extended")
    config = api.get(f"/postings/{posting.job.uuid}/configuration",
                     params={"conditionalsIncluded": "true"}).json()  # fmt: skip
    by_label = {q["label"]: q["id"] for q in config["questions"]}
    base = {"firstName": "Max", "lastName": "Muster", "email": "max@example.test",
            "consentDecisions": {"SINGLE": True}}  # fmt: skip
    good = [
        {"id": by_label["Why do you want to join us?"], "records": [{"fields": {"value": ["Hi"]}}]},
        {"id": "workPermit", "records": [{"fields": {"value": ["no"]}}]},
        {"id": by_label["Which tools do you use?"],
         "records": [{"fields": {"value": ["sql", "python"]}}]},
        {"id": by_label["Where could you work?"],
         "records": [{"fields": {"value": ["office", "remote"]}}]},
        {"id": "languages", "records": [{"fields": {"language": ["en"], "level": ["native"]}}]},
        {"id": "eeoInformation", "records": [{"fields": {"gender": ["x"], "veteran": ["x"]}}]},
    ]  # fmt: skip
    assert post(api, posting, {**base, "answers": good}).status_code == 200
    info = {"id": by_label["Before you start"], "records": [{"fields": {"text": ["hello"]}}]}
    bad_multi = {"id": by_label["Which tools do you use?"],
                 "records": [{"fields": {"value": ["cobol"]}}]}  # fmt: skip
    response = post(api, posting, {**base, "email": "x@example.test",
                                   "answers": [*good[:2], good[4], info, bad_multi]})  # fmt: skip
    ((_code, message),) = errors_of(response)
    assert message.endswith(
        f"{by_label['Before you start']}, {by_label['Which tools do you use?']}."
    )
    # Visa details become required once workPermit is "yes".
    needs_visa = [*good[:1], {"id": "workPermit", "records": [{"fields": {"value": ["yes"]}}]}]
    response = post(api, posting, {**base, "email": "y@example.test", "answers": needs_visa})
    ((_code, message),) = errors_of(response)
    assert "required" in message
    assert by_label["Which visa do you need?"] in message


def test_check_10_answers_to_hidden_children_or_unknown_questions_are_incorrect(api, standard):
    posting, ids = standard
    body = valid_body(ids)
    replace_answer(body, ids["contract"], [{"fields": {"value": ["ct-perm"]}}])
    body["answers"].append({"id": "q-unknown", "records": [{"fields": {"value": ["1"]}}]})
    assert errors_of(post(api, posting, body)) == [
        ("DATA_VALIDATION_ERROR",
         "Values for the following screening questions' answers are incorrect: "
         f"{ids['rate']}, q-unknown.")
    ]  # fmt: skip


def test_check_10_with_strict_answers_off_they_are_dropped(api, sandbox, standard):
    posting, ids = standard
    sandbox.set_switches(strict_answers=False)
    body = valid_body(ids)
    replace_answer(body, ids["contract"], [{"fields": {"value": ["ct-perm"]}}])
    body["answers"].append({"id": "q-unknown", "records": [{"fields": {"value": ["1"]}}]})
    assert post(api, posting, body).status_code == 200
    stored = {a["id"] for a in SandboxCandidate.objects.get().answers}
    assert ids["rate"] not in stored
    assert "q-unknown" not in stored


def test_checks_8_to_10_are_collected_into_two_errors_required_first(api, standard):
    posting, ids = standard
    body = replace_answer(valid_body(ids), ids["permit"], None)
    replace_answer(body, ids["contract"], [{"fields": {"value": ["nope"]}}])
    errors = errors_of(post(api, posting, body))
    assert [m.split(":")[0] for _, m in errors] == [
        "The following screening questions are required",
        "Values for the following screening questions' answers are incorrect",
    ]


def test_the_error_envelope_switch(api, sandbox, standard):
    posting, ids = standard
    body = replace_answer(valid_body(ids), ids["permit"], None)
    replace_answer(body, ids["contract"], [{"fields": {"value": ["nope"]}}])
    required = f"The following screening questions are required: {ids['permit']}."
    data = post(api, posting, body).json()
    assert next(e["message"] for e in data) == required
    assert len(data) == 2
    sandbox.set_switches(error_envelope="object")
    data = post(api, posting, body).json()
    assert data["code"] == "DATA_VALIDATION_ERROR"
    assert data["message"] == required
    assert data["id"]
    sandbox.set_switches(error_envelope="wrapped")
    data = post(api, posting, body).json()
    assert data["message"] == required
    assert [e["code"] for e in data["errors"]] == ["DATA_VALIDATION_ERROR"] * 2
