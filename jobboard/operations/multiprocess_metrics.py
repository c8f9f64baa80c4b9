"""prometheus-client's multiprocess mode: the directory's life cycle.

Imports no Django code: gunicorn's master calls it before the application is loaded.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

ENV = "PROMETHEUS_MULTIPROC_DIR"


def directory() -> Path | None:
    value = os.environ.get(ENV)
    return Path(value) if value else None


def ensure_directory() -> None:
    """Any process may count: the directory must exist before the first sample."""
    folder = directory()
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)


def reset_directory() -> None:
    """The main process of web or worker, at start: files of earlier runs would add up."""
    folder = directory()
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True, exist_ok=True)


def process_exited(pid: int) -> None:
    if directory() is not None:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid)
