"""A candidate's location in a real browser against the sandbox (issue 11): a city typed
and a country chosen from the list reach SmartRecruiters as city and countryCode; half a
location is answered with a message, not dropped. Screenshots are saved as artefacts."""

from __future__ import annotations

import json

from playwright.sync_api import expect

from partner.applications.models import Application
from tests.applications.sandbox_helpers import sandbox_listing
from tests.browser_plugin import BROWSER_TEST

pytestmark = BROWSER_TEST


def fill_required(page) -> None:
    page.fill("#id_first_name", "Jane")
    page.fill("#id_last_name", "Doe")
    page.fill("#id_email", "jane.doe@example.test")
    page.check("#id_q0-0-0_0")  # authorised: Yes
    page.select_option("#id_q1-0-0", "ct-perm")
    page.select_option("#id_q3-0-0", "en")
    page.select_option("#id_q3-0-1", "fluent")
    page.check("#id_q7-0-0")  # my information is accurate
    page.check("#id_consent_SMART_RECRUIT")


def test_a_city_and_a_country_from_the_list_reach_the_sandbox_as_city_and_country_code(
    sandbox, eager_tasks, browser, artifacts_dir
):
    listing = sandbox_listing(sandbox)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{sandbox.url.removesuffix('/sandbox')}/jobs/{listing.pk}-{listing.slug}/apply/")

    fill_required(page)
    page.fill("#id_city", "Lyon")
    page.get_by_label("Country").select_option(label="France")
    assert page.input_value("#id_country") == "FR"
    assert page.get_attribute("#id_first_name", "maxlength") == "128"
    page.locator("#id_city").scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts_dir / "apply-location-filled.png"), full_page=True)
    notice = page.get_by_role("heading", name="Confidential Diversity Questionnaire")
    notice.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts_dir / "apply-diversity-notice.png"))

    page.get_by_role("button", name="Send application").click()
    page.wait_for_selector("text=your application has been received")

    [stored] = sandbox.candidates()
    assert stored.payload["location"] == {"city": "Lyon", "country": "France", "countryCode": "fr"}
    [post] = sandbox.journal(endpoint="apply.candidates", method="POST")
    sent = json.loads(post.request_body)
    assert (sent["location"]["city"], sent["location"]["countryCode"]) == ("Lyon", "fr")
    assert post.status == 200
    assert Application.objects.get().state == Application.State.SENT


def test_a_city_without_a_country_asks_for_the_country(
    sandbox, eager_tasks, browser, artifacts_dir
):
    listing = sandbox_listing(sandbox)
    page = browser.new_page(viewport={"width": 375, "height": 800})
    page.goto(f"{sandbox.url.removesuffix('/sandbox')}/jobs/{listing.pk}-{listing.slug}/apply/")

    fill_required(page)
    page.fill("#id_city", "Lyon")
    page.get_by_role("button", name="Send application").click()

    summary = page.locator("#error-summary")
    assert summary.is_visible()
    assert "Choose your country too, or leave the city empty." in summary.inner_text()
    summary.locator("a[href='#id_country']").click()
    expect(page.locator("#id_country")).to_be_focused()
    page.screenshot(path=str(artifacts_dir / "apply-location-half-mobile.png"), full_page=True)
    assert page.input_value("#id_city") == "Lyon"  # what the candidate typed is kept
    assert sandbox.candidates() == []
