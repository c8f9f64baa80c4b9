"""Worker bootsteps: alert conditions on a timer, and the worker's metrics endpoint.

The alerts run in every worker, not from beat, so that a dead beat is still noticed.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import bootsteps

logger = logging.getLogger(__name__)


def evaluate_alerts() -> None:
    from django.db import close_old_connections

    from jobboard.operations import alerts

    try:
        alerts.evaluate()
    except Exception:  # the timer thread must survive a database hiccup
        logger.exception("alert evaluation failed")
    finally:
        close_old_connections()


class AlertWatch(bootsteps.StartStopStep):
    requires = ("celery.worker.components:Timer",)

    def __init__(self, worker: Any, **kwargs: Any) -> None:
        super().__init__(worker, **kwargs)
        self.tref: Any = None

    def start(self, worker: Any) -> None:
        from django.conf import settings

        self.tref = worker.timer.call_repeatedly(settings.ALERT_CHECK_INTERVAL, evaluate_alerts)

    def stop(self, worker: Any) -> None:
        if self.tref is not None:
            self.tref.cancel()
            self.tref = None


class MetricsServer(bootsteps.StartStopStep):
    """METRICS_WORKER_PORT: serve this worker's metrics (all its pool processes) to Prometheus.

    A worker's counters (SmartRecruiters calls made by tasks, task runs) live in the
    worker's processes, which the web's /metrics cannot see. Keep the port internal.
    """

    def start(self, worker: Any) -> None:
        from django.conf import settings
        from prometheus_client import REGISTRY, CollectorRegistry, multiprocess, start_http_server

        from jobboard.operations import multiprocess_metrics

        port = settings.METRICS_WORKER_PORT
        if not port:
            return
        registry = REGISTRY
        if multiprocess_metrics.directory() is not None:
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)
        start_http_server(port, addr=settings.METRICS_WORKER_ADDR, registry=registry)
        logger.info("worker metrics on %s:%s", settings.METRICS_WORKER_ADDR, port)
