"""The candidate's side in a real browser: erasing one's data from the private status
page works (the browser's CSRF Origin is right), the private link never reaches another
site, and applying twice is answered with the first application's link."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from partner.applications.models import Application
from partner.applications.services import intake
from tests.applications.sandbox_helpers import answers_ok, candidate, sandbox_listing
from tests.browser_plugin import BROWSER_TEST

pytestmark = BROWSER_TEST

WIDTHS = (1280, 375)


def sent_application(sandbox) -> tuple[Application, str]:
    listing = sandbox_listing(sandbox)
    application, token = intake.application_create(
        listing=listing, language="en", candidate=candidate(), answers=answers_ok(), files={}
    )
    application.refresh_from_db()
    assert application.state == Application.State.SENT
    return application, token


def status_url(sandbox, token: str) -> str:
    site = sandbox.url.removesuffix("/sandbox")
    return site + reverse("applications:status", kwargs={"token": token})


@pytest.mark.parametrize("width", WIDTHS)
def test_a_candidate_erases_their_data_from_the_status_page_in_the_browser(
    sandbox, eager_tasks, browser, artifacts_dir, width
):
    application, token = sent_application(sandbox)
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(status_url(sandbox, token))
    page.screenshot(path=str(artifacts_dir / f"status-page-{width}.png"), full_page=True)

    page.get_by_label("Yes, erase my personal data").check()
    page.get_by_role("button", name="Erase my data").click()

    page.wait_for_selector("text=have been erased")
    page.screenshot(path=str(artifacts_dir / f"status-page-erased-{width}.png"), full_page=True)
    application.refresh_from_db()
    assert application.is_erased
    assert application.payload["email"] == "[erased]"
    page.close()


def test_the_private_status_link_is_not_sent_to_other_sites_as_referer(
    sandbox, eager_tasks, browser
):
    _, token = sent_application(sandbox)
    page = browser.new_page()
    page.goto(status_url(sandbox, token))
    # The same server under another host name is another origin for the browser.
    elsewhere = sandbox.url.removesuffix("/sandbox").replace("localhost", "127.0.0.1") + "/healthz"
    assert elsewhere.startswith("http://127.0.0.1:")

    with page.expect_request(elsewhere) as leaving:
        page.evaluate("url => { window.location.href = url; }", elsewhere)

    headers = leaving.value.all_headers()
    assert "referer" not in headers
    assert token not in " ".join(headers.values())
    page.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_applying_again_in_the_browser_says_so_and_mails_the_link(
    sandbox, eager_tasks, browser, artifacts_dir, width
):
    application, _ = sent_application(sandbox)
    listing = application.listing
    site = sandbox.url.removesuffix("/sandbox")
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(f"{site}/jobs/{listing.pk}-{listing.slug}/apply/")

    page.fill("#id_first_name", "Jane")
    page.fill("#id_last_name", "Doe")
    page.fill("#id_email", "JANE.DOE@example.test")
    page.check("#id_q0-0-0_0")
    page.select_option("#id_q1-0-0", "ct-perm")
    page.select_option("#id_q3-0-0", "en")
    page.select_option("#id_q3-0-1", "fluent")
    page.check("#id_q7-0-0")
    page.check("#id_consent_SMART_RECRUIT")
    page.get_by_role("button", name="Send application").click()

    page.wait_for_selector("text=You have already applied for this job")
    page.screenshot(path=str(artifacts_dir / f"apply-repeat-{width}.png"), full_page=True)
    assert Application.objects.count() == 1
    assert len(sandbox.candidates()) == 1
    assert "You had already applied" in mail.outbox[-1].body
    page.close()


def test_a_candidate_turns_status_emails_on_and_off_in_the_browser(
    sandbox, eager_tasks, browser, artifacts_dir
):
    application, token = sent_application(sandbox)
    page = browser.new_page(viewport={"width": 375, "height": 800})
    page.goto(status_url(sandbox, token))

    page.get_by_role("button", name="Email me about status updates").click()
    page.wait_for_selector("text=We will email you when the employer updates")
    page.screenshot(path=str(artifacts_dir / "status-page-updates-on-375.png"), full_page=True)
    application.refresh_from_db()
    assert application.notify_status_changes

    page.get_by_role("button", name="Stop status emails").click()
    page.wait_for_selector("text=We will no longer email you")
    application.refresh_from_db()
    assert not application.notify_status_changes
    page.close()
