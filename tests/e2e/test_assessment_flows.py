"""Assessments in a real browser against the sandbox: a staff member connects a company on
our consent page, SR browses and orders, the candidate takes the test, staff review and
upload the report in admin, and the result appears in SmartRecruiters (the sandbox); the
inline round trip; disconnect. Screenshots are saved as artefacts."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from django.core import mail
from django.core.management import call_command
from django.test import Client

from partner.assessments.models import Integration, Order
from partner.sandbox.assessments import services as sr_services
from partner.sandbox.assessments.models import AsmCompany, AsmOrder
from partner.smartrecruiters.oauth import token_cache
from tests.assessments.conftest import TaskRecorder
from tests.assessments.factories import assessment_staff_group, fullstack_package
from tests.browser_plugin import BROWSER_TEST

pytestmark = BROWSER_TEST
COMPANY = "5f1c0c2e9b1d4a0012345678"


@pytest.fixture
def queued(monkeypatch: pytest.MonkeyPatch) -> TaskRecorder:
    """The worker: tasks are recorded and run by the test when it chooses."""
    return TaskRecorder().install(monkeypatch)


@pytest.fixture
def registered(sandbox, settings, queued):
    sr_services.reset_assessments()
    token_cache.clear()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("register_assessment_partner", stdout=io.StringIO())
    fullstack_package(with_manual=True, country_codes="DE", field_rules={"cost-center": ["CC-42"]})
    return sandbox


@pytest.fixture
def staff_page(registered, browser):
    """A browser tab logged in as an assessment staff member (session cookie)."""
    site = registered.url.removesuffix("/sandbox")
    user = User.objects.create(
        username="vera", email="vera@vendor.example", is_staff=True, first_name="Vera"
    )
    user.groups.add(assessment_staff_group())
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    context.add_cookies(
        [
            {
                "name": django_settings.SESSION_COOKIE_NAME,
                "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
                "url": site,
            }
        ]
    )
    page = context.new_page()
    yield page
    context.close()


def _connect(page, site: str, artifacts_dir: Path) -> None:
    page.goto(f"{site}/sandbox/assessments/")
    page.fill("#id_company_id", COMPANY)
    page.fill("#id_name", "Acme")
    page.click("form[action$='/assessments/connect'] button[type=submit]")
    page.wait_for_url(re.compile(r".*/sr/assessments/integration\?.*"))
    assert COMPANY in page.content()
    page.fill("#id_new_client_name", "Acme Corp")
    page.screenshot(path=str(artifacts_dir / "assessment-consent-page.png"), full_page=True)
    page.click("text=Confirm and connect")
    page.wait_for_url(re.compile(r".*/sandbox/assessments/connected\?.*"))
    assert page.inner_text("#integration-state") == "Integrated"


def _answer_test(page, artifacts_dir: Path | None = None) -> None:
    page.get_by_role("link", name="Open", exact=True).click()
    page.click("text=Start the test")
    page.wait_for_selector("#time-left")
    if artifacts_dir is not None:
        page.screenshot(path=str(artifacts_dir / "assessment-candidate-test.png"), full_page=True)
    page.get_by_label("const").check()
    page.get_by_label(re.compile("What does typeof null return")).fill("object")
    page.click("text=Submit answers")


def test_connect_order_take_review_and_see_the_result_in_smartrecruiters(
    registered, staff_page, browser, queued, artifacts_dir
):
    site = registered.url.removesuffix("/sandbox")
    page = staff_page
    _connect(page, site, artifacts_dir)

    # SR browses packages for a job in Germany with our cost-center field.
    page.goto(f"{site}/sandbox/assessments/companies/{COMPANY}/")
    page.fill("#q-country-code", "DE")
    page.fill("#field-cost-center", "CC-42")
    page.click("text=List packages")
    assert "pkg-fullstack" in page.inner_text("#package-list")

    # SR orders the package for a candidate.
    page.fill("#id_order-package_id", "pkg-fullstack")
    page.fill("#order-field-cost-center", "CC-42")
    page.click("text=Send order")
    page.wait_for_url(re.compile(r".*/sandbox/assessments/orders/.*"))
    queued.run()  # the worker sends the invitation and the PENDING push
    page.reload()
    assert page.inner_text("#result-status") == "PENDING"

    # The candidate opens the link from the email and takes the test.
    take_url = re.search(r"https?://\S+/take/\S+/", mail.outbox[0].body).group(0)
    candidate = browser.new_page(viewport={"width": 1024, "height": 900})
    candidate.goto(take_url)
    candidate.screenshot(
        path=str(artifacts_dir / "assessment-candidate-overview.png"), full_page=True
    )
    _answer_test(candidate, artifacts_dir)
    candidate.wait_for_selector("text=Done")
    candidate.close()
    queued.run()

    # Staff review the portfolio and upload the report in admin.
    order = Order.objects.get()
    page.goto(f"{site}/admin/assessments/order/{order.pk}/change/")
    page.set_input_files(
        "#id_report-report",
        {
            "name": "report.pdf",
            "mimeType": "application/pdf",
            "buffer": b"%PDF-1.4 report",
        },
    )
    page.click("input[value='Upload report']")
    page.wait_for_selector("text=Upload a report: done.")
    page.screenshot(path=str(artifacts_dir / "assessment-admin-order.png"), full_page=True)
    # One flow: the portfolio's review, then the summary's preview, then send.
    page.click("text=Review: Portfolio review")
    page.fill("#id_review-score_raw", "7")
    page.fill("#id_review-score_max", "10")
    page.fill("#id_review-score_label", "Good")
    page.fill("#id_review-summary", "Clean, tested code")
    page.click("text=Save the review and go to the summary")
    page.wait_for_selector("text=Record a manual review: done.")
    assert Order.objects.get().status == "IN_PROGRESS"  # saving a review sends nothing
    assert "report.pdf" in page.inner_text("#preview")
    page.click("#complete-and-send")
    page.wait_for_selector("text=Completed. The report and the results are on their way")
    queued.run()
    page.goto(f"{site}/admin/assessments/order/?status__exact=COMPLETED")
    assert "ana@example.org" in page.content()
    page.screenshot(path=str(artifacts_dir / "assessment-admin-orders.png"), full_page=True)

    # SmartRecruiters shows the result, the report and the per-assessment results.
    sr_order = AsmOrder.objects.get()
    page.goto(f"{site}/sandbox/assessments/orders/{sr_order.order_id}/")
    assert page.inner_text("#result-status") == "COMPLETED"
    assert "80.0%" in page.inner_text("#result-score")
    assert "report.pdf" in page.inner_text("#result-reports")
    assert "Clean, tested code" in page.inner_text("#assessment-results")
    page.screenshot(path=str(artifacts_dir / "assessment-sandbox-result.png"), full_page=True)

    # Disconnect from SmartRecruiters.
    page.goto(f"{site}/sandbox/assessments/companies/{COMPANY}/")
    page.click("text=Disconnect the partner")
    page.wait_for_selector("text=The partner answered HTTP 204")
    assert page.inner_text("#integration-state") == "Disconnected"
    assert Integration.objects.get().status == Integration.Status.DISCONNECTED


def test_the_inline_round_trip_in_the_browser(registered, staff_page, queued, artifacts_dir):
    site = registered.url.removesuffix("/sandbox")
    page = staff_page
    _connect(page, site, artifacts_dir)
    page.goto(f"{site}/sandbox/assessments/companies/{COMPANY}/")
    page.fill("#id_inline-package_id", "pkg-fullstack")
    page.click("text=Apply and take the assessment")
    page.wait_for_url(re.compile(r".*/sr/assessments/take/.*"))
    _answer_test(page)
    page.wait_for_url(re.compile(r".*/sandbox/assessments/orders/.*/done"))
    assert page.inner_text("#inline-done") == "Back at SmartRecruiters"
    page.screenshot(path=str(artifacts_dir / "assessment-inline-return.png"), full_page=True)
    queued.run()
    sr_order = AsmOrder.objects.get()
    assert sr_order.callback_received_at is not None
    assert sr_order.result["assessmentResults"][0]["status"] == "COMPLETED"
    assert AsmCompany.objects.get().state == AsmCompany.State.INTEGRATED
