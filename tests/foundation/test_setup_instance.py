"""`make run` prepares the instance with `manage.py setup_instance`; twice is harmless."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.foundation.conftest import RunDjango


def test_setup_is_idempotent_and_prints_the_admin_password_once(
    run_django: RunDjango, tmp_path: Path
) -> None:
    var = tmp_path / "var"
    env = {"VAR_DIR": str(var), "SANDBOX_ENABLED": "false"}

    first = run_django("setup_instance", env=env, timeout=180)
    second = run_django("setup_instance", env=env, timeout=180)

    assert first.returncode == 0, first.stderr
    assert second.returncode == 0, second.stderr
    assert "Created admin user 'admin' with password" in first.stdout
    assert "password" not in second.stdout.replace("its password is unchanged", "")
    assert "An admin user exists already" in second.stdout
    assert (var / "static" / "css" / "site.css").is_file()
    with sqlite3.connect(var / "db.sqlite3") as db:
        (admins,) = db.execute("SELECT count(*) FROM auth_user WHERE is_superuser").fetchone()
    assert admins == 1


def test_setup_with_no_demo_postings_leaves_the_sandbox_feed_empty(
    run_django: RunDjango, tmp_path: Path
) -> None:
    var = tmp_path / "var"
    result = run_django(
        "setup_instance", "--demo-postings", "0", "--skip-static", env={"VAR_DIR": str(var)}
    )
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(var / "db.sqlite3") as db:
        (postings,) = db.execute("SELECT count(*) FROM sandbox_sandboxposting").fetchone()
    assert postings == 0
