"""The API documentation works in a browser under its Content-Security-Policy.

Redoc styles itself with inline styles and renders "Something went wrong" without them;
Swagger UI draws its icons from data: URLs. Both pages get those two allowances and
nothing else: scripts stay files from our origin.
"""

from __future__ import annotations

import pytest

from tests.browser_plugin import BROWSER_TEST

pytestmark = BROWSER_TEST


@pytest.fixture
def docs(transactional_db, live_server) -> str:
    return live_server.url


def test_swagger_ui_lists_the_assessment_endpoints(browser, docs, artifacts_dir) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(docs + "/api/schema/swagger-ui/")
    page.get_by_text("/sr/assessments/oauth/token").first.wait_for()
    assert page.locator(".opblock").count() > 5
    page.screenshot(path=artifacts_dir / "api-docs-swagger-1280.png")


def test_redoc_renders_the_schema(browser, docs, artifacts_dir, csp_violations) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(docs + "/api/schema/redoc/")
    page.get_by_role("heading", name="Job board partner API").first.wait_for()
    assert "Something went wrong" not in page.inner_text("body")
    page.screenshot(path=artifacts_dir / "api-docs-redoc-1280.png")
    # Redoc's footer asks for its maker's logo from a CDN; the policy keeps the page
    # from calling out. That is the only thing it may refuse here.
    assert all("cdn.redoc.ly" in violation for violation in csp_violations)
    csp_violations.clear()
