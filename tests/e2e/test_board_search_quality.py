"""Keywords in a real browser: only excluded words, stemming, typos, places."""

from __future__ import annotations

import pytest

from tests.board.factories import make_listing
from tests.browser_plugin import BROWSER_TEST
from tests.e2e.screens import shoot

pytestmark = BROWSER_TEST


@pytest.fixture
def board(transactional_db, live_server, settings):
    settings.BOARD_FACET_CACHE_SECONDS = 0
    settings.SITE_URL = live_server.url
    make_listing(title="Senior Software Engineer", function="Finance", city="Berlin")
    make_listing(title="Pastry Chef", function="Finance", city="Barcelona", country="Spain")
    make_listing(title="Accountant", function="Finance", city="Kraków", country="Poland")


def search(page, live_server, words: str) -> None:
    page.goto(live_server.url + "/")
    page.get_by_label("Keywords").fill(words)
    page.get_by_role("button", name="Search").click()
    page.wait_for_load_state()


def test_a_query_of_only_excluded_words_lists_the_other_jobs(
    browser, board, live_server, artifacts_dir
) -> None:
    page = browser.new_page()
    search(page, live_server, "-engineer")
    assert page.locator("h2#results-heading").inner_text().startswith("2 jobs")
    titles = page.locator(".job-card .job-title").all_inner_texts()
    assert sorted(titles) == ["Accountant", "Pastry Chef"]
    shoot(page, artifacts_dir, "board-excluded-words")


@pytest.mark.parametrize("words", ["engineers", "enginer", "barcelona"])
def test_other_forms_of_a_word_and_places_are_found(browser, board, live_server, words) -> None:
    page = browser.new_page()
    search(page, live_server, words)
    assert page.locator(".job-card").count() == 1


def test_a_typo_shows_the_corrected_search(browser, board, live_server, artifacts_dir) -> None:
    page = browser.new_page()
    search(page, live_server, "enigneer")
    note = page.locator(".spelling-note")
    assert "No jobs matched “enigneer”" in note.inner_text()
    assert "Showing results for “engineer”" in note.inner_text()
    assert page.get_by_label("Keywords").input_value() == "engineer"
    assert page.locator(".job-card .job-title").all_inner_texts() == ["Senior Software Engineer"]
    shoot(page, artifacts_dir, "board-did-you-mean")
