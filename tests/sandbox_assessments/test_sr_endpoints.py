"""The sandbox's SR side of the Assessment API (assessment-api.md §2 and §6)."""

from __future__ import annotations

import base64
import json
import uuid

import pytest

from partner.sandbox.assessments import services
from partner.sandbox.assessments.models import AsmCompany, AsmOrder
from partner.sandbox.state import set_switches
from tests.sandbox_assessments.conftest import CONFIGURATION, MASTER

P = "/sandbox/assessment-api/v202010"


def _order(company: AsmCompany, *, kind: str = AsmOrder.Kind.STANDARD) -> AsmOrder:
    return AsmOrder.objects.create(company=company, kind=kind, package_id="pkg-fullstack")


def _patch(client, order: AsmOrder, body, auth, content_type: str = "application/json"):
    return client.patch(
        f"{P}/orders/{order.order_id}/results",
        json.dumps(body),
        content_type=content_type,
        **auth,
    )


# -- token endpoint ---------------------------------------------------------
@pytest.mark.django_db
def test_the_master_credentials_get_a_token_for_1800_seconds(client):
    response = client.post(
        "/sandbox/identity/oauth/token",
        f"grant_type=client_credentials&client_id={MASTER[0]}&client_secret={MASTER[1]}",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert response.json()["expires_in"] == 1800
    # SR's published spec requires only access_token and expires_in (assessment-api.md §3).
    assert set(response.json()) == {"access_token", "expires_in"}
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_the_token_type_switch_adds_token_type_bearer(client):
    set_switches(token_type_in_response=True)
    response = client.post(
        "/sandbox/identity/oauth/token",
        f"grant_type=client_credentials&client_id={MASTER[0]}&client_secret={MASTER[1]}",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.json()["token_type"] == "Bearer"


@pytest.mark.django_db
def test_the_token_ttl_switch_shortens_tokens(client):
    set_switches(token_ttl=5)
    response = client.post(
        "/sandbox/identity/oauth/token",
        f"grant_type=client_credentials&client_id={MASTER[0]}&client_secret={MASTER[1]}",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.json()["expires_in"] == 5


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        (
            f"grant_type=client_credentials&client_id={MASTER[0]}&client_secret=nope",
            401,
            "invalid_client",
        ),
        ("grant_type=client_credentials&client_id=nobody&client_secret=x", 401, "invalid_client"),
        ("grant_type=client_credentials", 401, "invalid_client"),
        (
            f"grant_type=password&client_id={MASTER[0]}&client_secret={MASTER[1]}",
            400,
            "unsupported_grant_type",
        ),
        (f"client_id={MASTER[0]}&client_secret={MASTER[1]}", 400, "invalid_request"),
    ],
)
@pytest.mark.django_db
def test_the_token_endpoint_answers_rfc_6749_errors(client, body, status, error):
    response = client.post(
        "/sandbox/identity/oauth/token", body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == status
    assert response.json()["error"] == error


# -- configuration ------------------------------------------------------------
@pytest.mark.django_db
def test_configuration_is_404_until_saved_then_returned(client, master):
    url = f"{P}/partner/configuration"
    assert client.get(url, **master).status_code == 404
    saved = client.put(url, json.dumps(CONFIGURATION), content_type="application/json", **master)
    assert saved.status_code == 200
    assert client.get(url, **master).json() == saved.json()
    assert saved.json()["consentUrl"] == CONFIGURATION["consentUrl"]


@pytest.mark.parametrize(
    "change",
    [
        {"consentUrl": None},
        {"consentDisplayMode": "IFRAME"},
        {"supportedAssessmentTypes": []},
        {"supportedAssessmentTypes": ["SKILL_TEST", "CHESS"]},
        {"fields": [{"id": f"f{i}", "name": "F"} for i in range(6)]},
        {"oauthTokenUrl": "not a url"},
    ],
)
@pytest.mark.django_db
def test_an_invalid_configuration_is_refused_with_400(client, master, change):
    body = {**CONFIGURATION, **change}
    body = {k: v for k, v in body.items() if v is not None}
    response = client.put(
        f"{P}/partner/configuration", json.dumps(body), content_type="application/json", **master
    )
    assert response.status_code == 400
    assert response.json()["errors"]


@pytest.mark.django_db
def test_configuration_needs_a_token_and_the_master_kind(client, integrated):
    url = f"{P}/partner/configuration"
    assert client.get(url).status_code == 401
    assert client.get(url, **integrated["auth"]).status_code == 403


# -- setup -------------------------------------------------------------------------
@pytest.mark.django_db
def test_setup_without_a_configuration_is_404(client, master):
    services.company_consent(company_id="c0ffee000001")
    response = client.post(
        f"{P}/integration/company/c0ffee000001",
        json.dumps({"clientId": "p", "clientSecret": "s"}),
        content_type="application/json",
        **master,
    )
    assert response.status_code == 404


@pytest.mark.django_db
def test_setup_without_consent_is_403_consent_missing(client, configured, master):
    response = client.post(
        f"{P}/integration/company/c0ffee000001",
        json.dumps({"clientId": "p", "clientSecret": "s"}),
        content_type="application/json",
        **master,
    )
    assert response.status_code == 403
    assert response.json()["errors"][0]["code"] == "CONSENT_MISSING"


@pytest.mark.django_db
def test_setup_twice_is_409_and_works_again_after_disconnect_and_consent(
    client, integrated, master
):
    company = integrated["company"]
    url = f"{P}/integration/company/{company.company_id}"
    body = json.dumps({"clientId": "p-2", "clientSecret": "s-2"})
    assert client.post(url, body, content_type="application/json", **master).status_code == 409
    services.company_revoke(company=AsmCompany.objects.get(pk=company.pk))
    assert client.post(url, body, content_type="application/json", **master).status_code == 403
    services.company_consent(company_id=company.company_id)
    again = client.post(url, body, content_type="application/json", **master)
    assert again.status_code == 200
    assert again.json()["clientId"] != integrated["pair"]["clientId"]


@pytest.mark.django_db
def test_setup_stores_the_p_pair_encrypted_and_needs_the_master_kind(client, integrated):
    company = AsmCompany.objects.get()
    assert company.state == AsmCompany.State.INTEGRATED
    assert company.p_client_secret == "q8N-secret"
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT p_client_secret FROM sandbox_assessments_asmcompany")
        assert "q8N-secret" not in cursor.fetchone()[0]
    response = client.post(
        f"{P}/integration/company/other",
        json.dumps({"clientId": "p", "clientSecret": "s"}),
        content_type="application/json",
        **integrated["auth"],
    )
    assert response.status_code == 403


# -- results PATCH --------------------------------------------------------------------
@pytest.mark.django_db
def test_patch_merges_per_rfc_7396(client, integrated):
    order = _order(integrated["company"])
    auth = integrated["auth"]
    first = _patch(
        client,
        order,
        {
            "status": "PENDING",
            "name": "Full-stack",
            "summary": "s",
            "assessmentPackageDate": "2025-03-01T10:00:00Z",
            "assessmentResults": [{"assessmentId": "js"}],
        },
        auth,
    )
    assert first.status_code == 200
    second = _patch(
        client,
        order,
        {
            "summary": None,
            "status": "IN_PROGRESS",
            "assessmentResults": [{"assessmentId": "sql", "status": "IN_PROGRESS"}],
        },
        auth,
        content_type="application/merge-patch+json",
    )
    assert second.status_code == 200
    assert second.json() == {
        "status": "IN_PROGRESS",
        "name": "Full-stack",
        "assessmentPackageDate": "2025-03-01T10:00:00Z",
        "assessmentResults": [{"assessmentId": "sql", "status": "IN_PROGRESS"}],
    }


def test_merge_patch_merges_nested_objects():
    assert services.merge_patch({"a": {"b": 1, "c": 2}}, {"a": {"c": None, "d": 3}}) == {
        "a": {"b": 1, "d": 3}
    }
    assert services.merge_patch({"a": [1, 2]}, {"a": [3]}) == {"a": [3]}
    assert services.merge_patch({"a": 1}, ["x"]) == ["x"]


@pytest.mark.parametrize(
    "body",
    [
        ["not", "an", "object"],
        {"status": "DONE"},
        {"score": {"raw": 5, "min": 0}},
        {"score": {"raw": 11, "min": 0, "max": 10}},
        {"score": {"raw": 0, "min": 0, "max": 0}},
        {"attachments": [{"fileName": "x.pdf"}]},
        {"attachments": [{"type": "PDF_URL"}]},
        {"attachments": [{"type": "PNG_URL", "url": "https://x.example/a"}]},
        {
            "attachments": [
                {"fileName": "r.pdf", "mimeType": "application/pdf", "fileContent": "***"}
            ]
        },
        {"assessmentResults": [{"status": "COMPLETED"}]},
        {"assessmentResults": [{"assessmentId": "js", "score": {"raw": 1}}]},
    ],
)
@pytest.mark.django_db
def test_patch_refuses_invalid_results_with_400(client, integrated, body):
    order = _order(integrated["company"])
    response = _patch(client, order, body, integrated["auth"])
    assert response.status_code == 400
    assert response.json()["errors"]
    order.refresh_from_db()
    assert order.result == {}


@pytest.mark.django_db
def test_patch_accepts_both_attachment_forms(client, integrated):
    order = _order(integrated["company"])
    body = {
        "attachments": [
            {"type": "PDF_URL", "url": "https://x.example/r.pdf", "fileName": "r.pdf"},
            {
                "fileName": "r.pdf",
                "mimeType": "application/pdf",
                "fileContent": base64.b64encode(b"%PDF-1.4").decode(),
            },
        ]
    }
    assert _patch(client, order, body, integrated["auth"]).status_code == 200


@pytest.mark.django_db
def test_strict_results_refuses_leaving_a_terminal_status_and_completed_without_date(
    client, integrated
):
    order = _order(integrated["company"])
    auth = integrated["auth"]
    assert _patch(client, order, {"status": "COMPLETED"}, auth).status_code == 400
    done = {"status": "COMPLETED", "submissionDate": "2025-03-02T16:20:00Z"}
    assert _patch(client, order, done, auth).status_code == 200
    assert _patch(client, order, {"status": "IN_PROGRESS"}, auth).status_code == 400
    # Other fields of a terminal result may still change.
    assert _patch(client, order, {"summary": "late report"}, auth).status_code == 200


@pytest.mark.django_db
def test_without_strict_results_a_bad_transition_is_accepted_and_logged(client, integrated):
    set_switches(strict_results=False)
    order = _order(integrated["company"])
    response = _patch(client, order, {"status": "COMPLETED"}, integrated["auth"])
    assert response.status_code == 200
    assert "accepted" in order.patches.get().note


@pytest.mark.django_db
def test_patch_needs_json_a_known_order_and_the_orders_company(client, integrated, master):
    order = _order(integrated["company"])
    auth = integrated["auth"]
    wrong_type = client.patch(
        f"{P}/orders/{order.order_id}/results", "status=PENDING", content_type="text/plain", **auth
    )
    assert wrong_type.status_code == 415
    missing = client.patch(
        f"{P}/orders/{uuid.uuid4()}/results", "{}", content_type="application/json", **auth
    )
    assert missing.status_code == 404
    assert missing.json()["errors"][0]["code"] == "ORDER_NOT_FOUND"
    assert _patch(client, order, {"status": "PENDING"}, master).status_code == 403
    other = AsmCompany.objects.create(company_id="other-company", name="Other")
    foreign = _order(other)
    assert _patch(client, foreign, {"status": "PENDING"}, auth).status_code == 403
    assert _patch(client, order, {"status": "PENDING"}, {}).status_code == 401


# -- attachment upload ------------------------------------------------------------
@pytest.mark.django_db
def test_upload_returns_a_url_that_serves_the_file(client, integrated):
    from django.core.files.uploadedfile import SimpleUploadedFile

    order = _order(integrated["company"])
    response = client.post(
        f"{P}/orders/{order.order_id}/results/attachment",
        {"attachment": SimpleUploadedFile("report.pdf", b"%PDF-1.4 report", "application/pdf")},
        **integrated["auth"],
    )
    assert response.status_code == 201
    url = response.json()["url"]
    assert f"/orders/{order.order_id}/results/attachments/" in url
    path = url.split("testserver", 1)[1]
    served = client.get(path, **integrated["auth"])
    assert served.content == b"%PDF-1.4 report"


@pytest.mark.django_db
def test_upload_refuses_inline_orders_a_missing_part_and_big_files(client, integrated, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    auth = integrated["auth"]
    inline = _order(integrated["company"], kind=AsmOrder.Kind.INLINE)
    standard = _order(integrated["company"])
    pdf = SimpleUploadedFile("r.pdf", b"%PDF-1.4", "application/pdf")
    assert (
        client.post(
            f"{P}/orders/{inline.order_id}/results/attachment", {"attachment": pdf}, **auth
        ).status_code
        == 400
    )
    assert (
        client.post(
            f"{P}/orders/{standard.order_id}/results/attachment", {"other": pdf}, **auth
        ).status_code
        == 400
    )
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = None
    big = SimpleUploadedFile("big.pdf", b"0" * (10 * 1024 * 1024 + 1), "application/pdf")
    assert (
        client.post(
            f"{P}/orders/{standard.order_id}/results/attachment", {"attachment": big}, **auth
        ).status_code
        == 400
    )


@pytest.mark.django_db
def test_after_a_disconnect_the_sr_pair_and_its_tokens_get_401(client, integrated):
    order = _order(integrated["company"])
    services.company_revoke(company=AsmCompany.objects.get())
    assert _patch(client, order, {"status": "PENDING"}, integrated["auth"]).status_code == 401
    pair = integrated["pair"]
    response = client.post(
        "/sandbox/identity/oauth/token",
        f"grant_type=client_credentials&client_id={pair['clientId']}"
        f"&client_secret={pair['clientSecret']}",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 401


@pytest.mark.django_db
def test_the_customer_order_listing_shows_only_the_companys_orders(client, integrated):
    mine = _order(integrated["company"])
    _order(AsmCompany.objects.create(company_id="other-company", name="Other"))
    response = client.get(f"{P}/orders", **integrated["auth"])
    assert response.status_code == 200
    assert [o["orderId"] for o in response.json()] == [str(mine.order_id)]


@pytest.mark.django_db
def test_the_shared_switches_apply_to_the_assessment_endpoints(client, integrated):
    order = _order(integrated["company"])
    ok = _patch(client, order, {"status": "PENDING"}, integrated["auth"])
    assert "X-RateLimit-Limit" in ok
    set_switches(fault="500", fault_scope=["assessments.results"])
    failed = _patch(client, order, {"status": "IN_PROGRESS"}, integrated["auth"])
    assert failed.status_code == 500
    assert set(failed.json()) == {"message", "errors"}
    set_switches(fault=None, outage=True)
    token = client.post(
        "/sandbox/identity/oauth/token",
        f"grant_type=client_credentials&client_id={MASTER[0]}&client_secret={MASTER[1]}",
        content_type="application/x-www-form-urlencoded",
    )
    assert token.status_code == 503
    assert "error" in token.json()


@pytest.mark.django_db
def test_an_expired_sr_token_gets_401(client, integrated):
    from datetime import timedelta

    from django.utils import timezone

    from partner.sandbox.assessments.models import AsmToken

    order = _order(integrated["company"])
    AsmToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert _patch(client, order, {"status": "PENDING"}, integrated["auth"]).status_code == 401


@pytest.mark.django_db
def test_the_journal_masks_both_credential_pairs_of_a_setup(integrated):
    from partner.sandbox.models import JournalEntry

    entry = JournalEntry.objects.filter(path__contains="/integration/company/").latest("id")
    recorded = f"{entry.request_body} {entry.response_body}"
    assert "q8N-secret" not in recorded
    assert integrated["pair"]["clientSecret"] not in recorded
    assert "p-5f1c-7f3a" in recorded  # client ids are not secrets


@pytest.mark.django_db
def test_resetting_the_sandbox_forgets_the_assessment_side(integrated):
    from partner.sandbox.services import reset_sandbox

    reset_sandbox()
    assert not AsmCompany.objects.exists()
