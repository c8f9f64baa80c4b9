"""Status-page tokens, test keys and secrets in query strings never reach a log line."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from jobboard.redaction import redact
from tests.foundation.conftest import _CONFIG_VARS, REPO

TOKEN = "Zk3v9QyT_pL2mX8rW4nB6cD1fG7hJ0kS5aE3uI9oP2q"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (f"GET /applications/{TOKEN}/ HTTP/1.1", "GET /applications/[redacted]/ HTTP/1.1"),
        (f"POST /applications/{TOKEN}/erase/", "POST /applications/[redacted]/erase/"),
        (
            f"/sr/assessments/take/{TOKEN}/skill-test/",
            "/sr/assessments/take/[redacted]/skill-test/",
        ),
        (
            "POST /sr/assessments/oauth/token?client_id=c&client_secret=hunter2&x=1",
            "POST /sr/assessments/oauth/token?client_id=c&client_secret=[redacted]&x=1",
        ),
        ("/sandbox/feed/publications?apiKey=k3y", "/sandbox/feed/publications?apiKey=[redacted]"),
        ("/?q=python&page=2", "/?q=python&page=2"),
        ("/jobs/12-python-developer/", "/jobs/12-python-developer/"),
    ],
)
def test_private_links_and_secret_parameters_are_redacted(line: str, expected: str) -> None:
    assert redact(line) == expected


def test_every_handler_we_configure_redacts(settings) -> None:
    handlers = settings.LOGGING["handlers"]
    assert all("redact" in handler["filters"] for handler in handlers.values())
    # runserver's request lines go through them, not through Django's own handler.
    assert settings.LOGGING["loggers"]["django.server"]["handlers"] == ["console"]
    assert settings.LOGGING["filters"]["redact"]["()"] == "jobboard.logs.RedactFilter"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _fetch_until_up(url: str) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(url, timeout=5)
            return
        except urllib.error.HTTPError:
            return  # answered (404 and 405 are answers)
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _CONFIG_VARS}
    env["VAR_DIR"] = str(tmp_path / "var")
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=REPO, env=env, check=True, timeout=180,
    )  # fmt: skip
    return env


@pytest.mark.parametrize("server", ["gunicorn", "runserver"])
def test_the_access_log_shows_no_token_or_secret(tmp_path: Path, server: str) -> None:
    port = _free_port()
    log = tmp_path / "server.log"
    command = {
        "gunicorn": [
            sys.executable, "-m", "gunicorn", "-c", "python:jobboard.gunicorn_conf",
            "jobboard.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "1",
            "--access-logfile", "-",
        ],
        "runserver": [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
    }[server]  # fmt: skip
    process = subprocess.Popen(
        command, cwd=REPO, env=_env(tmp_path), stdout=log.open("wb"), stderr=subprocess.STDOUT
    )
    try:
        base = f"http://127.0.0.1:{port}"
        _fetch_until_up(f"{base}/healthz")
        for path in (
            f"/applications/{TOKEN}/",
            f"/sr/assessments/take/{TOKEN}/",
            "/sr/assessments/oauth/token?client_secret=hunter2-secret",
        ):
            _fetch_until_up(base + path)
        time.sleep(1)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=20)
    text = log.read_text()
    assert "/applications/[redacted]/" in text
    assert "/sr/assessments/take/[redacted]/" in text
    assert TOKEN not in text
    assert "hunter2-secret" not in text
