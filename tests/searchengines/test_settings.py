"""Bad notifier settings stop the process at start, with a message naming the variable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _check(**env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=REPO, env={**os.environ, **env}, capture_output=True, text=True, timeout=120,
        check=False,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"INDEXNOW_KEY": "not a key!"}, "INDEXNOW_KEY must be 8 to 128 letters, digits or dashes"),
        (
            {"GOOGLE_INDEXING_CREDENTIALS_FILE": "/nonexistent/key.json"},
            "GOOGLE_INDEXING_CREDENTIALS_FILE='/nonexistent/key.json' is not a file",
        ),
        ({"INDEXNOW_ENDPOINT": "indexnow.example"}, "INDEXNOW_ENDPOINT="),
    ],
    ids=["malformed IndexNow key", "missing Google key file", "endpoint not a URL"],
)
def test_a_bad_setting_stops_the_process(env: dict[str, str], message: str) -> None:
    done = _check(**env)
    assert done.returncode != 0
    assert message in done.stderr
