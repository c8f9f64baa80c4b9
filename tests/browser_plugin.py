"""Playwright driving Debian's chromium, shared by every browser test.

Use ``pytestmark = BROWSER_TEST`` in a test module and the ``browser`` fixture (one
chromium per module). Never downloads a browser: without /usr/bin/chromium the tests
are skipped.

Every page opened through ``browser`` is watched for Content-Security-Policy violations
(the ``securitypolicyviolation`` event, and chromium's console errors about the policy):
a test that met one fails, so every browser test proves that its pages work under the
policy (jobboard/headers.py). A test that provokes a violation on purpose takes the
``csp_violations`` fixture, reads the list and empties it.
"""

from __future__ import annotations

import os
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connections

CHROMIUM = Path("/usr/bin/chromium")
# Without the background-networking switches chromium keeps dialling Google's hosts,
# which this closed network refuses.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

BROWSER_TEST = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed"),
]


# Runs in every document before its own scripts: reports each violation to the console,
# where the context's listener collects it (a binding would not survive a blocked page).
_REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", function (e) {
  console.error("CSP violation: " + e.violatedDirective + " blocked " + (e.blockedURI || "inline")
    + " at " + e.documentURI + (e.sourceFile ? " (" + e.sourceFile + ":" + e.lineNumber + ")" : "")
    + (e.sample ? " sample: " + e.sample : ""));
});
"""
_CSP_CONSOLE_MARKERS = ("CSP violation:", "Content Security Policy")

# What the pages of the running test violated; emptied before each test.
_violations: list[str] = []


def _watch(context: Any) -> Any:
    """Collect the CSP violations of every page of ``context`` into ``_violations``."""
    context.add_init_script(_REPORT_VIOLATIONS)

    def on_console(message: Any) -> None:
        text = message.text
        if message.type == "error" and any(marker in text for marker in _CSP_CONSOLE_MARKERS):
            _violations.append(text)

    context.on("console", on_console)
    return context


class _WatchedBrowser:
    """The Playwright browser, with every context (and so every page) watched."""

    def __init__(self, browser: Any) -> None:
        self._browser = browser

    def new_context(self, **kwargs: Any) -> Any:
        return _watch(self._browser.new_context(**kwargs))

    def new_page(self, **kwargs: Any) -> Any:
        # Like Browser.new_page: a page in a context of its own, closed with the page.
        context = self.new_context(**kwargs)
        page = context.new_page()
        page.on("close", lambda _page: context.close())
        return page

    def __getattr__(self, name: str) -> Any:
        return getattr(self._browser, name)


@pytest.fixture
def csp_violations() -> list[str]:
    """The violations met so far in this test (empty it after provoking one on purpose)."""
    return _violations


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, object, object]:
    _violations.clear()
    result = yield
    if _violations:
        found = "\n".join(dict.fromkeys(_violations))
        _violations.clear()
        pytest.fail(f"the page broke the Content-Security-Policy:\n{found}", pytrace=False)
    return result


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run
    # next to one unless told it is safe (it is: the loop only drives the browser).
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield _WatchedBrowser(browser)
            browser.close()
    finally:
        # ORM calls made while Playwright's loop ran got their own connections (another
        # asgiref context); close them, or PostgreSQL keeps the sessions past the run.
        connections.close_all()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous
