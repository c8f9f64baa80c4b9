"""The widget on a third-party page: another origin, a strict CSP of its own, real chromium.

The employer's site is a second HTTP server on another port (another origin than the
board's live server), so the widget's API call is a real cross-origin request.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from jobboard.board.services import withdraw_listing
from tests.board.factories import make_listing
from tests.browser_plugin import BROWSER_TEST

pytestmark = BROWSER_TEST


def _employer_page(board_url: str) -> bytes:
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Acme careers</title></head>
<body>
  <h1>Work at Acme</h1>
  <script src="{board_url}/widget.js" data-company="acme" data-limit="5"
          data-filters="department=Sales"></script>
  <iframe id="fallback" title="Acme jobs" width="600" height="300"
          src="{board_url}/widget/jobs/?company=acme&amp;department=Sales"></iframe>
</body></html>""".encode()


@pytest.fixture
def employer_site(live_server) -> Iterator[str]:
    page = _employer_page(live_server.url)
    # The employer's own strict policy: our origin for scripts, calls and frames, and no
    # inline styles, so the widget must style itself with a constructed stylesheet.
    policy = (
        f"default-src 'self'; script-src {live_server.url}; connect-src {live_server.url}; "
        f"frame-src {live_server.url}; style-src 'self'"
    )

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Security-Policy", policy)
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def acme_jobs(transactional_db, live_server, settings):
    settings.SITE_URL = live_server.url
    settings.BOARD_FACET_CACHE_SECONDS = 0
    return [
        make_listing(title="Sales Manager", company_name="Acme", function="Sales",
                     external_id="acme-1"),
        make_listing(title="Account Executive", company_name="Acme", function="Sales",
                     external_id="acme-2"),
        make_listing(title="Platform Engineer", company_name="Acme", function="Engineering"),
        make_listing(title="Sales Lead", company_name="Other Co", function="Sales"),
    ]  # fmt: skip


def _widget_titles(page) -> list[str]:
    page.locator(".ojb-widget[data-state='ready']").wait_for()
    # Playwright's CSS engine reaches into open shadow roots.
    return page.locator(".ojb-widget a.title").all_inner_texts()


def test_an_employer_page_on_another_origin_shows_its_live_jobs(
    browser, acme_jobs, employer_site, live_server, artifacts_dir
) -> None:
    assert not employer_site.startswith(live_server.url)
    page = browser.new_page(viewport={"width": 1000, "height": 900})
    page.goto(employer_site)

    assert sorted(_widget_titles(page)) == ["Account Executive", "Sales Manager"]
    manager = acme_jobs[0]
    link = page.locator(".ojb-widget a.title", has_text="Sales Manager")
    assert link.get_attribute("href") == f"{live_server.url}/jobs/{manager.pk}-sales-manager/"
    # Styled inside its shadow root despite the page's policy against inline styles.
    weight = page.evaluate(
        "document.querySelector('.ojb-widget').shadowRoot"
        ".querySelector('a.title').computedStyleMap().get('font-weight').toString()"
    )
    assert weight == "600"
    assert page.locator("h1").evaluate("e => getComputedStyle(e).fontWeight") == "700"
    frame = page.frame_locator("#fallback")
    assert sorted(frame.locator(".job a.title").all_inner_texts()) == [
        "Account Executive",
        "Sales Manager",
    ]
    page.screenshot(path=str(artifacts_dir / "widget-on-employer-site.png"), full_page=True)

    with page.expect_popup() as opened:
        link.click()
    job_page = opened.value
    job_page.wait_for_load_state()
    assert job_page.locator("h1").inner_text() == "Sales Manager"
    job_page.close()

    # Withdrawn on the board: gone from the widget and the iframe at the next page view.
    withdraw_listing(source="test", external_id="acme-1")
    page.reload()
    assert _widget_titles(page) == ["Account Executive"]
    assert frame.locator(".job a.title").all_inner_texts() == ["Account Executive"]
    page.close()


def test_the_widget_and_its_iframe_pass_the_accessibility_scan(
    browser, acme_jobs, employer_site, live_server
) -> None:
    from tests.e2e.test_accessibility import AXE, BLOCKING, TAGS

    if not AXE.exists():
        pytest.skip(f"{AXE} is missing: run `make install-dev` (npm ci installs axe-core)")
    page = browser.new_page(viewport={"width": 375, "height": 900})
    blocking = {}
    for url in (employer_site, f"{live_server.url}/widget/jobs/?company=acme"):
        page.goto(url)
        page.wait_for_load_state("networkidle")
        # Injected by evaluation, which the pages' own policies do not govern.
        page.evaluate(AXE.read_text())
        result = page.evaluate(
            "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
            TAGS,
        )
        assert len(result["passes"]) > 5, url
        found = [v["id"] for v in result["violations"] if v["impact"] in BLOCKING]
        if found:
            blocking[url] = found
    page.close()
    assert not blocking


def test_staff_make_the_snippets_and_preview_the_widget(
    browser, acme_jobs, live_server, artifacts_dir
) -> None:
    from django.contrib.auth.models import User

    User.objects.create_superuser("ops", "ops@example.org", "a-long-test-password")
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.goto(f"{live_server.url}/admin/login/?next=/admin/")
    page.fill("#id_username", "ops")
    page.fill("#id_password", "a-long-test-password")
    page.click("input[type=submit]")
    page.get_by_role("link", name="Job widget").click()
    page.select_option("#id_company", "acme")
    page.fill("#id_department", "Sales")
    page.fill("#id_limit", "1")
    page.get_by_role("button", name="Make the snippets").click()

    script = page.locator("#widget-script-snippet").input_value()
    assert script == (
        f'<script src="{live_server.url}/widget.js" data-company="acme" '
        'data-filters="department=Sales" data-limit="1" async></script>'
    )
    assert 'department=Sales&amp;limit=1"' in page.locator("#widget-iframe-snippet").input_value()
    preview = page.frame_locator("iframe[title='Preview of the widget']")
    assert preview.locator(".job a.title").all_inner_texts() == ["Sales Manager"]
    page.screenshot(path=str(artifacts_dir / "widget-admin-snippets.png"), full_page=True)
    page.close()
