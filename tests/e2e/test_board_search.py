"""The job board in a real browser: search, filter, paginate, open a job; screenshots."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.board.factories import make_listing
from tests.browser_plugin import BROWSER_TEST

pytestmark = BROWSER_TEST


@pytest.fixture
def board(transactional_db, live_server, settings):
    settings.BOARD_PAGE_SIZE = 5
    settings.BOARD_FACET_CACHE_SECONDS = 0
    settings.SITE_URL = live_server.url
    listings = [make_listing(country_code="DE", country="Germany", city="Berlin") for _ in range(8)]
    listings += [make_listing(country_code="FR", country="France", city="Paris") for _ in range(4)]
    listings.append(
        make_listing(
            title="Principal Python Engineer",
            company_name="Snake Works",
            country_code="DE",
            country="Germany",
            city="Hamburg",
            remote=True,
            job_description="<p>Lead our <strong>Python</strong> platform.</p>"
            '<script>alert("x")</script><img src=x onerror="alert(1)">',
            salary_min=90_000,
            salary_max=120_000,
            salary_currency="EUR",
            salary_period="YEAR",
        )
    )
    return listings


def test_a_job_seeker_searches_filters_pages_and_opens_a_job(
    browser, board, live_server, artifacts_dir
) -> None:
    dialogs: list[str] = []
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(live_server.url + "/")
    assert page.locator("h2#results-heading").inner_text().startswith("13 jobs")
    page.screenshot(path=str(artifacts_dir / "board-list-1280.png"), full_page=True)

    # Filter by a facet: ticking the box applies it at once (JavaScript), into the URL.
    page.get_by_role("checkbox", name="France").check()
    page.wait_for_url("**country=fr**")
    assert page.locator("h2#results-heading").inner_text().startswith("4 jobs")
    page.screenshot(path=str(artifacts_dir / "board-list-filtered-1280.png"), full_page=False)
    page.get_by_role("link", name="remove filter Country: France").click()
    page.wait_for_load_state()

    # Paginate: 13 jobs, 5 a page.
    page.get_by_role("link", name="Next page").click()
    page.wait_for_url("**page=2**")
    assert "Page 2 of 3" in page.locator(".page-status").inner_text()
    page.go_back()
    assert "page=2" not in page.url

    # Keyword search.
    page.get_by_label("Keywords").fill("principal pyth")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**q=principal**")
    assert page.locator(".job-card").count() == 1

    page.get_by_role("link", name="Principal Python Engineer").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Principal Python Engineer"
    assert page.get_by_role("link", name="Apply now").is_visible()
    assert "EUR 90,000" in page.locator(".job-facts").inner_text()
    page.screenshot(path=str(artifacts_dir / "board-job-1280.png"), full_page=True)
    assert dialogs == []  # the hostile script in the ad never ran


def test_the_board_fits_a_phone_screen(browser, board, live_server, artifacts_dir) -> None:
    page = browser.new_page(viewport={"width": 375, "height": 812})
    page.goto(live_server.url + "/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375
    page.screenshot(path=str(artifacts_dir / "board-list-375.png"), full_page=True)
    page.goto(live_server.url + board[-1].get_absolute_url())
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=str(artifacts_dir / "board-job-375.png"), full_page=True)
    # The narrowest phones we support.
    page.set_viewport_size({"width": 360, "height": 740})
    for path in ("/", board[-1].get_absolute_url()):
        page.goto(live_server.url + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_search_works_without_javascript(browser, board, live_server) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/")
    page.get_by_role("checkbox", name="Germany").check()
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**country=de**")
    assert page.locator("h2#results-heading").inner_text().startswith("9 jobs")
    context.close()


def test_a_job_alert_sign_up_reports_errors_accessibly(
    browser, board, live_server, artifacts_dir
) -> None:
    page = browser.new_page(viewport={"width": 375, "height": 812})
    page.goto(live_server.url + "/alerts/?q=python&country=de")
    page.get_by_label("Your email address").fill("not-an-email")
    page.get_by_role("button", name="Create alert").click()
    page.wait_for_load_state()
    summary = page.locator(".error-summary")
    assert "Enter an email address like name@example.com" in summary.inner_text()
    # The summary takes focus so that a screen reader announces it first.
    expect(page.locator(".error-summary")).to_be_focused()
    page.screenshot(path=str(artifacts_dir / "board-alert-error-375.png"), full_page=True)


def test_the_unsubscribe_link_in_an_email_takes_one_click(browser, board, live_server) -> None:
    from django.core import mail

    from jobboard.board import alerts
    from jobboard.board.models import JobAlert
    from jobboard.board.search import JobSearch

    alert = alerts.request_job_alert(
        email="ada@example.com", search=JobSearch.from_params({"q": "python"}), client_ip="1"
    )
    assert mail.outbox
    page = browser.new_page()
    page.goto(
        alerts.alert_unsubscribe_url(alert).replace("https://jobs.example.org", live_server.url)
    )
    page.wait_for_selector("text=You are unsubscribed")
    assert not JobAlert.objects.filter(pk=alert.pk).exists()
