"""Metrics add up across processes: gunicorn's workers, and a Celery worker's pool."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.foundation.conftest import _CONFIG_VARS, REPO


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _CONFIG_VARS}
    env.update(VAR_DIR=str(tmp_path / "var"), PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "prom"))
    env.update(extra)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=REPO, env=env, check=True, timeout=180,
    )  # fmt: skip
    return env


def _get(url: str, token: str = "") -> str:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.read().decode()


def _wait_get(url: str, token: str = "", seconds: float = 60) -> str:
    deadline = time.monotonic() + seconds
    while True:
        try:
            return _get(url, token)
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


def _value(text: str, series: str) -> float:
    match = re.search(re.escape(series) + r" ([0-9.e+]+)", text)
    assert match, f"{series} not in:\n{text[:3000]}"
    return float(match.group(1))


def test_gunicorn_workers_metrics_are_summed_in_one_scrape(tmp_path: Path) -> None:
    port = _free_port()
    env = _env(tmp_path, METRICS_TOKEN="scrape")
    web = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "python:jobboard.gunicorn_conf",
         "jobboard.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
        cwd=REPO, env=env, stdout=(tmp_path / "web.log").open("wb"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_get(f"{base}/healthz")
        answered = 1
        # Eight clients at once: a sync worker answers one at a time, so both answer some
        # once both have booted. On a busy machine the second may boot seconds after the
        # first, which then answers everything: keep sending until both have counted.
        deadline = time.monotonic() + 60
        with ThreadPoolExecutor(max_workers=8) as pool:
            while True:
                list(pool.map(lambda _: _get(f"{base}/healthz"), range(40)))
                answered += 40
                counted_in = list((tmp_path / "prom").glob("counter_*.db"))
                if len(counted_in) == 2 or time.monotonic() > deadline:
                    break
        assert len(counted_in) == 2, (tmp_path / "web.log").read_text()
        text = _get(f"{base}/metrics", "scrape")
        # Every answer counted, in two processes, summed in one scrape.
        series = 'http_requests_total{method="GET",status="2xx",view="healthz"}'
        assert _value(text, series) == answered
    finally:
        _stop(web)


def test_a_worker_serves_the_task_counts_of_all_its_pool_processes(tmp_path: Path) -> None:
    port = _free_port()
    env = _env(tmp_path, METRICS_WORKER_PORT=str(port), METRICS_WORKER_ADDR="127.0.0.1")
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "jobboard", "worker", "--pool", "prefork",
         "--concurrency", "2", "--without-gossip", "--without-mingle", "--without-heartbeat",
         "--loglevel", "INFO"],
        cwd=REPO, env=env, stdout=(tmp_path / "worker.log").open("wb"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        send = (
            "import django; django.setup(); from jobboard.celery import ping; "
            "[ping.delay() for _ in range(6)]"
        )
        subprocess.run([sys.executable, "-c", send], cwd=REPO, env=env, check=True, timeout=60)
        series = 'celery_task_runs_total{outcome="success",task="jobboard.ping"}'
        deadline = time.monotonic() + 60
        value = 0.0
        while time.monotonic() < deadline and value < 6:
            text = _wait_get(f"http://127.0.0.1:{port}/metrics")
            value = _value(text, series) if series in text else 0.0
            time.sleep(0.5)
        assert value == 6, (tmp_path / "worker.log").read_text()[-3000:]
    finally:
        _stop(worker)
