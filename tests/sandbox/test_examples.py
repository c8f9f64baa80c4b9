"""The contracts' JSON examples (job-board-api.md §4, application-api.md §4), reproduced."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest

from partner.sandbox.configuration import question_id
from partner.sandbox.models import SandboxOffer
from partner.sandbox.services import create_company
from partner.sandbox.state import sandbox_now

from .test_apply import PDF, b64

FEED_EXAMPLE = json.loads("""
{"Provider": "Smartrecruiters", "offset": "0", "limit": "100", "totalFound": "1",
 "jobs": [{
  "id": "311000101", "uuid": "8c1f5a2e-3b7d-4e0a-9a51-2f6d0c4b7e11", "name": "Senior Backend Engineer",
  "refNumber": "ENG-2041", "status": "Pending", "postedDate": "2025-03-04T09:15:02.000Z",
  "jobAdUrl": "https://jobs.smartrecruiters.com/AcmeCorp/743999000001",
  "applyUrl": "https://jobs.smartrecruiters.com/AcmeCorp/743999000001?oga=true",
  "location": {"city": "Berlin", "region": "Berlin", "regionCode": "BE", "country": "Germany", "countryCode": "de",
               "longitude": "13.404954", "latitude": "52.520008", "remote": true},
  "company": {"id": "12379433", "name": "Acme Corp"},
  "creator": {"firstName": "Jane", "lastName": "Roe", "email": "jane.roe@acme.example"},
  "compensation": {"min": 70000, "max": 90000, "currency": "EUR", "period": "YEAR"},
  "industry": {"id": "computer_software", "label": "Computer Software"},
  "function": {"id": "engineering", "label": "Engineering"},
  "experienceLevel": {"id": "mid_senior_level", "label": "Mid-Senior Level"},
  "typeOfEmployment": {"id": "permanent", "label": "Full-time"},
  "jobAd": {"companyDescription": "<p>Acme builds things.</p>", "jobDescription": "<p>You will build APIs.</p>",
            "qualifications": "<ul><li>Python</li></ul>", "additionalInformation": "<p>Two office days.</p>",
            "videoUrl": "https://video.example/acme-backend"}}]}
""")  # noqa: E501

OFFER_EXAMPLE = json.loads("""
{"limit": 100, "offset": 0, "totalFound": 1, "content": [{
  "id": "64f0c0ffee0000000000abcd", "catalogId": "post-30d", "name": "30 Day Job Posting",
  "description": "One job for 30 days", "status": "ACTIVE",
  "createDate": "2025-01-10T10:00:00.000+0000", "lastUpdateDate": "2025-01-12T08:30:00.000+0000",
  "terms": {"price": {"amount": 150, "currencyCode": "EUR"}, "postingPeriod": 30,
            "existingContract": {"login": "acme-hr", "password": "s3cret"}},
  "targetMarket": {"industries": [], "functions": [], "experienceLevels": [], "locations": [{"country": "Germany"}]},
  "availability": {"industries": [], "locations": [{"country": "Germany"}], "companies": ["Acme Corp"]}}]}
""")  # noqa: E501

CONFIG_EXAMPLE = json.loads("""
{"questions": [
  {"id": "q-permit", "label": "Are you authorised to work in Germany?", "repeatable": false,
   "fields": [{"id": "value", "label": "", "type": "RADIO", "required": true,
               "values": [{"id": "yes", "label": "Yes"}, {"id": "no", "label": "No"}]}]},
  {"id": "q-contract", "label": "Which contract type?", "repeatable": false,
   "fields": [{"id": "value", "label": "", "type": "SINGLE_SELECT", "required": true,
               "values": [{"id": "ct-perm", "label": "Permanent"}, {"id": "ct-contract", "label": "Contractor"}]}]},
  {"id": "q-rate", "label": "Expected daily rate (EUR)", "repeatable": false,
   "fields": [{"id": "value", "label": "", "type": "INPUT_TEXT", "required": true}]},
  {"id": "languages", "label": "Languages", "repeatable": true,
   "fields": [{"id": "language", "label": "Language", "type": "SINGLE_SELECT", "required": true,
               "values": [{"id": "en", "label": "English"}, {"id": "de", "label": "German"}]},
              {"id": "level", "label": "Level", "type": "SINGLE_SELECT", "required": true,
               "values": [{"id": "fluent", "label": "Fluent"}, {"id": "native", "label": "Native"}]}]},
  {"id": "q-accurate", "label": "My information is accurate", "repeatable": false,
   "fields": [{"id": "confirm", "label": "", "type": "CHECKBOX", "required": true}]},
  {"id": "q-gender", "label": "Gender", "repeatable": false,
   "fields": [{"id": "value", "label": "", "type": "SINGLE_SELECT", "required": false, "complianceType": "DIVERSITY",
               "values": [{"id": "f", "label": "Female"}, {"id": "x", "label": "Prefer not to answer"}]}]}],
 "settings": {"avatarUploadAvailable": false,
   "conditionals": [{"parentQuestionId": "q-contract", "fieldId": "value", "valueIds": ["ct-contract"],
                     "conditionalQuestions": ["q-rate"]}]},
 "privacyPolicies": [{"url": "https://acme.example/privacy", "orgName": "Acme Corp"},
                     {"url": "https://www.smartrecruiters.com/legal/candidate-privacy-policy", "orgName": "SmartRecruiters"}],
 "consentDetails": {"scopes": [
   {"scope": "SMART_RECRUIT", "required": true, "label": "Acme may process my data for this application."},
   {"scope": "SMART_CRM", "required": false, "label": "Keep me in Acme's talent community."}]},
 "companyImprintUrl": "https://acme.example/imprint",
 "aiSettings": {"aiDisclosureLabel": "Your application may be processed with AI."}}
""")  # noqa: E501

APPLY_EXAMPLE = json.loads("""
{"firstName": "Jane", "lastName": "Doe", "email": "jane.doe@example.test", "phoneNumber": "+49 30 1234567",
 "location": {"country": "Germany", "countryCode": "de", "city": "Berlin"},
 "sourceDetails": {"sourceTypeId": "job_boards", "sourceSubTypeId": "general", "sourceId": "12345"},
 "resume": {"fileName": "jane-doe.pdf", "mimeType": "application/pdf", "fileContent": "JVBERi0xLjcKJc..."},
 "answers": [
  {"id": "q-permit", "records": [{"fields": {"value": ["yes"]}}]},
  {"id": "q-contract", "records": [{"fields": {"value": ["ct-contract"]}}]},
  {"id": "q-rate", "records": [{"fields": {"value": ["650"]}}]},
  {"id": "languages", "records": [{"fields": {"language": ["en"], "level": ["fluent"]}},
                                  {"fields": {"language": ["de"], "level": ["native"]}}]},
  {"id": "q-accurate", "records": [{"fields": {"confirm": ["true"]}}]},
  {"id": "q-gender", "records": [{"fields": {"value": ["x"]}}]}],
 "consentDecisions": {"SMART_RECRUIT": true, "SMART_CRM": false}}
""")  # noqa: E501

UUID = "8c1f5a2e-3b7d-4e0a-9a51-2f6d0c4b7e11"
SHORT_IDS = ("permit", "contract", "rate", "accurate", "gender")


@pytest.fixture
def example(sandbox):
    """The examples' posting, with the sandbox clock set to the day after it was posted."""
    posted = datetime(2025, 3, 4, 9, 15, 2, tzinfo=UTC)
    sandbox.advance_clock(days=(posted - sandbox_now()).total_seconds() / 86_400 + 1)
    acme = create_company(name="Acme Corp", sr_id="12379433", identifier="AcmeCorp",
                          website="https://acme.example",
                          description_html="<p>Acme builds things.</p>",
                          privacy_policy_url="https://acme.example/privacy",
                          imprint_url="https://acme.example/imprint")  # fmt: skip
    source = FEED_EXAMPLE["jobs"][0]
    return sandbox.create_posting(
        feed_id=311000101, job_uuid=UUID, name=source["name"], company=acme,
        with_contract=True, contract_login="acme-hr", contract_password="s3cret",
        posted_date=posted, ref_number=source["refNumber"], location=source["location"],
        creator=source["creator"], compensation=source["compensation"],
        industry=source["industry"], function=source["function"],
        experience_level=source["experienceLevel"],
        type_of_employment=source["typeOfEmployment"], job_ad=source["jobAd"],
    )  # fmt: skip


def normalise_job_number(data: dict) -> dict:
    # The SR job number in jobAdUrl comes from a database sequence; the example shows ...0001.
    text = re.sub(r"/AcmeCorp/7439990\d+", "/AcmeCorp/743999000001", json.dumps(data))
    return json.loads(text)


def short_ids(data, posting):
    text = json.dumps(data)
    for key in SHORT_IDS:
        text = text.replace(question_id(posting.job.uuid, key), f"q-{key}")
    return json.loads(text)


def long_ids(data, posting):
    text = json.dumps(data)
    for key in SHORT_IDS:
        text = text.replace(f'"q-{key}"', f'"{question_id(posting.job.uuid, key)}"')
    return json.loads(text)


def test_the_feed_page_example(api, example):
    page = api.get("/feed/publications", params={"status": "Pending", "offset": 0, "limit": 100})
    assert normalise_job_number(page.json()) == FEED_EXAMPLE


def test_the_offer_example(api, example):
    SandboxOffer.objects.filter(pk=example.offer_id).update(
        offer_id="64f0c0ffee0000000000abcd",
        created_at=datetime(2025, 1, 10, 10, 0, tzinfo=UTC),
        updated_at=datetime(2025, 1, 12, 8, 30, tzinfo=UTC),
        target_market={"industries": [], "functions": [], "experienceLevels": [],
                       "locations": [{"country": "Germany"}]},
        availability={"industries": [], "locations": [{"country": "Germany"}],
                      "companies": ["Acme Corp"]},
    )  # fmt: skip
    assert api.get("/v1/offers", params={"postingId": "311000101"}).json() == OFFER_EXAMPLE


@pytest.mark.parametrize(
    "body",
    [
        {"status": "Active", "liveUrl": "https://board.example/jobs/311000101"},
        {"status": "UnderPosting"},
        {"status": "Error", "comment": "Location not supported by this board"},
        {"status": "Inactive"},
    ],
)
def test_the_put_examples_answer_200_with_the_posting(api, example, body):
    response = api.put("/feed/publications/311000101", json=body)
    assert response.status_code == 200
    expected = {**FEED_EXAMPLE["jobs"][0], "status": body["status"]}
    assert normalise_job_number(response.json()) == expected


def test_the_transition_error_example(api, example, sandbox):
    sandbox.remove_posting(example)
    response = api.put(
        "/feed/publications/311000101",
        json={"status": "Active", "liveUrl": "https://board.example/jobs/311000101"},
    )
    body = response.json()
    assert response.status_code == 400
    assert {k: body[k] for k in ("httpCode", "code", "message")} == {
        "httpCode": "400",
        "code": "invalid_status_transition",
        "message": "Posting 311000101 is toUnpost; allowed: Inactive, Error",
    }
    assert re.fullmatch(r"[0-9a-f-]{36}", body["id"])
    assert body["helpUrl"] == f"{sandbox.url}/v1/errors/invalid_status_transition"


def test_the_401_and_429_examples(anonymous, api, sandbox):
    unauthorised = anonymous.get("/feed/publications").json()
    assert (unauthorised["httpCode"], unauthorised["code"], unauthorised["message"]) == (
        "401", "unauthorized", "Missing or invalid partner API key"
    )  # fmt: skip
    sandbox.set_switches(fault="429_retry_after", retry_after_seconds=2)
    limited = api.get("/feed/publications")
    assert limited.status_code == 429
    assert {h: limited.headers[h] for h in ("X-RateLimit-Limit", "X-RateLimit-Remaining",
            "X-RateLimit-Concurrent-Limit", "X-RateLimit-Concurrent-Remaining", "Retry-After")
            } == {"X-RateLimit-Limit": "10", "X-RateLimit-Remaining": "0",
                  "X-RateLimit-Concurrent-Limit": "8", "X-RateLimit-Concurrent-Remaining": "7",
                  "Retry-After": "2"}  # fmt: skip
    body = limited.json()
    assert (body["httpCode"], body["code"], body["message"]) == (
        "429", "rate_limit_exceeded", "Rate limit exceeded"
    )  # fmt: skip


def test_the_configuration_example(api, example):
    config = api.get(f"/postings/{UUID}/configuration", params={"conditionalsIncluded": "true"},
                     headers={"Accept-Language": "en"}).json()  # fmt: skip
    assert short_ids(config, example) == CONFIG_EXAMPLE


APPLY_RESPONSE_EXAMPLE = json.loads("""
{"id": "0f8e2d1c-4b3a-4c5d-8e9f-a1b2c3d4e5f6", "createdOn": "2026-05-04T10:15:30.123Z",
 "candidatePortalUrl": "https://jobs.smartrecruiters.com/candidate-portal/0f8e2d1c",
 "smartrJoinUrl": "https://www.smartrecruiters.com/join/0f8e2d1c"}
""")


def test_the_apply_example_and_its_200(api, example):
    body = long_ids(APPLY_EXAMPLE, example)
    body["resume"]["fileContent"] = b64(PDF)  # the example's content is elided ("...")
    response = api.post(f"/postings/{UUID}/candidates", json=body)
    assert response.status_code == 200
    created = response.json()
    # The example's fields exactly: SR's published answer has no applicationId.
    assert set(created) == set(APPLY_RESPONSE_EXAMPLE)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", created["createdOn"])
    short = created["id"].replace("-", "")[:8]
    assert created["candidatePortalUrl"] == (
        f"https://jobs.smartrecruiters.com/candidate-portal/{short}"
    )
    assert created["smartrJoinUrl"] == f"https://www.smartrecruiters.com/join/{short}"
    status = api.get(f"/postings/{UUID}/candidates/{created['id']}/status").json()
    assert status == {"status": "NEW"}


def test_the_apply_example_as_some_doc_examples_show_it_201_with_application_id(
    api, sandbox, example
):
    sandbox.set_switches(apply_success_status=201, include_application_id=True)
    body = long_ids(APPLY_EXAMPLE, example)
    body["resume"]["fileContent"] = b64(PDF)
    response = api.post(f"/postings/{UUID}/candidates", json=body)
    assert response.status_code == 201
    assert set(response.json()) == {*APPLY_RESPONSE_EXAMPLE, "applicationId"}


def test_the_400_examples(api, sandbox, example):
    body = long_ids(APPLY_EXAMPLE, example)
    body["resume"]["fileContent"] = b64(PDF)
    body["answers"] = [a for a in body["answers"] if a["id"] not in (
        question_id(example.job.uuid, "permit"), "languages")]  # fmt: skip
    contract = question_id(example.job.uuid, "contract")
    for answer in body["answers"]:
        if answer["id"] == contract:
            answer["records"] = [{"fields": {"value": ["ct-unknown"]}}]
    # With ct-unknown the rate question is hidden, so leave its answer out too.
    body["answers"] = [a for a in body["answers"]
                       if a["id"] != question_id(example.job.uuid, "rate")]  # fmt: skip
    array = short_ids(api.post(f"/postings/{UUID}/candidates", json=body).json(), example)
    assert [(e["code"], e["message"]) for e in array] == [
        ("DATA_VALIDATION_ERROR",
         "The following screening questions are required: q-permit, languages."),
        ("DATA_VALIDATION_ERROR",
         "Values for the following screening questions' answers are incorrect: q-contract."),
    ]  # fmt: skip
    sandbox.set_switches(error_envelope="object")
    single = short_ids(api.post(f"/postings/{UUID}/candidates", json=body).json(), example)
    assert (single["code"], single["message"]) == (
        "DATA_VALIDATION_ERROR",
        "The following screening questions are required: q-permit, languages.",
    )
    sandbox.set_switches(error_envelope="wrapped")
    wrapped = short_ids(api.post(f"/postings/{UUID}/candidates", json=body).json(), example)
    assert wrapped["message"] == (
        "The following screening questions are required: q-permit, languages."
    )
    assert wrapped["errors"][0]["code"] == "DATA_VALIDATION_ERROR"


def test_the_application_api_401_and_404_examples(anonymous, api, example):
    unauthorised = anonymous.get(f"/postings/{UUID}/configuration").json()
    assert (unauthorised["code"], unauthorised["message"]) == (
        "INVALID_API_KEY_ERROR", "Missing or invalid API key"
    )  # fmt: skip
    missing = api.get("/postings/00000000-0000-4000-8000-000000000000/configuration").json()
    assert (missing["code"], missing["message"]) == ("RESOURCE_NOT_FOUND_ERROR",
                                                     "Posting not found")  # fmt: skip
    assert missing["id"]


def test_the_status_example(api, sandbox, example):
    body = long_ids(APPLY_EXAMPLE, example)
    body["resume"]["fileContent"] = b64(PDF)
    created = api.post(f"/postings/{UUID}/candidates", json=body).json()
    sandbox.set_candidate_status(sandbox.candidates()[0], "IN_REVIEW")
    assert api.get(f"/postings/{UUID}/candidates/{created['id']}/status").json() == {
        "status": "IN_REVIEW"
    }
