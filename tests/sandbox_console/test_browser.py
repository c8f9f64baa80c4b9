"""The console in a real browser: log in, post a job, inject a fault, read the journal.

Screenshots of the dashboard, a posting, the journal and the fault controls are saved
to the artefacts directory for people to look at.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from partner.sandbox import services
from partner.sandbox.models import PostingStatus, SandboxPosting
from tests.browser_plugin import BROWSER_TEST

pytestmark = BROWSER_TEST


@pytest.fixture
def browser_page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        yield page
    finally:
        context.close()


def test_staff_post_a_job_inject_a_fault_and_read_the_journal(
    live_server, transactional_db, browser_page, artifacts_dir, settings
):
    page = browser_page
    get_user_model().objects.create_user(
        username="ops", password="console-password-123", is_staff=True
    )
    services.create_posting(name="Warehouse Operations Lead", company_name="Globex")

    # Log in through the admin login the console redirects to.
    page.goto(f"{live_server.url}/sandbox/")
    assert "/admin/login/" in page.url
    page.fill("#id_username", "ops")
    page.fill("#id_password", "console-password-123")
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/sandbox/")
    assert page.locator("h1").inner_text() == "SmartRecruiters sandbox"

    # Post a job as the customer.
    page.get_by_role("link", name="Post a job").first.click()
    page.select_option("#id_company", label="A new company (name below)")
    page.fill("#id_company_name", "Acme Corp")
    page.fill("#id_name", "Senior Backend Engineer")
    page.fill("#id_ref_number", "ENG-2041")
    page.check("#id_with_contract")
    page.fill("#id_salary_min", "70000")
    page.fill("#id_salary_max", "90000")
    page.get_by_role("button", name="Post the job").click()
    page.wait_for_selector("text=(Pending)")
    posting = SandboxPosting.objects.get(name="Senior Backend Engineer")
    assert posting.status == PostingStatus.PENDING
    assert posting.offer.has_contract

    # The board reports it live; the console shows the live URL as a link.
    services.update_posting_status(
        posting=posting, status="Active", live_url=f"{live_server.url}/jobs/1-senior-backend/"
    )
    page.reload()
    assert page.get_by_role("link", name=f"{live_server.url}/jobs/1-senior-backend/").count() >= 1
    page.screenshot(path=str(artifacts_dir / "sandbox-console-posting.png"), full_page=True)

    # Inject a fault: 503 on the feed only.
    page.get_by_role("navigation", name="Sandbox console").get_by_role(
        "link", name="Faults"
    ).click()
    page.select_option("#id_fault", "503")
    page.get_by_label("feed.*", exact=True).check()
    page.screenshot(path=str(artifacts_dir / "sandbox-console-faults.png"), full_page=True)
    page.get_by_role("button", name="Save switches").first.click()
    page.wait_for_selector(".sbx-banner")
    assert "Fault 503 on feed" in page.locator(".sbx-banner").inner_text()

    # The board's next sync pass hits the fault.
    answer = page.request.get(
        f"{live_server.url}/sandbox/feed/publications?status=Pending",
        headers={"X-SmartToken": settings.SANDBOX_DEMO_PARTNER_TOKEN},
    )
    assert answer.status == 503

    # Read it in the journal, filtered to server errors, then open the entry.
    page.get_by_role("navigation", name="Sandbox console").get_by_role(
        "link", name="Journal"
    ).click()
    page.fill("#id_status", "5xx")
    page.get_by_role("button", name="Filter").click()
    rows = page.locator("table.sbx-table tbody tr")
    assert rows.count() == 1
    assert "503" in rows.first.inner_text()
    page.screenshot(path=str(artifacts_dir / "sandbox-console-journal.png"), full_page=True)
    rows.first.locator("th a").click()
    page.wait_for_selector("text=Response headers")
    detail = page.locator("main").inner_text()
    assert settings.SANDBOX_DEMO_PARTNER_TOKEN not in detail
    assert "internal_error" in detail

    # Remove the posting, advance the clock, and look at the dashboard.
    page.goto(f"{live_server.url}/sandbox/console/postings/{posting.id}/")
    page.get_by_role("button", name="Remove from board").click()
    page.wait_for_selector("text=is now toUnpost")
    posting.refresh_from_db()
    assert posting.status == PostingStatus.TO_UNPOST
    page.goto(f"{live_server.url}/sandbox/")
    page.fill("#id_days", "31")
    page.get_by_role("button", name="Advance").click()
    page.wait_for_selector("text=Clock advanced 31 day(s)")
    assert SandboxPosting.objects.get(name="Warehouse Operations Lead").status == "toUnpost"
    page.screenshot(path=str(artifacts_dir / "sandbox-console-dashboard.png"), full_page=True)
