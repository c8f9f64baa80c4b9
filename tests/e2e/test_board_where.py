"""Where, in a real browser: the location field, its suggestions, the distance."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.board.factories import make_listing
from tests.browser_plugin import BROWSER_TEST
from tests.e2e.screens import shoot

pytestmark = BROWSER_TEST


@pytest.fixture
def board(transactional_db, live_server, settings):
    settings.BOARD_FACET_CACHE_SECONDS = 0
    settings.SITE_URL = live_server.url
    poland = {"country": "Poland", "country_code": "PL"}

    def at(lat: str, lon: str) -> dict:
        return {"latitude": Decimal(lat), "longitude": Decimal(lon)}

    make_listing(title="Old Town Guide", city="Kraków", **poland, **at("50.0614", "19.9366"))
    make_listing(title="Salt Miner", city="Wieliczka", **poland, **at("49.9870", "20.0650"))
    make_listing(title="Steelworker", city="Katowice", **poland, **at("50.2649", "19.0238"))
    make_listing(title="Civil Servant", city="Warsaw", **poland, **at("52.2297", "21.0122"))
    make_listing(title="Left Bank Painter", city="Paris", country="France", country_code="FR")


def titles(page) -> list[str]:
    return sorted(page.locator(".job-card .job-title").all_inner_texts())


def test_a_job_seeker_searches_within_a_distance_of_a_city(
    browser, board, live_server, artifacts_dir
) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(live_server.url + "/")
    # The board's own places are offered as the visitor types (a datalist).
    options = page.locator("datalist#places option").evaluate_all(
        "options => options.map(o => o.value)"
    )
    assert "Kraków, Poland" in options
    assert page.get_by_label("Where").get_attribute("list") == "places"
    page.get_by_label("Where").fill("Krakow")
    page.get_by_label("Distance").select_option("25")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**where=Krakow**")
    assert titles(page) == ["Old Town Guide", "Salt Miner"]
    assert (
        page.get_by_role("link", name="remove the place")
        .inner_text()
        .startswith("Within 25 km of Krakow")
    )
    shoot(page, artifacts_dir, "board-where-25km")

    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_label("Distance").select_option("100")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**radius=100**")
    assert titles(page) == ["Old Town Guide", "Salt Miner", "Steelworker"]
    # A facet keeps the place.
    page.get_by_role("checkbox", name="Katowice").check()
    page.wait_for_url("**city=Katowice**")
    assert titles(page) == ["Steelworker"]
    assert "radius=100" in page.url


def test_a_country_is_a_place_too_and_it_works_without_javascript(
    browser, board, live_server, artifacts_dir
) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/")
    page.get_by_label("Where").fill("Poland")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**where=Poland**")
    assert titles(page) == ["Civil Servant", "Old Town Guide", "Salt Miner", "Steelworker"]
    shoot(page, artifacts_dir, "board-where-country-nojs")
    context.close()
