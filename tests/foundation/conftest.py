from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

# Variables that would leak the developer's or CI's configuration into a subprocess
# that is meant to see only what the test gives it.
_CONFIG_VARS = (
    "DJANGO_ENV", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "CELERY_BROKER_URL",
    "SITE_URL", "SANDBOX_ENABLED", "FIELD_ENCRYPTION_KEY", "SMARTRECRUITERS_PARTNER_TOKEN",
    "SMARTRECRUITERS_API_URL", "CACHE_URL", "EMAIL_URL", "LOG_FORMAT", "VAR_DIR",
    # Set by the browser tests for Playwright's event loop; a deployment never has it.
    "DJANGO_ALLOW_ASYNC_UNSAFE",
)  # fmt: skip

RunDjango = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def run_django(tmp_path: Path) -> RunDjango:
    """Run Python code or a manage.py command in a fresh process with a given environment."""

    def run(
        *args: str, env: dict[str, str] | None = None, code: str | None = None, timeout: int = 180
    ) -> subprocess.CompletedProcess[str]:
        environment = {k: v for k, v in os.environ.items() if k not in _CONFIG_VARS}
        environment.setdefault("VAR_DIR", str(tmp_path / "var"))
        environment.update(env or {})
        command = [sys.executable, "-c", code] if code else [sys.executable, "manage.py", *args]
        return subprocess.run(
            command, cwd=REPO, env=environment, capture_output=True, text=True, timeout=timeout
        )

    return run


PRODUCTION_ENV = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": "x9!kq2v#m4p7s1t8w3z6b0n5c2f9h4j7l1o3r6u8y0a2d5g7i9e1k4m6p8s0v2x4z6",
    "ALLOWED_HOSTS": "jobs.example.org",
    "SITE_URL": "https://jobs.example.org",
    "FIELD_ENCRYPTION_KEY": "r3YvHAqTH-3QezC4ZTfv8VOInIDcaMeoz5EkoKq5hmo=",
    "SMARTRECRUITERS_PARTNER_TOKEN": "a" * 64,
    "SMARTRECRUITERS_CLIENT_ID": "master-client",
    "SMARTRECRUITERS_CLIENT_SECRET": "master-secret",
    "EMAIL_URL": "smtp://mail.example.org:587",
}
