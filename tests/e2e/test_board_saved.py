"""Saved jobs without an account, in a real browser, with and without JavaScript."""

from __future__ import annotations

import re

import pytest

from tests.board.factories import make_listing
from tests.browser_plugin import BROWSER_TEST
from tests.e2e.screens import shoot

pytestmark = BROWSER_TEST


@pytest.fixture
def board(transactional_db, live_server, settings):
    settings.BOARD_FACET_CACHE_SECONDS = 0
    settings.SITE_URL = live_server.url
    return [
        make_listing(title="Baker", company_name="Crumbs"),
        make_listing(title="Brewer", company_name="Hops"),
        make_listing(title="Butcher", company_name="Cleaver"),
    ]


def test_a_job_seeker_saves_jobs_and_finds_them_on_the_saved_page(
    browser, board, live_server, artifacts_dir
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(live_server.url + "/")
    baker = page.locator(f"button[data-save-job='{board[0].pk}']")
    assert " ".join(baker.inner_text().split()) == "Save Baker at Crumbs"
    baker.click()
    assert baker.get_attribute("aria-pressed") == "true"
    assert page.locator("[data-saved-count]").inner_text() == " (1)"
    # And from a job page.
    page.get_by_role("link", name="Butcher").click()
    page.wait_for_load_state()
    page.get_by_role("button", name=re.compile(r"^Save\s*Butcher at Cleaver$")).click()
    shoot(page, artifacts_dir, "board-job-saved")

    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("link", name="Saved jobs").click()
    # The page opens the list this browser keeps, as a bookmarkable address.
    page.wait_for_url(f"**/saved/?id={board[2].pk}&id={board[0].pk}")
    assert page.locator(".job-card .job-title").all_inner_texts() == ["Butcher", "Baker"]
    shoot(page, artifacts_dir, "board-saved-page")

    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("button", name=re.compile(r"^Saved\s*Butcher at Cleaver$")).click()
    assert page.locator(".job-card .job-title").all_inner_texts() == ["Baker"]
    page.wait_for_url(f"**/saved/?id={board[0].pk}")
    assert page.locator("[data-saved-status]").inner_text() == "Job removed from your saved jobs."
    # It stays saved across visits: this browser's storage keeps it.
    page.goto(live_server.url + "/")
    assert baker.get_attribute("aria-pressed") == "true"
    context.close()


def test_without_javascript_there_is_no_save_button_and_a_saved_list_link_still_works(
    browser, board, live_server, artifacts_dir
) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/")
    assert page.locator("button[data-save-job]").count() == 3
    assert not page.locator("button[data-save-job]").first.is_visible()
    page.goto(live_server.url + f"/saved/?id={board[1].pk}")
    assert page.locator(".job-card .job-title").all_inner_texts() == ["Brewer"]
    page.goto(live_server.url + "/saved/")
    assert "Saving needs JavaScript" in page.locator("main").inner_text()
    shoot(page, artifacts_dir, "board-saved-nojs")
    context.close()


def test_a_list_opened_from_a_bookmark_can_be_kept_in_this_browser(
    browser, board, live_server
) -> None:
    context = browser.new_context()
    page = context.new_page()
    page.goto(live_server.url + f"/saved/?id={board[1].pk}")
    page.get_by_role("button", name="Keep this list in this browser").click()
    assert page.locator("[data-saved-count]").inner_text() == " (1)"
    page.goto(live_server.url + "/saved/")
    page.wait_for_url(f"**/saved/?id={board[1].pk}")
    context.close()
