"""The vendor's staff workspace in a real browser at 1280 px: the orders list, the review
queue, the answers view with inline grading, the summary with its preview, the analytics
page. Screenshots are saved as artefacts."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from django.test import Client

from tests.assessments.conftest import TaskRecorder
from tests.assessments.factories import assessment_staff_group, connected_company, fullstack_package
from tests.assessments.workspace import place_order
from tests.browser_plugin import BROWSER_TEST

pytestmark = BROWSER_TEST
WIDTH = 1280


@pytest.fixture
def queued(monkeypatch: pytest.MonkeyPatch) -> TaskRecorder:
    """The worker: tasks are recorded and run by the test when it chooses."""
    return TaskRecorder().install(monkeypatch)


@pytest.fixture
def staff_tab(live_server, browser, transactional_db, queued, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    user = User.objects.create(
        username="vera", email="vera@vendor.example", is_staff=True, first_name="Vera"
    )
    user.groups.add(assessment_staff_group())
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport={"width": WIDTH, "height": 900})
    context.add_cookies(
        [
            {
                "name": django_settings.SESSION_COOKIE_NAME,
                "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page = context.new_page()
    yield page
    context.close()


def test_the_orders_list_shows_the_whole_status_at_1280_px(live_server, staff_tab, artifacts_dir):
    company = connected_company()
    fullstack_package(with_manual=True)
    for number in range(3):
        place_order(company.integration, email=f"candidate{number}@example.org", invite=True)
    page = staff_tab
    page.goto(f"{live_server.url}/admin/assessments/order/")
    page.screenshot(path=str(artifacts_dir / "assessment-orders-list-1280.png"), full_page=True)
    cells = page.locator("td.field-status_badge")
    assert cells.count() == 3
    for index in range(3):
        cell = cells.nth(index)
        assert cell.inner_text().strip() == "Pending"
        clipped = cell.evaluate("el => el.scrollWidth > el.clientWidth + 1")
        assert not clipped
        box = cell.bounding_box()
        assert box is not None
        assert box["x"] + box["width"] <= WIDTH
    # No column is cut off at the right edge: the table fits its container.
    results = page.locator("#changelist .results")
    assert results.evaluate("el => el.scrollWidth <= el.clientWidth + 1")
