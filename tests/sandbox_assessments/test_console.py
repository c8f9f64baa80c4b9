"""The sandbox console pages for the Assessment API (SR as the caller)."""

from __future__ import annotations

import base64
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.models import User
from django.test import Client

from partner.sandbox.assessments import services
from partner.sandbox.assessments.models import AsmAttachment, AsmCompany, AsmOrder
from partner.sandbox.state import get_switches


@pytest.fixture
def staff(db) -> Client:
    client = Client()
    client.force_login(User.objects.create(username="sam", is_staff=True))
    return client


@pytest.mark.parametrize(
    "url",
    ["/sandbox/assessments/", "/sandbox/assessments/companies/x/"],
)
@pytest.mark.django_db
def test_console_pages_are_staff_only(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


@pytest.mark.django_db
def test_the_index_shows_configuration_companies_and_switches(staff, configured):
    services.company_consent(company_id="c0ffee000001", name="Acme")
    page = staff.get("/sandbox/assessments/").content.decode()
    assert "consentUrl" in page
    assert "Acme" in page
    assert "strict_results" in page


@pytest.mark.django_db
def test_the_switches_form_sets_the_assessment_switches(staff):
    response = staff.post(
        "/sandbox/assessments/switches",
        {
            "token_auth": "basic",
            "token_ttl": "90",
            "requester_header": "absent",
            "duplicate_orders": "on",
        },
    )
    assert response.status_code == 302
    switches = get_switches()
    assert switches["token_auth"] == "basic"
    assert switches["token_ttl"] == 90
    assert switches["requester_header"] == "absent"
    assert switches["duplicate_orders"] is True
    assert switches["strict_results"] is False


@pytest.mark.django_db
def test_connect_records_consent_and_opens_the_consent_url(staff, configured):
    response = staff.post(
        "/sandbox/assessments/connect", {"company_id": "c0ffee000001", "name": "Acme"}
    )
    assert response.status_code == 302
    target = urlsplit(response["Location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == configured["consentUrl"]
    query = parse_qs(target.query)
    assert query["companyId"] == ["c0ffee000001"]
    assert query["redirect"][0].endswith("/sandbox/assessments/connected?companyId=c0ffee000001")
    assert AsmCompany.objects.get().state == AsmCompany.State.CONSENTED


@pytest.mark.django_db
def test_connect_before_the_partner_registered_says_so(staff):
    response = staff.post(
        "/sandbox/assessments/connect",
        {"company_id": "c0ffee000001", "name": "Acme"},
        follow=True,
    )
    assert "has not registered" in response.content.decode()


@pytest.mark.django_db
def test_browsing_for_a_company_without_credentials_shows_the_problem(staff, configured):
    services.company_consent(company_id="c0ffee000001", name="Acme")
    response = staff.get("/sandbox/assessments/companies/c0ffee000001/packages")
    assert response.status_code == 502
    assert "holds no partner credentials" in response.content.decode()


@pytest.mark.django_db
def test_the_order_page_shows_percentage_label_and_embedded_reports(staff, integrated):
    order = AsmOrder.objects.create(
        company=integrated["company"],
        kind=AsmOrder.Kind.INLINE,
        package_id="pkg",
        candidate={"firstName": "Ana", "lastName": "Nowak"},
        result={
            "status": "COMPLETED",
            "submissionDate": "2025-03-02T16:20:00Z",
            "score": {"raw": 28, "min": 20, "max": 80},
            "scoreLabel": "Above average",
            "summary": "Strong JS, basic SQL",
            "attachments": [
                {
                    "fileName": "r.pdf",
                    "mimeType": "application/pdf",
                    "fileContent": base64.b64encode(b"%PDF-1.4").decode(),
                }
            ],
            "assessmentResults": [
                {
                    "assessmentId": "js",
                    "assessmentName": "JavaScript",
                    "status": "COMPLETED",
                    "score": {"raw": 18, "min": 0, "max": 20},
                }
            ],
        },
    )
    page = staff.get(f"/sandbox/assessments/orders/{order.order_id}/").content.decode()
    assert "13.3%" in page
    assert "Above average" in page
    assert "r.pdf" in page
    assert "embedded" in page
    assert "90.0%" in page


@pytest.mark.django_db
def test_uploaded_attachments_download_for_staff_only(client, staff, integrated):
    order = AsmOrder.objects.create(company=integrated["company"], package_id="pkg")
    attachment = AsmAttachment.objects.create(
        order=order,
        file_name="report.pdf",
        content_type="application/pdf",
        size=8,
        content=b"%PDF-1.4",
    )
    url = f"/sandbox/assessments/attachments/{attachment.attachment_id}"
    assert staff.get(url).content == b"%PDF-1.4"
    assert client.get(url).status_code == 302


@pytest.mark.django_db
def test_the_inline_return_page_records_the_callback(staff, integrated):
    order = AsmOrder.objects.create(
        company=integrated["company"], kind=AsmOrder.Kind.INLINE, package_id="pkg"
    )
    page = staff.get(f"/sandbox/assessments/orders/{order.order_id}/done")
    assert page.status_code == 200
    order.refresh_from_db()
    assert order.callback_received_at is not None
