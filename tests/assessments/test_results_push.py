"""The results outbox: PATCH {resultCallbackURL} with the company's SR-pair token (§7)."""

from __future__ import annotations

import base64
import json
import logging
from datetime import timedelta

import httpx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from partner.assessments import integrations, orders, pushes, tasks
from partner.assessments.errors import ServiceError
from partner.assessments.models import Order, ResultPush, ResultStatus
from tests.assessments.factories import SR_API, fullstack_package, order_body

TOKEN_URL = f"{SR_API}/identity/oauth/token"


@pytest.fixture
def placed(company, client, bearer, queued) -> Order:
    fullstack_package()
    client.post(
        "/sr/assessments/packages/orders",
        order_body(),
        content_type="application/json",
        **bearer(),
    )
    queued.calls.clear()
    order = Order.objects.get()
    tasks.send_invitation(order.pk)
    queued.calls.clear()
    return Order.objects.get()


@pytest.fixture
def sr(sr_mock, placed):
    token = sr_mock.post(TOKEN_URL).mock(
        return_value=httpx.Response(200, json={"access_token": "sr-token-1", "expires_in": 1800})
    )
    patch = sr_mock.patch(placed.result_callback_url).mock(
        return_value=httpx.Response(200, json={})
    )
    upload = sr_mock.post(placed.result_callback_url + "/attachment").mock(
        return_value=httpx.Response(201, json={"url": f"{SR_API}/files/a1"})
    )
    return {"token": token, "patch": patch, "upload": upload}


def _sent(route) -> list[dict]:
    return [json.loads(call.request.content) for call in route.calls]


@pytest.mark.django_db
def test_the_invitation_is_pushed_as_pending_with_the_sr_pair_token(placed, sr, company):
    assert pushes.pushes_drain() == {"sent": 1}
    [body] = _sent(sr["patch"])
    assert body == {
        "status": "PENDING",
        "name": "Full-stack developer",
        "assessmentPackageDate": body["assessmentPackageDate"],
    }
    request = sr["patch"].calls.last.request
    assert request.headers["Authorization"] == "Bearer sr-token-1"
    assert request.headers["Content-Type"] == "application/json"
    form = dict(x.split("=") for x in sr["token"].calls.last.request.content.decode().split("&"))
    assert form["client_id"] == company.integration.sr_client_id
    assert form["grant_type"] == "client_credentials"
    assert ResultPush.objects.get().state == ResultPush.State.SENT


@pytest.mark.django_db
def test_the_sr_token_is_cached_between_pushes(placed, sr):
    pushes.pushes_drain()
    orders.order_reject(order=placed, reason="Candidate withdrew")
    pushes.pushes_drain()
    assert sr["patch"].call_count == 2
    assert sr["token"].call_count == 1


@pytest.mark.django_db
def test_a_401_fetches_one_new_token_and_retries_once(placed, sr):
    sr["token"].side_effect = [
        httpx.Response(200, json={"access_token": "old", "expires_in": 1800}),
        httpx.Response(200, json={"access_token": "new", "expires_in": 1800}),
    ]
    sr["patch"].side_effect = [httpx.Response(401, json={}), httpx.Response(200, json={})]
    assert pushes.pushes_drain() == {"sent": 1}
    assert [c.request.headers["Authorization"] for c in sr["patch"].calls] == [
        "Bearer old",
        "Bearer new",
    ]


@pytest.mark.django_db
def test_a_server_error_is_retried_later_with_backoff_then_given_up(placed, sr, settings):
    settings.SMARTRECRUITERS_MAX_RETRIES = 1
    settings.ASSESSMENT_PUSH_MAX_ATTEMPTS = 2
    sr["patch"].mock(return_value=httpx.Response(503))
    assert pushes.pushes_drain() == {"pending": 1}
    push = ResultPush.objects.get()
    assert push.attempts == 1
    assert push.response_status == 503
    assert sr["patch"].call_count == 2  # the transport's own retry
    assert pushes.pushes_drain() == {"failed": 1}
    assert ResultPush.objects.get().state == ResultPush.State.FAILED


@pytest.mark.parametrize("status", [400, 403, 404, 415])
@pytest.mark.django_db
def test_a_permanent_refusal_is_not_retried_and_is_logged(placed, sr, status, caplog):
    sr["patch"].mock(return_value=httpx.Response(status, json={"message": "no", "errors": []}))
    assert pushes.pushes_drain() == {"failed": 1}
    assert sr["patch"].call_count == 1
    push = ResultPush.objects.get()
    assert push.state == ResultPush.State.FAILED
    assert push.response_status == status
    assert "refused" in caplog.text
    assert placed.events.filter(kind="push_failed").exists()


@pytest.mark.django_db
def test_pushes_of_one_order_go_in_order(placed, sr, settings):
    settings.SMARTRECRUITERS_MAX_RETRIES = 0
    sr["patch"].side_effect = [
        httpx.Response(503),
        httpx.Response(200, json={}),
        httpx.Response(200, json={}),
    ]
    orders.order_reject(order=placed, reason="Position filled")
    assert pushes.pushes_drain() == {"pending": 2}
    assert _sent(sr["patch"])[0]["status"] == "PENDING"
    ResultPush.objects.update(next_attempt_at=timezone.now())
    assert pushes.pushes_drain() == {"sent": 2}
    assert [b["status"] for b in _sent(sr["patch"])] == ["PENDING", "PENDING", "REJECTED"]


@pytest.mark.django_db
def test_a_push_never_goes_to_a_host_off_the_allow_list(placed, sr, settings):
    settings.SMARTRECRUITERS_API_URL = "https://api.other-sr.example"
    assert pushes.pushes_drain() == {"failed": 1}
    assert sr["patch"].call_count == 0
    assert sr["token"].call_count == 0


@pytest.mark.django_db
def test_a_disconnected_companys_pushes_are_dropped(placed, sr, company):
    integrations.integration_disconnect(integration=company.integration)
    orders.order_push_again(order=Order.objects.get())
    assert pushes.pushes_drain() == {"dropped": 1}
    assert sr["patch"].call_count == 0


@pytest.mark.django_db
def test_completion_uploads_the_report_and_references_its_url(placed, sr):
    orders.order_attach_report(
        order=placed, upload=SimpleUploadedFile("report.pdf", b"%PDF-1.4 r", "application/pdf")
    )
    orders.order_complete(
        order=placed,
        score_raw=28,
        score_min=20,
        score_max=80,
        score_label="Above average",
        summary="Strong JS, basic SQL",
    )
    assert pushes.pushes_drain() == {"sent": 2}
    upload = sr["upload"].calls.last.request
    assert b'name="attachment"; filename="report.pdf"' in upload.content
    completed = _sent(sr["patch"])[-1]
    assert completed["status"] == "COMPLETED"
    assert completed["submissionDate"].endswith("Z")
    assert completed["score"] == {"raw": 28, "min": 20, "max": 80}
    assert completed["scoreLabel"] == "Above average"
    assert completed["summary"] == "Strong JS, basic SQL"
    assert completed["attachments"] == [
        {"type": "PDF_URL", "url": f"{SR_API}/files/a1", "fileName": "report.pdf"}
    ]
    assert completed["assessmentResults"][0]["assessmentId"] == "js"
    assert completed["assessmentResults"][0]["status"] == "COMPLETED"
    assert Order.objects.get().report_url == f"{SR_API}/files/a1"


@pytest.mark.django_db
def test_an_inline_orders_report_is_embedded_not_uploaded(company, client, bearer, sr_mock):
    fullstack_package()
    body = order_body()
    body.pop("requester")
    body["completedAssessmentCallbackUrl"] = "https://jobs.smartrecruiters.com/x/done"
    client.post(
        "/sr/assessments/packages/inline/orders",
        body,
        content_type="application/json",
        **bearer(),
    )
    order = Order.objects.get()
    sr_mock.post(TOKEN_URL).mock(
        return_value=httpx.Response(200, json={"access_token": "t", "expires_in": 1800})
    )
    patch = sr_mock.patch(order.result_callback_url).mock(return_value=httpx.Response(204))
    orders.order_attach_report(
        order=order, upload=SimpleUploadedFile("report.pdf", b"%PDF-1.4 r", "application/pdf")
    )
    orders.order_complete(order=order, score_raw=3, score_min=0, score_max=5)
    assert pushes.pushes_drain() == {"sent": 2}
    completed = _sent(patch)[-1]
    assert completed["attachments"] == [
        {
            "fileName": "report.pdf",
            "mimeType": "application/pdf",
            "fileContent": base64.b64encode(b"%PDF-1.4 r").decode(),
        }
    ]


@pytest.mark.django_db
def test_a_report_uploaded_after_completion_is_patched_without_changing_status(placed, sr):
    orders.order_complete(order=placed, score_raw=1, score_min=0, score_max=2)
    pushes.pushes_drain()
    orders.order_attach_report(
        order=Order.objects.get(),
        upload=SimpleUploadedFile("late.pdf", b"%PDF-1.4 late", "application/pdf"),
    )
    pushes.pushes_drain()
    last = _sent(sr["patch"])[-1]
    assert "status" not in last
    assert last["attachments"][0]["type"] == "PDF_URL"


@pytest.mark.django_db
def test_a_terminal_status_never_changes(placed):
    orders.order_reject(order=placed, reason="Duplicate")
    with pytest.raises(ServiceError):
        orders.order_complete(order=Order.objects.get(), score_raw=1, score_min=0, score_max=2)
    with pytest.raises(ServiceError):
        orders.order_reject(order=Order.objects.get(), reason="again")
    assert Order.objects.get().status == ResultStatus.REJECTED


@pytest.mark.django_db
def test_lapsed_invitations_expire_and_are_pushed(placed, sr, settings):
    Order.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    assert tasks.expire_orders() == 1
    assert tasks.expire_orders() == 0
    pushes.pushes_drain()
    assert _sent(sr["patch"])[-1] == {"status": "EXPIRED"}
    assert Order.objects.get().status == ResultStatus.EXPIRED


@pytest.mark.django_db
def test_no_secret_or_token_is_logged_while_pushing(placed, sr, company, caplog):
    caplog.set_level(logging.DEBUG)
    sr["patch"].side_effect = [httpx.Response(401), httpx.Response(500), httpx.Response(200)]
    pushes.pushes_drain()
    logged = caplog.text + " ".join(str(r.args) for r in caplog.records)
    assert "sr-token-1" not in logged
    assert company.integration.sr_client_secret not in logged
    assert "Bearer " not in logged


@pytest.mark.django_db
def test_the_tasks_return_early_when_the_row_is_gone(db):
    assert tasks.send_invitation(999_999) is False
    assert tasks.push_order_results(999_999) == {}
    assert pushes.push_deliver(push_id=999_999) == "skipped"


@pytest.mark.django_db
def test_the_drain_command_prints_a_summary(placed, sr):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("push_assessment_results", stdout=out)
    assert "sent: 1" in out.getvalue()


def test_the_periodic_tasks_are_in_the_beat_schedule():
    from jobboard.celery import app, beat_schedule

    app.loader.import_default_modules()
    schedule = beat_schedule()
    assert schedule["push-assessment-results"]["task"] == "partner.assessments.tasks.push_results"
    assert schedule["expire-assessment-orders"]["task"] == "partner.assessments.tasks.expire_orders"


@pytest.mark.django_db
def test_the_sweep_sends_invitations_a_lost_message_left_behind(company, client, bearer, sr_mock):
    from django.core import mail

    fullstack_package()
    client.post(
        "/sr/assessments/packages/orders",
        order_body(),
        content_type="application/json",
        **bearer(),
    )
    Order.objects.update(created_at=timezone.now() - timedelta(minutes=5))
    sr_mock.post(TOKEN_URL).mock(
        return_value=httpx.Response(200, json={"access_token": "t", "expires_in": 1800})
    )
    patch = sr_mock.patch(Order.objects.get().result_callback_url).mock(
        return_value=httpx.Response(200, json={})
    )
    assert tasks.push_results() == {"sent": 1}
    assert len(mail.outbox) == 1
    assert patch.call_count == 1


@pytest.mark.django_db
def test_a_push_being_sent_by_another_worker_is_not_sent_again(placed, sr):
    ResultPush.objects.update(
        state=ResultPush.State.SENDING, claimed_until=timezone.now() + timedelta(minutes=5)
    )
    push = ResultPush.objects.get()
    assert pushes.pushes_drain() == {}
    assert pushes.push_deliver(push_id=push.pk) == "skipped"
    assert sr["patch"].call_count == 0


@pytest.mark.django_db
def test_a_push_a_dead_worker_left_sending_is_sent_once_its_lease_ran_out(placed, sr):
    ResultPush.objects.update(
        state=ResultPush.State.SENDING,
        attempts=1,
        claimed_until=timezone.now() - timedelta(seconds=1),
    )
    assert pushes.pushes_drain() == {"sent": 1}
    push = ResultPush.objects.get()
    assert push.state == ResultPush.State.SENT
    assert push.attempts == 2
    assert push.claimed_until is None
    assert push.sent_at is not None


@pytest.mark.django_db
def test_a_later_push_waits_while_an_earlier_one_is_being_sent(placed, sr):
    lease_end = timezone.now() + timedelta(minutes=5)
    ResultPush.objects.update(state=ResultPush.State.SENDING, claimed_until=lease_end)
    orders.order_reject(order=placed, reason="Position filled")
    assert pushes.pushes_drain() == {"pending": 1}
    assert sr["patch"].call_count == 0
    later = ResultPush.objects.get(payload__status="REJECTED")
    assert later.state == ResultPush.State.PENDING
    assert later.attempts == 0
    assert later.next_attempt_at == lease_end


@pytest.mark.django_db
def test_a_retried_push_records_its_error_and_its_next_try(placed, sr, settings):
    settings.SMARTRECRUITERS_MAX_RETRIES = 0
    settings.ASSESSMENT_PUSH_BACKOFF_BASE = 60.0
    sr["patch"].mock(return_value=httpx.Response(503))
    before = timezone.now()
    assert pushes.pushes_drain() == {"pending": 1}
    push = ResultPush.objects.get()
    assert push.state == ResultPush.State.PENDING
    assert push.claimed_until is None
    assert "503" in push.last_error
    assert before <= push.next_attempt_at <= timezone.now() + timedelta(seconds=60)
    assert pushes.pushes_drain() == {}  # not due before its next try


@pytest.mark.django_db
def test_a_push_that_gives_up_says_so_on_the_timeline(placed, sr, settings):
    settings.SMARTRECRUITERS_MAX_RETRIES = 0
    settings.ASSESSMENT_PUSH_MAX_ATTEMPTS = 1
    sr["patch"].mock(return_value=httpx.Response(503))
    assert pushes.pushes_drain() == {"failed": 1}
    event = placed.events.get(kind="push_failed")
    assert event.message.startswith("PENDING: gave up: ")
