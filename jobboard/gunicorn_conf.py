"""gunicorn settings that the app needs (the command line sets the rest).

With PROMETHEUS_MULTIPROC_DIR set, every gunicorn worker writes its metrics there and
/metrics adds them up: the directory is emptied when the master starts, and a worker's
live gauges are dropped when it exits.
"""

from __future__ import annotations

from typing import Any

from jobboard.operations import multiprocess_metrics


def on_starting(server: Any) -> None:
    multiprocess_metrics.reset_directory()


def child_exit(server: Any, worker: Any) -> None:
    multiprocess_metrics.process_exited(worker.pid)


# Access log lines without status-page tokens, test keys or secret query values.
logger_class = "jobboard.gunicorn_logging.RedactingLogger"
