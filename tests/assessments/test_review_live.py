"""The review flow against the sandbox over real HTTP: what SmartRecruiters receives is
what the preview showed, and the PDF report arrives through the attachment upload."""

from __future__ import annotations

import io
import json

import pytest
from django.contrib.auth.models import User
from pypdf import PdfReader

from partner.assessments import pushes, review, runner
from partner.assessments.models import Answer, Integration, Order
from partner.sandbox.assessments import services as sr_services
from partner.sandbox.assessments.models import AsmOrder
from tests.assessments.workspace import essay_package, take_backend_test
from tests.sandbox_assessments.conftest import live  # noqa: F401 - the sandbox, registered

COMPANY = "5f1c0c2e9b1d4a0012345678"


@pytest.fixture(autouse=True)
def sr_mock():
    """Here SmartRecruiters is the sandbox on live_server, not a respx fake."""


@pytest.fixture(autouse=True)
def _sr_settings(settings) -> None:
    """The sandbox's fixture master credentials, instead of this folder's fake ones."""
    settings.SMARTRECRUITERS_CLIENT_ID = "sandbox-master-client"
    settings.SMARTRECRUITERS_CLIENT_SECRET = "sandbox-master-secret"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def connected(live, settings):  # noqa: F811 - the imported fixture
    from partner.assessments import integrations
    from partner.assessments.models import ClientAccount

    sr_services.company_consent(company_id=COMPANY, name="Acme")
    client = ClientAccount.objects.create(name="Acme Corp")
    integrations.integration_connect(
        company_id=COMPANY, client=client, new_client_name="", user=None
    )
    return Integration.objects.get(company_id=COMPANY)


def _sandbox_order(integration: Integration, live) -> Order:  # noqa: F811
    """An order SR (the sandbox) placed: its result callback is on the sandbox."""
    from partner.sandbox.assessments import caller
    from partner.sandbox.assessments.models import AsmCompany

    caller.place_order(
        AsmCompany.objects.get(company_id=COMPANY),
        api_root=live.url,
        package_id="pkg-backend",
        candidate={
            "email": "ana@example.org",
            "firstName": "Ana",
            "lastName": "Nowak",
            "applicationLanguage": "en",
        },
        job_id="aaf65646-ed93-4c16-950b-cea69773efba",
        fields={},
    )
    return Order.objects.get()


@pytest.mark.django_db(transaction=True)
def test_smartrecruiters_receives_exactly_the_preview_and_the_report(connected, live, queued):  # noqa: F811
    essay_package()
    vera = User.objects.create(username="vera", is_staff=True)
    order = _sandbox_order(connected, live)
    queued.run()  # the invitation and its PENDING push
    take_backend_test(Order.objects.get(pk=order.pk))
    for answer in Answer.objects.filter(
        result__order=order, question__kind__in=["essay", "code", "file"]
    ):
        runner.answer_grade(answer=answer, points=2, comment="Good", user=vera)
    runner.assessment_review(result=order.results.get(assessment__external_id="python"), user=vera)
    runner.assessment_review(
        result=order.results.get(assessment__external_id="portfolio"),
        score_raw=7, score_min=0, score_max=10, score_label="Good",
        summary="Clean, tested code", user=vera,
    )  # fmt: skip
    queued.run()
    preview = review.completion_preview(order=Order.objects.get(), label="Good")
    review.order_complete_and_send(
        order=Order.objects.get(), label="Good", fingerprint=preview.fingerprint, user=vera
    )
    queued.run()
    assert pushes.pushes_drain() == {}  # everything went out

    received = [
        json.loads(entry.request_body)
        for entry in live.journal(endpoint="assessments.results", method="PATCH")
    ]
    [patch] = [body for body in received if body.get("status") == "COMPLETED"]
    # Before the completion, SR saw the statuses but none of the staff's scores or labels.
    for body in received:
        if body is not patch:
            assert "Good" not in json.dumps(body)
    sr_order = AsmOrder.objects.get()
    [uploaded] = sr_order.attachments.all()
    expected = json.loads(json.dumps(preview.patch))
    expected["attachments"][0]["url"] = patch["attachments"][0]["url"]
    assert patch == expected
    assert patch["scoreLabel"] == "Good"
    assert str(uploaded.attachment_id) in patch["attachments"][0]["url"]
    assert uploaded.file_name == preview.patch["attachments"][0]["fileName"]
    text = "\n".join(
        page.extract_text() for page in PdfReader(io.BytesIO(bytes(uploaded.content))).pages
    )
    assert "Ana Nowak" in text
    assert "Breakdown by assessment" in text
    assert "Clean, tested code" in text
    assert sr_order.result["status"] == "COMPLETED"
