"""Sorting, relative dates and company pages in a real browser."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from tests.board.factories import make_listing, on_day, posted
from tests.browser_plugin import BROWSER_TEST
from tests.e2e.screens import shoot

pytestmark = BROWSER_TEST


@pytest.fixture
def board(transactional_db, live_server, settings):
    settings.BOARD_FACET_CACHE_SECONDS = 0
    settings.SITE_URL = live_server.url
    soon = on_day(-2)  # closes in 2 calendar days, whatever the hour
    make_listing(
        title="Robot Tamer",
        company_name="Acme Robotics",
        salary_max=Decimal(70_000),
        valid_through=soon + timedelta(days=20),
        posted_at=posted(3.01),
    )
    make_listing(
        title="Robot Oiler",
        company_name="Acme Robotics",
        salary_max=Decimal(95_000),
        valid_through=None,
        posted_at=posted(0.1),
    )
    make_listing(
        title="Clerk",
        company_name="Globex",
        salary_min=None,
        salary_max=None,
        valid_through=soon,
        posted_at=on_day(1),
    )


def titles(page) -> list[str]:
    return page.locator(".job-card .job-title").all_inner_texts()


def test_a_job_seeker_sorts_by_salary_and_closing_date(
    browser, board, live_server, artifacts_dir
) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(live_server.url + "/")
    assert titles(page) == ["Robot Oiler", "Clerk", "Robot Tamer"]
    # The list applies itself on change (JavaScript).
    page.get_by_label("Sort by").select_option("salary")
    page.wait_for_url("**sort=salary**")
    assert titles(page) == ["Robot Oiler", "Robot Tamer", "Clerk"]
    shoot(page, artifacts_dir, "board-sort-salary")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_label("Sort by").select_option("closing")
    page.wait_for_url("**sort=closing**")
    assert titles(page) == ["Clerk", "Robot Tamer", "Robot Oiler"]
    # Relative dates, the exact date on hover.
    clerk = page.locator(".job-card").first
    posted_time = clerk.locator("time").first
    assert posted_time.inner_text() == "Posted yesterday"
    assert posted_time.get_attribute("title")
    assert clerk.locator("time").nth(1).inner_text() == "Closes in 2 days"
    posted_time.hover()
    shoot(page, artifacts_dir, "board-sort-closing")


def test_the_sort_works_without_javascript(browser, board, live_server) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/")
    page.get_by_label("Sort by").select_option("salary")
    page.locator(".sort-form").get_by_role("button", name="Sort").click()
    page.wait_for_url("**sort=salary**")
    assert titles(page) == ["Robot Oiler", "Robot Tamer", "Clerk"]
    context.close()


def test_a_job_seeker_opens_a_company_page_from_a_card_and_filters_by_it(
    browser, board, live_server, artifacts_dir
) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(live_server.url + "/")
    page.locator(".job-card").filter(has_text="Robot Tamer").get_by_role(
        "link", name="Acme Robotics"
    ).click()
    page.wait_for_url("**/companies/acme-robotics/")
    assert page.locator("h1").inner_text() == "Jobs at Acme Robotics"
    assert sorted(titles(page)) == ["Robot Oiler", "Robot Tamer"]
    shoot(page, artifacts_dir, "board-company-page")

    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("link", name="Search and filter these jobs").click()
    page.wait_for_url("**/?company=acme-robotics")
    assert page.locator("h2#results-heading").inner_text().startswith("2 jobs")
    assert page.get_by_role("link", name="remove filter Company: Acme Robotics").is_visible()
    shoot(page, artifacts_dir, "board-company-filter")

    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("link", name="Robot Tamer").click()
    page.wait_for_load_state()
    assert page.get_by_role("link", name="All jobs at Acme Robotics").is_visible()
