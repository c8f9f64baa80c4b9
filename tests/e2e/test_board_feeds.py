"""The favicon and the feeds, as a browser and a feed reader get them."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from tests.board.factories import make_listing
from tests.browser_plugin import BROWSER_TEST

pytestmark = BROWSER_TEST


@pytest.fixture
def board(transactional_db, live_server, settings):
    settings.SITE_URL = live_server.url
    make_listing(title="Baker", job_description="<p>Bake bread.</p><p>Sell it.</p>")


def test_every_page_has_a_favicon_the_browser_can_draw(
    browser, board, live_server, artifacts_dir
) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    failed: list[str] = []
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    page.goto(live_server.url + "/")
    for selector in ("link[rel=icon][sizes]", "link[rel=icon][type='image/svg+xml']"):
        href = page.locator(selector).get_attribute("href")
        assert page.request.get(live_server.url + href).ok
    assert page.request.get(live_server.url + "/favicon.ico").ok
    # Drawn as images, large enough to look at: the icon decodes.
    page.set_content(
        f'<img id="ico" src="{live_server.url}/favicon.ico" width="96" height="96">'
        f'<img id="svg" src="{live_server.url}/static/favicon.svg" width="96" height="96">'
    )
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.getElementById('ico').naturalWidth") > 0
    assert page.evaluate("document.getElementById('svg').naturalWidth") > 0
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 300})
        page.screenshot(path=str(artifacts_dir / f"board-favicon-{width}.png"))
    assert failed == []


def test_a_feed_reader_gets_the_ads_paragraphs_apart(
    browser, board, live_server, artifacts_dir
) -> None:
    page = browser.new_page()
    response = page.request.get(live_server.url + "/jobs/feed/rss/")
    item = ET.fromstring(response.body()).find("./channel/item")  # noqa: S314 - our own feed
    description = item.findtext("description")
    # Rendered as a reader would: each paragraph its own block.
    page.set_content(f"<article>{description}</article>")
    assert page.locator("article p").all_inner_texts()[-2:] == ["Bake bread.", "Sell it."]
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 400})
        page.screenshot(path=str(artifacts_dir / f"board-rss-item-{width}.png"))
