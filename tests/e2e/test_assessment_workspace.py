"""The vendor's staff workspace in a real browser at 1280 px: the orders list, the review
queue, the answers view with inline grading, the summary with its preview, the analytics
page. Screenshots are saved as artefacts."""

from __future__ import annotations

import io
import json
import re

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client
from pypdf import PdfReader

from partner.assessments.models import Order
from partner.sandbox.assessments.models import AsmOrder
from tests.assessments.conftest import TaskRecorder
from tests.assessments.factories import assessment_staff_group, connected_company, fullstack_package
from tests.assessments.workspace import PDF_BYTES, essay_package, place_order
from tests.browser_plugin import BROWSER_TEST
from tests.e2e.test_assessment_flows import COMPANY, _connect, registered, staff_page  # noqa: F401

pytestmark = BROWSER_TEST
WIDTH = 1280


@pytest.fixture
def queued(monkeypatch: pytest.MonkeyPatch) -> TaskRecorder:
    """The worker: tasks are recorded and run by the test when it chooses."""
    return TaskRecorder().install(monkeypatch)


@pytest.fixture
def staff_tab(live_server, browser, transactional_db, queued, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    user = User.objects.create(
        username="vera", email="vera@vendor.example", is_staff=True, first_name="Vera"
    )
    user.groups.add(assessment_staff_group())
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport={"width": WIDTH, "height": 900})
    context.add_cookies(
        [
            {
                "name": django_settings.SESSION_COOKIE_NAME,
                "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page = context.new_page()
    yield page
    context.close()


def test_the_orders_list_shows_the_whole_status_at_1280_px(live_server, staff_tab, artifacts_dir):
    company = connected_company()
    fullstack_package(with_manual=True)
    for number in range(3):
        place_order(company.integration, email=f"candidate{number}@example.org", invite=True)
    page = staff_tab
    page.goto(f"{live_server.url}/admin/assessments/order/")
    page.screenshot(path=str(artifacts_dir / "assessment-orders-list-1280.png"), full_page=True)
    cells = page.locator("td.field-status_badge")
    assert cells.count() == 3
    for index in range(3):
        cell = cells.nth(index)
        assert cell.inner_text().strip() == "Pending"
        clipped = cell.evaluate("el => el.scrollWidth > el.clientWidth + 1")
        assert not clipped
        box = cell.bounding_box()
        assert box is not None
        assert box["x"] + box["width"] <= WIDTH
    # No column is cut off at the right edge: the table fits its container.
    results = page.locator("#changelist .results")
    assert results.evaluate("el => el.scrollWidth <= el.clientWidth + 1")


# -- a whole day's order, from arrival to a result at SmartRecruiters -----------------
def _preview_json(page) -> dict:
    page.click("#preview details summary")
    return json.loads(page.inner_text("#preview-json"))


def test_a_staff_member_takes_an_order_from_arrival_to_a_result_at_smartrecruiters(
    registered,  # noqa: F811 - the fixture imported from test_assessment_flows
    staff_page,  # noqa: F811
    browser,
    queued,
    artifacts_dir,
):
    site = registered.url.removesuffix("/sandbox")
    essay_package()
    page = staff_page
    page.set_viewport_size({"width": WIDTH, "height": 900})
    _connect(page, site, artifacts_dir)

    # SmartRecruiters orders the backend package; the worker mails the candidate.
    page.goto(f"{site}/sandbox/assessments/companies/{COMPANY}/")
    page.fill("#id_order-package_id", "pkg-backend")
    page.click("text=Send order")
    page.wait_for_url(re.compile(r".*/sandbox/assessments/orders/.*"))
    queued.run()
    invitation = next(m for m in mail.outbox if "ana@example.org" in m.to)
    assert "Acme Corp" in invitation.subject
    take_url = re.search(r"https?://\S+/take/\S+/", invitation.body).group(0)

    # The candidate: essay, code and a PDF, on the vendor's own pages.
    candidate = browser.new_page(viewport={"width": WIDTH, "height": 900})
    candidate.goto(take_url)
    assert candidate.locator("nav[aria-label=Main]").count() == 0
    candidate.get_by_role("link", name="Open", exact=True).click()
    candidate.click("text=Start the test")
    candidate.wait_for_selector("#time-left")
    candidate.get_by_label("tuple").check()
    candidate.get_by_label(re.compile("Explain the GIL")).fill(
        "Only one thread runs bytecode at a time."
    )
    candidate.get_by_label(re.compile("reverses a string")).fill(
        "def reverse(text):\n    return text[::-1]\n"
    )
    candidate.get_by_label(re.compile("Upload a sample")).set_input_files(
        {"name": "sample.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}
    )
    candidate.screenshot(
        path=str(artifacts_dir / "assessment-candidate-backend-test.png"), full_page=True
    )
    candidate.click("text=Submit answers")
    candidate.wait_for_selector("text=Done")
    candidate.close()
    queued.run()
    staff_mail = next(m for m in mail.outbox if "vera@vendor.example" in m.to)
    assert "To review" in staff_mail.subject

    # Staff: the index shows the queue; the queue shows the order.
    page.goto(f"{site}/admin/")
    assert "1</strong> order to review" in page.inner_text("#assessment-review-queue") or (
        "1 order to review" in page.inner_text("#assessment-review-queue")
    )
    page.click("#assessment-review-queue >> text=order to review")
    page.wait_for_selector("#review-queue")
    page.screenshot(path=str(artifacts_dir / "assessment-review-queue-1280.png"), full_page=True)
    page.get_by_role("link", name="Review", exact=True).click()

    # 1. Each assessment: the answers, graded inline, then the review.
    results = {r.assessment.external_id: r.pk for r in Order.objects.get().results.all()}
    page.click(f"#review-assessments a[href$='/review/{results['python']}/']")
    page.wait_for_selector("#answers")
    assert "Correct: 2 of 2" in page.inner_text("#answers")
    for index in range(3):
        form = page.locator("form.asm-grade").nth(index)
        form.locator("input[type=number]").fill("2")
        form.locator("textarea").fill("Reasonable")
        form.locator("button").click()
        page.wait_for_selector("text=Grade an answer: done.")
    page.screenshot(path=str(artifacts_dir / "assessment-answers-view-1280.png"), full_page=True)
    page.fill("#id_review-summary", "Solid basics")
    page.click("text=Save the review and go to the summary")
    page.wait_for_selector("text=Record a manual review: done.")
    page.click(f"#review-assessments a[href$='/review/{results['portfolio']}/']")
    page.fill("#id_review-score_raw", "7")
    page.fill("#id_review-score_max", "10")
    page.fill("#id_review-score_label", "Good")
    page.fill("#id_review-summary", "Clean, tested code")
    page.click("text=Save the review and go to the summary")
    page.wait_for_selector("#preview")

    # 2. The summary and its preview; 3. Complete and send.
    page.fill("#id_label", "Recommended")
    page.click("text=Update the preview")
    page.wait_for_selector("#preview-label >> text=Recommended")
    shown = _preview_json(page)
    page.screenshot(path=str(artifacts_dir / "assessment-review-preview-1280.png"), full_page=True)
    assert shown["scoreLabel"] == "Recommended"
    page.click("#complete-and-send")
    page.wait_for_selector("text=Completed. The report and the results are on their way")
    queued.run()

    # What SmartRecruiters received is what the preview showed, and the report arrived.
    received = [
        json.loads(entry.request_body)
        for entry in registered.journal(endpoint="assessments.results", method="PATCH")
    ]
    [completed] = [body for body in received if body.get("status") == "COMPLETED"]
    shown["attachments"][0]["url"] = completed["attachments"][0]["url"]
    assert completed == shown
    sr_order = AsmOrder.objects.get()
    [uploaded] = sr_order.attachments.all()
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(bytes(uploaded.content))).pages)
    assert "Clean, tested code" in text
    assert "Recommended" in text
    page.goto(f"{site}/sandbox/assessments/orders/{sr_order.order_id}/")
    assert page.inner_text("#result-status") == "COMPLETED"
    page.screenshot(
        path=str(artifacts_dir / "assessment-sandbox-reviewed-result.png"), full_page=True
    )

    # The day in figures.
    page.goto(f"{site}/admin/assessments/order/analytics/")
    assert page.locator("#score-chart rect.bar").count() == 10
    assert "Backend engineer" in page.inner_text("#by-package")
    page.screenshot(path=str(artifacts_dir / "assessment-analytics-1280.png"), full_page=True)
