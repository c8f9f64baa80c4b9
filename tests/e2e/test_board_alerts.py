"""Alerts from a search and the page that manages them, in a real browser."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from jobboard.board.models import JobAlert
from tests.board.factories import make_listing
from tests.browser_plugin import BROWSER_TEST
from tests.e2e.screens import shoot

pytestmark = BROWSER_TEST


@pytest.fixture
def board(transactional_db, live_server, settings):
    settings.BOARD_FACET_CACHE_SECONDS = 0
    settings.SITE_URL = live_server.url
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    make_listing(title="Python Developer", country_code="DE", country="Germany", city="Berlin")
    make_listing(title="Python Engineer", country_code="FR", country="France", city="Paris")


def test_email_me_jobs_like_these_then_manage_the_alerts(
    browser, board, live_server, artifacts_dir
) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(live_server.url + "/?q=python&country=de")
    page.get_by_role("link", name="Email me jobs like these").click()
    page.wait_for_url("**/alerts/?q=python&country=de")
    assert "“python”, DE" in page.locator("main").inner_text()
    shoot(page, artifacts_dir, "board-alert-signup")
    page.get_by_label("Your email address").fill("ada@example.com")
    page.get_by_role("button", name="Create alert").click()
    page.wait_for_url("**/alerts/sent/")
    alert = JobAlert.objects.get()
    assert alert.query == "q=python&country=de"

    # A second alert from the box at the foot of another search.
    page.goto(live_server.url + "/?where=Paris")
    box = page.locator("#job-alert")
    box.get_by_label("Your email address").fill("ada@example.com")
    box.get_by_role("button", name="Create alert").click()
    page.wait_for_url("**/alerts/sent/")

    # Every alert mail links to the manage page.
    link = re.search(r"(http://\S+/alerts/manage/\S+/)", mail.outbox[0].body).group(1)
    page.goto(link)
    items = page.locator(".alert-item")
    assert items.count() == 2
    shoot(page, artifacts_dir, "board-alert-manage")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("button", name=re.compile(r"^Stop this alert\s*: “python”, DE$")).click()
    page.wait_for_load_state()
    assert page.get_by_role("status").inner_text() == "The job alert is stopped."
    assert page.locator(".alert-item").count() == 1
    assert list(JobAlert.objects.values_list("query", flat=True)) == ["where=Paris"]


def test_the_manage_link_is_sent_on_request(browser, board, live_server, artifacts_dir) -> None:
    page = browser.new_page(viewport={"width": 375, "height": 800})
    page.goto(live_server.url + "/alerts/manage/")
    page.get_by_label("Your email address").fill("nobody")
    page.get_by_role("button", name="Email me the link").click()
    page.wait_for_load_state()
    expect(page.locator(".error-summary")).to_be_focused()
    shoot(page, artifacts_dir, "board-alert-manage-request-error")
