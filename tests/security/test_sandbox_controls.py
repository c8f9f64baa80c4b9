"""Findings 8 and 10: the sandbox's control API and its seed command refuse what they should."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client

from partner.sandbox.models import SandboxCompany, SandboxPosting
from partner.sandbox.state import get_switches

pytestmark = pytest.mark.django_db

SWITCHES = "/sandbox/control/switches"


@pytest.fixture
def staff_browser() -> Client:
    """A browser with a staff session that, like a real one, is held to CSRF checks."""
    get_user_model().objects.create_user("ops", password="pw-ops-12345", is_staff=True)
    browser = Client(enforce_csrf_checks=True)
    browser.login(username="ops", password="pw-ops-12345")
    return browser


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("put", SWITCHES, {"fault": "503"}),
        ("post", SWITCHES, {"fault": "503"}),
        ("post", "/sandbox/control/reset", {}),
        ("post", "/sandbox/control/seed", {"postings": 3}),
        ("post", "/sandbox/control/clock/advance", {"days": 30}),
    ],
)
def test_a_same_site_page_riding_a_staff_session_cannot_flip_switches(
    staff_browser: Client, method: str, path: str, body: dict
) -> None:
    before = get_switches()
    response = getattr(staff_browser, method)(path, body, content_type="application/json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["error"]
    assert get_switches() == before
    assert not SandboxPosting.objects.exists()


def test_a_staff_session_with_the_csrf_token_may_flip_switches(staff_browser: Client) -> None:
    staff_browser.get("/sandbox/")  # our own page: sets the CSRF cookie
    token = staff_browser.cookies["csrftoken"].value
    response = staff_browser.put(
        SWITCHES, {"fault": "503"}, content_type="application/json", headers={"X-CSRFToken": token}
    )
    assert response.status_code == 200
    assert get_switches()["fault"] == "503"


def test_a_staff_session_may_still_read_without_a_csrf_token(staff_browser: Client) -> None:
    assert staff_browser.get(SWITCHES).status_code == 200


def test_the_control_token_needs_no_cookie_and_no_csrf_token(settings) -> None:
    script = Client(enforce_csrf_checks=True)
    response = script.put(
        SWITCHES,
        {"fault": "503"},
        content_type="application/json",
        headers={"X-Sandbox-Control-Token": settings.SANDBOX_CONTROL_TOKEN},
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("postings", "companies", "message"),
    [
        (-5, None, "--postings must be at least 1"),
        (0, None, "--postings must be at least 1"),
        (100_001, None, "postings must be at most 100,000"),
        (10, 0, "companies must be at least 1"),
        (10, -2, "companies must be at least 1"),
        (10, 10_001, "companies must be at most 10,000"),
    ],
)
def test_sandbox_seed_refuses_bad_counts_with_a_command_error_and_writes_nothing(
    postings: int, companies: int | None, message: str
) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("sandbox_seed", postings=postings, companies=companies, stdout=StringIO())
    assert not SandboxPosting.objects.exists()
    assert not SandboxCompany.objects.exists()


def test_the_control_api_seed_has_the_same_bounds(settings) -> None:
    script = Client()
    response = script.post(
        "/sandbox/control/seed",
        {"postings": 100_001},
        content_type="application/json",
        headers={"X-Sandbox-Control-Token": settings.SANDBOX_CONTROL_TOKEN},
    )
    assert response.status_code == 400
    assert "at most 100,000" in response.json()["error"]
    assert not SandboxPosting.objects.exists()


def test_sandbox_seed_from_a_terminal_prints_one_line_not_a_traceback(tmp_path) -> None:
    import subprocess
    import sys

    from tests.foundation.conftest import REPO

    result = subprocess.run(
        [sys.executable, "manage.py", "sandbox_seed", "--postings", "-5"],
        cwd=REPO, env={"PATH": "/usr/bin:/bin", "VAR_DIR": str(tmp_path)},
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr.strip() == "CommandError: --postings must be at least 1"
