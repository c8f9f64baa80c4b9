"""The health page in a real browser: what says "all is well" can be read (WCAG AA contrast)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from jobboard.operations.models import PeriodicJob
from jobboard.operations.recording import register_schedule
from tests.browser_plugin import BROWSER_TEST

pytestmark = [*BROWSER_TEST, pytest.mark.django_db(transaction=True)]

# The text colour of each element, and the first opaque background behind it.
_COLOURS = """
(selector) => [...document.querySelectorAll(selector)].map((element) => {
  let node = element, background = 'rgba(0, 0, 0, 0)';
  while (node && (background === 'rgba(0, 0, 0, 0)' || background === 'transparent')) {
    background = getComputedStyle(node).backgroundColor;
    node = node.parentElement;
  }
  if (background === 'rgba(0, 0, 0, 0)') background = 'rgb(255, 255, 255)';
  return [element.textContent.trim(), getComputedStyle(element).color, background];
})
"""


def _luminance(colour: str) -> float:
    channels = [int(part) / 255 for part in colour[colour.index("(") + 1 : -1].split(",")[:3]]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(foreground: str, background: str) -> float:
    light, dark = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_healthy_state_is_readable_in_both_colour_schemes(
    live_server: Any, browser: Any, artifacts_dir: Path, scheme: str
) -> None:
    register_schedule()
    PeriodicJob.objects.update(last_sent_at=timezone.now(), last_success_at=timezone.now())
    user = User.objects.create_superuser("ops", "ops@example.org", "pw")
    client = Client()
    client.force_login(user)
    context = browser.new_context(color_scheme=scheme, viewport={"width": 1280, "height": 900})
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/operations/health/")
    page.screenshot(path=str(artifacts_dir / f"health-page-{scheme}.png"), full_page=True)

    shown = page.evaluate(_COLOURS, ".ops-ok, .messagelist .success")
    context.close()
    assert any(text == "Everything is on time." for text, _, _ in shown)
    assert any(text == "on time" for text, _, _ in shown)
    for text, foreground, background in shown:
        assert _contrast(foreground, background) >= 4.5, (text, foreground, background)
