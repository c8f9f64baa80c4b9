"""An automated accessibility scan (axe-core) of every page a job seeker or candidate
sees, at 1280 and 375 px: no serious or critical violation.

axe-core comes from the npm registry, pinned in package.json and installed into
node_modules by `make install-dev` (`npm ci`); the scan injects it through Playwright.
Without it the scan fails in CI (CI=true) and is skipped elsewhere, with the command
that installs it.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
from django.core import mail

from tests.browser_plugin import BROWSER_TEST

pytestmark = BROWSER_TEST

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WIDTHS = (1280, 375)
# WCAG 2.0, 2.1 and 2.2 A and AA, and axe's best practices.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
BLOCKING = {"serious", "critical"}


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.exists():
        message = f"{AXE} is missing: run `make install-dev` (npm ci installs axe-core)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return AXE.read_text()


@pytest.fixture
def pages(sandbox, eager_tasks, settings) -> dict[str, str]:
    """Every page to scan, by name, with the data it needs to show everything it can."""
    from decimal import Decimal

    from jobboard.board import alerts
    from jobboard.board.search import JobSearch
    from partner.applications.services import intake
    from tests.applications.sandbox_helpers import answers_ok, candidate, sandbox_listing
    from tests.board.factories import make_listing

    settings.BOARD_FACET_CACHE_SECONDS = 0
    settings.BOARD_PAGE_SIZE = 5
    jobs = [
        make_listing(
            title="Principal Python Engineer",
            company_name="Snake Works",
            city="Kraków",
            country="Poland",
            country_code="PL",
            latitude=Decimal("50.0614"),
            longitude=Decimal("19.9366"),
        )
    ]
    jobs += [make_listing(company_name="Snake Works") for _ in range(7)]
    alert = alerts.request_job_alert(
        email="ada@example.com", search=JobSearch.from_params({"q": "python"}), client_ip="1"
    )
    alerts.request_job_alert(
        email="ada@example.com", search=JobSearch.from_params({"where": "Kraków"}), client_ip="1"
    )
    apply_listing = sandbox_listing(sandbox)
    _, token = intake.application_create(
        listing=apply_listing,
        language="en",
        candidate=candidate(),
        answers=answers_ok(),
        files={},
    )
    mail.outbox.clear()
    base = sandbox.url.removesuffix("/sandbox")
    local = alerts.alert_manage_url(alert.email).removeprefix(settings.SITE_URL)
    return {
        "board": "/",
        "board-filtered": "/?q=engineer&where=Krak%C3%B3w&radius=100&country=pl",
        "job": jobs[0].get_absolute_url(),
        "company": "/companies/snake-works/",
        "saved": "/saved/?" + "&".join(f"id={job.pk}" for job in jobs[:3]),
        "alert-signup": "/alerts/?q=python&country=pl",
        "alert-manage": local,
        "apply": f"/jobs/{apply_listing.pk}-{apply_listing.slug}/apply/",
        "status": f"/applications/{token}/",
    } | {"_base": base}


def _scan(page: Any, axe_source: str) -> list[dict[str, Any]]:
    page.evaluate(axe_source)
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        TAGS,
    )
    # A scan that checked nothing would pass too: make sure rules ran and passed.
    assert len(result["passes"]) > 10, page.url
    return list(result["violations"])


def _describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        targets = ", ".join(" ".join(n["target"]) for n in v["nodes"][:5])
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({targets})")
    return "\n".join(lines)


def test_no_page_has_a_serious_or_critical_accessibility_violation(
    browser, pages, axe_source, artifacts_dir
) -> None:
    base = pages.pop("_base")
    report: dict[str, list[dict[str, Any]]] = {}
    blocking: dict[str, list[dict[str, Any]]] = {}
    for width in WIDTHS:
        # Injected by evaluation (the DevTools protocol), which the page's strict
        # Content-Security-Policy does not govern: the pages are scanned as served.
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        for name, path in pages.items():
            page.goto(base + path)
            page.wait_for_load_state("networkidle")
            violations = _scan(page, axe_source)
            key = f"{name}-{width}"
            report[key] = [
                {"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": len(v["nodes"])}
                for v in violations
            ]
            found = [v for v in violations if v["impact"] in BLOCKING]
            if found:
                blocking[key] = found
            page.screenshot(path=str(artifacts_dir / f"a11y-{key}.png"), full_page=True)
        context.close()
    (artifacts_dir / "axe-report.json").write_text(json.dumps(report, indent=2))
    assert not blocking, "\n".join(
        f"{key} ({base}{pages[re.sub(r'-(1280|375)$', '', key)]}):\n{_describe(found)}"
        for key, found in blocking.items()
    )
