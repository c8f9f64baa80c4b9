"""Finding 7: a strict Content-Security-Policy and the other security headers, everywhere.

The browser tests prove the pages work under the policy (tests/browser_plugin.py fails a
test on any violation); these check that every kind of response carries it, that it
allows nothing inline, and that templates/ holds no inline code for it to block.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from jobboard.headers import content_security_policy
from tests.board.factories import make_listing
from tests.browser_plugin import CHROMIUM
from tests.foundation.conftest import REPO

pytestmark = pytest.mark.django_db


def _directives(policy: str) -> dict[str, list[str]]:
    parsed = {}
    for directive in policy.split(";"):
        name, *sources = directive.split()
        parsed[name] = sources
    return parsed


def test_the_policy_allows_no_inline_code_no_eval_and_no_framing() -> None:
    policy = _directives(content_security_policy())
    for directive in ("default-src", "script-src", "style-src"):
        assert policy[directive] == ["'self'"], directive
    assert "'unsafe-inline'" not in content_security_policy()
    assert "'unsafe-eval'" not in content_security_policy()
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]


def test_forms_may_be_sent_only_to_us_and_to_smartrecruiters_web_hosts(settings) -> None:
    settings.SMARTRECRUITERS_WEB_HOSTS = ["www.smartrecruiters.com"]
    policy = _directives(content_security_policy())
    assert policy["form-action"] == ["'self'", "https://www.smartrecruiters.com"]


def _pages() -> dict[str, str]:
    listing = make_listing()
    return {
        "the board": "/",
        "a job page": listing.get_absolute_url(),
        "a missing job (404)": "/jobs/999999-gone/",
        "the alert sign-up": "/alerts/",
        "the health check": "/healthz",
        "the API schema": "/api/schema/",
        "an inbound API call without a token (401 JSON)": "/sr/assessments/packages",
        "the admin login": "/admin/login/",
        "the sandbox console": "/sandbox/",
        "the sandbox API": "/sandbox/feed/postings",
        "a private status link that does not exist": "/applications/not-a-token/",
        "a take link that does not exist": "/sr/assessments/take/not-a-key/",
    }


def test_every_kind_of_response_carries_the_security_headers(client: Client, settings) -> None:
    for name, url in _pages().items():
        response = client.get(url)
        assert response["Content-Security-Policy"] == content_security_policy(), name
        assert "camera=()" in response["Permissions-Policy"], name
        assert response["Referrer-Policy"] == "strict-origin-when-cross-origin", name
        assert response["Cross-Origin-Opener-Policy"] == "same-origin", name
        assert response["X-Content-Type-Options"] == "nosniff", name
        assert response["X-Frame-Options"] == "DENY", name


def test_staff_pages_carry_them_too(client: Client) -> None:
    get_user_model().objects.create_superuser("root", "root@example.org", "pw-root-12345")
    client.login(username="root", password="pw-root-12345")
    for url in ("/admin/", "/admin/operations/health/", "/admin/assessments/order/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Security-Policy"] == content_security_policy(), url


# What the policy would block, as it appears in a template. A <script> is allowed with a
# src, or as data: JSON-LD and json_script blocks are never executed.
INLINE_CODE = {
    "an inline script": re.compile(
        r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>", re.I
    ),
    "an event handler attribute": re.compile(r"\son[a-z]+\s*=", re.I),
    "a style attribute": re.compile(r"\sstyle\s*=", re.I),
    "a style element": re.compile(r"<style[\s>]", re.I),
    "a javascript: URL": re.compile(r"javascript:", re.I),
}
TEMPLATES = sorted(path for path in (REPO / "templates").rglob("*.html") if path.is_file())


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(REPO)))
def test_no_template_holds_code_the_policy_would_block(template) -> None:
    text = template.read_text()
    found = [name for name, pattern in INLINE_CODE.items() if pattern.search(text)]
    assert found == []


def test_no_python_code_writes_a_style_attribute_or_an_inline_script() -> None:
    offenders = []
    for path in [*REPO.glob("jobboard/**/*.py"), *REPO.glob("partner/**/*.py")]:
        text = path.read_text()
        if re.search(r"format_html\([^)]*(?:style=|<script)", text):
            offenders.append(str(path.relative_to(REPO)))
    assert offenders == []


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")
def test_the_browser_fixture_notices_a_violation(browser, live_server, csp_violations) -> None:
    """The watch that every browser test relies on: a page breaking the policy is caught."""
    page = browser.new_page()
    probe = f"{live_server.url}/csp-probe"
    page.route(
        probe,
        lambda route: route.fulfill(
            status=200,
            headers={
                "Content-Type": "text/html",
                "Content-Security-Policy": content_security_policy(),
            },
            body='<p style="color:red" id="p">x</p><script>document.title = "ran"</script>',
        ),
    )
    page.goto(probe)
    page.wait_for_timeout(100)
    assert page.title() != "ran"  # the inline script was blocked
    caught = list(csp_violations)
    csp_violations.clear()
    page.close()
    assert any("script-src" in v for v in caught), caught
    assert any("style-src" in v for v in caught), caught
