"""End to end over real HTTP: our partner code and the sandbox (SR) on live_server."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from partner.assessments import orders, pushes, review, runner
from partner.assessments.models import Assessment, Integration, Order, ResultPush
from partner.sandbox.assessments import caller
from partner.sandbox.assessments import services as sr_services
from partner.sandbox.assessments.models import AsmCompany, AsmOrder, AsmToken
from tests.assessments.factories import assessment_staff_group, fullstack_package

COMPANY = "5f1c0c2e9b1d4a0012345678"


@pytest.fixture
def staff(live) -> Client:
    user = User.objects.create(username="vera", email="vera@vendor.example", is_staff=True)
    user.groups.add(assessment_staff_group())
    client = Client(HTTP_HOST=urlsplit(live.url).netloc)
    client.force_login(user)
    return client


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _connect(staff: Client, live) -> AsmCompany:
    response = staff.post("/sandbox/assessments/connect", {"company_id": COMPANY, "name": "Acme"})
    assert response.status_code == 302
    consent = response["Location"]
    assert consent.startswith(f"{live.url.rsplit('/sandbox', 1)[0]}/sr/assessments/integration?")
    assert staff.get(_path(consent)).status_code == 200
    confirmed = staff.post(_path(consent), {"new_client_name": "Acme Corp"})
    assert confirmed.status_code == 302, confirmed.content
    back = staff.get(_path(confirmed["Location"]))
    assert back.status_code == 200
    assert "Integrated" in back.content.decode()
    return AsmCompany.objects.get(company_id=COMPANY)


def _candidate_form(prefix: str, package_id: str = "pkg-fullstack") -> dict[str, str]:
    return {
        f"{prefix}-package_id": package_id,
        f"{prefix}-email": "ana@example.org",
        f"{prefix}-first_name": "Ana",
        f"{prefix}-last_name": "Nowak",
        f"{prefix}-language": "en",
        f"{prefix}-job_id": "aaf65646-ed93-4c16-950b-cea69773efba",
        "field-cost-center": "CC-42",
    }


def _take_test(candidate: Client, take_path: str, *, right: bool = True) -> object:
    order = Order.objects.get()
    js = order.package.assessments.get(external_id="js")
    test_path = f"{take_path}js/"
    assert candidate.post(test_path, {"start": "1"}).status_code == 302
    page = candidate.get(test_path)
    assert page.status_code == 200
    q1, q2 = js.questions.all()
    correct = q1.choices.get(is_correct=True)
    return candidate.post(
        test_path,
        {f"q{q1.pk}": str(correct.pk), f"q{q2.pk}": "object" if right else "null", "submit": "1"},
    )


@pytest.mark.django_db(transaction=True)
def test_register_connect_browse_order_take_review_and_disconnect(live, staff, queued):
    config = sr_services.configuration()
    site = live.url.rsplit("/sandbox", 1)[0]
    assert config["consentUrl"] == f"{site}/sr/assessments/integration"
    assert config["singleAssessmentPackageUrl"] == f"{site}/sr/assessments/packages"
    assert config["fields"][0]["id"] == "cost-center"
    fullstack_package(with_manual=True, country_codes="DE", field_rules={"cost-center": ["CC-42"]})

    company = _connect(staff, live)
    integration = Integration.objects.get(company_id=COMPANY)
    assert company.p_client_id == integration.p_client_id
    assert company.sr_client_id == integration.sr_client_id

    listed = staff.get(
        f"/sandbox/assessments/companies/{COMPANY}/packages",
        {"country-code": "DE", "field-cost-center": "CC-42", "requester": "r@acme.example"},
    )
    assert listed.status_code == 200
    assert "pkg-fullstack" in listed.content.decode()
    elsewhere = staff.get(
        f"/sandbox/assessments/companies/{COMPANY}/packages", {"country-code": "FR"}
    )
    assert "No package fits" in elsewhere.content.decode()

    ordered = staff.post(
        f"/sandbox/assessments/companies/{COMPANY}/order", _candidate_form("order")
    )
    assert ordered.status_code == 302
    sr_order = AsmOrder.objects.get()
    assert sr_order.response_status == 202
    order = Order.objects.get()
    assert order.sr_order_id == str(sr_order.order_id)
    assert order.fields == {"cost-center": "CC-42"}

    queued.run()  # the worker: invitation email, then the PENDING push
    sr_order.refresh_from_db()
    assert sr_order.result["status"] == "PENDING"
    [invitation] = mail.outbox
    take_url = re.search(r"https?://\S+/take/\S+/", invitation.body).group(0)

    candidate = Client(HTTP_HOST=urlsplit(live.url).netloc)
    overview = candidate.get(_path(take_url))
    assert overview.status_code == 200
    assert "JavaScript" in overview.content.decode()
    assert _take_test(candidate, _path(take_url)).status_code == 302
    queued.run()
    sr_order.refresh_from_db()
    assert sr_order.result["status"] == "IN_PROGRESS"
    assert sr_order.result["assessmentResults"][0]["score"] == {"raw": 5, "min": 0, "max": 5}

    # Staff: the portfolio review and the PDF report.
    order = Order.objects.get()
    orders.order_attach_report(
        order=order,
        upload=SimpleUploadedFile("report.pdf", b"%PDF-1.4 full report", "application/pdf"),
    )
    manual = order.results.get(assessment__kind=Assessment.Kind.MANUAL)
    runner.assessment_review(
        result=manual,
        score_raw=7,
        score_min=0,
        score_max=10,
        score_label="Good",
        summary="Clean code",
    )
    # Saving a review sends nothing by itself: staff complete from the summary, which
    # sends exactly the preview they saw.
    preview = review.completion_preview(order=Order.objects.get())
    review.order_complete_and_send(order=Order.objects.get(), fingerprint=preview.fingerprint)
    queued.run()
    sr_order.refresh_from_db()
    result = sr_order.result
    assert result["status"] == "COMPLETED"
    assert result["score"] == {"raw": 12, "min": 0, "max": 15}
    assert result["submissionDate"]
    assert result["attachments"][0]["type"] == "PDF_URL"
    [uploaded] = sr_order.attachments.all()
    assert bytes(uploaded.content) == b"%PDF-1.4 full report"
    assert {r["assessmentId"] for r in result["assessmentResults"]} == {"js", "portfolio"}

    shown = staff.get(f"/sandbox/assessments/orders/{sr_order.order_id}/").content.decode()
    assert "80.0%" in shown
    assert result["scoreLabel"] in shown
    assert "report.pdf" in shown
    assert "Clean code" in shown

    disconnected = staff.post(f"/sandbox/assessments/companies/{COMPANY}/disconnect")
    assert disconnected.status_code == 302
    integration.refresh_from_db()
    assert integration.status == Integration.Status.DISCONNECTED
    assert AsmCompany.objects.get().state == AsmCompany.State.DISCONNECTED
    with pytest.raises(caller.CallerError):
        caller.list_packages(AsmCompany.objects.get(), params={}, requester_email="")


@pytest.mark.django_db(transaction=True)
def test_the_inline_round_trip_sends_the_candidate_back(live, staff, queued):
    fullstack_package()
    _connect(staff, live)
    response = staff.post(
        f"/sandbox/assessments/companies/{COMPANY}/inline-order", _candidate_form("inline")
    )
    assert response.status_code == 302
    take_url = response["Location"]
    sr_order = AsmOrder.objects.get()
    assert sr_order.inline_url == take_url
    submitted = _take_test(staff, _path(take_url))
    assert submitted.status_code == 302
    done = submitted["Location"]
    assert done == sr_order.request["completedAssessmentCallbackUrl"]
    assert staff.get(_path(done)).status_code == 200
    queued.run()
    sr_order.refresh_from_db()
    assert sr_order.callback_received_at is not None
    assert sr_order.result["status"] == "COMPLETED"
    assert sr_order.result["score"] == {"raw": 5, "min": 0, "max": 5}


@pytest.mark.django_db(transaction=True)
def test_duplicate_orders_give_one_order_and_one_invitation(live, staff, queued):
    fullstack_package()
    company = _connect(staff, live)
    live.set_switches(duplicate_orders=True, token_auth="basic", requester_header="email")
    caller.list_packages(company, params={}, requester_email="r@acme.example")
    caller.place_order(
        company,
        api_root=live.url,
        package_id="pkg-fullstack",
        candidate={"email": "ana@example.org", "firstName": "Ana", "lastName": "N"},
        job_id="aaf65646-ed93-4c16-950b-cea69773efba",
        fields={},
        requester={"userId": "u"},
    )
    assert Order.objects.count() == 1
    assert queued.names() == ["send_invitation"]


@pytest.mark.django_db(transaction=True)
def test_pushes_survive_a_5xx_and_a_revoked_token(live, staff, queued):
    fullstack_package()
    company = _connect(staff, live)
    caller.place_order(
        company,
        api_root=live.url,
        package_id="pkg-fullstack",
        candidate={"email": "ana@example.org"},
        job_id="aaf65646-ed93-4c16-950b-cea69773efba",
        fields={},
        requester={},
    )
    orders.order_invite(order_id=Order.objects.get().pk)
    pushes.pushes_drain()  # caches the SR token
    AsmToken.objects.filter(kind=AsmToken.Kind.COMPANY).update(revoked_at="2020-01-01T00:00Z")
    live.set_switches(fault="503", fault_scope=["assessments.results"], fault_count=1)
    orders.order_reject(order=Order.objects.get(), reason="Role closed")
    assert pushes.pushes_drain() == {"sent": 1}
    assert AsmOrder.objects.get().result["status"] == "REJECTED"
    assert ResultPush.objects.filter(state=ResultPush.State.SENT).count() == 2
