"""A worker bootstep that evaluates the alert conditions on a timer.

It runs in every worker, not from beat, so that a dead beat is still noticed.
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
    requires = {"celery.worker.components:Timer"}

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
