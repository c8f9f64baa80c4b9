"""POST /sr/assessments/packages/orders and /packages/inline/orders."""

from __future__ import annotations

import pytest
from django.core import mail

from partner.assessments.models import Order, ResultPush, ResultStatus
from tests.assessments.factories import fullstack_package, order_body

ORDERS = "/sr/assessments/packages/orders"
INLINE = "/sr/assessments/packages/inline/orders"


@pytest.fixture
def package(db):
    return fullstack_package()


def _post(client, url: str, body: dict, headers: dict):
    return client.post(url, body, content_type="application/json", **headers)


def _inline(**changes: object) -> dict:
    body = order_body()
    body.pop("requester")
    body["candidate"].pop("id")
    body["completedAssessmentCallbackUrl"] = "https://jobs.smartrecruiters.com/acme/apply/complete"
    body.update(changes)
    return body


@pytest.mark.django_db
def test_an_order_is_accepted_with_202_and_an_empty_object(client, company, package, bearer):
    body = order_body()
    response = _post(client, ORDERS, body, bearer())
    assert response.status_code == 202
    assert response.json() == {}
    order = Order.objects.get()
    assert order.sr_order_id == body["resultCallbackURL"].split("/")[-2]
    assert order.candidate_email == "ana@example.org"
    assert order.job_id == "aaf65646-ed93-4c16-950b-cea69773efba"
    assert order.fields == {"cost-center": "CC-42"}
    assert order.status == ResultStatus.NEW
    assert order.results.count() == 1


@pytest.mark.django_db
def test_the_candidate_is_invited_by_email_asynchronously(client, company, package, bearer, queued):
    _post(client, ORDERS, order_body(), bearer())
    assert mail.outbox == []
    assert queued.names() == ["send_invitation"]
    queued.calls.pop(0)
    from partner.assessments import tasks

    assert tasks.send_invitation(Order.objects.get().pk) is True
    [message] = mail.outbox
    order = Order.objects.get()
    assert message.to == ["ana@example.org"]
    assert "https://board.example/sr/assessments/take/" in message.body
    assert order.access_key in message.body
    assert order.status == ResultStatus.PENDING
    assert order.expires_at is not None
    push = ResultPush.objects.get()
    assert push.payload["status"] == "PENDING"
    assert push.payload["name"] == "Full-stack developer"
    assert push.payload["assessmentPackageDate"].endswith("Z")
    # A second run of the task (a redelivered message) sends nothing more.
    assert tasks.send_invitation(order.pk) is False
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_repeated_order_is_accepted_again_without_a_second_invitation(
    client, company, package, bearer, queued
):
    body = order_body()
    assert _post(client, ORDERS, body, bearer()).status_code == 202
    again = _post(client, ORDERS, body, bearer())
    assert again.status_code == 202
    assert again.json() == {}
    assert Order.objects.count() == 1
    assert queued.names() == ["send_invitation"]


@pytest.mark.django_db
def test_it_accepts_only_the_deprecated_job_id(client, company, package, bearer):
    body = order_body()
    body.pop("job")
    assert _post(client, ORDERS, body, bearer()).status_code == 202
    assert Order.objects.get().job_id == "aaf65646-ed93-4c16-950b-cea69773efba"


@pytest.mark.django_db
def test_it_tolerates_extra_fields_in_candidate_and_job(client, company, package, bearer):
    body = order_body()
    body["candidate"]["phone"] = "+49 30 1234"
    body["job"]["title"] = "Developer"
    body["somethingNew"] = True
    assert _post(client, ORDERS, body, bearer()).status_code == 202


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example/assessment-api/v202010/orders/8c0e/results",
        "https://api.smartrecruiters.com.evil.example/assessment-api/v202010/orders/8c0e/results",
        "https://user@api.smartrecruiters.com/assessment-api/v202010/orders/8c0e/results",
        "http://api.smartrecruiters.com/assessment-api/v202010/orders/8c0e/results",
        "https://api.smartrecruiters.com:8443/assessment-api/v202010/orders/8c0e/results",
        "https://api.smartrecruiters.com/assessment-api/v202010/orders/8c0e/status",
        "https://api.smartrecruiters.com/assessment-api/v202010/orders/8c0e/results?x=1",
        "javascript:alert(1)",
        "not a url",
    ],
)
@pytest.mark.django_db
def test_a_result_callback_url_off_the_allow_list_is_refused(
    client, company, package, bearer, queued, url
):
    body = order_body()
    body["resultCallbackURL"] = url
    response = _post(client, ORDERS, body, bearer())
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "INVALID_CALLBACK_URL"
    assert Order.objects.count() == 0
    assert queued.calls == []


@pytest.mark.django_db
def test_an_unknown_package_is_not_found(client, company, package, bearer):
    response = _post(client, ORDERS, order_body(package_id="pkg-nope"), bearer())
    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "PACKAGE_NOT_FOUND"


@pytest.mark.django_db
def test_a_malformed_order_gets_400_with_every_problem(client, company, package, bearer):
    body = order_body()
    body["candidate"] = {"email": "not-an-email"}
    body.pop("assessmentPackageId")
    response = _post(client, ORDERS, body, bearer())
    assert response.status_code == 400
    messages = " ".join(e["message"] for e in response.json()["errors"])
    assert "candidate.email" in messages
    assert "assessmentPackageId" in messages


@pytest.mark.django_db
def test_a_non_json_order_gets_415(client, company, package, bearer):
    response = client.post(ORDERS, "a=b", content_type="text/plain", **bearer())
    assert response.status_code == 415
    assert set(response.json()) == {"message", "errors"}


@pytest.mark.django_db
def test_an_inline_order_answers_with_the_candidate_url(client, company, package, bearer, queued):
    response = _post(client, INLINE, _inline(), bearer())
    assert response.status_code == 200
    body = response.json()
    order = Order.objects.get()
    assert body["url"] == body["assessmentPackageURL"]
    assert body["url"] == f"https://board.example/sr/assessments/take/{order.access_key}/"
    assert order.kind == Order.Kind.INLINE
    assert order.status == ResultStatus.PENDING
    assert order.candidate_sr_id == ""
    assert "send_invitation" not in queued.names()
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_repeated_inline_order_gets_the_same_url(client, company, package, bearer):
    body = _inline()
    first = _post(client, INLINE, body, bearer()).json()
    second = _post(client, INLINE, body, bearer()).json()
    assert first == second
    assert Order.objects.count() == 1


@pytest.mark.parametrize(
    "callback",
    ["https://evil.example/done", "//evil.example/done", "javascript:alert(1)", ""],
)
@pytest.mark.django_db
def test_an_inline_order_must_return_the_candidate_to_smartrecruiters(
    client, company, package, bearer, callback
):
    response = _post(client, INLINE, _inline(completedAssessmentCallbackUrl=callback), bearer())
    assert response.status_code == 400
    assert Order.objects.count() == 0
