"""Findings 3 and 4: where our SR token may go, and one order per SmartRecruiters order id.

Each row is an attack that was tried (or a variant of it) and must be refused: at the
door, where SmartRecruiters places the order, and again when results are sent.
"""

from __future__ import annotations

import pytest
from django.core import mail

from partner.assessments import orders, pushes, tasks
from partner.assessments.models import Order, ResultPush, ResultStatus
from tests.assessments.factories import SR_API, fullstack_package, order_body

ORDERS = "/sr/assessments/packages/orders"
INLINE = "/sr/assessments/packages/inline/orders"
U = "8c0e7f5a-4b7e-4c61-9a55-1d2f3e4a5b6c"
P = f"{SR_API}/assessment-api/v202010"
GOOD = f"{P}/orders/{U}/results"


@pytest.fixture
def package(db):
    return fullstack_package()


def _post(client, url: str, body: dict, headers: dict):
    return client.post(url, body, content_type="application/json", **headers)


CALLBACK_ATTACKS = {
    "another path on the API host (the finding)": f"{SR_API}/admin/orders/{U}/results",
    "dot-dot segment": f"{P}/../admin/orders/{U}/results",
    "dot-dot after the order": f"{P}/orders/{U}/../{U}/results",
    "dot segment": f"{P}/./orders/{U}/results",
    "encoded dot-dot": f"{P}/%2e%2e/v202010/orders/{U}/results",
    "upper-case encoded dot-dot": f"{P}/orders/{U}/%2E%2E/{U}/results",
    "half-encoded dot-dot": f"{P}/orders/.%2e/orders/{U}/results",
    "encoded slash": f"{SR_API}/assessment-api%2fv202010/orders/{U}/results",
    "encoded slash before results": f"{P}/orders/{U}%2Fresults",
    "encoded backslash": f"{P}/orders/{U}%5c..%5cresults",
    "raw backslash": f"{SR_API}\\@evil.example/assessment-api/v202010/orders/{U}/results",
    "double slash": f"{SR_API}//assessment-api/v202010/orders/{U}/results",
    "a prefix before the API path": f"{SR_API}/x/assessment-api/v202010/orders/{U}/results",
    "trailing slash": f"{GOOD}/",
    "the attachment endpoint": f"{GOOD}/attachment",
    "not a UUID": f"{P}/orders/8c0e/results",
    "a UUID with a suffix": f"{P}/orders/{U}x/results",
    "the order's status, not results": f"{P}/orders/{U}/status",
    "a query": f"{GOOD}?x=1",
    "an empty query": f"{GOOD}?",
    "a fragment": f"{GOOD}#x",
    "user info": f"https://user:pw@api.smartrecruiters.com/assessment-api/v202010/orders/{U}/results",
    "user info naming our host": f"https://api.smartrecruiters.com@evil.example/assessment-api/v202010/orders/{U}/results",
    "the default port spelled out": f"https://api.smartrecruiters.com:443/assessment-api/v202010/orders/{U}/results",
    "another port": f"https://api.smartrecruiters.com:8443/assessment-api/v202010/orders/{U}/results",
    "plain http": f"http://api.smartrecruiters.com/assessment-api/v202010/orders/{U}/results",
    "another scheme": f"ftp://api.smartrecruiters.com/assessment-api/v202010/orders/{U}/results",
    "scheme-relative": f"//api.smartrecruiters.com/assessment-api/v202010/orders/{U}/results",
    "another host": f"https://evil.example/assessment-api/v202010/orders/{U}/results",
    "a look-alike host": f"https://api.smartrecruiters.com.evil.example/assessment-api/v202010/orders/{U}/results",
    "an internal address": f"http://169.254.169.254/assessment-api/v202010/orders/{U}/results",
    "a trailing newline": f"{GOOD}\n",
    "a leading blank": f" {GOOD}",
    "javascript": "javascript:alert(1)",
    "not a URL": "not a url",
}


@pytest.mark.django_db
@pytest.mark.parametrize("url", CALLBACK_ATTACKS.values(), ids=CALLBACK_ATTACKS.keys())
@pytest.mark.parametrize("endpoint", [ORDERS, INLINE])
def test_a_result_callback_url_other_than_the_one_spelling_is_refused_at_the_door(
    client, company, package, bearer, queued, endpoint, url
):
    body = order_body()
    body["resultCallbackURL"] = url
    if endpoint == INLINE:
        body["completedAssessmentCallbackUrl"] = "https://jobs.smartrecruiters.com/acme/complete"
    response = _post(client, endpoint, body, bearer())
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] in {"INVALID_CALLBACK_URL", "INVALID_FIELD"}
    assert Order.objects.count() == 0
    assert queued.calls == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "stored",
    [CALLBACK_ATTACKS[k] for k in ("another path on the API host (the finding)", "dot-dot segment",
                                   "encoded slash", "another port", "user info")],
)  # fmt: skip
def test_a_stored_callback_in_another_spelling_gets_no_token_at_send_time(
    client, company, package, bearer, queued, sr_mock, stored
):
    """Rows written before the exact rule (or a changed setting) are checked when sent."""
    assert _post(client, ORDERS, order_body(order_id=U), bearer()).status_code == 202
    queued.calls.clear()
    order = Order.objects.get()
    Order.objects.filter(pk=order.pk).update(result_callback_url=stored)
    tasks.send_invitation(order.pk)
    assert pushes.pushes_drain() == {"failed": 1}
    push = ResultPush.objects.get()
    assert "resultCallbackURL" in push.last_error
    # respx refuses any request it was not told about: no token request, no PATCH was made.
    assert sr_mock.calls.call_count == 0


@pytest.mark.django_db
def test_the_same_order_in_every_accepted_spelling_makes_one_order_and_one_invitation(
    client, company, package, bearer, queued
):
    spellings = [
        GOOD,
        f"{P}/orders/{U.upper()}/results",
        f"https://API.SmartRecruiters.com/assessment-api/v202010/orders/{U}/results",
    ]
    for url in spellings:
        body = order_body()
        body["resultCallbackURL"] = url
        response = _post(client, ORDERS, body, bearer())
        assert response.status_code == 202
        assert response.json() == {}
    order = Order.objects.get()
    assert (order.sr_order_id, order.result_callback_url) == (U, GOOD)
    assert queued.names() == ["send_invitation"]
    assert tasks.send_invitation(order.pk) is True
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_repeated_inline_order_gets_the_same_link(client, company, package, bearer):
    def inline(url: str) -> dict:
        body = order_body()
        body.pop("requester")
        body["resultCallbackURL"] = url
        body["completedAssessmentCallbackUrl"] = "https://jobs.smartrecruiters.com/acme/complete"
        return body

    first = _post(client, INLINE, inline(GOOD), bearer())
    again = _post(client, INLINE, inline(f"{P}/orders/{U.upper()}/results"), bearer())
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    assert Order.objects.count() == 1


@pytest.mark.django_db
def test_another_company_cannot_repeat_an_order_to_read_it(
    client, company, other_company, package, bearer
):
    assert _post(client, ORDERS, order_body(order_id=U), bearer()).status_code == 202
    body = order_body(order_id=U, company_id=other_company.integration.company_id)
    body.pop("requester")
    body["completedAssessmentCallbackUrl"] = "https://jobs.smartrecruiters.com/acme/complete"
    response = _post(client, INLINE, body, bearer(other_company))
    assert response.status_code == 403
    assert response.json()["errors"][0]["code"] == "COMPANY_MISMATCH"
    assert "url" not in response.json()
    assert Order.objects.count() == 1


@pytest.mark.django_db
def test_the_database_refuses_a_second_order_with_the_same_id_for_a_company(company, package):
    from django.db import IntegrityError, transaction

    def row(url: str) -> Order:
        return Order(
            integration=company.integration, package=package, result_callback_url=url,
            sr_order_id=U, candidate_email="ana@example.org", access_key_hash=url[-40:],
        )  # fmt: skip

    row(GOOD).save()
    with pytest.raises(IntegrityError), transaction.atomic():
        row(f"{GOOD}-other-spelling").save()


@pytest.fixture
def placed(client, company, package, bearer, queued, sr_mock) -> Order:
    import httpx

    # The sweeper also drains result pushes: SmartRecruiters answers them.
    sr_mock.post(f"{SR_API}/identity/oauth/token").mock(
        return_value=httpx.Response(200, json={"access_token": "sr-token", "expires_in": 1800})
    )
    sr_mock.patch(GOOD).mock(return_value=httpx.Response(200, json={}))
    assert _post(client, ORDERS, order_body(order_id=U), bearer()).status_code == 202
    queued.calls.clear()
    return Order.objects.get()


@pytest.mark.django_db
def test_the_sweeper_running_while_the_task_mails_does_not_mail_again(placed, monkeypatch):
    """Both paths run: the sweeper starts while the task is in the middle of sending."""
    send = orders._send_invitation_email
    sweeps: list[object] = []

    def slow_send(order: Order) -> None:
        # The moment of the race: the task has the order and is talking to SMTP.
        sweeps.append(tasks.push_results())
        send(order)

    monkeypatch.setattr(orders, "_send_invitation_email", slow_send)
    assert tasks.send_invitation(placed.pk) is True
    assert len(sweeps) == 1
    assert len(mail.outbox) == 1
    order = Order.objects.get()
    assert order.status == ResultStatus.PENDING
    assert order.invite_claimed_until is None
    assert list(ResultPush.objects.values_list("payload__status", flat=True)) == ["PENDING"]


@pytest.mark.django_db
def test_the_task_running_while_the_sweeper_mails_does_not_mail_again(placed, monkeypatch):
    send = orders._send_invitation_email
    runs: list[bool] = []

    def slow_send(order: Order) -> None:
        runs.append(tasks.send_invitation(order.pk))
        send(order)

    monkeypatch.setattr(orders, "_send_invitation_email", slow_send)
    Order.objects.filter(pk=placed.pk).update(created_at=placed.created_at.replace(year=2020))
    tasks.push_results()
    assert runs == [False]
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_failed_mail_releases_the_claim_so_the_sweeper_mails_later(placed, monkeypatch):
    def smtp_down(order: Order) -> None:
        raise ConnectionRefusedError("SMTP is down")

    monkeypatch.setattr(orders, "_send_invitation_email", smtp_down)
    with pytest.raises(ConnectionRefusedError):
        tasks.send_invitation(placed.pk)
    order = Order.objects.get()
    assert (order.status, order.invite_claimed_until) == (ResultStatus.NEW, None)
    monkeypatch.undo()
    Order.objects.filter(pk=placed.pk).update(created_at=placed.created_at.replace(year=2020))
    tasks.push_results()
    assert len(mail.outbox) == 1
    assert Order.objects.get().status == ResultStatus.PENDING


@pytest.mark.django_db
def test_a_claim_a_dead_worker_left_is_taken_over_once_it_lapsed(placed):
    from datetime import timedelta

    from django.utils import timezone

    held = Order.objects.filter(pk=placed.pk)
    held.update(invite_claimed_until=timezone.now() + timedelta(minutes=1))
    assert tasks.send_invitation(placed.pk) is False
    assert mail.outbox == []
    held.update(invite_claimed_until=timezone.now() - timedelta(seconds=1))
    assert tasks.send_invitation(placed.pk) is True
    assert len(mail.outbox) == 1
